package io.gatehouse.server.internal;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.gatehouse.model.ConfigMapper;
import io.gatehouse.testing.Await;
import io.gatehouse.testing.GatehouseExtension;
import io.gatehouse.testing.MockUpstream;
import io.vertx.core.Vertx;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Hybrid mode end to end, in-process: a {@code serve --role control} node and {@code serve --role
 * gateway} nodes talking over real sockets and mutual TLS, with the management API driving them.
 */
class HybridModeServeTest {
  private static final String KEY = "alice-key-0123456789abcdef0123456789";

  @TempDir Path dir;
  final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
  final List<ServeCommand.Running> started = new ArrayList<>();
  Vertx vertx;
  MockUpstream upstream;
  int nodePort;
  ServeCommand.Running control;
  String adminToken;

  @BeforeEach
  void setUp() throws Exception {
    vertx = Vertx.vertx();
    upstream = MockUpstream.start(vertx).toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    nodePort = Serving.freePort();
  }

  @AfterEach
  void tearDown() throws Exception {
    Collections.reverse(started);
    for (ServeCommand.Running r : started) {
      try {
        r.close();
      } catch (Exception e) {
        // already closed by the test
      }
    }
    vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
  }

  ServeCommand.Running startControl() throws Exception {
    ServeCommand.Running r = Serving.command("--role", "control", "--data", dir.resolve("control").toString(),
        "--management-port", "0", "--no-portal", "--node-host", "127.0.0.1", "--node-port", Integer.toString(nodePort),
        "--no-access-log", "--no-analytics", "--heartbeat-interval", "500ms", "--drain-period", "0s")
        .start(null, Serving.quiet());
    started.add(r);
    control = r;
    adminToken = Serving.adminToken(dir.resolve("control"));
    return r;
  }

  ServeCommand.Running startGateway(String name, String token) throws Exception {
    List<String> args = new ArrayList<>(List.of("--role", "gateway", "--data", dir.resolve(name).toString(),
        "--control-plane", "https://127.0.0.1:" + nodePort, "--gateway-host", "127.0.0.1", "--gateway-port", "0",
        "--https-port", "0", "--allowed-backend-networks", String.join(",", GatehouseExtension.LOOPBACK_BACKENDS), "--no-access-log",
        "--heartbeat-interval", "500ms", "--snapshot-wait", "5s", "--drain-period", "0s"));
    if (token != null) {
      args.addAll(List.of("--enrol-token", token));
    }
    ServeCommand.Running r = Serving.command(args.toArray(String[]::new)).startGatewayNode(Serving.quiet());
    started.add(r);
    return r;
  }

  HttpResponse<String> mgmt(String method, String path, String contentType, String body) throws Exception {
    return Serving.mgmt(http, control, adminToken, Duration.ofSeconds(20), method, path, contentType, body);
  }

  String token() throws Exception {
    HttpResponse<String> r = mgmt("POST", "/nodes/enrolment-tokens", "application/json", "{\"ttlSeconds\":600}");
    assertThat(r.statusCode()).as(r.body()).isEqualTo(201);
    return ConfigMapper.json().readTree(r.body()).get("token").asText();
  }

  String yaml(String publicPath) {
    return """
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
          - name: public
            path: /%s
            backend: echo
            subscriptionRequired: false
            operations:
              - GET /{any}
        products:
          - name: starter
            apis: [orders]
        subscriptions:
          - name: alice
            scope: product:starter
            primaryKey: %s
        """.formatted(upstream.url(), publicPath, KEY);
  }

  long putConfig(String publicPath) throws Exception {
    HttpResponse<String> r = mgmt("PUT", "/config", "application/yaml", yaml(publicPath));
    assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    return currentRevision();
  }

  long currentRevision() {
    return control.plane().revision().id();
  }

