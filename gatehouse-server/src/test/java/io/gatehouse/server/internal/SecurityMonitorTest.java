package io.gatehouse.server.internal;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpServer;
import io.gatehouse.insight.threat.WebhookSignature;
import io.gatehouse.model.ConfigLoader;
import io.gatehouse.model.GatewayConfig;
import io.gatehouse.testing.MockUpstream;
import io.vertx.core.Vertx;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** Security intelligence in a running server: alerts, signed webhooks, recommendations and discovery. */
class SecurityMonitorTest {
  static final String TOKEN = "security-admin-token-0123456789";
  static final String SECRET = "webhook-secret";
  static final ObjectMapper JSON = new ObjectMapper();
  static Vertx vertx;
  static MockUpstream upstream;
  static HttpServer hook;
  static final LinkedBlockingQueue<Map.Entry<String, byte[]>> deliveries = new LinkedBlockingQueue<>();

  final HttpClient http = HttpClient.newHttpClient();
  ServeCommand.Running running;
  @TempDir Path data;

  @BeforeAll
  static void start() throws Exception {
    vertx = Vertx.vertx();
    upstream = MockUpstream.start(vertx).toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    hook = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    hook.createContext("/hook", ex -> {
      byte[] body = ex.getRequestBody().readAllBytes();
      deliveries.add(Map.entry(String.valueOf(ex.getRequestHeaders().getFirst(WebhookSignature.HEADER)), body));
      ex.sendResponseHeaders(204, -1);
      ex.close();
    });
    hook.start();
  }

  @AfterAll
  static void stop() throws Exception {
    hook.stop(0);
    vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
  }

  @AfterEach
  void close() throws Exception {
    if (running != null) {
      running.close();
    }
    deliveries.clear();
    upstream.reset();
  }

  void serve(String... extra) throws Exception {
    String yaml = """
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
              - GET /unused
            policies: {inbound: [{injection-protection: {action: detect}}]}
          - name: legacy
            path: /legacy
            backend: echo
            subscriptionRequired: false
          - name: people
            path: /people
            backend: echo
            subscriptionRequired: false
            operations:
              - GET /users/{id}
            inventory: {owner: team-people, lifecycle: production, exposure: external, classification: restricted}
        """.formatted(upstream.url());
    GatewayConfig cfg = ConfigLoader.withEnvironment(Map.of()).parse(yaml, "t.yaml", data);
    ServeCommand cmd = new ServeCommand();
    new CommandLine(cmd).parseArgs(concat(new String[] {"--data", data.toString(), "--gateway-host", "127.0.0.1", "--allowed-backend-networks",
        String.join(",", io.gatehouse.testing.GatehouseExtension.LOOPBACK_BACKENDS),
        "--gateway-port", "0", "--management-port", "0", "--portal-port", "0", "--drain-period", "0s", "--alert-webhook",
        "http://127.0.0.1:" + hook.getAddress().getPort() + "/hook", "--alert-webhook-secret", SECRET}, extra));
    try (io.gatehouse.control.SqliteConfigStore store = io.gatehouse.control.SqliteConfigStore.open(data)) {
      io.gatehouse.control.AdminTokens.bootstrap(store, data, TOKEN);
    }
    running = cmd.start(null, new PrintStream(new ByteArrayOutputStream()));
    running.plane().apply(cfg, "test", "security test");
  }

  static String[] concat(String[] a, String[] b) {
    String[] out = java.util.Arrays.copyOf(a, a.length + b.length);
    System.arraycopy(b, 0, out, a.length, b.length);
    return out;
  }

  @Test
  void autoBlockRefusesTheClientAfterABruteForceAlert() throws Exception {
    serve("--auto-block", "10m");
    running.plane().update(c -> c.withApis(c.apis().stream().map(a -> a.withSubscriptionRequired(true)).toList()),
        "test", "keys required");
    for (int i = 0; i < 19; i++) {
      assertThat(gw("/legacy/x").statusCode()).isEqualTo(401);
    }
    for (int i = 0; i < 5; i++) {
      assertThat(gw("/legacy/x").statusCode()).isIn(401, 403); // the 20th failure raises the alert asynchronously
    }
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    int status = 401;
    while (System.nanoTime() < deadline && status != 403) {
      status = gw("/legacy/x").statusCode();
    }
    assertThat(status).isEqualTo(403);
    assertThat(mgmt("/api/v1/security/alerts").get("items").findValuesAsText("detector")).contains("brute-force");
    JsonNode blocks = mgmt("/api/v1/security/blocks");
    assertThat(blocks.get("enabled").asBoolean()).isTrue();
    assertThat(blocks.get("items")).anySatisfy(b -> {
      assertThat(b.get("identity").asText()).isEqualTo("ip:127.0.0.1");
      assertThat(b.get("source").asText()).isEqualTo("auto:brute-force");
    });
  }

