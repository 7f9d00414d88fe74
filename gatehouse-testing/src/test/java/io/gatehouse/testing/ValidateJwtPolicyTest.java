package io.gatehouse.testing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.JWSObject;
import com.nimbusds.jose.Payload;
import com.nimbusds.jose.crypto.MACSigner;
import com.nimbusds.jose.crypto.RSASSASigner;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.jwk.gen.RSAKeyGenerator;
import com.nimbusds.jose.util.Base64URL;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import com.sun.net.httpserver.HttpServer;
import io.gatehouse.model.ConfigException;
import io.gatehouse.model.ConfigLoader;
import io.gatehouse.model.GatewayConfig;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Date;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** {@code validate-jwt} through the real gateway, keys served by a local JWKS server. */
class ValidateJwtPolicyTest {
  @RegisterExtension static final GatehouseExtension GH = GatehouseExtension.create();

  static final String ISSUER = "https://issuer.example";
  static final String AUDIENCE = "orders-api";
  static RSAKey key;
  static RSAKey attacker;
  static HttpServer jwksServer;
  static final AtomicInteger jwksHits = new AtomicInteger();
  static final AtomicInteger attackerHits = new AtomicInteger();

  static final String ACCEPTANCE = """
      backends:
        - name: echo
          url: ${env:UPSTREAM_URL}
      apis:
        - name: orders
          path: /orders
          backend: echo
          subscriptionRequired: false
          operations: [GET /items/{id}, POST /items]
          policies:
            inbound:
              - validate-jwt:
                  jwksUrl: ${env:JWKS_URL}
                  issuers: [https://issuer.example]
                  audiences: [orders-api]
              - rate-limit-by-key:
                  calls: 5
                  period: 10s
                  key: request.ip
            outbound:
              - set-header: {name: X-Frame-Options, value: DENY}
      """;

  @BeforeAll
  static void startJwks() throws Exception {
    key = new RSAKeyGenerator(2048).keyID("k1").generate();
    attacker = new RSAKeyGenerator(2048).keyID("k1").generate();
    jwksServer = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    byte[] jwks = new JWKSet(key.toPublicJWK()).toString(true).getBytes(StandardCharsets.UTF_8);
    byte[] evil = new JWKSet(attacker.toPublicJWK()).toString(true).getBytes(StandardCharsets.UTF_8);
    jwksServer.createContext("/jwks.json", ex -> {
      jwksHits.incrementAndGet();
      ex.getResponseHeaders().set("Content-Type", "application/json");
      ex.sendResponseHeaders(200, jwks.length);
      ex.getResponseBody().write(jwks);
      ex.close();
    });
    jwksServer.createContext("/evil.json", ex -> {
      attackerHits.incrementAndGet();
      ex.sendResponseHeaders(200, evil.length);
      ex.getResponseBody().write(evil);
      ex.close();
    });
    jwksServer.start();
  }

  @AfterAll
  static void stopJwks() {
    jwksServer.stop(0);
  }

  static String jwksUrl() {
    return "http://127.0.0.1:" + jwksServer.getAddress().getPort() + "/jwks.json";
  }

  static String evilUrl() {
    return "http://127.0.0.1:" + jwksServer.getAddress().getPort() + "/evil.json";
  }

  static final AtomicInteger configurations = new AtomicInteger();

  /**
   * Serves {@code yaml}; its rate limit counts afresh (a counter of its own), since rate-limit
   * windows otherwise survive a reload and the tests share one gateway.
   */
  static GatewayConfig applyYaml(String yaml) {
    String fresh = yaml.replace("\n            key: request.ip",
        "\n            key: request.ip\n            counter: configuration-" + configurations.incrementAndGet());
    GatewayConfig config = ConfigLoader.withEnvironment(Map.of("UPSTREAM_URL", GH.upstream().url(), "JWKS_URL", jwksUrl()))
        .parse(fresh, "test.yaml", null);
    GH.apply(config);
    return config;
  }

  static JWTClaimsSet.Builder claims() {
    Instant now = Instant.now();
    return new JWTClaimsSet.Builder().subject("alice").issuer(ISSUER).audience(AUDIENCE)
        .issueTime(Date.from(now)).expirationTime(Date.from(now.plusSeconds(300)));
  }

