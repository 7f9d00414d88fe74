package io.gatehouse.server.internal;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.gatehouse.insight.threat.ThreatSettings;
import io.gatehouse.model.ConfigMapper;
import io.gatehouse.testing.Await;
import io.gatehouse.testing.GatehouseExtension;
import io.gatehouse.testing.MockUpstream;
import io.gatehouse.testing.redis.RedisServer;
import io.lettuce.core.RedisClient;
import io.lettuce.core.api.StatefulRedisConnection;
import io.vertx.core.Vertx;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Identity-based threat detection across servers that share a Redis server ({@code --redis}): the
 * brute-force count of an identity, and its distinct ids of one endpoint, are one count for the
 * cluster.
 */
class RedisThreatDetectionServeTest {
  private static final String WRONG_KEY = "wrong-key-0123456789abcdef01234567";

  @TempDir Path dir;
  final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
  final List<ServeCommand.Running> servers = new ArrayList<>();
  final List<String> tokens = new ArrayList<>();
  Vertx vertx;
  MockUpstream upstream;
  RedisServer redis;

  @BeforeEach
  void setUp() throws Exception {
    vertx = Vertx.vertx();
    upstream = MockUpstream.start(vertx).toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    redis = RedisServer.start();
  }

  @AfterEach
  void tearDown() throws Exception {
    for (ServeCommand.Running r : servers) {
      r.close();
    }
    redis.close();
    vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
  }

  ServeCommand.Running start(String name) throws Exception {
    ServeCommand.Running r = Serving.start("--data", dir.resolve(name).toString(), "--gateway-host", "127.0.0.1",
        "--gateway-port", "0", "--management-port", "0", "--no-portal", "--drain-period", "0s", "--no-access-log",
        "--no-analytics", "--allowed-backend-networks", String.join(",", GatehouseExtension.LOOPBACK_BACKENDS),
        "--redis", redis.uri());
    servers.add(r);
    tokens.add(Serving.adminToken(dir.resolve(name)));
    HttpResponse<String> put = mgmt(servers.size() - 1, "PUT", "/config", """
        backends:
          - name: echo
            url: %s
        apis:
          - name: orders
            path: /orders
            backend: echo
            subscriptionRequired: true
            operations:
              - GET /items/{id}
          - name: catalog
            path: /catalog
            backend: echo
            subscriptionRequired: false
            operations:
              - GET /items/{id}
        """.formatted(upstream.url()));
    assertThat(put.statusCode()).as(put.body()).isEqualTo(200);
    return r;
  }

  HttpResponse<String> mgmt(int server, String method, String path, String yaml) throws Exception {
    return Serving.mgmt(http, servers.get(server), tokens.get(server), Duration.ofSeconds(20), method, path,
        yaml == null ? null : "application/yaml", yaml);
  }

  int bruteForceAlerts(int server) {
    return alerts(server, "brute-force");
  }

  int alerts(int server, String detector) {
    try {
      int n = 0;
      for (JsonNode a : ConfigMapper.json().readTree(mgmt(server, "GET", "/security/alerts", null).body()).get("items")) {
        n += a.path("detector").asText().equals(detector) ? 1 : 0;
      }
      return n;
    } catch (Exception e) {
      throw new AssertionError(e);
    }
  }

  int fail(int server) throws Exception {
    return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + servers.get(server).gateway().port()
        + "/orders/items/1")).header("Subscription-Key", WRONG_KEY).timeout(Duration.ofSeconds(5)).build(),
        HttpResponse.BodyHandlers.discarding()).statusCode();
  }

  int fetch(int server, String id) throws Exception {
    return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + servers.get(server).gateway().port()
        + "/catalog/items/" + id)).timeout(Duration.ofSeconds(5)).build(),
        HttpResponse.BodyHandlers.discarding()).statusCode();
  }

  @Test
  void enumerationSpreadOverThreeServersFiresAtTheSingleServerThresholdOnce() throws Exception {
    for (int i = 0; i < 3; i++) {
      start("s" + i);
    }
    int threshold = ThreatSettings.DEFAULTS.enumerationDistinctIds();
    String ids = "gatehouse:threat:{object-enumeration:ip:127.0.0.1 catalog /items/{id}}:ids";
    RedisClient client = RedisClient.create(redis.uri());
    try (StatefulRedisConnection<String, String> c = client.connect()) {
      // ids that are not numbers, so no run of sequential ids: only distinct ids can raise the alert
      for (int i = 0; i < threshold - 1; i++) {
        assertThat(fetch(i % 3, "x" + i)).isEqualTo(200);
        assertThat(fetch((i + 1) % 3, "x" + i)).isEqualTo(200); // the same id again, on another server
      }
      Await.until("the cluster-wide distinct ids at " + (threshold - 1), () -> c.sync().scard(ids),
          v -> v == threshold - 1);
      for (int i = 0; i < 3; i++) {
        assertThat(alerts(i, "object-enumeration")).as("server %d alerts before the threshold", i).isZero();
      }
      assertThat(fetch(2, "x" + (threshold - 1))).isEqualTo(200);
      Await.until("an enumeration alert on the server that saw the threshold-th id",
          () -> alerts(2, "object-enumeration") == 1);
      for (int i = threshold; i < threshold + 6; i++) { // more ids in the same window raise nothing more
        assertThat(fetch(i % 3, "x" + i)).isEqualTo(200);
      }
      Await.until("the later ids counted", () -> c.sync().scard(ids), v -> v == threshold + 6);
      assertThat(alerts(0, "object-enumeration") + alerts(1, "object-enumeration")).isZero(); // one alert for the cluster
      assertThat(alerts(2, "object-enumeration")).isEqualTo(1);
    } finally {
      client.shutdown();
    }
  }

  @Test
  void bruteForceSpreadEvenlyOverThreeServersFiresAtTheSingleServerThreshold() throws Exception {
    for (int i = 0; i < 3; i++) {
      start("s" + i);
    }
    int threshold = ThreatSettings.DEFAULTS.bruteForceFailures();
    RedisClient client = RedisClient.create(redis.uri());
    try (StatefulRedisConnection<String, String> c = client.connect()) {
      for (int i = 0; i < threshold - 1; i++) {
        assertThat(fail(i % 3)).isEqualTo(401);
      }
      Await.until("the cluster-wide count at " + (threshold - 1),
          () -> c.sync().hget("gatehouse:threat:brute-force:ip:127.0.0.1", "c"),
          v -> Integer.toString(threshold - 1).equals(v));
      for (int i = 0; i < 3; i++) {
        assertThat(bruteForceAlerts(i)).as("server %d alerts before the threshold", i).isZero();
      }
      assertThat(fail(1)).isEqualTo(401);
      Await.until("a brute-force alert on the server that saw the threshold-th failure", () -> bruteForceAlerts(1) == 1);
      assertThat(bruteForceAlerts(0) + bruteForceAlerts(2)).isZero(); // one alert for the cluster
    } finally {
      client.shutdown();
    }
  }
}