  int get(ServeCommand.Running gw, String path, String key) {
    try {
      HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + gw.gateway().port() + path))
          .timeout(Duration.ofSeconds(5));
      if (key != null) {
        b.header("Subscription-Key", key);
      }
      return http.send(b.build(), HttpResponse.BodyHandlers.discarding()).statusCode();
    } catch (Exception e) {
      return -1;
    }
  }

  static final String READY = "/status-0123456789abcdef";

  @Test
  void gatewayNodesServeEachChangeWithinASecondAndAreListedWithTheirRevision() throws Exception {
    startControl();
    putConfig("v0");
    ServeCommand.Running gw1 = startGateway("gw1", token());
    ServeCommand.Running gw2 = startGateway("gw2", token());
    Await.until("both gateway nodes ready", () -> get(gw1, READY, null) == 200 && get(gw2, READY, null) == 200);
    for (ServeCommand.Running gw : List.of(gw1, gw2)) {
      assertThat(get(gw, "/orders/items/7", KEY)).isEqualTo(200); // the key hashing key came with the snapshot
      assertThat(get(gw, "/orders/items/7", "wrong-key-0123456789abcdef01234567")).isEqualTo(401);
      assertThat(get(gw, "/orders/items/7", null)).isEqualTo(401);
      assertThat(get(gw, "/v0/hello", null)).isEqualTo(200);
    }

    List<Long> total = new ArrayList<>();
    List<Long> afterCommit = new ArrayList<>();
    for (int i = 1; i <= 20; i++) {
      long t0 = System.nanoTime();
      long rev = putConfig("v" + i);
      long t1 = System.nanoTime();
      long deadline = t0 + Duration.ofSeconds(15).toNanos(); // functional deadline only; the figures are printed
      while (gw1.gateway().revision() != rev || gw2.gateway().revision() != rev) {
        assertThat(System.nanoTime()).as("revision %d served by both nodes", rev).isLessThan(deadline);
        Thread.sleep(0, 200_000);
      }
      long t2 = System.nanoTime();
      total.add(t2 - t0);
      afterCommit.add(t2 - t1);
    }
    Collections.sort(total);
    Collections.sort(afterCommit);
    System.out.printf("hybrid propagation over 20 changes, 2 gateway nodes: management PUT sent -> served by both:"
        + " p50 %.1f ms, p99 (max) %.1f ms; PUT answered -> served by both: p50 %.1f ms, p99 (max) %.1f ms%n",
        total.get(9) / 1e6, total.get(19) / 1e6, afterCommit.get(9) / 1e6, afterCommit.get(19) / 1e6);
    assertThat(get(gw1, "/v20/hello", null)).isEqualTo(200);
    assertThat(get(gw2, "/v19/hello", null)).isEqualTo(404);

    long last = currentRevision();
    Await.until("every node's heartbeat reports revision " + last, () -> {
      JsonNode items = nodes();
      int gateways = 0;
      for (JsonNode n : items) {
        if (n.path("revision").asLong() != last || n.path("lastHeartbeat").isNull()) {
          return false;
        }
        gateways += n.path("role").asText().equals("gateway") ? 1 : 0;
      }
      return items.size() == 3 && gateways == 2;
    });
    for (JsonNode n : nodes()) {
      assertThat(n.path("id").asText()).isNotEmpty();
      assertThat(n.path("address").asText()).isNotEmpty();
      assertThat(n.path("version").asText()).isNotEmpty();
    }
  }

  JsonNode nodes() {
    try {
      HttpResponse<String> r = mgmt("GET", "/nodes", null, null);
      assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
      return ConfigMapper.json().readTree(r.body()).get("items");
    } catch (Exception e) {
      throw new AssertionError(e);
    }
  }

  @Test
  void aRevokedNodeGetsNoFurtherRevisionWhileTheOthersDo() throws Exception {
    startControl();
    putConfig("v0");
    ServeCommand.Running kept = startGateway("gw1", token());
    ServeCommand.Running revoked = startGateway("gw2", token());
    Await.until("both gateway nodes ready", () -> get(kept, READY, null) == 200 && get(revoked, READY, null) == 200);
    Await.until("both nodes listed", () -> nodes().size() == 3);
    String address = "127.0.0.1:" + revoked.gateway().port();
    String id = null;
    for (JsonNode n : nodes()) {
      if (n.path("address").asText().equals(address)) {
        id = n.path("id").asText();
      }
    }
    assertThat(id).isNotNull();
    assertThat(mgmt("DELETE", "/nodes/" + id, null, null).statusCode()).isEqualTo(204);
    assertThat(mgmt("DELETE", "/nodes/" + id, null, null).statusCode()).isEqualTo(404);
    String revokedId = id;
    assertThat(nodes()).filteredOn(n -> n.path("id").asText().equals(revokedId)).singleElement()
        .satisfies(n -> assertThat(n.path("revokedAt").isNull()).isFalse());

    long before = revoked.gateway().revision();
    long next = putConfig("v1");
    Await.until("the live node serves revision " + next, () -> kept.gateway().revision() == next);
    // the revoked node's long poll was answered 403 by now (it asks again at once after a change); it keeps its last snapshot
    assertThat(revoked.gateway().revision()).isEqualTo(before);
    assertThat(get(revoked, "/v0/hello", null)).isEqualTo(200);
    // the audit log records the revocation and the token creation, never the token itself
    HttpResponse<String> audit = mgmt("GET", "/audit?limit=100", null, null);
    assertThat(audit.body()).contains("nodes/" + revokedId).doesNotContain(".ghn1").doesNotContainPattern("ghn1\\.[0-9a-f]{12}\\.");
  }

  @Test
  void keepsServingWithoutTheControlNodeStartsFromItsCacheAndCatchesUp() throws Exception {
    startControl();
    long first = putConfig("v0");
    ServeCommand.Running gw = startGateway("gw1", token());
    Await.until("the gateway node ready", () -> get(gw, READY, null) == 200);
    assertThat(gw.gateway().revision()).isEqualTo(first);

    control.close(); // the control node stops
    started.remove(control);
    assertThat(get(gw, "/v0/hello", null)).isEqualTo(200);
    assertThat(get(gw, "/orders/items/1", KEY)).isEqualTo(200);

    gw.close(); // and the gateway restarts while the control node is down: it serves its cached snapshot
    started.remove(gw);
    ServeCommand.Running again = startGateway("gw1", null);
    assertThat(get(again, READY, null)).isEqualTo(200);
    assertThat(again.gateway().revision()).isEqualTo(first);
    assertThat(get(again, "/v0/hello", null)).isEqualTo(200);
    assertThat(get(again, "/orders/items/1", KEY)).isEqualTo(200);

    startControl(); // the control node returns on the same data directory and node port
    long next = putConfig("v1");
    Await.until("the gateway node catches up to revision " + next, () -> again.gateway().revision() == next);
    assertThat(get(again, "/v1/hello", null)).isEqualTo(200);
    assertThat(get(again, "/v0/hello", null)).isEqualTo(404);
  }

  @Test
  void aGatewayNodeWithoutACacheIsNotReadyUntilTheControlPlaneAnswers() throws Exception {
    startControl();
    putConfig("v0");
    String token = token();
    control.close();
    started.remove(control);
    // not enrolled and the control plane is down: the node cannot start, one clear reason
    org.assertj.core.api.Assertions.assertThatThrownBy(() -> startGateway("gw1", token))
        .isInstanceOf(io.gatehouse.control.cluster.NodeAgent.StartException.class)
        .hasMessageContaining("cannot enrol");
    startControl();
    ServeCommand.Running gw = startGateway("gw1", token);
    Await.until("the gateway node ready", () -> get(gw, READY, null) == 200);
  }
  @Test
  void anEnrolledGatewayNodeWithoutASnapshotIsNotReadyUntilTheControlPlaneServesOne() throws Exception {
    startControl();
    putConfig("v0");
    ServeCommand.Running gw = startGateway("gw1", token());
    Await.until("the gateway node ready", () -> get(gw, READY, null) == 200);
    gw.close();
    started.remove(gw);
    Files.delete(dir.resolve("gw1/node/snapshot.cache")); // enrolled, but nothing to serve
    control.close();
    started.remove(control);

    ServeCommand.Running again = startGateway("gw1", null); // enrolled: it starts while the control plane is down
    assertThat(get(again, READY, null)).as("no snapshot yet: not ready").isEqualTo(503);
    assertThat(get(again, READY + "/ready", null)).isEqualTo(503);
    assertThat(get(again, "/v0/hello", null)).as("and it serves nothing").isNotEqualTo(200);
    startControl();
    Await.until("the gateway node ready once the control plane answers", () -> get(again, READY, null) == 200);
    assertThat(get(again, "/v0/hello", null)).isEqualTo(200);
  }

  @Test
  void refusesRoleOptionsThatDoNotFitInOneLineWithStatusTwo() {
    ServeTest.Cli noPlane = ServeTest.Cli.run("serve", "--role", "gateway", "--data", dir.resolve("a").toString());
    assertThat(noPlane.code()).isEqualTo(ExitCodes.USAGE);
    assertThat(noPlane.err().strip()).isEqualTo("error: --role gateway needs --control-plane https://HOST:PORT");
    ServeTest.Cli plain = ServeTest.Cli.run("serve", "--role", "gateway", "--control-plane", "http://127.0.0.1:8005",
        "--data", dir.resolve("a").toString());
    assertThat(plain.code()).isEqualTo(ExitCodes.USAGE);
    assertThat(plain.err().strip()).doesNotContain("\n").contains("expected https://HOST:PORT");
    ServeTest.Cli role = ServeTest.Cli.run("serve", "--role", "edge", "--data", dir.resolve("a").toString());
    assertThat(role.code()).isEqualTo(ExitCodes.USAGE);
    assertThat(role.err().strip()).isEqualTo("error: --role: expected all, control or gateway but got 'edge'");
    ServeTest.Cli token = ServeTest.Cli.run("serve", "--enrol-token", "x", "--data", dir.resolve("a").toString());
    assertThat(token.code()).isEqualTo(ExitCodes.USAGE);
    assertThat(token.err().strip()).isEqualTo("error: --enrol-token is only for --role gateway");
    assertThat(Files.exists(dir.resolve("a"))).isFalse(); // nothing created
  }

  @Test
  void aGatewayNodeThatIsNotEnrolledAndHasNoTokenExitsFourInOneLine() {
    ServeTest.Cli r = ServeTest.Cli.run("serve", "--role", "gateway", "--control-plane", "https://127.0.0.1:" + nodePort,
        "--gateway-host", "127.0.0.1", "--gateway-port", "0", "--no-access-log", "--data", dir.resolve("gw").toString());
    assertThat(r.code()).isEqualTo(ExitCodes.ENVIRONMENT);
    assertThat(r.err().strip()).doesNotContain("\n")
        .isEqualTo("error: this node is not enrolled: give --enrol-token (from POST /api/v1/nodes/enrolment-tokens)");
  }
}