  static String sign(JWTClaimsSet claims) throws Exception {
    return sign(claims, h -> { });
  }

  static String sign(JWTClaimsSet claims, Consumer<JWSHeader.Builder> header) throws Exception {
    JWSHeader.Builder h = new JWSHeader.Builder(JWSAlgorithm.RS256).keyID("k1").type(JOSEObjectType.JWT);
    header.accept(h);
    SignedJWT jwt = new SignedJWT(h.build(), claims);
    jwt.sign(new RSASSASigner(key));
    return jwt.serialize();
  }

  static HttpResponse<String> call(String token) throws Exception {
    return GH.get("/orders/items/7", "Authorization", "Bearer " + token);
  }

  static void refused(String token) throws Exception {
    HttpResponse<String> r = call(token);
    assertThat(r.statusCode()).as("token %s", token).isEqualTo(401);
    assertThat(r.headers().firstValue("WWW-Authenticate"))
        .hasValue("Bearer error=\"invalid_token\", error_description=\"the access token is invalid\"");
    assertThat(r.headers().firstValue("Content-Type")).hasValue("application/problem+json");
    assertThat(r.body()).contains("\"status\":401");
    assertThat(GH.upstream().drain()).isEmpty();
  }

  static String b64(String json) {
    return Base64URL.encode(json.getBytes(StandardCharsets.UTF_8)).toString();
  }

  // ------------------------------------------------------------------ acceptance example

  @Test
  void validTokenPassesAndTheBackendGetsTheRequest() throws Exception {
    applyYaml(ACCEPTANCE);
    HttpResponse<String> r = call(sign(claims().build()));
    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(r.headers().firstValue("X-Frame-Options")).hasValue("DENY");
    RecordedRequest got = GH.upstream().take(5);
    assertThat(got.path()).isEqualTo("/items/7");
  }

  @Test
  void acceptanceExampleLimitsTheSixthRequestInTenSecondsAndSetsFrameOptions() throws Exception {
    String token = sign(claims().build());
    for (int attempt = 0; attempt < 3; attempt++) {
      applyYaml(ACCEPTANCE); // fresh counters
      GH.upstream().drain(); // and no request left from an attempt that straddled a window
      long window = System.nanoTime() / 1_000_000 / 10_000; // rate-limit windows run on the monotonic clock
      int[] statuses = new int[6];
      for (int i = 0; i < 6; i++) {
        HttpResponse<String> r = call(token);
        statuses[i] = r.statusCode();
        if (r.statusCode() == 200) { // outbound runs on backend responses; a 429 short-circuits it
          assertThat(r.headers().firstValue("X-Frame-Options")).hasValue("DENY");
        }
      }
      if (System.nanoTime() / 1_000_000 / 10_000 != window) {
        continue; // the burst straddled a fixed window: counters restarted, try again
      }
      assertThat(statuses).containsExactly(200, 200, 200, 200, 200, 429);
      assertThat(GH.upstream().drain()).hasSize(5);
      return;
    }
    throw new AssertionError("three bursts in a row straddled a 10 s window");
  }

  @Test
  void acceptanceExampleWorksWithInlineJwks() throws Exception {
    String inline = ACCEPTANCE.replace("jwksUrl: ${env:JWKS_URL}",
        "jwks: " + new JWKSet(key.toPublicJWK()).toString(true));
    applyYaml(inline);
    assertThat(call(sign(claims().build())).statusCode()).isEqualTo(200);
    assertThat(GH.upstream().drain()).hasSize(1);
    refused(sign(claims().issuer("https://other.example").build()));
    String yamlMap = ACCEPTANCE.replace("jwksUrl: ${env:JWKS_URL}", """
        jwks:
                      keys:
                        - kty: RSA
                          kid: k1
                          n: %s
                          e: %s
        """.formatted(key.getModulus(), key.getPublicExponent()).stripTrailing());
    applyYaml(yamlMap);
    assertThat(call(sign(claims().build())).statusCode()).isEqualTo(200);
  }

