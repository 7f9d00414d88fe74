package io.gatehouse.testing;

import static org.assertj.core.api.Assertions.assertThat;

import io.gatehouse.gateway.accesslog.AccessLog;
import io.gatehouse.gateway.events.TrafficEvent;
import io.gatehouse.gateway.events.TrafficEventConsumer;
import io.gatehouse.gateway.internal.upstream.TokenSource;
import io.gatehouse.model.BackendDef;
import io.vertx.core.Promise;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.net.PemKeyCertOptions;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

class BackendCredentialsTest {
  @RegisterExtension static final GatehouseExtension GH = GatehouseExtension.create();
  static final String PASSWORD = "pw-5ecret-value";
  static final String API_KEY = "key-5ecret-value";
  static final String CLIENT_SECRET = "cs-5ecret-value";

  @TempDir Path dir;
  private final List<HttpServer> servers = new ArrayList<>();

  /** A real OAuth 2.0 token endpoint on a socket: records form bodies and Authorization, answers with {@code answer}. */
  private final class TokenEndpoint {
    final AtomicInteger requests = new AtomicInteger();
    final List<String> bodies = new CopyOnWriteArrayList<>();
    final List<String> authorizations = new CopyOnWriteArrayList<>();
    volatile Consumer<HttpServerRequest> answer = req -> req.response().putHeader("Content-Type", "application/json")
        .end("{\"access_token\":\"tok-" + requests.get() + "\",\"token_type\":\"Bearer\",\"expires_in\":3600}");
    HttpServer server;

    TokenEndpoint start(HttpServerOptions options) throws Exception {
      server = GH.vertx().createHttpServer(options.setHost("127.0.0.1").setPort(0)).requestHandler(req -> {
        requests.incrementAndGet();
        authorizations.add(String.valueOf(req.getHeader("Authorization")));
        req.body().onSuccess(b -> {
          bodies.add(b.toString());
          answer.accept(req);
        });
      });
      server.listen().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
      servers.add(server);
      return this;
    }

    String url(String scheme) {
      return scheme + "://127.0.0.1:" + server.actualPort() + "/oauth2/token";
    }
  }

  @AfterEach
  void stopServers() {
    servers.forEach(HttpServer::close);
    GH.upstream().reset();
  }


  private static void applyOauth(String tokenUrl) {
    GH.apply("""
        namedValues:
          - {name: idp-secret, type: secret, value: %s}
        backends:
          - name: orders
            url: ${env:UPSTREAM_URL}
            credentials:
              oauth2: {tokenUrl: "%s", clientId: gateway, clientSecret: "${nv:idp-secret}", scope: "orders.read orders.write", audience: orders-api}
        apis:
          - {name: o, path: /o, backend: orders, subscriptionRequired: false}
        """.formatted(CLIENT_SECRET, tokenUrl));
  }

  @Test
  void backendSeesBasicHeaderAndQueryCredentialsThatNoEventRecords() throws Exception {
    BlockingQueue<String> lines = new LinkedBlockingQueue<>();
    AccessLog log = AccessLog.to(lines::add);
    List<TrafficEvent> events = new CopyOnWriteArrayList<>();
    TrafficEventConsumer capture = events::add;
    GH.gateway().events().subscribe(log);
    GH.gateway().events().subscribe(capture);
    try {
      GH.apply("""
          namedValues:
            - {name: orders-password, type: secret, value: %s}
            - {name: orders-key, type: secret, value: %s}
          backends:
            - name: orders
              url: ${env:UPSTREAM_URL}
              credentials:
                basic: {username: svc-gateway, password: "${nv:orders-password}"}
                header: {name: X-Api-Key, value: "${nv:orders-key}"}
                query: {name: api_key, value: "${nv:orders-key}"}
          apis:
            - {name: o, path: /o, backend: orders, subscriptionRequired: false}
          """.formatted(PASSWORD, API_KEY));
      HttpResponse<String> r = GH.get("/o/items?api_key=client-value&page=2", "Authorization", "Bearer client-token",
          "X-Api-Key", "client-key");
      assertThat(r.statusCode()).isEqualTo(200);
      RecordedRequest seen = GH.upstream().take(5);
      String basic = "Basic " + Base64.getEncoder().encodeToString(("svc-gateway:" + PASSWORD)
          .getBytes(StandardCharsets.UTF_8));
      assertThat(seen.headers()).filteredOn(h -> h.getKey().equalsIgnoreCase("Authorization"))
          .extracting(java.util.Map.Entry::getValue).containsExactly(basic);
      assertThat(seen.headers()).filteredOn(h -> h.getKey().equalsIgnoreCase("X-Api-Key"))
          .extracting(java.util.Map.Entry::getValue).containsExactly(API_KEY);
      assertThat(seen.uri()).isEqualTo("/items?page=2&api_key=" + API_KEY);

      assertThat(GH.get("/o/plain").statusCode()).isEqualTo(200);
      assertThat(GH.upstream().take(5).uri()).isEqualTo("/plain?api_key=" + API_KEY);

      String line = lines.poll(10, TimeUnit.SECONDS);
      assertThat(line).isNotNull().doesNotContain(PASSWORD).doesNotContain(API_KEY)
          .doesNotContain(basic.substring(6));
      Await.until("two events", () -> events.size() >= 2);
      for (TrafficEvent e : events) {
        assertThat(e.toString()).doesNotContain(PASSWORD).doesNotContain(API_KEY).doesNotContain(basic.substring(6));
      }
    } finally {
      GH.gateway().events().unsubscribe(log);
      GH.gateway().events().unsubscribe(capture);
    }
  }

