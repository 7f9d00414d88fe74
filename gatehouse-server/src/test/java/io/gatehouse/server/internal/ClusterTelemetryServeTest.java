package io.gatehouse.server.internal;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.gatehouse.control.analytics.Aggregate;
import io.gatehouse.control.analytics.AggregateKey;
import io.gatehouse.control.cluster.NodeAgent;
import io.gatehouse.control.cluster.NodeReport;
import io.gatehouse.control.cluster.internal.Pki;
import io.gatehouse.control.cluster.internal.ReportCodec;
import io.gatehouse.model.ConfigMapper;
import io.gatehouse.testing.Await;
import io.gatehouse.testing.GatehouseExtension;
import io.gatehouse.testing.MockUpstream;
import io.vertx.core.Vertx;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyStore;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManager;
import javax.net.ssl.X509TrustManager;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Telemetry of hybrid mode end to end, in-process: gateway nodes ({@code serve --role gateway})
 * report their analytics and served requests to a control node over mutual TLS, and the control
 * node's analytics, discovery and threat detection answer for the whole cluster.
 */
class ClusterTelemetryServeTest {
  private static final String KEY = "alice-key-0123456789abcdef0123456789";
  private static final String WRONG_KEY = "wrong-key-0123456789abcdef01234567";
  static final String READY = "/status-0123456789abcdef";