  @Test
  void missingTokenGetsABareBearerChallenge() throws Exception {
    applyYaml(ACCEPTANCE);
    HttpResponse<String> r = GH.get("/orders/items/7");
    assertThat(r.statusCode()).isEqualTo(401);
    assertThat(r.headers().firstValue("WWW-Authenticate")).hasValue("Bearer");
    HttpResponse<String> basic = GH.get("/orders/items/7", "Authorization", "Basic YWxpY2U6c2VjcmV0");
    assertThat(basic.statusCode()).isEqualTo(401);
    assertThat(basic.headers().firstValue("WWW-Authenticate")).hasValue("Bearer");
    assertThat(GH.upstream().drain()).isEmpty();
  }

  // ------------------------------------------------------------------ attacks

  @Test
  void refusesAlgNoneInEveryLetterCase() throws Exception {
    applyYaml(ACCEPTANCE);
    String payload = b64(claims().build().toString());
    for (String alg : List.of("none", "None", "NONE", "nOnE")) {
      String header = b64("{\"alg\":\"" + alg + "\",\"kid\":\"k1\",\"typ\":\"JWT\"}");
      refused(header + "." + payload + ".");
      refused(header + "." + payload + ".c2lnbmF0dXJl");
    }
  }

  @Test
  void refusesHs256SignedWithTheRsaPublicKey() throws Exception {
    applyYaml(ACCEPTANCE.replace("audiences: [orders-api]", "audiences: [orders-api]\n            algorithms: [RS256, HS256]"));
    JWTClaimsSet c = claims().build();
    for (byte[] secret : List.of(key.toPublicKey().getEncoded(),
        key.toPublicJWK().toJSONString().getBytes(StandardCharsets.UTF_8),
        new JWKSet(key.toPublicJWK()).toString(true).getBytes(StandardCharsets.UTF_8))) {
      byte[] padded = secret.length >= 32 ? secret : java.util.Arrays.copyOf(secret, 32);
      SignedJWT jwt = new SignedJWT(new JWSHeader.Builder(JWSAlgorithm.HS256).keyID("k1").build(), c);
      jwt.sign(new MACSigner(padded));
      refused(jwt.serialize());
    }
  }

  @Test
  void refusesExpiredAndNotYetValidTokens() throws Exception {
    applyYaml(ACCEPTANCE);
    Instant now = Instant.now();
    refused(sign(claims().expirationTime(Date.from(now.minusSeconds(120))).build()));
    refused(sign(claims().notBeforeTime(Date.from(now.plusSeconds(600))).build()));
    refused(sign(claims().issueTime(Date.from(now.plusSeconds(600))).build()));
    refused(sign(claims().expirationTime(null).build()));
  }

  @Test
  void refusesWrongIssuerAndWrongAudience() throws Exception {
    applyYaml(ACCEPTANCE);
    refused(sign(claims().issuer("https://evil.example").build()));
    refused(sign(claims().issuer(null).build()));
    refused(sign(claims().audience("other-api").build()));
    refused(sign(claims().audience((String) null).build()));
  }

  @Test
  void refusesUnknownKid() throws Exception {
    applyYaml(ACCEPTANCE);
    refused(sign(claims().build(), h -> h.keyID("no-such-key")));
  }

  @Test
  void refusesTamperedPayloadOrSignature() throws Exception {
    applyYaml(ACCEPTANCE);
    String good = sign(claims().build());
    String[] parts = good.split("\\.");
    String forged = b64(claims().subject("admin").build().toString());
    refused(parts[0] + "." + forged + "." + parts[2]);
    char[] sig = parts[2].toCharArray();
    sig[10] = sig[10] == 'A' ? 'B' : 'A';
    refused(parts[0] + "." + parts[1] + "." + new String(sig));
    refused(parts[0] + "." + parts[1] + "." + parts[2].substring(0, parts[2].length() - 4));
    refused(parts[0] + "." + parts[1]);
    // the untouched token still passes
    assertThat(call(good).statusCode()).isEqualTo(200);
  }

  @Test
  void refusesKeysInjectedThroughJkuX5uAndJwkHeaders() throws Exception {
    applyYaml(ACCEPTANCE);
    int before = attackerHits.get();
    JWTClaimsSet c = claims().build();
    for (Consumer<JWSHeader.Builder> inject : List.<Consumer<JWSHeader.Builder>>of(
        h -> h.jwkURL(URI.create(evilUrl())),
        h -> h.x509CertURL(URI.create(evilUrl())),
        h -> h.jwk(attacker.toPublicJWK()))) {
      JWSHeader.Builder h = new JWSHeader.Builder(JWSAlgorithm.RS256).keyID("k1");
      inject.accept(h);
      SignedJWT jwt = new SignedJWT(h.build(), c);
      jwt.sign(new RSASSASigner(attacker));
      refused(jwt.serialize());
    }
    assertThat(attackerHits.get()).isEqualTo(before);
  }

