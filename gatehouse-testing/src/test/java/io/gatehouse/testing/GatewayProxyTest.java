package io.gatehouse.testing;

import static org.assertj.core.api.Assertions.assertThat;

import io.gatehouse.model.SubscriptionKeys;
import java.net.ServerSocket;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

class GatewayProxyTest {
  @RegisterExtension static final GatehouseExtension GH = GatehouseExtension.create();

  static final String ALICE = "alice-key-0123456789abcdef";
  static final String ALICE_2 = "alice-secondary-0123456789";
  static final String BOB = "bob-key-0123456789abcdefgh";

  static final String CONFIG = """
      backends:
        - name: echo
          url: ${env:UPSTREAM_URL}
      apis:
        - name: orders
          path: /orders
          backend: echo
          subscriptionRequired: true
          operations:
            - GET /items/{id}
            - POST /items
        - name: public
          path: /public
          backend: echo
          subscriptionRequired: false
          operations:
            - GET /{any}
        - name: open
          path: /open
          backend: echo
          subscriptionRequired: false
        - name: billing
          path: /billing
          backend: echo
      products:
        - name: starter
          apis: [orders]
      users:
        - name: bob
          state: blocked
      subscriptions:
        - name: alice-starter
          scope: product:starter
          primaryKey: %s
          secondaryKey: %s
        - name: bob-all
          scope: all
          owner: bob
          primaryKey: %s
        - name: suspended
          scope: all
          state: suspended
          primaryKey: suspended-key-0123456789
        - name: expired
          scope: all
          expiresAt: 2020-01-01T00:00:00Z
          primaryKey: expired-key-0123456789ab
      """.formatted(ALICE, ALICE_2, BOB);

  @BeforeEach
  void configure() {
    GH.apply(CONFIG);
  }

  @Test
  void forwardsPublicRequestWithPrefixRemoved() throws Exception {
    HttpResponse<String> r = GH.get("/public/hello");
    assertThat(r.statusCode()).isEqualTo(200);
    RecordedRequest got = GH.upstream().take(5);
    assertThat(got.method()).isEqualTo("GET");
    assertThat(got.uri()).isEqualTo("/hello");
  }

  @Test
  void requiresSubscriptionKeyAndStripsItBeforeForwarding() throws Exception {
    assertThat(GH.get("/orders/items/7").statusCode()).isEqualTo(401);
    assertThat(GH.upstream().drain()).isEmpty();

    HttpResponse<String> ok = GH.get("/orders/items/7", "Subscription-Key", ALICE);
    assertThat(ok.statusCode()).isEqualTo(200);
    RecordedRequest got = GH.upstream().take(5);
    assertThat(got.uri()).isEqualTo("/items/7");
    assertThat(got.header("Subscription-Key")).isNull();
  }

  @Test
  void answers404ForUnknownOperationAnd405WithAllowForWrongMethod() throws Exception {
    assertThat(GH.get("/orders/other", "Subscription-Key", ALICE).statusCode()).isEqualTo(404);
    HttpResponse<String> r = GH.send(GH.request("/orders/items/7").header("Subscription-Key", ALICE)
        .DELETE().build());
    assertThat(r.statusCode()).isEqualTo(405);
    assertThat(r.headers().firstValue("Allow")).hasValue("GET");
    assertThat(r.headers().firstValue("Content-Type")).hasValue("application/problem+json");
    assertThat(GH.upstream().drain()).isEmpty();
  }

  @Test
  void answers404ProblemWithRequestIdWhenNoApiMatches() throws Exception {
    HttpResponse<String> r = GH.get("/nowhere", "X-Request-Id", "abc-123");
    assertThat(r.statusCode()).isEqualTo(404);
    assertThat(r.headers().firstValue("X-Request-Id")).hasValue("abc-123");
    assertThat(r.body()).contains("\"status\":404").contains("\"requestId\":\"abc-123\"");
    assertThat(r.headers().firstValue("Server")).isEmpty();
  }

  @Test
  void prefixMatchesWholeSegmentsOnly() throws Exception {
    assertThat(GH.get("/openX").statusCode()).isEqualTo(404);
    assertThat(GH.get("/open").statusCode()).isEqualTo(200);
    assertThat(GH.upstream().take(5).uri()).isEqualTo("/");
  }

