package io.gatehouse.server.internal;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.gatehouse.control.secrets.MasterKeys;
import io.gatehouse.testing.TestCertificates;
import io.gatehouse.model.ConfigMapper;
import io.gatehouse.testing.Await;
import io.gatehouse.testing.GatehouseExtension;
import io.gatehouse.testing.postgres.PostgresServer;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Security state on every node: blocked clients on two servers over one PostgreSQL database and on a
 * hybrid gateway node, and certificates uploaded through one server served by the other. Each gateway
 * here has its own block check and its own TLS listener, so a node answers only with what reached it.
 */
class ClusterSecurityStateTest {
  @TempDir Path dir;
  final HybridModeServeTest cluster = new HybridModeServeTest();
  final List<ServeCommand.Running> servers = new ArrayList<>();

  @BeforeEach
  void setUp() throws Exception {
    cluster.dir = dir;
    cluster.setUp();
  }

  @AfterEach
  void tearDown() throws Exception {
    for (ServeCommand.Running r : servers) {
      r.close();
    }
    cluster.tearDown();
  }

  ServeCommand.Running serve(String url, Path data, String... extra) throws Exception {
    List<String> args = new ArrayList<>(List.of("--database", url, "--data", data.toString(),
        "--management-port", "0", "--no-portal", "--gateway-host", "127.0.0.1", "--gateway-port", "0",
        "--https-port", "0", "--allowed-backend-networks", String.join(",", GatehouseExtension.LOOPBACK_BACKENDS),
        "--no-access-log", "--no-analytics", "--drain-period", "0s"));
    args.addAll(List.of(extra));
    ServeCommand.Running r = Serving.start(args.toArray(String[]::new));
    servers.add(r);
    return r;
  }

  HttpResponse<String> mgmt(ServeCommand.Running server, String token, String method, String path, String body)
      throws Exception {
    String contentType = body == null ? null : body.startsWith("{") ? "application/json" : "application/yaml";
    return Serving.mgmt(cluster.http, server, token, Duration.ofSeconds(20), method, path, contentType, body);
  }

  /** Waits until {@code gw} answers {@code status} to {@code path}; returns the milliseconds it took. */
  long awaitStatus(ServeCommand.Running gw, String path, String key, int status) {
    long t0 = System.nanoTime();
    Await.until(path + " answers " + status + " on gateway port " + gw.gateway().port(),
        () -> cluster.get(gw, path, key) == status);
    return (System.nanoTime() - t0) / 1_000_000;
  }

  /**
   * Starts servers a (with {@code extraForA}) and b over one new PostgreSQL database with one master
   * key; returns a's admin token.
   */
  String twoServers(String... extraForA) throws Exception {
    PostgresServer pg = PostgresServer.shared();
    String url = pg.url(pg.createDatabase());
    serve(url, dir.resolve("a"), extraForA);
    String token = Serving.adminToken(dir.resolve("a"));
    Files.createDirectories(dir.resolve("b"));
    Files.copy(dir.resolve("a").resolve(MasterKeys.FILE_NAME), dir.resolve("b").resolve(MasterKeys.FILE_NAME));
    serve(url, dir.resolve("b"));
    return token;
  }

  @Test
  void aCertificateUploadedThroughOneServerIsServedByTheOtherAndSoIsItsReplacement() throws Exception {
    String token = twoServers();
    ServeCommand.Running a = servers.get(0);
    ServeCommand.Running b = servers.get(1);
    TestCertificates.Issued ca = TestCertificates.authority("Gateway CA");
    for (int round = 0; round < 2; round++) {
      TestCertificates.Issued cert = TestCertificates.server(ca, "api.example.test");
      ObjectNode o = ConfigMapper.json().createObjectNode().put("usage", "server")
          .put("certificate", TestCertificates.pem(cert.certificate())).put("privateKey", TestCertificates.pem(cert.key()));
      HttpResponse<String> r = mgmt(a, token, "PUT", "/certificates/api", o.toString());
      assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
      assertThat(HybridCertificatesTest.served(a, "api.example.test")).isEqualTo(cert.certificate().getSerialNumber());
      HybridCertificatesTest.awaitServed(b, "api.example.test", cert);
    }
  }

