package io.gatehouse.server.internal;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.gatehouse.model.ConfigLoader;
import io.gatehouse.model.GatewayConfig;
import io.gatehouse.testing.MockUpstream;
import io.vertx.core.Vertx;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** Access log, metrics and analytics as `gatehouse serve` wires them, through the real gateway. */
class ObservabilityServeTest {
  static final String ALICE = "alice-key-0123456789abcdef";
  static final String BOB = "bob-key-0123456789abcdef";
  static final ObjectMapper JSON = new ObjectMapper();
  static Vertx vertx;
  static MockUpstream upstream;
  final HttpClient http = HttpClient.newHttpClient();
  ServeCommand.Running running;

  @BeforeAll
  static void upstream() throws Exception {
    vertx = Vertx.vertx();
    upstream = MockUpstream.start(vertx).toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
  }

  @AfterAll
  static void stop() throws Exception {
    vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
  }

  @AfterEach
  void close() throws Exception {
    if (running != null) {
      running.close();
    }
    upstream.reset();
  }

  void serve(Path dir, String... args) throws Exception {
    String yaml = """
        backends:
          - name: echo
            url: %s
        apis:
          - name: orders
            path: /orders
            backend: echo
            subscriptionRequired: true
          - name: users
            path: /users
            backend: echo
            subscriptionRequired: true
        subscriptions:
          - name: alice
            scope: api:orders
            primaryKey: %s
          - name: bob
            scope: all
            primaryKey: %s
        """.formatted(upstream.url(), ALICE, BOB);
    Path file = dir.resolve("gatehouse.yaml");
    Files.writeString(file, yaml);
    GatewayConfig cfg = ConfigLoader.withEnvironment(Map.of()).load(file);
    ServeCommand cmd = new ServeCommand();
    List<String> all = new ArrayList<>(List.of("--data", dir.resolve("data").toString(), "--gateway-host", "127.0.0.1", "--allowed-backend-networks",
        String.join(",", io.gatehouse.testing.GatehouseExtension.LOOPBACK_BACKENDS),
        "--gateway-port", "0", "--management-port", "0", "--portal-port", "0", "--drain-period", "0s", "--analytics-flush-interval", "3600000",
        "--config", file.toString()));
    all.addAll(List.of(args));
    new CommandLine(cmd).parseArgs(all.toArray(String[]::new));
    running = cmd.start(cfg, new PrintStream(new ByteArrayOutputStream()));
  }