  @Test
  void fiftyConcurrentRequestsWithoutATokenCauseExactlyOneTokenRequest() throws Exception {
    TokenEndpoint idp = new TokenEndpoint().start(new HttpServerOptions());
    Promise<Void> release = Promise.promise();
    Consumer<HttpServerRequest> normal = idp.answer;
    idp.answer = req -> release.future().onComplete(v -> normal.accept(req)); // held until every request waits
    applyOauth(idp.url("http"));

    java.net.http.HttpClient http = java.net.http.HttpClient.newBuilder()
        .version(java.net.http.HttpClient.Version.HTTP_1_1).build();
    List<CompletableFuture<HttpResponse<String>>> all = new ArrayList<>();
    for (int i = 0; i < 50; i++) {
      all.add(http.sendAsync(GH.request("/o/r" + i).GET().build(), HttpResponse.BodyHandlers.ofString()));
    }
    Await.until("50 connections at the gateway", () -> GH.gateway().activeConnections() >= 50);
    Await.until("the token request", () -> idp.requests.get() >= 1);
    GH.vertx().runOnContext(v -> release.complete());
    CompletableFuture.allOf(all.toArray(new CompletableFuture[0])).get(30, TimeUnit.SECONDS);

    assertThat(all).allMatch(f -> f.join().statusCode() == 200);
    assertThat(idp.requests.get()).isEqualTo(1);
    assertThat(idp.bodies.get(0)).isEqualTo(
        "grant_type=client_credentials&scope=orders.read+orders.write&audience=orders-api");
    assertThat(idp.authorizations.get(0)).isEqualTo("Basic " + Base64.getEncoder().encodeToString(
        ("gateway:" + CLIENT_SECRET).getBytes(StandardCharsets.UTF_8)));
    List<RecordedRequest> seen = GH.upstream().drain();
    assertThat(seen).hasSize(50).allMatch(r -> "Bearer tok-1".equals(r.header("Authorization")));

    assertThat(GH.get("/o/again").statusCode()).isEqualTo(200); // cached: no second token request
    assertThat(idp.requests.get()).isEqualTo(1);
  }

  @Test
  void backendRefusingTheTokenMakesTheNextCallFetchANewOne() throws Exception {
    TokenEndpoint idp = new TokenEndpoint().start(new HttpServerOptions());
    applyOauth(idp.url("http"));
    GH.upstream().respondWith(req -> req.response().setStatusCode(
        "Bearer tok-1".equals(req.getHeader("Authorization")) ? 401 : 200).end());
    assertThat(GH.get("/o/x").statusCode()).isEqualTo(401);
    assertThat(GH.get("/o/x").statusCode()).isEqualTo(200);
    assertThat(idp.requests.get()).isEqualTo(2);
  }

  @Test
  void tokenEndpointDownAnswers502AndNeverCallsTheBackendWithoutCredentials() throws Exception {
    TokenEndpoint idp = new TokenEndpoint().start(new HttpServerOptions());
    String url = idp.url("http");
    idp.server.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    applyOauth(url);
    HttpResponse<String> r = GH.get("/o/x");
    assertThat(r.statusCode()).isEqualTo(502);
    assertThat(r.headers().firstValue("Content-Type")).contains("application/problem+json");
    assertThat(r.body()).contains("backend-credentials").doesNotContain(CLIENT_SECRET);
    assertThat(GH.upstream().drain()).isEmpty();
  }

  @Test
  void tokenEndpointRefusingTheClientAnswers502() throws Exception {
    TokenEndpoint idp = new TokenEndpoint().start(new HttpServerOptions());
    idp.answer = req -> req.response().setStatusCode(401).putHeader("Content-Type", "application/json")
        .end("{\"error\":\"invalid_client\"}");
    applyOauth(idp.url("http"));
    HttpResponse<String> r = GH.get("/o/x");
    assertThat(r.statusCode()).isEqualTo(502);
    assertThat(r.body()).contains("backend-credentials");
    assertThat(GH.upstream().drain()).isEmpty();
  }