  @Test
  void refusesKidInjectionWithPathsQueriesAndCommandsAsKeyIds() throws Exception {
    applyYaml(ACCEPTANCE.replace("audiences: [orders-api]", "audiences: [orders-api]\n            algorithms: [RS256, HS256]"));
    int attackerBefore = attackerHits.get();
    JWTClaimsSet c = claims().build();
    for (String kid : List.of("../../../../../../dev/null", "/dev/null", "file:///dev/null", "/proc/self/environ",
        "' UNION SELECT 'AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA", "k1' OR '1'='1", "k1\u0000", "k1|id", "$(id)",
        "k1/../k1", "http://127.0.0.1:" + jwksServer.getAddress().getPort() + "/evil.json")) {
      // HMAC with an empty file's content (zero bytes, padded to the minimum) and with the kid itself
      for (byte[] secret : List.of(new byte[32], java.util.Arrays.copyOf(kid.getBytes(StandardCharsets.UTF_8),
          Math.max(32, kid.getBytes(StandardCharsets.UTF_8).length)))) {
        SignedJWT hmac = new SignedJWT(new JWSHeader.Builder(JWSAlgorithm.HS256).keyID(kid).build(), c);
        hmac.sign(new MACSigner(secret));
        refused(hmac.serialize());
      }
      refused(sign(c, h -> h.keyID(kid)).replaceFirst("^[^.]+", b64("{\"alg\":\"none\",\"kid\":\""
          + kid.replace("\\", "\\\\").replace("\"", "\\\"").replace("\u0000", "\\u0000") + "\"}")));
      SignedJWT forged = new SignedJWT(new JWSHeader.Builder(JWSAlgorithm.RS256).keyID(kid).build(), c);
      forged.sign(new RSASSASigner(attacker));
      refused(forged.serialize());
    }
    assertThat(attackerHits.get()).as("the gateway fetched nothing a kid named").isEqualTo(attackerBefore);
    assertThat(call(sign(c)).statusCode()).as("a token with the right kid still passes").isEqualTo(200);
  }

  @Test
  void refusesNonJsonPayload() throws Exception {
    applyYaml(ACCEPTANCE);
    for (String body : List.of("not json at all", "[1,2,3]", "\"a string\"", "{\"sub\":\"alice\",")) {
      JWSObject jws = new JWSObject(new JWSHeader.Builder(JWSAlgorithm.RS256).keyID("k1").build(), new Payload(body));
      jws.sign(new RSASSASigner(key));
      refused(jws.serialize());
    }
  }

  @Test
  void refusesOversizedToken() throws Exception {
    applyYaml(ACCEPTANCE.replace("audiences: [orders-api]", "audiences: [orders-api]\n            maxTokenBytes: 1024"));
    String big = sign(claims().claim("pad", "x".repeat(1500)).build());
    assertThat(big.length()).isGreaterThan(1024);
    refused(big);
    assertThat(call(sign(claims().build())).statusCode()).isEqualTo(200);
  }

  // ------------------------------------------------------------------ settings

  @Test
  void claimsReachExpressionsAndRequiredClaimsAreEnforced() throws Exception {
    applyYaml("""
        backends:
          - name: echo
            url: ${env:UPSTREAM_URL}
        apis:
          - name: orders
            path: /orders
            backend: echo
            subscriptionRequired: false
            policies:
              inbound:
                - validate-jwt:
                    jwksUrl: ${env:JWKS_URL}
                    requiredClaims: {scope: [orders.read, orders.write]}
                - set-header: {name: X-Sub, expression: "jwt.claims.sub"}
        """);
    assertThat(call(sign(claims().claim("scope", List.of("profile", "orders.read")).build())).statusCode()).isEqualTo(200);
    assertThat(GH.upstream().take(5).header("X-Sub")).isEqualTo("alice");
    refused(sign(claims().claim("scope", "profile").build()));
    refused(sign(claims().build()));
  }