  @Test
  void aBlockThroughOneServerIsEnforcedByTheOtherServerAndItsLiftingAndExpiryToo() throws Exception {
    String token = twoServers();
    ServeCommand.Running a = servers.get(0);
    ServeCommand.Running b = servers.get(1);
    HttpResponse<String> put = mgmt(a, token, "PUT", "/config", cluster.yaml("v0"));
    assertThat(put.statusCode()).as(put.body()).isEqualTo(200);
    awaitStatus(a, "/v0/hello", null, 200);
    awaitStatus(b, "/v0/hello", null, 200);

    HttpResponse<String> block = mgmt(a, token, "PUT", "/security/blocks/ip:127.0.0.1", "{\"ttlSeconds\": 600}");
    assertThat(block.statusCode()).as(block.body()).isEqualTo(200);
    assertThat(cluster.get(a, "/v0/hello", null)).as("at once on the server it was made through").isEqualTo(403);
    long blockedOnB = awaitStatus(b, "/v0/hello", null, 403);
    JsonNode listed = ConfigMapper.json().readTree(mgmt(b, token, "GET", "/security/blocks", null).body());
    assertThat(listed.get("items")).singleElement().satisfies(i -> {
      assertThat(i.get("identity").asText()).isEqualTo("ip:127.0.0.1");
      assertThat(i.get("source").asText()).isEqualTo("operator");
    });

    assertThat(mgmt(b, token, "DELETE", "/security/blocks/ip:127.0.0.1", null).statusCode()).isEqualTo(204);
    assertThat(cluster.get(b, "/v0/hello", null)).isEqualTo(200);
    long liftedOnA = awaitStatus(a, "/v0/hello", null, 200);
    assertThat(mgmt(b, token, "DELETE", "/security/blocks/ip:127.0.0.1", null).statusCode()).isEqualTo(404);

    // a short block ends by itself on both
    assertThat(mgmt(b, token, "PUT", "/security/blocks/ip:127.0.0.1", "{\"ttlSeconds\": 2}").statusCode())
        .isEqualTo(200);
    awaitStatus(a, "/v0/hello", null, 403);
    awaitStatus(a, "/v0/hello", null, 200);
    awaitStatus(b, "/v0/hello", null, 200);
    System.out.printf("block through A -> enforced by B's gateway: %d ms; lifted through B -> lifted on A: %d ms%n",
        blockedOnB, liftedOnA);

    // the audit log names both operator writes
    String audit = mgmt(a, token, "GET", "/audit?limit=100", null).body();
    assertThat(audit).contains("security.block").contains("security.unblock").contains("blocks/ip:127.0.0.1");
    // bad requests
    assertThat(mgmt(a, token, "PUT", "/security/blocks/127.0.0.1", "{\"ttlSeconds\": 5}").statusCode()).isEqualTo(400);
    assertThat(mgmt(a, token, "PUT", "/security/blocks/ip:127.0.0.1", "{\"ttlSeconds\": 0}").statusCode())
        .isEqualTo(400);
  }

  @Test
  void anAutomaticBlockAfterABruteForceAlertOnOneServerIsEnforcedByTheOther() throws Exception {
    String token = twoServers("--auto-block", "10m");
    ServeCommand.Running a = servers.get(0);
    ServeCommand.Running b = servers.get(1);
    HttpResponse<String> put = mgmt(a, token, "PUT", "/config", cluster.yaml("v0"));
    assertThat(put.statusCode()).as(put.body()).isEqualTo(200);
    awaitStatus(b, "/v0/hello", null, 200);
    // failed key checks through A only, until A's threat engine blocks the client
    Await.until("A blocks the client after repeated failed keys",
        () -> cluster.get(a, "/orders/items/1", null) == 403);
    long onB = awaitStatus(b, "/v0/hello", null, 403);
    JsonNode listed = ConfigMapper.json().readTree(mgmt(b, token, "GET", "/security/blocks", null).body());
    assertThat(listed.get("enabled").asBoolean()).as("--auto-block is off on B itself").isFalse();
    assertThat(listed.get("items")).singleElement().satisfies(i -> {
      assertThat(i.get("identity").asText()).isEqualTo("ip:127.0.0.1");
      assertThat(i.get("source").asText()).isEqualTo("auto:brute-force");
    });
    assertThat(mgmt(b, token, "DELETE", "/security/blocks/ip:127.0.0.1", null).statusCode()).isEqualTo(204);
    awaitStatus(a, "/v0/hello", null, 200);
    System.out.printf("automatic block on A -> enforced by B's gateway: %d ms%n", onB);
  }