  HttpResponse<String> get(String url, String... headers) throws Exception {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(10));
    for (int i = 0; i + 1 < headers.length; i += 2) {
      b.header(headers[i], headers[i + 1]);
    }
    return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
  }

  String gw() {
    return "http://127.0.0.1:" + running.gateway().port();
  }

  String mgmt() {
    return "http://127.0.0.1:" + running.management().actualPort();
  }

  String token(Path dir) throws Exception {
    return Files.readString(dir.resolve("data").resolve("admin-token")).trim();
  }

  /** Waits until the event thread has handed {@code n} events to analytics, then flushes them. */
  void flushAnalytics(long n) throws Exception {
    ServeTest.await(() -> running.gateway().events().published() >= n && running.gateway().events().depth() == 0);
    // depth 0 means taken off the queue; the one in delivery may still be running: flush until all are stored
    ServeTest.await(() -> {
      running.observability().analytics().flush();
      return total() == n;
    });
  }

  long total() {
    Instant now = Instant.now();
    return running.observability().analytics().query(new io.gatehouse.control.analytics.AnalyticsQuery(
        now.minus(Duration.ofDays(1)), now.plus(Duration.ofMinutes(2)), List.of(), Map.of()))
        .stream().mapToLong(r -> r.totals().requests()).sum();
  }

  @Test
  void aggregatesAKnownMixOfRequestsAndReportsUsagePerSubscriptionAndDay(@TempDir Path dir) throws Exception {
    upstream.respondWith(req -> {
      int status = req.path().endsWith("/fail") ? 500 : 200;
      req.response().setStatusCode(status).end(status == 200 ? "0123456789" : "boom!");
    });
    serve(dir, "--no-access-log");
    for (int i = 0; i < 3; i++) {
      assertThat(get(gw() + "/orders/a", "Subscription-Key", ALICE).statusCode()).isEqualTo(200);
    }
    assertThat(get(gw() + "/orders/fail", "Subscription-Key", ALICE).statusCode()).isEqualTo(500);
    for (int i = 0; i < 2; i++) {
      assertThat(get(gw() + "/users/x", "Subscription-Key", BOB).statusCode()).isEqualTo(200);
    }
    assertThat(get(gw() + "/users/x").statusCode()).isEqualTo(401);
    assertThat(get(gw() + "/users/x", "Subscription-Key", ALICE).statusCode()).isEqualTo(403);
    flushAnalytics(8);

    String auth = "Bearer " + token(dir);
    HttpResponse<String> byApi = get(mgmt() + "/api/v1/analytics?groupBy=api,status&from="
        + Instant.now().minus(Duration.ofHours(1)), "Authorization", auth);
    assertThat(byApi.statusCode()).isEqualTo(200);
    List<String> rows = new ArrayList<>();
    for (JsonNode item : JSON.readTree(byApi.body()).get("items")) {
      rows.add(item.get("api").asText() + " " + item.get("status").asText() + " " + item.get("requests").asLong()
          + " " + item.get("errors").asLong() + " " + item.get("bytesOut").asLong());
      assertThat(item.get("latencyMs").get("p99").asDouble()).isGreaterThan(0);
    }
    assertThat(rows).containsExactly("orders 2xx 3 0 30", "orders 5xx 1 1 5", "users 2xx 2 0 20", "users 4xx 2 2 "
        + rows.get(3).split(" ")[4]);

    HttpResponse<String> filtered = get(mgmt() + "/api/v1/analytics?groupBy=subscription&api=orders", "Authorization", auth);
    JsonNode one = JSON.readTree(filtered.body()).get("items").get(0);
    assertThat(one.get("subscription").asText()).isEqualTo("alice");
    assertThat(one.get("requests").asLong()).isEqualTo(4);
    assertThat(one.get("errorRate").asDouble()).isEqualTo(0.25);
    JsonNode countsOnly = JSON.readTree(get(mgmt() + "/api/v1/analytics?groupBy=subscription&api=orders&latency=false",
        "Authorization", auth).body()).get("items").get(0);
    assertThat(countsOnly.get("requests").asLong()).isEqualTo(4);
    assertThat(countsOnly.get("errors").asLong()).isEqualTo(one.get("errors").asLong());
    assertThat(countsOnly.has("latencyMs")).isFalse();
    assertThat(get(mgmt() + "/api/v1/analytics?latency=maybe", "Authorization", auth).statusCode()).isEqualTo(400);

    String today = LocalDate.now(ZoneOffset.UTC).toString();
    String tomorrow = LocalDate.now(ZoneOffset.UTC).plusDays(1).toString();
    HttpResponse<String> csv = get(mgmt() + "/api/v1/analytics/usage?from=" + today + "&to=" + tomorrow + "&format=csv",
        "Authorization", auth);
    assertThat(csv.headers().firstValue("Content-Type").orElse("")).startsWith("text/csv");
    // alice: 4 calls on orders + 1 refused on users (403, still her subscription); bob: 2
    assertThat(csv.body().split("\r\n")).containsExactly("day,subscription,calls,errors,bytesIn,bytesOut",
        today + ",alice,5,2,0," + (30 + 5 + bytesOf403(csv)), today + ",bob,2,0,0,20");
    JsonNode usage = JSON.readTree(get(mgmt() + "/api/v1/analytics/usage?from=" + today + "&to=" + tomorrow,
        "Authorization", auth).body());
    assertThat(usage.get("items")).hasSize(2);
    assertThat(usage.get("items").get(1).get("calls").asLong()).isEqualTo(2);

    assertThat(get(mgmt() + "/api/v1/analytics?groupBy=nope", "Authorization", auth).statusCode()).isEqualTo(400);
    assertThat(get(mgmt() + "/api/v1/analytics").statusCode()).isEqualTo(401);
    JsonNode doc = JSON.readTree(get(mgmt() + "/api/v1/openapi.json", "Authorization", auth).body());
    assertThat(doc.get("paths").has("/api/v1/analytics")).isTrue();
    assertThat(doc.get("paths").has("/api/v1/analytics/usage")).isTrue();
    assertThat(doc.get("paths").has("/metrics")).isFalse();
  }

  private static long bytesOf403(HttpResponse<String> csv) {
    String alice = csv.body().split("\r\n")[1];
    return Long.parseLong(alice.substring(alice.lastIndexOf(',') + 1)) - 35;
  }

  @Test
  void metricsNeedTheAdminTokenUnlessPublic(@TempDir Path dir) throws Exception {
    serve(dir, "--no-access-log", "--no-analytics");
    assertThat(get(gw() + "/orders/a", "Subscription-Key", ALICE).statusCode()).isEqualTo(200);
    assertThat(get(mgmt() + "/metrics").statusCode()).isEqualTo(401);
    ServeTest.await(() -> {
      try {
        return get(mgmt() + "/metrics", "Authorization", "Bearer " + token(dir)).body()
            .contains("gatehouse_requests_total{api=\"orders\",operation=\"\",status_class=\"2xx\"} 1.0");
      } catch (Exception e) {
        throw new IllegalStateException(e);
      }
    });
    HttpResponse<String> m = get(mgmt() + "/metrics", "Authorization", "Bearer " + token(dir));
    assertThat(m.headers().firstValue("Content-Type").orElse("")).startsWith("text/plain; version=0.0.4");
    running.close();
    running = null;
    serve(dir, "--no-access-log", "--no-analytics", "--metrics-public");
    assertThat(get(mgmt() + "/metrics").statusCode()).isEqualTo(200);
    assertThat(get(mgmt() + "/api/v1/config").statusCode()).isEqualTo(401);
  }

  @Test
  void writesTheAccessLogToARotatedFileWithQueryValuesRedacted(@TempDir Path dir) throws Exception {
    Path log = dir.resolve("logs/access.log");
    serve(dir, "--access-log", log.toString(), "--access-log-max-size", "10MB", "--access-log-max-history", "3",
        "--no-analytics", "--no-metrics");
    assertThat(get(gw() + "/orders/a?token=s3cr3t&flag", "Subscription-Key", ALICE).statusCode()).isEqualTo(200);
    assertThat(get(gw() + "/users/b", "Authorization", "Bearer hidden", "Subscription-Key", BOB).statusCode())
        .isEqualTo(200);
    ServeTest.await(() -> {
      try {
        return Files.exists(log) && Files.readAllLines(log).size() == 2;
      } catch (java.io.IOException e) {
        throw new IllegalStateException(e);
      }
    });
    List<String> lines = Files.readAllLines(log);
    JsonNode first = JSON.readTree(lines.get(0));
    assertThat(first.get("api").asText()).isEqualTo("orders");
    assertThat(first.get("query").asText()).isEqualTo("token=***&flag");
    assertThat(first.get("subscription").asText()).isEqualTo("alice");
    assertThat(String.join("\n", lines)).doesNotContain("s3cr3t", "hidden", ALICE, BOB);
  }

  @Test
  void debugTokenRecordsStagesAndTheRedactedBackendExchangeOfItsApiOnly(@TempDir Path dir) throws Exception {
    serve(dir, "--no-access-log", "--no-analytics", "--no-metrics");
    String auth = "Bearer " + token(dir);
    HttpResponse<String> opened = http.send(HttpRequest.newBuilder(URI.create(mgmt() + "/api/v1/debug-tokens"))
        .header("Authorization", auth).header("Content-Type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString("{\"api\":\"orders\",\"ttlSeconds\":600}")).build(),
        HttpResponse.BodyHandlers.ofString());
    assertThat(opened.statusCode()).isEqualTo(201);
    JsonNode session = JSON.readTree(opened.body());
    String debug = session.get("token").asText();
    String id = session.get("id").asText();

    assertThat(get(gw() + "/orders/a", "Subscription-Key", ALICE, "Gatehouse-Debug", debug,
        "Authorization", "Bearer backend-secret").statusCode()).isEqualTo(200);
    assertThat(upstream.take(5).header("Gatehouse-Debug")).isNull();
    assertThat(get(gw() + "/users/x", "Subscription-Key", BOB, "Gatehouse-Debug", debug).statusCode()).isEqualTo(200);
    assertThat(get(gw() + "/orders/b", "Subscription-Key", ALICE).statusCode()).isEqualTo(200);

    ServeTest.await(() -> {
      try {
        return JSON.readTree(get(mgmt() + "/api/v1/debug-tokens/" + id + "/traces", "Authorization", auth).body())
            .get("items").size() == 1;
      } catch (Exception e) {
        throw new IllegalStateException(e);
      }
    });
    JsonNode trace = JSON.readTree(get(mgmt() + "/api/v1/debug-tokens/" + id + "/traces", "Authorization", auth).body())
        .get("items").get(0);
    assertThat(trace.get("path").asText()).isEqualTo("/orders/a");
    assertThat(trace.get("status").asInt()).isEqualTo(200);
    List<String> stages = new ArrayList<>();
    trace.get("steps").forEach(st -> stages.add(st.get("stage").asText()));
    assertThat(stages).containsExactly("route", "subscription-key", "backend", "backend");
    JsonNode attempt = trace.get("backend").get(0);
    assertThat(attempt.get("attempt").asInt()).isEqualTo(1);
    assertThat(attempt.get("status").asInt()).isEqualTo(200);
    assertThat(attempt.get("requestHeaders").toString()).contains("{\"name\":\"Authorization\",\"value\":\"***\"}");
    String text = trace.toString();
    assertThat(text).contains("response 200").doesNotContain("backend-secret", ALICE);
    assertThat(get(mgmt() + "/api/v1/debug-tokens/nope/traces", "Authorization", auth).statusCode()).isEqualTo(404);
  }
}
