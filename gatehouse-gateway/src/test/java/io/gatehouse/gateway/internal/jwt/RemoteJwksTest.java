package io.gatehouse.gateway.internal.jwt;

import static io.gatehouse.gateway.internal.jwt.TestKeys.NOW;
import static io.gatehouse.gateway.internal.jwt.TestKeys.RSA;
import static io.gatehouse.gateway.internal.jwt.TestKeys.RSA_2;
import static io.gatehouse.gateway.internal.jwt.TestKeys.claims;
import static io.gatehouse.gateway.internal.jwt.TestKeys.sign;
import static org.assertj.core.api.Assertions.assertThat;

import com.nimbusds.jose.JWSAlgorithm;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** JWKS and OIDC discovery fetched from a real HTTP server on 127.0.0.1. */
class RemoteJwksTest {
  private HttpServer server;
  private ExecutorService serverThreads;
  private HttpClient http;
  private final AtomicReference<String> jwksBody = new AtomicReference<>();
  private final AtomicInteger jwksStatus = new AtomicInteger(200);
  private final AtomicInteger jwksRequests = new AtomicInteger();
  private final AtomicInteger discoveryRequests = new AtomicInteger();
  private final AtomicInteger attackerRequests = new AtomicInteger();
  private final CountDownLatch releaseSlow = new CountDownLatch(1);
  private final TestKeys.MutableClock clock = new TestKeys.MutableClock(NOW);