  @Test
  void refusesUnknownKeyWith401AndKeyOutsideScopeWith403() throws Exception {
    assertThat(GH.get("/orders/items/1", "Subscription-Key", "no-such-key-0123456789").statusCode()).isEqualTo(401);
    assertThat(GH.get("/billing/x", "Subscription-Key", ALICE).statusCode()).isEqualTo(403);
  }

  @Test
  void refusesSuspendedExpiredAndBlockedOwnerWith403() throws Exception {
    assertThat(GH.get("/billing/x", "Subscription-Key", "suspended-key-0123456789").statusCode()).isEqualTo(403);
    assertThat(GH.get("/billing/x", "Subscription-Key", "expired-key-0123456789ab").statusCode()).isEqualTo(403);
    assertThat(GH.get("/billing/x", "Subscription-Key", BOB).statusCode()).isEqualTo(403);
    assertThat(GH.upstream().drain()).isEmpty();
  }

  @Test
  void acceptsSecondaryKeyAndRejectsKeyInQueryUnlessAllowed() throws Exception {
    assertThat(GH.get("/orders/items/2", "Subscription-Key", ALICE_2).statusCode()).isEqualTo(200);
    assertThat(GH.get("/orders/items/2?subscription-key=" + ALICE).statusCode()).isEqualTo(401);
  }

  @Test
  void acceptsKeyInQueryWhenAllowedAndRemovesIt() throws Exception {
    GH.apply(CONFIG.replace("subscriptionRequired: true\n", "subscriptionRequired: true\n    allowKeyInQuery: true\n"));
    assertThat(GH.get("/orders/items/3?a=1&subscription-key=" + ALICE + "&b=2").statusCode()).isEqualTo(200);
    assertThat(GH.upstream().take(5).uri()).isEqualTo("/items/3?a=1&b=2");
  }

  @Test
  void regeneratingOneKeyLeavesTheOtherWorking() throws Exception {
    String fresh = SubscriptionKeys.generate();
    GH.apply(CONFIG.replace(ALICE + "\n", fresh + "\n"));
    assertThat(GH.get("/orders/items/2", "Subscription-Key", ALICE).statusCode()).isEqualTo(401);
    assertThat(GH.get("/orders/items/2", "Subscription-Key", fresh).statusCode()).isEqualTo(200);
    assertThat(GH.get("/orders/items/2", "Subscription-Key", ALICE_2).statusCode()).isEqualTo(200);
  }

  @Test
  void addsForwardingHeadersAndDropsClientSuppliedOnes() throws Exception {
    GH.get("/open/x", "X-Forwarded-For", "6.6.6.6", "Forwarded", "for=6.6.6.6");
    RecordedRequest got = GH.upstream().take(5);
    assertThat(got.header("X-Forwarded-For")).isEqualTo("127.0.0.1");
    assertThat(got.header("X-Forwarded-Proto")).isEqualTo("http");
    assertThat(got.header("X-Forwarded-Host")).isEqualTo("127.0.0.1:" + GH.gateway().port());
    assertThat(got.header("Forwarded")).startsWith("for=127.0.0.1;proto=http");
    assertThat(got.header("X-Request-Id")).hasSize(32);
  }

  @Test
  void appendsToForwardingHeadersFromTrustedProxy() throws Exception {
    GH.apply(CONFIG + "settings:\n  trustedProxies: [127.0.0.0/8]\n");
    GH.get("/open/x", "X-Forwarded-For", "203.0.113.9");
    assertThat(GH.upstream().take(5).header("X-Forwarded-For")).isEqualTo("203.0.113.9, 127.0.0.1");
  }

  @Test
  void propagatesRequestIdAndTraceparent() throws Exception {
    String tp = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01";
    HttpResponse<String> r = GH.get("/open/x", "X-Request-Id", "req-42", "traceparent", tp);
    assertThat(r.headers().firstValue("X-Request-Id")).hasValue("req-42");
    RecordedRequest got = GH.upstream().take(5);
    assertThat(got.header("X-Request-Id")).isEqualTo("req-42");
    assertThat(got.header("traceparent")).isEqualTo(tp);
  }

