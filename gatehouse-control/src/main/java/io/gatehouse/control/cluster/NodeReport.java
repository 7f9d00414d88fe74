package io.gatehouse.control.cluster;

import static java.util.Objects.requireNonNull;

import io.gatehouse.control.analytics.Aggregate;
import io.gatehouse.control.analytics.AggregateKey;
import java.util.List;
import java.util.Map;

/**
 * What a gateway node reports to the control plane in one request over mutual TLS: its analytics
 * (minute bucket start → key → totals) and the requests it served, for discovery and threat
 * detection. The node that sent it is the one its client certificate names, never a field of the
 * report.
 *
 * @param batch the report's id, the same when the node sends it again; analytics are added once per
 *     node, minute and batch
 * @param analytics per-minute totals; the keys' node is ignored
 * @param requests requests served, oldest first
 * @param traces requests recorded with a debug session's token, oldest first; filed under the node
 *     its certificate names, and only for a session live on the control plane
 */
public record NodeReport(String batch, Map<Long, Map<AggregateKey, Aggregate>> analytics, List<ObservedRequest> requests,
    List<DebugTrace> traces) {

  public NodeReport {
    requireNonNull(batch, "batch");
    requireNonNull(analytics, "analytics");
    requests = List.copyOf(requireNonNull(requests, "requests"));
    traces = List.copyOf(requireNonNull(traces, "traces"));
  }

  /** A report without debug traces. */
  public NodeReport(String batch, Map<Long, Map<AggregateKey, Aggregate>> analytics, List<ObservedRequest> requests) {
    this(batch, analytics, requests, List.of());
  }

  /**
   * One request recorded with a debug session's token, secrets already redacted by the node.
   *
   * @param session the session's id
   * @param trace the recorded request as JSON
   */
  public record DebugTrace(String session, com.fasterxml.jackson.databind.JsonNode trace) {
    public DebugTrace {
      requireNonNull(session, "session");
      requireNonNull(trace, "trace");
    }
  }

  /**
   * One request served by a gateway node, as discovery and the threat detectors see it.
   *
   * @param time when it arrived, epoch milliseconds
   * @param requestId its request id
   * @param clientIp the client's address
   * @param subscription the subscription used, empty when none
   * @param api the API, empty when unrouted
   * @param operation the matched operation ({@code METHOD /template}), empty when none
   * @param method the request method
   * @param path the path, without the query
   * @param query the raw query, empty when none
   * @param status the response status
   * @param bytesOut response body bytes
   * @param injections suspected injection categories found in the request
   * @param backendAnswered whether a backend answered (only then is it an observed endpoint)
   */
  public record ObservedRequest(long time, String requestId, String clientIp, String subscription, String api,
      String operation, String method, String path, String query, int status, long bytesOut, List<String> injections,
      boolean backendAnswered) {
    public ObservedRequest {
      requireNonNull(requestId, "requestId");
      requireNonNull(clientIp, "clientIp");
      requireNonNull(subscription, "subscription");
      requireNonNull(api, "api");
      requireNonNull(operation, "operation");
      requireNonNull(method, "method");
      requireNonNull(path, "path");
      requireNonNull(query, "query");
      injections = List.copyOf(requireNonNull(injections, "injections"));
    }
  }

  /** Where the control plane hands the reports of gateway nodes; blocking calls on a worker thread. */
  @FunctionalInterface
  public interface Sink {
    /**
     * Takes {@code report} from node {@code node} (from its client certificate); throws to have the
     * node send it again later.
     */
    void accept(String node, NodeReport report);
  }
}
