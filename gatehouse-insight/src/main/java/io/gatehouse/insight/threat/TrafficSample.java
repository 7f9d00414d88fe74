package io.gatehouse.insight.threat;

import static java.util.Objects.requireNonNull;

import java.time.Instant;
import java.util.List;

/**
 * One completed request as the threat detectors see it, mapped from the gateway's traffic event
 * (insight stays free of gateway types).
 *
 * @param time when the request arrived
 * @param requestId the request id
 * @param clientIp the client's address
 * @param subscription the subscription used, or {@code null}
 * @param api the API name, empty when unrouted
 * @param operation the matched operation {@code METHOD /template}, empty when none
 * @param method the request method
 * @param path the request path (without the query)
 * @param query the raw query or {@code null}; values are redacted before they appear in evidence
 * @param status the response status (0 when none was sent)
 * @param bytesOut response body bytes
 * @param injections categories of suspected injections found in the request, empty when none
 */
public record TrafficSample(
    Instant time,
    String requestId,
    String clientIp,
    String subscription,
    String api,
    String operation,
    String method,
    String path,
    String query,
    int status,
    long bytesOut,
    List<String> injections) {
  public TrafficSample {
    requireNonNull(time, "time");
    requestId = requestId == null ? "" : requestId;
    clientIp = clientIp == null ? "" : clientIp;
    api = api == null ? "" : api;
    operation = operation == null ? "" : operation;
    requireNonNull(method, "method");
    requireNonNull(path, "path");
    injections = injections == null ? List.of() : List.copyOf(injections);
  }

  /** The identity detectors key on: {@code subscription:NAME} when a key was used, else {@code ip:ADDRESS}. */
  public String identity() {
    return subscription != null && !subscription.isEmpty() ? "subscription:" + subscription : "ip:" + clientIp;
  }

  /** The request line for evidence, with query values redacted. */
  public String describe() {
    return method + " " + path + (query == null || query.isEmpty() ? "" : "?" + Redaction.query(query)) + " -> " + status;
  }
}