  @Test
  void readsTokenFromQueryOrCookie() throws Exception {
    String token = sign(claims().build());
    applyYaml(ACCEPTANCE.replace("audiences: [orders-api]", "audiences: [orders-api]\n            query: access_token"));
    assertThat(GH.get("/orders/items/7?access_token=" + token).statusCode()).isEqualTo(200);
    assertThat(GH.get("/orders/items/7", "Authorization", "Bearer " + token).statusCode()).isEqualTo(401);
    applyYaml(ACCEPTANCE.replace("audiences: [orders-api]", "audiences: [orders-api]\n            cookie: session"));
    assertThat(GH.get("/orders/items/7", "Cookie", "a=b; session=" + token).statusCode()).isEqualTo(200);
    assertThat(GH.get("/orders/items/7", "Cookie", "session=garbage").statusCode()).isEqualTo(401);
  }

  @Test
  void reloadKeepsFetchedKeys() throws Exception {
    applyYaml(ACCEPTANCE.replace("orders-api]", "orders-api, reload-test]"));
    String token = sign(claims().build());
    assertThat(call(token).statusCode()).isEqualTo(200);
    int hits = jwksHits.get();
    applyYaml(ACCEPTANCE.replace("orders-api]", "orders-api, reload-test]"));
    assertThat(call(token).statusCode()).isEqualTo(200);
    assertThat(jwksHits.get()).isEqualTo(hits);
  }

  @Test
  void subjectBecomesTheTrafficEventUser() throws Exception {
    applyYaml(ACCEPTANCE);
    java.util.concurrent.BlockingQueue<io.gatehouse.gateway.events.TrafficEvent> events =
        new java.util.concurrent.LinkedBlockingQueue<>();
    io.gatehouse.gateway.events.TrafficEventConsumer collect = events::add;
    GH.gateway().events().subscribe(collect);
    try {
      assertThat(call(sign(claims().subject("dave").build())).statusCode()).isEqualTo(200);
      io.gatehouse.gateway.events.TrafficEvent e = events.poll(10, java.util.concurrent.TimeUnit.SECONDS);
      assertThat(e).isNotNull();
      assertThat(e.user()).isEqualTo("dave");
      assertThat(e.status()).isEqualTo(200);
    } finally {
      GH.gateway().events().unsubscribe(collect);
    }
  }

  @Test
  void coldKeyFetchResumesOnTheEventLoop() throws Exception {
    int hits = jwksHits.get();
    // settings no earlier test used: a new validator whose keys are not fetched yet
    applyYaml(ACCEPTANCE.replace("orders-api]", "orders-api, cold-" + System.nanoTime() + "]")
        .replace("        - rate-limit-by-key:", "        - thread-mark: {}\n        - rate-limit-by-key:"));
    assertThat(call(sign(claims().build())).statusCode()).isEqualTo(200);
    assertThat(jwksHits.get()).isEqualTo(hits + 1);
    assertThat(GH.upstream().take(5).header("X-Thread")).isEqualTo("event-loop");
  }

  @Test
  void refusesBadConfiguration() {
    assertThatThrownBy(() -> applyYaml(ACCEPTANCE.replace("jwksUrl: ${env:JWKS_URL}", "issuers: [x]")))
        .isInstanceOf(ConfigException.class).hasMessageContaining("validate-jwt");
    assertThatThrownBy(() -> applyYaml(ACCEPTANCE.replace("audiences: [orders-api]", "audiences: [orders-api]\n            algorithms: [none]")))
        .isInstanceOf(ConfigException.class).hasMessageContaining("apis[0].policies.inbound[0].validate-jwt.algorithms[0]")
        .hasMessageContaining("unsupported algorithm 'none'");
    assertThatThrownBy(() -> applyYaml(ACCEPTANCE.replace("jwksUrl: ${env:JWKS_URL}", "jwksUrl: ftp://x/jwks")))
        .isInstanceOf(ConfigException.class).hasMessageContaining("validate-jwt.jwksUrl");
    assertThatThrownBy(() -> applyYaml(ACCEPTANCE.replace("audiences: [orders-api]", "audiences: [orders-api]\n            colour: red")))
        .isInstanceOf(ConfigException.class).hasMessageContaining("validate-jwt.colour");
  }
}
