package io.gatehouse.portal;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.RSASSASigner;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.jwk.gen.RSAKeyGenerator;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.gatehouse.control.AdminTokens;
import io.gatehouse.control.ControlPlane;
import io.gatehouse.control.ManagementServer;
import io.gatehouse.control.SqliteConfigStore;
import io.gatehouse.control.analytics.Analytics;
import io.gatehouse.control.analytics.AnalyticsRetention;
import io.gatehouse.control.analytics.JdbcAnalyticsStore;
import io.gatehouse.model.GatewayConfig;
import io.vertx.core.Vertx;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.URLDecoder;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.Base64;
import java.util.Date;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The portal's OIDC sign-in against a real OpenID provider running in the test (the JDK's HTTP
 * server with discovery, JWKS, an authorize endpoint that answers at once, and a token endpoint
 * that checks the client secret and the PKCE verifier and issues RS256 ID tokens signed with Nimbus).
 */
class PortalOidcTest {
  static final String ADMIN = "portal-oidc-admin-token-0123456789";
  static final String CLIENT_ID = "developer-portal";
  static final String CLIENT_SECRET = "portal client secret 0123";
  static final ObjectMapper JSON = new ObjectMapper();

  @TempDir Path dir;
  Vertx vertx;
  SqliteConfigStore store;
  ManagementServer management;
  PortalServer portal;
  Analytics analytics;
  JdbcAnalyticsStore analyticsStore;
  Provider provider;
  final HttpClient http = HttpClient.newBuilder().followRedirects(HttpClient.Redirect.NEVER).build();

  /** A small OpenID provider: every authorization request is granted to the current user. */
  static final class Provider {
    final HttpServer server;
    final RSAKey key;
    final String issuer;
    final Map<String, Map<String, String>> codes = new ConcurrentHashMap<>();
    volatile String email = "olga@example.com";
    volatile boolean emailVerified = true;
    volatile String nonceOverride;
    volatile int tokenRequests;

    Provider() throws Exception {
      key = new RSAKeyGenerator(2048).keyID("k1").generate();
      server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
      issuer = "http://127.0.0.1:" + server.getAddress().getPort() + "/realm";
      server.createContext("/realm/.well-known/openid-configuration", x -> send(x, 200, JSON.writeValueAsString(Map.of(
          "issuer", issuer, "authorization_endpoint", issuer + "/authorize", "token_endpoint", issuer + "/token",
          "jwks_uri", issuer + "/jwks", "response_types_supported", List.of("code"),
          "code_challenge_methods_supported", List.of("S256")))));
      server.createContext("/realm/jwks", x -> send(x, 200, new JWKSet(key.toPublicJWK()).toString()));
      server.createContext("/realm/authorize", this::authorize);
      server.createContext("/realm/token", this::token);
      server.start();
    }

    void authorize(HttpExchange x) throws java.io.IOException {
      Map<String, String> q = parse(x.getRequestURI().getRawQuery());
      if (!CLIENT_ID.equals(q.get("client_id")) || !"code".equals(q.get("response_type"))
          || !"S256".equals(q.get("code_challenge_method")) || q.get("nonce") == null) {
        send(x, 400, "bad authorization request");
        return;
      }
      String code = UUID.randomUUID().toString();
      codes.put(code, q);
      x.getResponseHeaders().add("Location", q.get("redirect_uri") + "?code=" + code + "&state="
          + URLEncoder.encode(q.get("state"), StandardCharsets.UTF_8));
      x.sendResponseHeaders(302, -1);
      x.close();
    }

    void token(HttpExchange x) throws java.io.IOException {
      tokenRequests++;
      Map<String, String> f = parse(new String(x.getRequestBody().readAllBytes(), StandardCharsets.UTF_8));
      String basic = "Basic " + Base64.getEncoder().encodeToString((URLEncoder.encode(CLIENT_ID, StandardCharsets.UTF_8)
          + ":" + URLEncoder.encode(CLIENT_SECRET, StandardCharsets.UTF_8)).getBytes(StandardCharsets.UTF_8));
      Map<String, String> q = codes.remove(String.valueOf(f.get("code")));
      if (!basic.equals(x.getRequestHeaders().getFirst("Authorization")) || q == null
          || !q.get("redirect_uri").equals(f.get("redirect_uri")) || f.get("code_verifier") == null
          || !s256(f.get("code_verifier")).equals(q.get("code_challenge"))) {
        send(x, 400, "{\"error\":\"invalid_grant\"}");
        return;
      }
      try {
        long now = System.currentTimeMillis();
        JWTClaimsSet claims = new JWTClaimsSet.Builder().issuer(issuer).audience(CLIENT_ID).subject("user-1")
            .issueTime(new Date(now)).expirationTime(new Date(now + 300_000))
            .claim("nonce", nonceOverride != null ? nonceOverride : q.get("nonce"))
            .claim("email", email).claim("email_verified", emailVerified).claim("name", "Olga").build();
        SignedJWT jwt = new SignedJWT(new JWSHeader.Builder(JWSAlgorithm.RS256).keyID(key.getKeyID())
            .type(JOSEObjectType.JWT).build(), claims);
        jwt.sign(new RSASSASigner(key));
        send(x, 200, JSON.writeValueAsString(Map.of("access_token", "at", "token_type", "Bearer",
            "id_token", jwt.serialize())));
      } catch (Exception e) {
        send(x, 500, "{}");
      }
    }