  @Test
  void tokenEndpointWithAnUntrustedCertificateIsRefused() throws Exception {
    TestCertificates.Issued ca = TestCertificates.authority("Untrusted CA");
    Path cert = TestCertificates.server(ca, "localhost", "127.0.0.1").writePem(dir, "idp");
    TokenEndpoint idp = new TokenEndpoint().start(new HttpServerOptions().setSsl(true).setKeyCertOptions(
        new PemKeyCertOptions().setCertPath(cert.toString())
            .setKeyPath(TestCertificates.Issued.keyPath(dir, "idp").toString())));
    applyOauth(idp.url("https"));
    HttpResponse<String> r = GH.get("/o/x");
    assertThat(r.statusCode()).isEqualTo(502);
    assertThat(r.body()).contains("backend-credentials");
    assertThat(idp.bodies).isEmpty(); // the handshake failed: the secret never left the gateway
    assertThat(GH.upstream().drain()).isEmpty();
  }

  @Test
  void aFailedTokenFetchIsHeldForASecondBeforeTheEndpointIsAskedAgain() throws Exception {
    TokenEndpoint idp = new TokenEndpoint().start(new HttpServerOptions());
    idp.answer = req -> req.response().setStatusCode(503).end();
    AtomicLong clock = new AtomicLong(1_000_000_000L);
    TokenSource tokens = new TokenSource("orders", new BackendDef.OAuth2(idp.url("http"), "gateway", CLIENT_SECRET,
        null, null, null), GH.vertx(), 5_000, clock::get,
        io.gatehouse.gateway.internal.outbound.OutboundGuard.create(GH.vertx(), GatehouseExtension.LOOPBACK_BACKENDS));
    try {
      for (int i = 0; i < 3; i++) {
        Throwable t = tokens.fetch().toCompletionStage().toCompletableFuture().handle((v, e) -> e).get(10, TimeUnit.SECONDS);
        assertThat(t).isInstanceOf(TokenSource.TokenException.class).hasMessageNotContaining(CLIENT_SECRET);
      }
      assertThat(idp.requests.get()).isEqualTo(1);
      idp.answer = req -> req.response().putHeader("Content-Type", "application/json")
          .end("{\"access_token\":\"tok-after\",\"expires_in\":60}");
      clock.addAndGet(TimeUnit.MILLISECONDS.toNanos(1_000));
      assertThat(tokens.fetch().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS)).isEqualTo("tok-after");
      assertThat(idp.requests.get()).isEqualTo(2);
    } finally {
      tokens.close();
    }
  }

  @Test
  void tokenIsRefreshedBeforeExpiryAndRefetchedAfterIt() throws Exception {
    TokenEndpoint idp = new TokenEndpoint().start(new HttpServerOptions());
    idp.answer = req -> req.response().putHeader("Content-Type", "application/json")
        .end("{\"access_token\":\"tok-" + idp.requests.get() + "\",\"expires_in\":100}");
    AtomicLong clock = new AtomicLong(1_000_000_000L);
    TokenSource tokens = new TokenSource("orders", new BackendDef.OAuth2(idp.url("http"), "gateway", CLIENT_SECRET,
        null, null, "post"), GH.vertx(), 5_000, clock::get,
        io.gatehouse.gateway.internal.outbound.OutboundGuard.create(GH.vertx(), GatehouseExtension.LOOPBACK_BACKENDS));
    try {
      assertThat(tokens.cached()).isNull();
      assertThat(tokens.fetch().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS)).isEqualTo("tok-1");
      assertThat(idp.bodies.get(0)).isEqualTo("grant_type=client_credentials&client_id=gateway&client_secret="
          + CLIENT_SECRET);
      assertThat(idp.authorizations.get(0)).isEqualTo("null");
      clock.addAndGet(TimeUnit.SECONDS.toNanos(79)); // before refresh (80 s = 100 s - 20 %)
      assertThat(tokens.cached()).isEqualTo("tok-1");
      assertThat(tokens.fetches()).isEqualTo(1);
      clock.addAndGet(TimeUnit.SECONDS.toNanos(2)); // due for refresh: old token served, new one fetched
      assertThat(tokens.cached()).isEqualTo("tok-1");
      Await.until("refreshed token", () -> "tok-2".equals(tokens.cached()));
      assertThat(tokens.fetches()).isEqualTo(2);
      clock.addAndGet(TimeUnit.SECONDS.toNanos(101)); // expired
      assertThat(tokens.cached()).isNull();
      AtomicReference<String> third = new AtomicReference<>();
      third.set(tokens.fetch().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS));
      assertThat(third.get()).isEqualTo("tok-3");
    } finally {
      tokens.close();
    }
  }
}