  @Test
  void removesHopByHopHeadersInBothDirections() throws Exception {
    GH.upstream().respondWith(req -> req.response().putHeader("Keep-Alive", "timeout=5")
        .putHeader("X-Secret-Hop", "1").putHeader("Connection", "X-Secret-Hop").end("ok"));
    byte[] resp = GH.raw(("GET /open/x HTTP/1.1\r\nHost: a\r\nConnection: close, X-Custom\r\n"
        + "X-Custom: drop\r\nKeep-Alive: 5\r\nX-Keep: yes\r\n\r\n").getBytes(StandardCharsets.US_ASCII), Duration.ofSeconds(5));
    String text = new String(resp, StandardCharsets.US_ASCII);
    assertThat(text).startsWith("HTTP/1.1 200");
    assertThat(text).doesNotContainIgnoringCase("X-Secret-Hop").doesNotContainIgnoringCase("keep-alive: timeout");
    RecordedRequest got = GH.upstream().take(5);
    assertThat(got.header("X-Custom")).isNull();
    assertThat(got.header("Keep-Alive")).isNull();
    assertThat(got.header("X-Keep")).isEqualTo("yes");
  }

  @Test
  void stripsServerAndPoweredByHeadersFromBackendResponses() throws Exception {
    GH.upstream().respondWith(req -> req.response().putHeader("Server", "Apache/2.4.1")
        .putHeader("X-Powered-By", "PHP/5").putHeader("X-AspNet-Version", "4.0").putHeader("X-Kept", "1").end("ok"));
    HttpResponse<String> r = GH.get("/open/x");
    assertThat(r.headers().firstValue("Server")).isEmpty();
    assertThat(r.headers().firstValue("X-Powered-By")).isEmpty();
    assertThat(r.headers().firstValue("X-AspNet-Version")).isEmpty();
    assertThat(r.headers().firstValue("X-Kept")).hasValue("1");
  }

  @Test
  void forwardsRequestBodyIntact() throws Exception {
    byte[] body = new byte[300_000];
    for (int i = 0; i < body.length; i++) {
      body[i] = (byte) (i * 31);
    }
    HttpResponse<String> r = GH.send(GH.request("/open/upload").POST(HttpRequest.BodyPublishers.ofByteArray(body)).build());
    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(GH.upstream().take(5).body()).isEqualTo(body);
  }

  @Test
  void refusesBodyOverTheLimitWith413() throws Exception {
    GH.apply(CONFIG + "settings:\n  maxBodySize: 1000\n");
    HttpResponse<String> r = GH.send(GH.request("/open/upload").POST(HttpRequest.BodyPublishers.ofByteArray(new byte[2000])).build());
    assertThat(r.statusCode()).isEqualTo(413);
    assertThat(GH.upstream().drain()).isEmpty();
  }

  @Test
  void answers502WhenBackendRefusesConnection() throws Exception {
    int dead;
    try (ServerSocket s = new ServerSocket(0)) {
      dead = s.getLocalPort();
    }
    GH.apply(CONFIG.replace("${env:UPSTREAM_URL}", "http://127.0.0.1:" + dead));
    HttpResponse<String> r = GH.get("/open/x");
    assertThat(r.statusCode()).isEqualTo(502);
    assertThat(r.body()).contains("backend-unreachable");
  }

  @Test
  void answers504WhenBackendIsTooSlow() throws Exception {
    GH.apply(CONFIG + "settings:\n  backendTimeout: 300ms\n");
    GH.upstream().respondWith(req -> { /* never answers */ });
    HttpResponse<String> r = GH.get("/open/slow");
    assertThat(r.statusCode()).isEqualTo(504);
    assertThat(r.body()).contains("backend-timeout");
  }

  @Test
  void answersHealthProbe() throws Exception {
    assertThat(GH.get("/status-0123456789abcdef").statusCode()).isEqualTo(200);
  }

  @Test
  void rejectsDotSegments() throws Exception {
    byte[] resp = GH.raw("GET /public/../orders/items/7 HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n"
        .getBytes(StandardCharsets.US_ASCII), Duration.ofSeconds(5));
    assertThat(new String(resp, StandardCharsets.US_ASCII)).startsWith("HTTP/1.1 400");
    assertThat(GH.upstream().drain()).isEmpty();
  }
}