  JsonNode discovery(ServeCommand.Running server, String token, String api) throws Exception {
    HttpResponse<String> r = mgmt(server, token, "GET", "/discovery/" + api, null);
    assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    return ConfigMapper.json().readTree(r.body());
  }

  static long calls(JsonNode endpoints, String method, String template) {
    for (JsonNode e : endpoints) {
      if (e.get("method").asText().equals(method) && e.get("template").asText().equals(template)) {
        return e.get("calls").asLong();
      }
    }
    return 0;
  }

  @Test
  void discoveryOnOneServerListsWhatTheOtherServerObservedAndUnusedMeansUnusedOnBoth() throws Exception {
    String token = twoServers();
    ServeCommand.Running a = servers.get(0);
    ServeCommand.Running b = servers.get(1);
    HttpResponse<String> put = mgmt(a, token, "PUT", "/config", """
        backends:
          - name: echo
            url: %s
        apis:
          - name: shop
            path: /shop
            backend: echo
            subscriptionRequired: false
            operations:
              - GET /items/{id}
          - name: legacy
            path: /legacy
            backend: echo
            subscriptionRequired: false
        """.formatted(cluster.upstream.url()));
    assertThat(put.statusCode()).as(put.body()).isEqualTo(200);
    Await.until("B serves the configuration", () -> {
      try {
        return mgmt(b, token, "GET", "/discovery/shop", null).statusCode() == 200;
      } catch (Exception e) {
        return false;
      }
    });
    JsonNode before = discovery(a, token, "shop");
    assertThat(before.get("unused").toString()).as("nothing served yet").contains("/items/{id}");
    assertThat(before.get("endpoints")).isEmpty();

    // traffic through B only: a declared operation and an undeclared endpoint of an API without operations
    assertThat(cluster.get(b, "/shop/items/7", null)).isEqualTo(200);
    assertThat(cluster.get(b, "/legacy/reports/daily", null)).isEqualTo(200);
    assertThat(cluster.get(b, "/legacy/reports/daily", null)).isEqualTo(200);
    long t0 = System.nanoTime();
    Await.until("A lists B's observations of legacy", () -> {
      try {
        return calls(discovery(a, token, "legacy").get("endpoints"), "GET", "/reports/daily") == 2;
      } catch (Exception e) {
        return false;
      }
    });
    long listedOnA = (System.nanoTime() - t0) / 1_000_000;
    JsonNode legacy = discovery(a, token, "legacy");
    assertThat(legacy.get("shadow")).singleElement()
        .satisfies(e -> assertThat(e.get("template").asText()).isEqualTo("/reports/daily"));
    Await.until("the operation B served is not unused on A", () -> {
      try {
        return discovery(a, token, "shop").get("unused").isEmpty();
      } catch (Exception e) {
        return false;
      }
    });
    assertThat(calls(discovery(a, token, "shop").get("endpoints"), "GET", "/items/{id}")).isEqualTo(1);

    // A's own observations and B's are merged into one endpoint, on both servers
    assertThat(cluster.get(a, "/shop/items/8", null)).isEqualTo(200);
    assertThat(calls(discovery(a, token, "shop").get("endpoints"), "GET", "/items/{id}")).isEqualTo(2);
    Await.until("B lists A's call too", () -> {
      try {
        return calls(discovery(b, token, "shop").get("endpoints"), "GET", "/items/{id}") == 2;
      } catch (Exception e) {
        return false;
      }
    });
    JsonNode inventory = ConfigMapper.json().readTree(mgmt(a, token, "GET", "/discovery", null).body());
    for (JsonNode api : inventory.get("apis")) {
      assertThat(api.get("observedEndpoints").asInt()).as(api.get("api").asText()).isEqualTo(1);
    }
    System.out.printf("endpoint observed by B -> listed by A's discovery: %d ms%n", listedOnA);
  }