  HttpResponse<String> gw(String path) throws Exception {
    return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + running.gateway().port() + path))
        .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
  }

  JsonNode mgmt(String path) throws Exception {
    HttpResponse<String> r = http.send(HttpRequest.newBuilder(
            URI.create("http://127.0.0.1:" + running.management().actualPort() + path))
        .header("Authorization", "Bearer " + TOKEN).timeout(Duration.ofSeconds(10)).build(),
        HttpResponse.BodyHandlers.ofString());
    assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    return JSON.readTree(r.body());
  }

  @Test
  void injectionAttemptRaisesAStoredAlertAndASignedWebhook() throws Exception {
    serve();
    assertThat(gw("/shop/items/1?q=1%27%20UNION%20SELECT%20password%20FROM%20users--&token=abc").statusCode())
        .isEqualTo(200);
    Map.Entry<String, byte[]> delivery = deliveries.poll(10, TimeUnit.SECONDS);
    assertThat(delivery).isNotNull();
    assertThat(WebhookSignature.verify(SECRET, delivery.getValue(), delivery.getKey())).isTrue();
    JsonNode alert = JSON.readTree(delivery.getValue());
    assertThat(alert.get("detector").asText()).isEqualTo("injection");
    assertThat(alert.get("identity").asText()).isEqualTo("ip:127.0.0.1");
    assertThat(alert.get("evidence").toString()).contains("token=***").doesNotContain("abc");
    JsonNode listed = mgmt("/api/v1/security/alerts");
    assertThat(listed.get("items").findValuesAsText("detector")).contains("injection");
  }

  @Test
  void securityRoutesRequireTheAdminToken() throws Exception {
    serve();
    HttpResponse<String> r = http.send(HttpRequest.newBuilder(
        URI.create("http://127.0.0.1:" + running.management().actualPort() + "/api/v1/security/alerts")).build(),
        HttpResponse.BodyHandlers.ofString());
    assertThat(r.statusCode()).isEqualTo(401);
  }

  @Test
  void recommendationsScoreTheCurrentConfiguration() throws Exception {
    serve();
    JsonNode doc = mgmt("/api/v1/security/recommendations");
    assertThat(doc.get("score").asInt()).isBetween(0, 99);
    assertThat(doc.get("findings").findValuesAsText("rule")).contains("api.no-authentication", "api.no-rate-limit");
  }

  @Test
  void readOnlyRoleCreatedThroughTheApiThatRevealsSecretsIsRecommendedAgainstWithItsDefenderTitle() throws Exception {
    serve();
    assertThat(mgmt("/api/v1/security/recommendations").get("findings").findValuesAsText("rule"))
        .doesNotContain("role.read-only-reveals-secrets");
    HttpResponse<String> created = http.send(HttpRequest.newBuilder(
            URI.create("http://127.0.0.1:" + running.management().actualPort() + "/api/v1/roles"))
        .header("Authorization", "Bearer " + TOKEN).header("Content-Type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString(
            "{\"name\":\"secret-peeker\",\"permissions\":[\"named-values:read\",\"secrets:reveal\"]}"))
        .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
    assertThat(created.statusCode()).as(created.body()).isEqualTo(201);
    JsonNode finding = null;
    for (JsonNode f : mgmt("/api/v1/security/recommendations").get("findings")) {
      if (f.get("rule").asText().equals("role.read-only-reveals-secrets")) {
        finding = f;
      }
    }
    assertThat(finding).isNotNull();
    assertThat(finding.get("resource").asText()).isEqualTo("role secret-peeker");
    assertThat(finding.get("defender").asText())
        .isEqualTo("API Management minimum API version should be set to 2019-12-01 or higher");
  }

  /** Polls {@code path} on the management API until {@code done} holds (at most 10 s); returns the last answer. */
  JsonNode await(String path, java.util.function.Predicate<JsonNode> done) throws Exception {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    JsonNode doc = mgmt(path);
    while (!done.test(doc) && System.nanoTime() < deadline) {
      Thread.onSpinWait();
      doc = mgmt(path);
    }
    return doc;
  }

  @Test
  void cardNumbersInSampledResponsesReachTheInventoryAndTheRecommendations() throws Exception {
    serve("--sample-rate", "1", "--sample-max-bytes", "4096");
    upstream.respondWith(req -> req.response().putHeader("Content-Type", "application/json")
        .end("{\"id\":\"" + req.path().substring(req.path().lastIndexOf('/') + 1)
            + "\",\"name\":\"Ada\",\"card\":\"4111 1111 1111 1111\"}"));
    assertThat(gw("/people/users/42").body()).contains("4111");
    assertThat(gw("/people/users/43").statusCode()).isEqualTo(200);
    assertThat(gw("/people/users/44?email=ada%40example.com").statusCode()).isEqualTo(200);
    // Call counts and sampled-body scans travel separately: wait for both of the third call.
    JsonNode doc = await("/api/v1/discovery/people", d -> d.get("endpoints").size() == 1
        && d.get("endpoints").get(0).get("sensitiveInRequests").size() > 0
        && d.get("endpoints").get(0).get("calls").asLong() >= 3);
    JsonNode endpoint = doc.get("endpoints").get(0);
    assertThat(endpoint.get("method").asText() + " " + endpoint.get("template").asText()).isEqualTo("GET /users/{id}");
    assertThat(endpoint.get("calls").asLong()).isEqualTo(3);
    assertThat(endpoint.get("sensitiveInResponses").toString()).isEqualTo("[\"payment-card\"]");
    assertThat(endpoint.get("sensitiveInRequests").toString()).isEqualTo("[\"email\"]");
    JsonNode inventory = mgmt("/api/v1/discovery");
    JsonNode people = null;
    for (JsonNode api : inventory.get("apis")) {
      if (api.get("api").asText().equals("people")) {
        people = api;
      }
    }
    assertThat(people).isNotNull();
    assertThat(people.get("inventory").get("owner").asText()).isEqualTo("team-people");
    assertThat(people.get("sensitiveInResponses").toString()).isEqualTo("[\"payment-card\"]");
    assertThat(inventory.get("sampling").get("scanned").asLong()).isGreaterThanOrEqualTo(3);
    JsonNode advice = mgmt("/api/v1/security/recommendations");
    JsonNode finding = null;
    for (JsonNode f : advice.get("findings")) {
      if (f.get("rule").asText().equals("endpoint.sensitive-data-in-response")) {
        finding = f;
      }
    }
    assertThat(finding).as(advice.toString()).isNotNull();
    assertThat(finding.get("title").asText()).isEqualTo("GET /users/{id} returns payment card numbers");
    assertThat(finding.get("severity").asText()).isEqualTo("high");
    assertThat(finding.get("resource").asText()).isEqualTo("api people GET /users/{id}");
    assertThat(finding.get("owasp").asText()).startsWith("API3:2023");
  }

  @Test
  void noSensitiveFindingWhenResponsesCarryNone() throws Exception {
    serve("--sample-rate", "1");
    assertThat(gw("/people/users/42").statusCode()).isEqualTo(200);
    JsonNode doc = await("/api/v1/discovery", d -> d.get("sampling").get("scanned").asLong() >= 1);
    assertThat(doc.get("sampling").get("scanned").asLong()).isEqualTo(1);
    assertThat(mgmt("/api/v1/security/recommendations").get("findings").findValuesAsText("rule"))
        .doesNotContain("endpoint.sensitive-data-in-response");
  }

  @Test
  void everyRouteOfTheRunningManagementServerIsDocumentedWithAPermission() throws Exception {
    serve("--auto-block", "10m");
    JsonNode doc = mgmt("/api/v1/openapi.json");
    java.util.Set<String> documented = new java.util.TreeSet<>();
    java.util.Map<String, String> permissions = new java.util.TreeMap<>();
    doc.get("paths").fields().forEachRemaining(path -> path.getValue().fields().forEachRemaining(m -> {
      String key = m.getKey().toUpperCase(java.util.Locale.ROOT) + " " + path.getKey();
      documented.add(key);
      permissions.put(key, m.getValue().path("x-gatehouse-permission").asText(null));
    }));
    java.util.Set<String> registered = new java.util.TreeSet<>();
    for (io.vertx.ext.web.Route route : running.management().router().getRoutes()) {
      if (route.getPath() == null || route.getPath().equals(io.gatehouse.control.ManagementAddons.METRICS_PATH)
          || route.getPath().startsWith("/healthz/") || route.getPath().startsWith("/console")) {
        continue; // handlers of every request; the Prometheus scrape, the probes and the console's files outside /api/v1
      }
      String path = route.getPath().replaceAll(":([A-Za-z0-9_]+)", "{$1}");
      route.methods().forEach(m -> registered.add(m.name() + " " + path));
    }
    assertThat(registered).contains("GET /api/v1/security/recommendations", "GET /api/v1/security/alerts",
        "GET /api/v1/security/blocks", "GET /api/v1/discovery", "GET /api/v1/discovery/{api}",
        "GET /api/v1/discovery/{api}/openapi");
    assertThat(documented).isEqualTo(registered);
    assertThat(permissions).containsEntry("GET /api/v1/security/alerts", "audit:read")
        .containsEntry("GET /api/v1/security/recommendations", "config:read")
        .containsEntry("GET /api/v1/discovery/{api}", "config:read");
    assertThat(permissions.values()).doesNotContainNull();
  }

  @Test
  void securityRoutesEnforceTheirDocumentedPermissions() throws Exception {
    serve();
    String reader = token("reader");
    assertThat(status(reader, "/api/v1/security/recommendations")).isEqualTo(200);
    assertThat(status(reader, "/api/v1/discovery/shop")).isEqualTo(200);
    assertThat(status(reader, "/api/v1/security/alerts")).isEqualTo(403);
    assertThat(status(reader, "/api/v1/security/blocks")).isEqualTo(403);
    assertThat(status(token("auditor"), "/api/v1/security/alerts")).isEqualTo(200);
  }

  String token(String role) throws Exception {
    HttpResponse<String> r = http.send(HttpRequest.newBuilder(
            URI.create("http://127.0.0.1:" + running.management().actualPort() + "/api/v1/tokens"))
        .header("Authorization", "Bearer " + TOKEN).header("Content-Type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString("{\"name\":\"t-" + role + "\",\"roles\":[\"" + role + "\"]}"))
        .build(), HttpResponse.BodyHandlers.ofString());
    assertThat(r.statusCode()).as(r.body()).isEqualTo(201);
    return JSON.readTree(r.body()).get("token").asText();
  }

  int status(String token, String path) throws Exception {
    return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + running.management().actualPort() + path))
        .header("Authorization", "Bearer " + token).build(), HttpResponse.BodyHandlers.discarding()).statusCode();
  }

  @Test
  void certificateExpiryComesFromTheGatewayTlsFiles() throws Exception {
    io.gatehouse.testing.TestCertificates.Issued ca = io.gatehouse.testing.TestCertificates.authority("test ca");
    java.time.Instant now = java.time.Instant.now();
    Path soon = io.gatehouse.testing.TestCertificates.server(ca, now.minus(Duration.ofDays(1)),
        now.plus(Duration.ofDays(10)), "localhost").writePem(data, "soon");
    serve("--https-port", "0", "--tls-cert", soon + "," + io.gatehouse.testing.TestCertificates.Issued.keyPath(data, "soon"));
    JsonNode advice = mgmt("/api/v1/security/recommendations");
    assertThat(advice.get("findings").findValuesAsText("rule")).contains("certificate.expiring");
    assertThat(advice.get("findings").findValuesAsText("resource")).contains("certificate gateway https soon.crt");
    running.close();
    running = null;
    Path later = io.gatehouse.testing.TestCertificates.server(ca, now.minus(Duration.ofDays(1)),
        now.plus(Duration.ofDays(200)), "localhost").writePem(data, "later");
    serve("--https-port", "0", "--tls-cert", later + "," + io.gatehouse.testing.TestCertificates.Issued.keyPath(data, "later"));
    assertThat(mgmt("/api/v1/security/recommendations").get("findings").findValuesAsText("rule"))
        .doesNotContain("certificate.expiring", "certificate.expired");
  }

  @Test
  void discoveryReportsObservedShadowAndUnusedEndpoints() throws Exception {
    serve();
    assertThat(gw("/shop/items/42").statusCode()).isEqualTo(200);
    assertThat(gw("/shop/internal/debug").statusCode()).isEqualTo(404);
    assertThat(gw("/legacy/internal/debug?verbose=1").statusCode()).isEqualTo(200);
    JsonNode doc = null;
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (System.nanoTime() < deadline) {
      doc = mgmt("/api/v1/discovery/shop");
      if (doc.get("endpoints").size() >= 1 && mgmt("/api/v1/discovery/legacy").get("endpoints").size() >= 1) {
        break;
      }
      Thread.onSpinWait();
    }
    // the gateway's own 404 for an undeclared path is not an endpoint
    // a declared operation's endpoint is recorded under its template
    assertThat(doc.get("endpoints").findValuesAsText("template")).containsExactly("/items/{id}");
    assertThat(doc.get("shadow")).isEmpty();
    assertThat(doc.get("unused").toString()).contains("GET /unused").doesNotContain("items");
    JsonNode legacy = mgmt("/api/v1/discovery/legacy");
    assertThat(legacy.get("shadow").findValuesAsText("template")).containsExactly("/internal/debug");
    JsonNode openapi = mgmt("/api/v1/discovery/legacy/openapi");
    assertThat(openapi.get("paths").has("/internal/debug")).isTrue();
  }
}
