package io.gatehouse.control.internal;

import static io.vertx.core.http.HttpMethod.GET;

import io.gatehouse.control.analytics.Analytics;
import io.gatehouse.control.analytics.AnalyticsQuery;
import io.gatehouse.control.analytics.AnalyticsRow;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** The analytics routes of management API v1: aggregate queries and the usage report. */
public final class AnalyticsApi {
  private final Analytics analytics;

  /** Routes over {@code analytics}. */
  public AnalyticsApi(Analytics analytics) {
    this.analytics = analytics;
  }

  /** The endpoints, for the router and the OpenAPI document. */
  public List<Endpoint> endpoints() {
    List<String> params = new ArrayList<>(List.of("from", "to", "groupBy", "latency"));
    params.addAll(Analytics.DIMENSIONS);
    return List.of(
        new Endpoint(GET, ManagementApi.PREFIX + "/analytics", "analytics",
            "Requests, error rate, p50/p95/p99 latency and bytes over [from, to), grouped and filtered by dimension"
                + " (latency=false: counts and bytes only, faster)",
            Endpoint.Body.NONE, 200, List.copyOf(params), c -> false, this::query, "analytics:read"),
        new Endpoint(GET, ManagementApi.PREFIX + "/analytics/usage", "analytics",
            "Calls, errors and bytes per subscription and UTC day over [from, to) as JSON or CSV (format=csv)",
            Endpoint.Body.NONE, 200, List.of("from", "to", "format"), c -> false, this::usage, "analytics:read"));
  }

  private Reply query(Call c) {
    Instant to = time(c, "to", Instant.now());
    Instant from = time(c, "from", to.minus(Duration.ofDays(1)));
    List<String> groupBy = new ArrayList<>();
    c.query("groupBy").ifPresent(g -> {
      for (String s : g.split(",")) {
        if (!s.isBlank()) {
          groupBy.add(s.strip());
        }
      }
    });
    Map<String, String> filters = new LinkedHashMap<>();
    for (String d : Analytics.DIMENSIONS) {
      c.query(d).ifPresent(v -> filters.put(d, v));
    }
    String latencyParam = c.query("latency").orElse("true");
    if (!latencyParam.equals("true") && !latencyParam.equals("false")) {
      throw ApiException.badField("latency", "expected 'true' or 'false' but got '" + latencyParam + "'");
    }
    boolean latency = latencyParam.equals("true");
    AnalyticsQuery q;
    try {
      q = new AnalyticsQuery(from, to, groupBy, filters, latency);
    } catch (IllegalArgumentException e) {
      throw new ApiException(400, e.getMessage());
    }
    List<Map<String, Object>> items = new ArrayList<>();
    for (AnalyticsRow r : analytics.query(q)) {
      Map<String, Object> item = new LinkedHashMap<>(r.group());
      item.put("requests", r.totals().requests());
      item.put("errors", r.totals().errors());
      item.put("errorRate", r.errorRate());
      item.put("bytesIn", r.totals().bytesIn());
      item.put("bytesOut", r.totals().bytesOut());
      if (latency) {
        Map<String, Object> percentiles = new LinkedHashMap<>();
        percentiles.put("p50", r.latencyMillis(50));
        percentiles.put("p95", r.latencyMillis(95));
        percentiles.put("p99", r.latencyMillis(99));
        item.put("latencyMs", percentiles);
      }
      items.add(item);
    }
    Map<String, Object> body = new LinkedHashMap<>();
    body.put("from", q.from().toString());
    body.put("to", q.to().toString());
    body.put("groupBy", q.groupBy());
    body.put("filters", filters);
    body.put("items", items);
    return Reply.json(200, body);
  }

  private Reply usage(Call c) {
    Instant to = time(c, "to", Instant.now());
    Instant from = time(c, "from", to.minus(Duration.ofDays(30)));
    String format = c.query("format").orElse("json");
    if (!format.equals("json") && !format.equals("csv")) {
      throw ApiException.badField("format", "expected 'json' or 'csv' but got '" + format + "'");
    }
    if (!from.isBefore(to)) {
      throw ApiException.badField("from", "expected from before to but got from=" + from + ", to=" + to);
    }
    List<AnalyticsRow> rows = analytics.usage(from, to);
    if (format.equals("csv")) {
      StringBuilder csv = new StringBuilder("day,subscription,calls,errors,bytesIn,bytesOut\r\n");
      for (AnalyticsRow r : rows) {
        csv.append(r.group().get("day"), 0, 10).append(',').append(csvField(r.group().get("subscription"))).append(',')
            .append(r.totals().requests()).append(',').append(r.totals().errors()).append(',')
            .append(r.totals().bytesIn()).append(',').append(r.totals().bytesOut()).append("\r\n");
      }
      return Reply.text(200, csv.toString(), "text/csv; charset=utf-8")
          .header("Content-Disposition", "attachment; filename=\"usage.csv\"");
    }
    List<Map<String, Object>> items = new ArrayList<>();
    for (AnalyticsRow r : rows) {
      Map<String, Object> item = new LinkedHashMap<>();
      item.put("day", r.group().get("day").substring(0, 10));
      item.put("subscription", r.group().get("subscription"));
      item.put("calls", r.totals().requests());
      item.put("errors", r.totals().errors());
      item.put("bytesIn", r.totals().bytesIn());
      item.put("bytesOut", r.totals().bytesOut());
      items.add(item);
    }
    Map<String, Object> body = new LinkedHashMap<>();
    body.put("from", from.toString());
    body.put("to", to.toString());
    body.put("items", items);
    return Reply.json(200, body);
  }

  static String csvField(String s) {
    if (s.indexOf(',') < 0 && s.indexOf('"') < 0 && s.indexOf('\n') < 0 && s.indexOf('\r') < 0) {
      return s;
    }
    return '"' + s.replace("\"", "\"\"") + '"';
  }

  /** An ISO-8601 instant or a date (its UTC midnight). */
  private static Instant time(Call c, String name, Instant fallback) {
    String text = c.query(name).orElse(null);
    if (text == null || text.isBlank()) {
      return fallback;
    }
    try {
      if (text.length() == 10) {
        return LocalDate.parse(text).atStartOfDay(ZoneOffset.UTC).toInstant();
      }
      return Instant.parse(text);
    } catch (DateTimeParseException e) {
      throw ApiException.badField(name, "expected an ISO-8601 instant (2026-11-23T10:00:00Z) or date (2026-11-23) but got '"
          + text + "'");
    }
  }
}