  @Test
  void aBlockOnTheControlPlaneIsEnforcedByAHybridGatewayNodeAndLifted() throws Exception {
    cluster.startControl();
    cluster.putConfig("v0");
    ServeCommand.Running gw = cluster.startGateway("gw1", cluster.token());
    awaitStatus(gw, "/v0/hello", null, 200);
    String key = "alice-key-0123456789abcdef0123456789";
    assertThat(cluster.get(gw, "/orders/items/1", key)).isEqualTo(200);

    HttpResponse<String> block = cluster.mgmt("PUT", "/security/blocks/subscription:alice", "application/json",
        "{\"ttlSeconds\": 600}");
    assertThat(block.statusCode()).as(block.body()).isEqualTo(200);
    long blocked = awaitStatus(gw, "/orders/items/1", key, 403);
    assertThat(cluster.get(gw, "/v0/hello", null)).as("other clients pass").isEqualTo(200);

    assertThat(cluster.mgmt("PUT", "/security/blocks/ip:127.0.0.1", "application/json", "{\"ttlSeconds\": 600}")
        .statusCode()).isEqualTo(200);
    awaitStatus(gw, "/v0/hello", null, 403);
    assertThat(cluster.mgmt("DELETE", "/security/blocks/ip:127.0.0.1", null, null).statusCode()).isEqualTo(204);
    assertThat(cluster.mgmt("DELETE", "/security/blocks/subscription:alice", null, null).statusCode()).isEqualTo(204);
    long lifted = awaitStatus(gw, "/orders/items/1", key, 200);
    assertThat(cluster.get(gw, "/v0/hello", null)).isEqualTo(200);
    System.out.printf("block on the control node -> enforced by the gateway node: %d ms; lifted: %d ms%n",
        blocked, lifted);
  }

  static final String SECRET_YAML = """
      namedValues:
        - {name: backend-key, type: secret, value: first-secret-value}
      backends:
        - name: echo
          url: %s
          credentials:
            header: {name: X-Api-Key, value: "${nv:backend-key}"}
      apis:
        - {name: keyed, path: /keyed, backend: echo, subscriptionRequired: false}
      """;

  /** Waits until a request through {@code gw} reaches the backend with {@code value} in X-Api-Key. */
  void awaitBackendKey(ServeCommand.Running gw, String value) {
    Await.until("the backend gets X-Api-Key " + value + " through gateway port " + gw.gateway().port(), () -> {
      cluster.upstream.drain();
      if (cluster.get(gw, "/keyed/x", null) != 200) {
        return false;
      }
      return cluster.upstream.drain().stream().anyMatch(r -> value.equals(r.header("X-Api-Key")));
    });
  }

  @Test
  void aSecretNamedValueChangedThroughOneServerIsUsedByTheOtherServerAndByAGatewayNode() throws Exception {
    String token = twoServers();
    ServeCommand.Running a = servers.get(0);
    ServeCommand.Running b = servers.get(1);
    HttpResponse<String> put = mgmt(a, token, "PUT", "/config", SECRET_YAML.formatted(cluster.upstream.url()));
    assertThat(put.statusCode()).as(put.body()).isEqualTo(200);
    awaitBackendKey(b, "first-secret-value");

    HttpResponse<String> rotated = mgmt(b, token, "PUT", "/named-values/backend-key",
        "{\"name\": \"backend-key\", \"type\": \"secret\", \"value\": \"second-secret-value\"}");
    assertThat(rotated.statusCode()).as(rotated.body()).isEqualTo(200);
    awaitBackendKey(a, "second-secret-value");
    awaitBackendKey(b, "second-secret-value");
  }

  @Test
  void aSecretNamedValueChangedOnTheControlPlaneIsUsedByAGatewayNode() throws Exception {
    cluster.startControl();
    HttpResponse<String> put = cluster.mgmt("PUT", "/config", "application/yaml",
        SECRET_YAML.formatted(cluster.upstream.url()));
    assertThat(put.statusCode()).as(put.body()).isEqualTo(200);
    ServeCommand.Running gw = cluster.startGateway("gw1", cluster.token());
    awaitBackendKey(gw, "first-secret-value");
    HttpResponse<String> rotated = cluster.mgmt("PUT", "/named-values/backend-key", "application/json",
        "{\"name\": \"backend-key\", \"type\": \"secret\", \"value\": \"second-secret-value\"}");
    assertThat(rotated.statusCode()).as(rotated.body()).isEqualTo(200);
    awaitBackendKey(gw, "second-secret-value");
  }
}
