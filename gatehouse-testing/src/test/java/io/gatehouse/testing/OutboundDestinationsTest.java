package io.gatehouse.testing;

import static org.assertj.core.api.Assertions.assertThat;

import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.RSASSASigner;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.jwk.gen.RSAKeyGenerator;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import io.gatehouse.gateway.BackendStatus;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.UpgradeRejectedException;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.http.WebSocketConnectOptions;
import java.net.http.HttpResponse;
import java.util.Date;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Where the gateway refuses to send traffic: loopback, link-local, metadata and unspecified
 * addresses outside {@code allowedBackendNetworks}, and its own listeners always, on every outbound
 * path (backends, call-outs, token and key fetches, health checks, WebSockets).
 */
class OutboundDestinationsTest {
  /** The production default: no special-purpose network allowed. */
  @RegisterExtension static final GatehouseExtension STRICT = GatehouseExtension.allowing(List.of());
  /** 127.0.0.1 allowed (its mock upstream), the rest of loopback (127.0.0.2) not. */
  @RegisterExtension static final GatehouseExtension ONE = GatehouseExtension.allowing(List.of("127.0.0.1/32"));

  static HttpServer other;
  static final AtomicInteger otherHits = new AtomicInteger();

  @BeforeAll
  static void startServerOnAnotherLoopbackAddress() throws Exception {
    other = ONE.vertx().createHttpServer().requestHandler(req -> {
      otherHits.incrementAndGet();
      req.response().putHeader("Content-Type", "application/json")
          .end("{\"keys\":[],\"access_token\":\"t\",\"expires_in\":60}");
    });
    other.listen(0, "127.0.0.2").toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
  }

  @AfterAll
  static void stopOther() {
    other.close();
  }

  @BeforeEach
  void resetHits() {
    otherHits.set(0);
  }

  static String otherUrl(String path) {
    return "http://127.0.0.2:" + other.actualPort() + path;
  }

  static void serveBackend(GatehouseExtension gh, String url) {
    gh.apply("""
        backends: [{name: b, url: "%s"}]
        apis: [{name: a, path: /a, backend: b, subscriptionRequired: false}]
        """.formatted(url));
  }

  static void assertRefused(HttpResponse<String> r) {
    assertThat(r.statusCode()).as(r.body()).isEqualTo(502);
    assertThat(r.body()).contains("backend-address-refused").doesNotContain("127.0.0").doesNotContain("169.254");
  }

  @Test
  void refusesLoopbackBackendByDefault() throws Exception {
    serveBackend(STRICT, STRICT.upstream().url());
    assertRefused(STRICT.get("/a/x"));
    assertThat(STRICT.upstream().drain()).isEmpty();
  }

  @Test
  void refusesANameThatResolvesToLoopback() throws Exception {
    serveBackend(STRICT, "http://localhost:" + STRICT.upstream().port());
    assertRefused(STRICT.get("/a/x"));
    assertThat(STRICT.upstream().drain()).isEmpty();
  }

  @Test
  void refusesLinkLocalMetadataUnspecifiedAndIpv4MappedFormsByDefault() throws Exception {
    int p = STRICT.upstream().port();
    for (String url : List.of("http://169.254.169.254/latest/meta-data", "http://[fe80::1]:" + p, "http://0.0.0.0:" + p,
        "http://[::]:" + p, "http://[::1]:" + p, "http://[::ffff:127.0.0.1]:" + p, "http://[::127.0.0.1]:" + p,
        "http://127.1.2.3:" + p)) {
      serveBackend(STRICT, url);
      HttpResponse<String> r = STRICT.get("/a/x");
      assertThat(r.statusCode()).as(url + ": " + r.body()).isEqualTo(502);
      assertThat(r.body()).as(url).contains("backend-address-refused");
    }
    assertThat(STRICT.upstream().drain()).isEmpty();
  }

  @Test
  void refusesSetBackendServiceBaseUrlOnLoopbackByDefault() throws Exception {
    STRICT.apply("""
        backends: [{name: b, url: "http://192.0.2.1"}]
        apis:
          - name: a
            path: /a
            backend: b
            subscriptionRequired: false
            policies:
              inbound:
                - set-backend-service: {base-url: "%s"}
        """.formatted(STRICT.upstream().url()));
    assertRefused(STRICT.get("/a/x"));
    assertThat(STRICT.upstream().drain()).isEmpty();
  }

  @Test
  void allowsLoopbackInsideAllowedBackendNetworksOnly() throws Exception {
    serveBackend(ONE, ONE.upstream().url());
    assertThat(ONE.get("/a/x").statusCode()).isEqualTo(200);
    assertThat(ONE.upstream().take(5)).isNotNull();
    serveBackend(ONE, otherUrl(""));
    assertRefused(ONE.get("/a/x"));
    assertThat(otherHits.get()).isZero();
  }