  @TempDir Path dir;
  final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
  final List<AutoCloseable> started = new ArrayList<>();
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
    for (AutoCloseable r : started) {
      try {
        r.close();
      } catch (Exception e) {
        // already closed by the test
      }
    }
    vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
  }

  void startControl() throws Exception {
    ServeCommand.Running r = Serving.command("--role", "control", "--data", dir.resolve("control").toString(),
        "--management-port", "0", "--no-portal", "--node-host", "127.0.0.1", "--node-port", Integer.toString(nodePort),
        "--no-access-log", "--heartbeat-interval", "500ms", "--drain-period", "0s")
        .start(null, Serving.quiet());
    started.add(r);
    control = r;
    adminToken = Serving.adminToken(dir.resolve("control"));
    HttpResponse<String> put = mgmt("PUT", "/config", "application/yaml", """
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
        products:
          - name: starter
            apis: [orders]
        subscriptions:
          - name: alice
            scope: product:starter
            primaryKey: %s
        """.formatted(upstream.url(), KEY));
    assertThat(put.statusCode()).as(put.body()).isEqualTo(200);
  }

  ServeCommand.Running startGateway(String name) throws Exception {
    ServeCommand.Running r = Serving.command("--role", "gateway", "--data", dir.resolve(name).toString(),
        "--control-plane", "https://127.0.0.1:" + nodePort, "--gateway-host", "127.0.0.1", "--gateway-port", "0",
        "--allowed-backend-networks", String.join(",", GatehouseExtension.LOOPBACK_BACKENDS), "--no-access-log",
        "--heartbeat-interval", "500ms", "--snapshot-wait", "5s", "--drain-period", "0s",
        "--analytics-flush-interval", "200", "--enrol-token", token())
        .startGatewayNode(Serving.quiet());
    started.add(r);
    Await.until(name + " ready", () -> get(r, READY, null) == 200);
    return r;
  }

  NodeAgent agent(String name) throws Exception {
    NodeAgent a = NodeAgent.start(new NodeAgent.Settings(dir.resolve(name), List.of(URI.create("https://127.0.0.1:" + nodePort)),
        token(), name + ":8080", "test", Duration.ofSeconds(10), Duration.ofSeconds(5), Duration.ofMillis(200)),
        s -> { });
    started.add(a);
    return a;
  }

  HttpResponse<String> mgmt(String method, String path, String contentType, String body) throws Exception {
    return Serving.mgmt(http, control, adminToken, Duration.ofSeconds(20), method, path, contentType, body);
  }

  JsonNode json(String path) {
    try {
      HttpResponse<String> r = mgmt("GET", path, null, null);
      assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
      return ConfigMapper.json().readTree(r.body());
    } catch (Exception e) {
      throw new AssertionError(e);
    }
  }

  String token() throws Exception {
    HttpResponse<String> r = mgmt("POST", "/nodes/enrolment-tokens", "application/json", "{\"ttlSeconds\":600}");
    assertThat(r.statusCode()).as(r.body()).isEqualTo(201);
    return ConfigMapper.json().readTree(r.body()).get("token").asText();
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

  /** Requests per node for API orders (status class when given) over the last hour, from the control plane. */
  Map<String, Long> requestsByNode(String status) {
    String from = Instant.now().minus(Duration.ofHours(1)).toString();
    String to = Instant.now().plus(Duration.ofMinutes(2)).toString();
    JsonNode items = json("/analytics?groupBy=node&latency=false&api=orders&from=" + from + "&to=" + to
        + (status == null ? "" : "&status=" + status)).get("items");
    Map<String, Long> out = new HashMap<>();
    for (JsonNode i : items) {
      out.put(i.path("node").asText(), i.path("requests").asLong());
    }
    return out;
  }

  long total(Map<String, Long> byNode) {
    return byNode.values().stream().mapToLong(Long::longValue).sum();
  }

  String nodeId(ServeCommand.Running gw) {
    String address = "127.0.0.1:" + gw.gateway().port();
    for (JsonNode n : json("/nodes").get("items")) {
      if (n.path("address").asText().equals(address)) {
        return n.path("id").asText();
      }
    }
    throw new AssertionError("no node at " + address);
  }

  List<JsonNode> alerts(String detector) {
    List<JsonNode> out = new ArrayList<>();
    for (JsonNode a : json("/security/alerts").get("items")) {
      if (a.path("detector").asText().equals(detector)) {
        out.add(a);
      }
    }
    return out;
  }

  @Test
  void gatewayNodesTrafficAppearsInTheControlPlanesAnalyticsPerNodeAndInItsInventory() throws Exception {
    startControl();
    ServeCommand.Running gw1 = startGateway("gw1");
    ServeCommand.Running gw2 = startGateway("gw2");
    for (int i = 0; i < 3; i++) {
      assertThat(get(gw1, "/orders/items/" + i, KEY)).isEqualTo(200);
    }
    for (int i = 0; i < 5; i++) {
      assertThat(get(gw2, "/orders/items/" + (10 + i), KEY)).isEqualTo(200);
    }
    String id1 = nodeId(gw1);
    String id2 = nodeId(gw2);
    Await.until("the control plane's analytics count both nodes' requests", () -> requestsByNode(null),
        m -> m.equals(Map.of(id1, 3L, id2, 5L)));
    JsonNode total = json("/analytics?latency=false&api=orders&from=" + Instant.now().minus(Duration.ofHours(1))
        + "&to=" + Instant.now().plus(Duration.ofMinutes(2))).get("items");
    assertThat(total).singleElement().satisfies(t -> assertThat(t.path("requests").asLong()).isEqualTo(8));
    assertThat(json("/analytics?latency=false&api=orders&node=" + id2 + "&from=" + Instant.now().minus(Duration.ofHours(1))
        + "&to=" + Instant.now().plus(Duration.ofMinutes(2))).get("items")).singleElement()
        .satisfies(t -> assertThat(t.path("requests").asLong()).isEqualTo(5));
    // discovery: the endpoint served only by gateway nodes is in the control plane's inventory
    JsonNode discovery = json("/discovery/orders");
    assertThat(discovery.get("endpoints").toString()).contains("/items/{id}");
    assertThat(discovery.get("unused")).isEmpty();
    // backend status: each gateway node's, reported with its heartbeat, in the node list
    Await.until("gw1's backend status listed", () -> {
      for (JsonNode n : json("/nodes").get("items")) {
        if (n.path("id").asText().equals(id1)) {
          return n.path("backends").toString();
        }
      }
      return "";
    }, b -> b.contains("\"name\":\"echo\"") && b.contains("\"breaker\""));
  }

  @Test
  void bruteForceSpreadOverThreeGatewayNodesIsDetectedAtTheSingleNodeThreshold() throws Exception {
    startControl();
    List<ServeCommand.Running> gateways = List.of(startGateway("gw1"), startGateway("gw2"), startGateway("gw3"));
    int threshold = io.gatehouse.insight.threat.ThreatSettings.DEFAULTS.bruteForceFailures();
    // one failure short of the threshold, spread evenly: no node sees more than a third of it
    for (int i = 0; i < threshold - 1; i++) {
      assertThat(get(gateways.get(i % 3), "/orders/items/1", WRONG_KEY)).isEqualTo(401);
    }
    Await.until("the control plane counted " + (threshold - 1) + " failures", () -> total(requestsByNode("4xx")),
        n -> n == threshold - 1);
    assertThat(requestsByNode("4xx")).hasSize(3);
    assertThat(alerts("brute-force")).isEmpty();
    assertThat(get(gateways.get(2), "/orders/items/1", WRONG_KEY)).isEqualTo(401);
    Await.until("a brute-force alert at the threshold", () -> alerts("brute-force").size(), n -> n >= 1);
    assertThat(alerts("brute-force").get(0).path("identity").asText()).isEqualTo("ip:127.0.0.1");
  }

  static NodeReport report(String batch, long requests, String claimedNode) {
    long minute = Instant.now().toEpochMilli() / 60_000 * 60_000;
    Map<Long, Map<AggregateKey, Aggregate>> analytics = new HashMap<>();
    analytics.put(minute, new HashMap<>(Map.of(new AggregateKey("orders", "", "", "alice", "2xx", "10.0.0.9", claimedNode),
        Aggregate.of(requests, 0, 1, 1, Aggregate.newHistogram()))));
    return new NodeReport(batch, analytics, List.of());
  }

  @Test
  void aReportSentAgainAfterItsAnswerWasLostIsCountedOnce() throws Exception {
    startControl();
    NodeAgent agent = agent("gw1");
    AtomicInteger calls = new AtomicInteger();
    List<String> batches = new ArrayList<>();
    // the control plane takes the first report but its answer is lost: the node sees 503 and sends it again
    NodeTelemetry telemetry = NodeTelemetry.manual(r -> {
      batches.add(r.batch());
      int status = agent.report(r);
      return calls.incrementAndGet() == 1 ? 503 : status;
    });
    telemetry.merge(report("ignored", 6, "").analytics());
    telemetry.send();
    assertThat(telemetry.pending()).isTrue();
    telemetry.send();
    assertThat(telemetry.pending()).isFalse();
    assertThat(batches).hasSize(2);
    assertThat(batches.get(1)).isEqualTo(batches.get(0)); // the same report, under the same batch id
    Await.until("the report counted once", () -> requestsByNode(null), m -> m.equals(Map.of(agent.nodeId(), 6L)));
  }

  @Test
  void aNodeCannotReportAsAnotherNode() throws Exception {
    startControl();
    NodeAgent victim = agent("victim");
    NodeAgent attacker = agent("attacker");
    assertThat(victim.report(report("v1", 1, ""))).isEqualTo(204);
    // the body names the victim as the node: the rows are filed under the certificate's node
    assertThat(attacker.report(report("v1", 50, victim.nodeId()))).isEqualTo(204);
    Await.until("both reports stored", () -> requestsByNode(null),
        m -> m.equals(Map.of(victim.nodeId(), 1L, attacker.nodeId(), 50L)));

    // without a client certificate: refused
    byte[] body = ReportCodec.write(report("x1", 1000, victim.nodeId()));
    assertThat(post(trustingClient(null), body)).isEqualTo(403);
    // a certificate of a CA of the attacker's own, naming the victim: refused (at the handshake or with 403)
    KeyPair caPair = Pki.ecKeyPair();
    X509Certificate ca = Pki.selfSignedCa(caPair, "attacker CA", Duration.ofDays(1));
    KeyPair pair = Pki.ecKeyPair();
    X509Certificate forged = Pki.issue(ca, caPair.getPrivate(), victim.nodeId(), pair.getPublic(), Duration.ofDays(1),
        true, List.of());
    int forgedStatus = post(trustingClient(new Object[] {pair, forged, ca}), body);
    assertThat(forgedStatus).isIn(-1, 403);
    // a revoked node: refused
    assertThat(mgmt("DELETE", "/nodes/" + attacker.nodeId(), null, null).statusCode()).isEqualTo(204);
    assertThat(attacker.report(report("a2", 1000, ""))).isEqualTo(403);
    assertThat(victim.report(report("v2", 1, ""))).isEqualTo(204);
    Await.until("only the admitted reports stored", () -> requestsByNode(null),
        m -> m.equals(Map.of(victim.nodeId(), 2L, attacker.nodeId(), 50L)));
  }

  @Test
  void aNodeFilesDebugTracesOnlyUnderItsOwnNameOnlyForALiveSessionAndNotOnceRevoked() throws Exception {
    startControl();
    NodeAgent victim = agent("victim");
    NodeAgent attacker = agent("attacker");
    HttpResponse<String> opened = mgmt("POST", "/debug-tokens", "application/json", "{\"api\":\"orders\",\"ttlSeconds\":600}");
    assertThat(opened.statusCode()).as(opened.body()).isEqualTo(201);
    String id = ConfigMapper.json().readTree(opened.body()).get("id").asText();
    // the trace claims the victim as its node, and a second one names a session that does not exist
    com.fasterxml.jackson.databind.node.ObjectNode claimed = ConfigMapper.json().createObjectNode()
        .put("requestId", "forged-1").put("node", victim.nodeId()).put("status", 200);
    NodeReport r = new NodeReport("t1", Map.of(), List.of(), List.of(new NodeReport.DebugTrace(id, claimed),
        new NodeReport.DebugTrace("ffffffffffffffff", claimed.deepCopy().put("requestId", "stray"))));
    assertThat(attacker.report(r)).isEqualTo(204);
    JsonNode items = json("/debug-tokens/" + id + "/traces").get("items");
    assertThat(items).singleElement().satisfies(t -> {
      assertThat(t.get("requestId").asText()).isEqualTo("forged-1");
      assertThat(t.get("node").asText()).as("the certificate's node, whatever the trace says").isEqualTo(attacker.nodeId());
    });
    assertThat(mgmt("DELETE", "/nodes/" + attacker.nodeId(), null, null).statusCode()).isEqualTo(204);
    NodeReport late = new NodeReport("t2", Map.of(), List.of(),
        List.of(new NodeReport.DebugTrace(id, claimed.deepCopy().put("requestId", "after-revocation"))));
    assertThat(attacker.report(late)).isEqualTo(403);
    assertThat(json("/debug-tokens/" + id + "/traces").get("items")).hasSize(1);
  }

  int post(HttpClient client, byte[] body) {
    try {
      return client.send(HttpRequest.newBuilder(URI.create("https://127.0.0.1:" + nodePort + "/node/v1/report"))
          .timeout(Duration.ofSeconds(10)).header("Content-Type", "application/json")
          .POST(HttpRequest.BodyPublishers.ofByteArray(body)).build(), HttpResponse.BodyHandlers.discarding()).statusCode();
    } catch (IOException e) {
      return -1; // the handshake refused the certificate
    } catch (InterruptedException e) {
      throw new AssertionError(e);
    }
  }

  /** A client trusting any server, presenting {@code identity} ({key pair, certificate, CA}) when given. */
  static HttpClient trustingClient(Object[] identity) throws Exception {
    X509TrustManager any = new X509TrustManager() {
      @Override
      public void checkClientTrusted(X509Certificate[] chain, String authType) { }

      @Override
      public void checkServerTrusted(X509Certificate[] chain, String authType) { }

      @Override
      public X509Certificate[] getAcceptedIssuers() {
        return new X509Certificate[0];
      }
    };
    SSLContext tls = SSLContext.getInstance("TLS");
    javax.net.ssl.KeyManager[] keys = null;
    if (identity != null) {
      KeyStore store = KeyStore.getInstance("PKCS12");
      store.load(null, null);
      char[] pass = "x".toCharArray();
      store.setKeyEntry("k", ((KeyPair) identity[0]).getPrivate(), pass,
          new java.security.cert.Certificate[] {(X509Certificate) identity[1], (X509Certificate) identity[2]});
      KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
      kmf.init(store, pass);
      keys = kmf.getKeyManagers();
    }
    tls.init(keys, new TrustManager[] {any}, null);
    return HttpClient.newBuilder().sslContext(tls).version(HttpClient.Version.HTTP_1_1)
        .connectTimeout(Duration.ofSeconds(5)).build();
  }
}