    static String s256(String verifier) {
      try {
        return Base64.getUrlEncoder().withoutPadding().encodeToString(
            MessageDigest.getInstance("SHA-256").digest(verifier.getBytes(StandardCharsets.US_ASCII)));
      } catch (Exception e) {
        throw new IllegalStateException(e);
      }
    }

    static Map<String, String> parse(String raw) {
      Map<String, String> out = new LinkedHashMap<>();
      if (raw != null) {
        for (String pair : raw.split("&")) {
          int eq = pair.indexOf('=');
          if (eq > 0) {
            out.put(URLDecoder.decode(pair.substring(0, eq), StandardCharsets.UTF_8),
                URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8));
          }
        }
      }
      return out;
    }

    static void send(HttpExchange x, int status, String body) throws java.io.IOException {
      byte[] b = body.getBytes(StandardCharsets.UTF_8);
      x.getResponseHeaders().add("Content-Type", "application/json");
      x.sendResponseHeaders(status, b.length);
      x.getResponseBody().write(b);
      x.close();
    }
  }

  @BeforeEach
  void start() throws Exception {
    provider = new Provider();
    vertx = Vertx.vertx();
    store = SqliteConfigStore.open(dir.resolve("data"));
    AdminTokens.bootstrap(store, dir.resolve("data"), ADMIN);
    ControlPlane plane = ControlPlane.over(store);
    plane.apply(GatewayConfig.EMPTY, "test", "setup");
    management = await(ManagementServer.start(vertx, "127.0.0.1", 0, plane));
    analyticsStore = JdbcAnalyticsStore.open(dir.resolve("data"));
    analytics = Analytics.manual(analyticsStore, AnalyticsRetention.DEFAULT);
    PortalOptions options = PortalOptions.listen("127.0.0.1", 0)
        .withOidc(new PortalOidc(provider.issuer, CLIENT_ID, CLIENT_SECRET));
    portal = await(PortalServer.start(vertx, options, plane, management.auditLog(), analytics));
  }

  @AfterEach
  void stop() throws Exception {
    vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    analytics.close();
    analyticsStore.close();
    store.close();
    provider.server.stop(0);
  }

  static <T> T await(io.vertx.core.Future<T> f) throws Exception {
    return f.toCompletionStage().toCompletableFuture().get(20, TimeUnit.SECONDS);
  }

  String origin() {
    return "http://127.0.0.1:" + portal.actualPort();
  }

  HttpResponse<String> get(String url, String cookie) throws Exception {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(url)).timeout(java.time.Duration.ofSeconds(10));
    if (cookie != null) {
      b.header("Cookie", cookie);
    }
    return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
  }

  static String cookieOf(HttpResponse<?> r, String name) {
    return r.headers().allValues("Set-Cookie").stream().filter(c -> c.startsWith(name + "="))
        .map(c -> c.substring(0, c.indexOf(';'))).findFirst().orElse(null);
  }

  /** A started sign-in: the browser-binding cookie and the provider's redirect back to the portal. */
  record Flow(String binding, String callbackUrl) {}

  Flow startAtTheProvider() throws Exception {
    HttpResponse<String> start = get(origin() + "/portal/api/v1/oidc/start", null);
    assertThat(start.statusCode()).as(start.body()).isEqualTo(302);
    String authorize = start.headers().firstValue("Location").orElseThrow();
    assertThat(authorize).startsWith(provider.issuer + "/authorize?").contains("code_challenge=", "nonce=", "state=");
    String binding = cookieOf(start, "gatehouse_portal_oidc");
    assertThat(binding).isNotNull();
    HttpResponse<String> granted = get(authorize, null);
    assertThat(granted.statusCode()).as(granted.body()).isEqualTo(302);
    return new Flow(binding, granted.headers().firstValue("Location").orElseThrow());
  }

  static String location(HttpResponse<?> r) {
    return r.headers().firstValue("Location").orElseThrow();
  }

  static String error(HttpResponse<?> r) {
    String l = location(r);
    assertThat(l).startsWith("/signin#oidc-error=");
    return URLDecoder.decode(l.substring(l.indexOf('=') + 1), StandardCharsets.UTF_8);
  }

  JsonNode developers() throws Exception {
    HttpResponse<String> r = http.send(HttpRequest.newBuilder(
            URI.create("http://127.0.0.1:" + management.actualPort() + "/api/v1/developers"))
        .header("Authorization", "Bearer " + ADMIN).build(), HttpResponse.BodyHandlers.ofString());
    assertThat(r.statusCode()).isEqualTo(200);
    return JSON.readTree(r.body()).get("items");
  }

  @Test
  void signsInANewDeveloperWithAVerifiedEmailAndTheSameAccountNextTime() throws Exception {
    assertThat(JSON.readTree(get(origin() + "/portal/api/v1/oidc", null).body()).get("enabled").asBoolean()).isTrue();
    Flow flow = startAtTheProvider();
    HttpResponse<String> back = get(flow.callbackUrl(), flow.binding());
    assertThat(location(back)).isEqualTo("/account");
    String session = cookieOf(back, "gatehouse_portal");
    assertThat(session).isNotNull();
    assertThat(back.headers().allValues("Set-Cookie").stream().filter(c -> c.startsWith("gatehouse_portal="))
        .findFirst().orElseThrow()).containsIgnoringCase("HttpOnly").contains("SameSite=Strict");
    HttpResponse<String> me = get(origin() + "/portal/api/v1/session", session);
    assertThat(me.statusCode()).isEqualTo(200);
    assertThat(JSON.readTree(me.body()).at("/developer/email").asText()).isEqualTo("olga@example.com");
    JsonNode devs = developers();
    assertThat(devs).hasSize(1);
    assertThat(devs.get(0).get("emailVerified").asBoolean()).isTrue();
    String id = devs.get(0).get("id").asText();

    Flow again = startAtTheProvider();
    HttpResponse<String> second = get(again.callbackUrl(), again.binding());
    assertThat(location(second)).isEqualTo("/account");
    assertThat(developers()).hasSize(1);
    assertThat(developers().get(0).get("id").asText()).isEqualTo(id);
    assertThat(provider.tokenRequests).isEqualTo(2);
  }

  @Test
  void refusesAForeignReusedOrUnboundState() throws Exception {
    Flow flow = startAtTheProvider();
    String tampered = flow.callbackUrl().replaceAll("state=[^&]+", "state=forged-state");
    HttpResponse<String> forged = get(tampered, flow.binding());
    assertThat(error(forged)).contains("unknown or expired state");
    assertThat(cookieOf(forged, "gatehouse_portal")).isNull();

    Flow other = startAtTheProvider();
    HttpResponse<String> unbound = get(other.callbackUrl(), null); // a callback planted in another browser
    assertThat(error(unbound)).contains("another browser");
    assertThat(cookieOf(unbound, "gatehouse_portal")).isNull();

    Flow good = startAtTheProvider();
    assertThat(location(get(good.callbackUrl(), good.binding()))).isEqualTo("/account");
    HttpResponse<String> replay = get(good.callbackUrl(), good.binding());
    assertThat(error(replay)).contains("unknown or expired state");
    assertThat(cookieOf(replay, "gatehouse_portal")).isNull();
    assertThat(provider.tokenRequests).as("refused states never reach the token endpoint").isEqualTo(1);
  }

  @Test
  void refusesAnIdTokenWhoseNonceIsNotTheSignInsOwn() throws Exception {
    provider.nonceOverride = "a-nonce-of-another-sign-in";
    Flow flow = startAtTheProvider();
    HttpResponse<String> back = get(flow.callbackUrl(), flow.binding());
    assertThat(error(back)).contains("nonce does not match");
    assertThat(cookieOf(back, "gatehouse_portal")).isNull();
    assertThat(developers()).isEmpty();
  }

  @Test
  void refusesAnUnverifiedEmailAndCreatesNoAccount() throws Exception {
    provider.emailVerified = false;
    Flow flow = startAtTheProvider();
    HttpResponse<String> back = get(flow.callbackUrl(), flow.binding());
    assertThat(error(back)).contains("not verified the email");
    assertThat(cookieOf(back, "gatehouse_portal")).isNull();
    assertThat(developers()).isEmpty();
  }
  @Test
  void takesOverAnUnverifiedPasswordAccountOfTheSameEmailAndItsPasswordStopsWorking() throws Exception {
    // someone registered the address with a password and never verified it (as with --smtp-url)
    String attackerPassword = "attacker password 0123";
    io.gatehouse.control.developers.DeveloperStore.over(store, java.time.Clock.systemUTC())
        .signUp("olga@example.com", attackerPassword, "Mallory", "active", false).orElseThrow();
    String id = developers().get(0).get("id").asText();
    String signIn = "{\"email\":\"olga@example.com\",\"password\":\"" + attackerPassword + "\"}";
    HttpRequest attacker = HttpRequest.newBuilder(URI.create(origin() + "/portal/api/v1/signin"))
        .header("Content-Type", "application/json").header("Origin", origin())
        .POST(HttpRequest.BodyPublishers.ofString(signIn)).build();
    assertThat(http.send(attacker, HttpResponse.BodyHandlers.ofString()).statusCode())
        .as("unverified: no password sign-in").isEqualTo(403);

    Flow flow = startAtTheProvider();
    HttpResponse<String> back = get(flow.callbackUrl(), flow.binding());
    assertThat(location(back)).isEqualTo("/account");
    JsonNode devs = developers();
    assertThat(devs).hasSize(1);
    assertThat(devs.get(0).get("id").asText()).isEqualTo(id);
    assertThat(devs.get(0).get("emailVerified").asBoolean()).isTrue();
    assertThat(http.send(attacker, HttpResponse.BodyHandlers.ofString()).statusCode())
        .as("the registrant's password no longer works").isEqualTo(401);
  }
}