  @BeforeEach
  void startServer() throws IOException {
    server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    serverThreads = Executors.newCachedThreadPool();
    server.setExecutor(serverThreads);
    server.createContext("/jwks", ex -> {
      jwksRequests.incrementAndGet();
      respond(ex, jwksStatus.get(), jwksBody.get());
    });
    server.createContext("/.well-known/openid-configuration", ex -> {
      discoveryRequests.incrementAndGet();
      respond(ex, 200, "{\"issuer\":\"https://idp.example\",\"jwks_uri\":\"" + base() + "/jwks\"}");
    });
    server.createContext("/attacker", ex -> {
      attackerRequests.incrementAndGet();
      respond(ex, 200, TestKeys.publicJwksJson(TestKeys.ATTACKER_RSA.toPublicJWK()));
    });
    server.createContext("/big", ex -> respond(ex, 200, "{\"keys\":[" + " ".repeat(1024 * 1024) + "]}"));
    server.createContext("/slow", ex -> {
      try {
        releaseSlow.await(30, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      respond(ex, 200, jwksBody.get());
    });
    server.start();
    http = HttpClient.newHttpClient();
    jwksBody.set(TestKeys.publicJwksJson(RSA.toPublicJWK()));
  }

  @AfterEach
  void stopServer() {
    releaseSlow.countDown();
    server.stop(0);
    serverThreads.shutdownNow();
  }

  private static void respond(HttpExchange ex, int status, String body) throws IOException {
    byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
    ex.getResponseHeaders().set("Content-Type", "application/json");
    ex.sendResponseHeaders(status, bytes.length);
    try (OutputStream out = ex.getResponseBody()) {
      out.write(bytes);
    }
  }

  private String base() {
    return "http://127.0.0.1:" + server.getAddress().getPort();
  }

  private JwtValidator validator(JwtValidatorSettings.Builder builder) {
    return JwtValidator.create(builder.build(), http, clock,
        io.gatehouse.gateway.internal.outbound.OutboundGuard.create(null, java.util.List.of("127.0.0.0/8")));
  }

  private JwtValidatorSettings.Builder jwksSettings(String path) {
    return JwtValidatorSettings.builder()
        .jwksUrl(URI.create(base() + path))
        .minRefetchInterval(Duration.ofMinutes(1))
        .jwksRefreshInterval(Duration.ofMinutes(10));
  }

  private static JwtResult await(java.util.concurrent.CompletionStage<JwtResult> stage) throws Exception {
    return stage.toCompletableFuture().get(10, TimeUnit.SECONDS);
  }

  /** Claims still valid after the test clock moved past the refresh interval. */
  private static com.nimbusds.jwt.JWTClaimsSet longLived() {
    return claims().expirationTime(java.util.Date.from(NOW.plus(Duration.ofDays(1)))).build();
  }

  @Test
  void fetchesJwksOnceThenAnswersFromCacheSynchronously() throws Exception {
    JwtValidator v = validator(jwksSettings("/jwks"));
    String token = sign(RSA, JWSAlgorithm.RS256, claims().build());
    assertThat(await(v.validate(token)).valid()).isTrue();
    CompletableFuture<JwtResult> second = v.validate(token).toCompletableFuture();
    assertThat(second).as("cached keys: already completed").isDone();
    assertThat(second.join().valid()).isTrue();
    assertThat(jwksRequests).hasValue(1);
  }

  @Test
  void discoveryProvidesJwksUriAndIssuer() throws Exception {
    JwtValidator v = validator(JwtValidatorSettings.builder()
        .openidConfigUrl(URI.create(base() + "/.well-known/openid-configuration")));
    assertThat(await(v.validate(sign(RSA, JWSAlgorithm.RS256, claims().issuer("https://idp.example").build()))).valid()).isTrue();
    JwtResult wrongIssuer = await(v.validate(sign(RSA, JWSAlgorithm.RS256, claims().issuer("https://other.example").build())));
    assertThat(wrongIssuer.valid()).isFalse();
    assertThat(wrongIssuer.reason()).contains("issuer");
    assertThat(discoveryRequests).hasValue(1);
    assertThat(jwksRequests).hasValue(1);

    JwtValidator configured = validator(JwtValidatorSettings.builder()
        .openidConfigUrl(URI.create(base() + "/.well-known/openid-configuration"))
        .issuers("https://other.example"));
    assertThat(await(configured.validate(sign(RSA, JWSAlgorithm.RS256, claims().issuer("https://other.example").build()))).valid()).isTrue();
  }

  @Test
  void picksUpRotatedKeyAfterOneRefetch() throws Exception {
    JwtValidator v = validator(jwksSettings("/jwks"));
    assertThat(await(v.validate(sign(RSA, JWSAlgorithm.RS256, claims().build()))).valid()).isTrue();
    jwksBody.set(TestKeys.publicJwksJson(RSA.toPublicJWK(), RSA_2.toPublicJWK()));
    clock.advance(Duration.ofMinutes(2));
    JwtResult rotated = await(v.validate(sign(RSA_2, JWSAlgorithm.RS256, claims().build())));
    assertThat(rotated.valid()).as(rotated.reason()).isTrue();
    assertThat(jwksRequests).hasValue(2);
    assertThat(v.validate(sign(RSA_2, JWSAlgorithm.RS256, claims().build())).toCompletableFuture()).isDone();
    assertThat(jwksRequests).hasValue(2);
  }

  @Test
  void aRememberedTokenIsVerifiedAgainOnceItsKeyIsRotatedOut() throws Exception {
    JwtValidator v = validator(jwksSettings("/jwks"));
    String old = sign(RSA, JWSAlgorithm.RS256, longLived());
    assertThat(await(v.validate(old)).valid()).isTrue();
    assertThat(await(v.validate(old)).valid()).isTrue();
    assertThat(v.cacheHits()).isEqualTo(1);

    jwksBody.set(TestKeys.publicJwksJson(RSA_2.toPublicJWK()));
    clock.advance(Duration.ofMinutes(2));
    assertThat(await(v.validate(sign(RSA_2, JWSAlgorithm.RS256, longLived()))).valid())
        .as("a token of the new key makes the validator fetch the rotated set").isTrue();
    JwtResult again = await(v.validate(old));
    assertThat(again.valid()).as("the old key is gone, so its remembered token is no longer accepted").isFalse();
    assertThat(v.cacheHits()).isEqualTo(1);
  }

  @Test
  void picksUpRotatedKeyAfterTheClockJumpedBack() throws Exception {
    JwtValidator v = validator(jwksSettings("/jwks"));
    assertThat(await(v.validate(sign(RSA, JWSAlgorithm.RS256, claims().build()))).valid()).isTrue();
    jwksBody.set(TestKeys.publicJwksJson(RSA_2.toPublicJWK()));
    clock.advance(Duration.ofHours(-1));
    // Before the fix, the refetch waited until the clock was 30 s past the first fetch again: an hour.
    JwtResult rotated = await(v.validate(sign(RSA_2, JWSAlgorithm.RS256,
        claims().issueTime(java.util.Date.from(NOW.minus(Duration.ofHours(2)))).build())));
    assertThat(rotated.valid()).as(rotated.reason()).isTrue();
    assertThat(jwksRequests).hasValue(2);
    clock.advance(Duration.ofHours(2));
    assertThat(await(v.validate(sign(RSA_2, JWSAlgorithm.RS256, claims().build()))).valid())
        .as("after a forward jump the token is judged by the new time").isFalse();
  }

  @Test
  void floodOfUnknownKidsCausesAtMostOneFetchPerInterval() throws Exception {
    JwtValidator v = validator(jwksSettings("/jwks"));
    assertThat(await(v.validate(sign(RSA, JWSAlgorithm.RS256, claims().build()))).valid()).isTrue();
    clock.advance(Duration.ofMinutes(2));
    List<CompletableFuture<JwtResult>> results = new ArrayList<>();
    for (int i = 0; i < 200; i++) {
      com.nimbusds.jose.JWSHeader header = new com.nimbusds.jose.JWSHeader.Builder(JWSAlgorithm.RS256).keyID("unknown-" + i).build();
      results.add(v.validate(TestKeys.sign(RSA, header, claims().build())).toCompletableFuture());
    }
    for (CompletableFuture<JwtResult> r : results) {
      JwtResult result = r.get(10, TimeUnit.SECONDS);
      assertThat(result.valid()).isFalse();
      assertThat(result.reason()).contains("unknown kid");
    }
    assertThat(jwksRequests).as("initial fetch plus one refetch").hasValue(2);
    // within the same interval: no more fetches
    clock.advance(Duration.ofSeconds(30));
    await(v.validate(TestKeys.sign(RSA, new com.nimbusds.jose.JWSHeader.Builder(JWSAlgorithm.RS256).keyID("again").build(), claims().build())));
    assertThat(jwksRequests).hasValue(2);
    // next interval: one more
    clock.advance(Duration.ofSeconds(31));
    await(v.validate(TestKeys.sign(RSA, new com.nimbusds.jose.JWSHeader.Builder(JWSAlgorithm.RS256).keyID("later").build(), claims().build())));
    assertThat(jwksRequests).hasValue(3);
  }

  @Test
  void concurrentColdValidationsShareOneFetch() throws Exception {
    JwtValidator v = validator(jwksSettings("/jwks"));
    String token = sign(RSA, JWSAlgorithm.RS256, claims().build());
    ExecutorService callers = Executors.newFixedThreadPool(8);
    try {
      List<CompletableFuture<JwtResult>> results = new ArrayList<>();
      CountDownLatch start = new CountDownLatch(1);
      for (int i = 0; i < 64; i++) {
        results.add(CompletableFuture.supplyAsync(() -> {
          try {
            start.await();
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
          }
          return v.validate(token);
        }, callers).thenCompose(s -> s));
      }
      start.countDown();
      for (CompletableFuture<JwtResult> r : results) {
        assertThat(r.get(10, TimeUnit.SECONDS).valid()).isTrue();
      }
    } finally {
      callers.shutdownNow();
    }
    assertThat(jwksRequests).hasValue(1);
  }

  @Test
  void keepsLastGoodKeysWhenFetchFails() throws Exception {
    JwtValidator v = validator(jwksSettings("/jwks"));
    String token = sign(RSA, JWSAlgorithm.RS256, longLived());
    assertThat(await(v.validate(token)).valid()).isTrue();
    jwksStatus.set(500);
    clock.advance(Duration.ofMinutes(11));
    JwtResult unknown = await(v.validate(sign(RSA_2, JWSAlgorithm.RS256, longLived())));
    assertThat(unknown.valid()).isFalse();
    assertThat(jwksRequests).hasValue(2);
    assertThat(await(v.validate(token)).valid()).as("last good keys kept").isTrue();
  }

  @Test
  void refreshesStaleKeysInTheBackground() throws Exception {
    JwtValidator v = validator(jwksSettings("/jwks"));
    String token = sign(RSA, JWSAlgorithm.RS256, longLived());
    assertThat(await(v.validate(token)).valid()).isTrue();
    jwksBody.set(TestKeys.publicJwksJson(RSA_2.toPublicJWK()));
    clock.advance(Duration.ofMinutes(11));
    // stale keys still answer at once, while a refresh starts
    CompletableFuture<JwtResult> stale = v.validate(token).toCompletableFuture();
    assertThat(stale).isDone();
    assertThat(stale.join().valid()).isTrue();
    // the refresh replaced the keys: the old key is gone once it completes
    JwtResult afterRefresh = await(v.validate(sign(RSA_2, JWSAlgorithm.RS256, longLived())));
    assertThat(afterRefresh.valid()).as(afterRefresh.reason()).isTrue();
    assertThat(jwksRequests).hasValue(2);
  }

  @Test
  void failsWhenNoKeysCanBeFetched() throws Exception {
    jwksStatus.set(503);
    JwtValidator v = validator(jwksSettings("/jwks"));
    JwtResult result = await(v.validate(sign(RSA, JWSAlgorithm.RS256, claims().build())));
    assertThat(result.valid()).isFalse();
    assertThat(result.reason()).contains("keys unavailable").contains("503");
    // a retry inside the rate-limit interval does not hammer the endpoint
    await(v.validate(sign(RSA, JWSAlgorithm.RS256, claims().build())));
    assertThat(jwksRequests).hasValue(1);
  }

  @Test
  void timesOutSlowJwksEndpoint() throws Exception {
    JwtValidator v = validator(jwksSettings("/slow").fetchTimeout(Duration.ofMillis(300)));
    JwtResult result = await(v.validate(sign(RSA, JWSAlgorithm.RS256, claims().build())));
    assertThat(result.valid()).isFalse();
    assertThat(result.reason()).contains("keys unavailable").containsIgnoringCase("timed out");
  }

  @Test
  void refusesOversizedJwksDocument() throws Exception {
    JwtValidator v = validator(jwksSettings("/big").maxJwksBytes(64 * 1024));
    JwtResult result = await(v.validate(sign(RSA, JWSAlgorithm.RS256, claims().build())));
    assertThat(result.valid()).isFalse();
    assertThat(result.reason()).contains("exceeds 65536 bytes");
  }

  @Test
  void ignoresSymmetricKeysFromRemoteJwks() throws Exception {
    jwksBody.set(TestKeys.publicJwksJson(RSA.toPublicJWK()).replace("]", "," + TestKeys.HMAC.toJSONString() + "]"));
    JwtValidator v = validator(jwksSettings("/jwks"));
    assertThat(await(v.validate(sign(RSA, JWSAlgorithm.RS256, claims().build()))).valid()).isTrue();
    assertThat(await(v.validate(sign(TestKeys.HMAC, JWSAlgorithm.HS256, claims().build()))).valid()).isFalse();
  }

  @Test
  void neverFollowsJkuOrX5uHeaders() throws Exception {
    JwtValidator v = validator(jwksSettings("/jwks"));
    com.nimbusds.jose.JWSHeader header = new com.nimbusds.jose.JWSHeader.Builder(JWSAlgorithm.RS256)
        .keyID("rsa-1")
        .jwkURL(URI.create(base() + "/attacker"))
        .x509CertURL(URI.create(base() + "/attacker"))
        .build();
    JwtResult result = await(v.validate(TestKeys.sign(TestKeys.ATTACKER_RSA, header, claims().build())));
    assertThat(result.valid()).isFalse();
    assertThat(attackerRequests).hasValue(0);
  }
}
