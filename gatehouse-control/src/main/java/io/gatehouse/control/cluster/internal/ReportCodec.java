package io.gatehouse.control.cluster.internal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.gatehouse.control.analytics.Aggregate;
import io.gatehouse.control.analytics.AggregateKey;
import io.gatehouse.control.cluster.NodeReport;
import io.gatehouse.model.ConfigMapper;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The JSON form of a {@link NodeReport} on the node channel, and its checked reading: a report
 * that is not well formed, too large, or carries a malformed histogram is refused whole.
 */
public final class ReportCodec {
  /** The most analytics rows in one report. */
  public static final int MAX_ROWS = 20_000;
  /** The most requests in one report. */
  public static final int MAX_REQUESTS = 20_000;
  /** The most debug traces in one report. */
  public static final int MAX_TRACES = 200;
  private static final int MAX_TEXT = 2048;

  private ReportCodec() {}

  /** The report as JSON bytes. */
  public static byte[] write(NodeReport r) {
    ObjectNode root = ConfigMapper.json().createObjectNode();
    root.put("batch", r.batch());
    ArrayNode rows = root.putArray("analytics");
    r.analytics().forEach((minute, keys) -> keys.forEach((k, a) -> {
      ObjectNode o = rows.addObject();
      o.put("minute", minute);
      o.put("api", k.api());
      o.put("operation", k.operation());
      o.put("product", k.product());
      o.put("subscription", k.subscription());
      o.put("status", k.statusClass());
      o.put("client", k.client());
      o.put("requests", a.requests());
      o.put("errors", a.errors());
      o.put("bytesIn", a.bytesIn());
      o.put("bytesOut", a.bytesOut());
      o.put("latency", Base64.getEncoder().encodeToString(a.encodedLatency()));
    }));
    ArrayNode requests = root.putArray("requests");
    for (NodeReport.ObservedRequest q : r.requests()) {
      ObjectNode o = requests.addObject();
      o.put("time", q.time());
      o.put("id", q.requestId());
      o.put("clientIp", q.clientIp());
      o.put("subscription", q.subscription());
      o.put("api", q.api());
      o.put("operation", q.operation());
      o.put("method", q.method());
      o.put("path", q.path());
      o.put("query", q.query());
      o.put("status", q.status());
      o.put("bytesOut", q.bytesOut());
      ArrayNode inj = o.putArray("injections");
      q.injections().forEach(inj::add);
      o.put("backend", q.backendAnswered());
    }
    if (!r.traces().isEmpty()) {
      ArrayNode traces = root.putArray("traces");
      for (NodeReport.DebugTrace t : r.traces()) {
        traces.addObject().put("session", t.session()).set("trace", t.trace());
      }
    }
    try {
      return ConfigMapper.json().writeValueAsBytes(root);
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  /**
   * Reads a report.
   *
   * @throws IllegalArgumentException when it is malformed or too large, with the reason
   */
  public static NodeReport read(byte[] body) {
    JsonNode root;
    try {
      root = ConfigMapper.json().readTree(body);
    } catch (IOException e) {
      throw new IllegalArgumentException("expected a JSON report {batch, analytics, requests}");
    }
    if (root == null || !root.path("batch").isTextual() || root.get("batch").asText().isEmpty()
        || root.get("batch").asText().length() > 100) {
      throw new IllegalArgumentException("expected a JSON report {batch, analytics, requests} with a batch id");
    }
    JsonNode rows = root.path("analytics");
    JsonNode requests = root.path("requests");
    JsonNode traces = root.path("traces");
    if (rows.size() > MAX_ROWS || requests.size() > MAX_REQUESTS || traces.size() > MAX_TRACES) {
      throw new IllegalArgumentException("a report holds at most " + MAX_ROWS + " analytics rows, " + MAX_REQUESTS
          + " requests and " + MAX_TRACES + " debug traces");
    }
    Map<Long, Map<AggregateKey, Aggregate>> minutes = new HashMap<>();
    for (JsonNode o : rows) {
      long minute = number(o, "minute");
      if (minute % 60_000 != 0) {
        throw new IllegalArgumentException("analytics minute " + minute + " is not the start of a minute");
      }
      AggregateKey key = new AggregateKey(text(o, "api"), text(o, "operation"), text(o, "product"),
          text(o, "subscription"), text(o, "status"), text(o, "client"));
      byte[] latency;
      try {
        String encoded = o.path("latency").asText("");
        if (encoded.length() > 256 * 1024) {
          throw new IllegalArgumentException("analytics latency histogram too large");
        }
        latency = Base64.getDecoder().decode(encoded);
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException("analytics latency is not Base64");
      }
      Aggregate a;
      try {
        a = Aggregate.decoded(number(o, "requests"), number(o, "errors"), number(o, "bytesIn"), number(o, "bytesOut"),
            latency);
      } catch (RuntimeException e) {
        throw new IllegalArgumentException("analytics latency is not a histogram");
      }
      minutes.computeIfAbsent(minute, m -> new HashMap<>()).merge(key, a, (x, y) -> {
        Aggregate sum = new Aggregate();
        sum.merge(x);
        sum.merge(y);
        return sum;
      });
    }
    List<NodeReport.ObservedRequest> observed = new ArrayList<>(requests.size());
    for (JsonNode o : requests) {
      List<String> injections = new ArrayList<>();
      for (JsonNode i : o.path("injections")) {
        if (injections.size() < 20) {
          injections.add(limit(i.asText()));
        }
      }
      long status = number(o, "status");
      observed.add(new NodeReport.ObservedRequest(number(o, "time"), text(o, "id"), text(o, "clientIp"),
          text(o, "subscription"), text(o, "api"), text(o, "operation"), text(o, "method"), text(o, "path"),
          text(o, "query"), (int) Math.min(999, status), number(o, "bytesOut"), injections,
          o.path("backend").asBoolean(false)));
    }
    List<NodeReport.DebugTrace> debug = new ArrayList<>(traces.size());
    for (JsonNode t : traces) {
      String session = text(t, "session");
      if (session.isEmpty() || session.length() > 32 || !t.path("trace").isObject()) {
        throw new IllegalArgumentException("a debug trace is {session, trace} with a session id and a trace object");
      }
      debug.add(new NodeReport.DebugTrace(session, t.get("trace")));
    }
    return new NodeReport(root.get("batch").asText(), minutes, observed, debug);
  }

  private static String text(JsonNode o, String field) {
    JsonNode v = o.path(field);
    if (!v.isMissingNode() && !v.isNull() && !v.isTextual()) {
      throw new IllegalArgumentException("'" + field + "' is not a string");
    }
    return limit(v.asText(""));
  }

  private static String limit(String s) {
    if (s.length() > MAX_TEXT) {
      throw new IllegalArgumentException("a text of " + s.length() + " characters is longer than " + MAX_TEXT);
    }
    return s;
  }

  private static long number(JsonNode o, String field) {
    JsonNode v = o.path(field);
    if (!v.canConvertToLong() || !v.isIntegralNumber() || v.asLong() < 0) {
      throw new IllegalArgumentException("'" + field + "' is not a non-negative integer");
    }
    return v.asLong();
  }
}