  @Test
  void refusesTheGatewaysOwnListenerEvenWhenItsNetworkIsAllowed() throws Exception {
    int own = ONE.gateway().port();
    for (String url : List.of("http://127.0.0.1:" + own, "http://0.0.0.0:" + own, "http://[::ffff:127.0.0.1]:" + own)) {
      serveBackend(ONE, url);
      HttpResponse<String> r = ONE.get("/a/x");
      assertThat(r.statusCode()).as(url + ": " + r.body()).isEqualTo(502);
      assertThat(r.body()).as(url).contains("backend-address-refused");
    }
  }

  @Test
  void refusesSendRequestOutsideAllowedNetworks() throws Exception {
    ONE.apply("""
        backends: [{name: b, url: "%s"}]
        apis:
          - name: a
            path: /a
            backend: b
            subscriptionRequired: false
            policies:
              inbound:
                - send-request: {url: "%s", response-variable-name: v}
        """.formatted(ONE.upstream().url(), otherUrl("/introspect")));
    HttpResponse<String> r = ONE.get("/a/x");
    assertThat(r.statusCode()).as(r.body()).isEqualTo(500);
    assertThat(r.body()).doesNotContain("127.0.0.2");
    assertThat(otherHits.get()).isZero();
    assertThat(ONE.upstream().drain()).isEmpty();
  }

  @Test
  void refusesOauthTokenUrlOutsideAllowedNetworks() throws Exception {
    ONE.apply("""
        namedValues:
          - {name: idp-secret, type: secret, value: s3cret-value}
        backends:
          - name: b
            url: "%s"
            credentials:
              oauth2: {tokenUrl: "%s", clientId: gw, clientSecret: "${nv:idp-secret}"}
        apis: [{name: a, path: /a, backend: b, subscriptionRequired: false}]
        """.formatted(ONE.upstream().url(), otherUrl("/token")));
    HttpResponse<String> r = ONE.get("/a/x");
    assertThat(r.statusCode()).as(r.body()).isEqualTo(502);
    assertThat(r.body()).contains("backend-credentials");
    assertThat(otherHits.get()).isZero();
    assertThat(ONE.upstream().drain()).isEmpty();
  }

  @Test
  void refusesJwksUrlOutsideAllowedNetworks() throws Exception {
    ONE.apply("""
        backends: [{name: b, url: "%s"}]
        apis:
          - name: a
            path: /a
            backend: b
            subscriptionRequired: false
            policies:
              inbound:
                - validate-jwt: {jwksUrl: "%s", issuers: [https://issuer.example], audiences: [api]}
        """.formatted(ONE.upstream().url(), otherUrl("/jwks.json")));
    RSAKey key = new RSAKeyGenerator(2048).keyID("k1").generate();
    SignedJWT jwt = new SignedJWT(new JWSHeader.Builder(JWSAlgorithm.RS256).keyID("k1").type(JOSEObjectType.JWT).build(),
        new JWTClaimsSet.Builder().issuer("https://issuer.example").audience("api").subject("u")
            .expirationTime(new Date(System.currentTimeMillis() + 60_000)).build());
    jwt.sign(new RSASSASigner(key));
    HttpResponse<String> r = ONE.get("/a/x", "Authorization", "Bearer " + jwt.serialize());
    assertThat(r.statusCode()).as(r.body()).isEqualTo(401);
    assertThat(otherHits.get()).isZero();
  }

  @Test
  void refusesWebSocketBackendOutsideAllowedNetworks() throws Exception {
    ONE.apply("""
        backends: [{name: ws, url: "%s"}]
        apis: [{name: chat, path: /chat, backend: ws, websocket: {}, subscriptionRequired: false}]
        """.formatted(otherUrl("")));
    WebSocketClient client = ONE.vertx().createWebSocketClient();
    try {
      Throwable t = client.connect(new WebSocketConnectOptions().setHost("127.0.0.1").setPort(ONE.gateway().port())
              .setURI("/chat/room"))
          .toCompletionStage().toCompletableFuture().handle((ws, e) -> e).get(10, TimeUnit.SECONDS);
      assertThat(t).isInstanceOf(UpgradeRejectedException.class);
      assertThat(((UpgradeRejectedException) t).getStatus()).isEqualTo(502);
    } finally {
      client.close();
    }
    assertThat(otherHits.get()).isZero();
  }

  @Test
  void neverProbesARefusedMemberAndMarksItUnhealthy() throws Exception {
    ONE.apply("""
        backends:
          - name: b
            url: "%s"
            healthCheck: {path: /health, interval: 100ms, unhealthyThreshold: 1}
        apis: [{name: a, path: /a, backend: b, subscriptionRequired: false}]
        """.formatted(otherUrl("")));
    Await.until("the refused member is unhealthy", () -> ONE.gateway().backendStatus().stream()
        .filter(b -> b.name().equals("b")).flatMap(b -> b.members().stream())
        .anyMatch(m -> !m.healthy()));
    assertThat(otherHits.get()).isZero();
  }
}
