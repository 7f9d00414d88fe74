package io.gatehouse.testing;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Attacks on the gateway that an attack review tried and that held, each through the real gateway
 * over a real socket: request smuggling through HTTP/1.1 framing, CORS with {@code Origin: null}
 * and concurrent bursts against a per-subscription rate limit.
 */
class AttackReviewRegressionTest {
  @RegisterExtension static final GatehouseExtension GH = GatehouseExtension.create();

  static final String KEY = "attack-review-key-0123456789abcdef";

  static void serve(String policies) {
    GH.apply("""
        backends:
          - name: echo
            url: ${env:UPSTREAM_URL}
        apis:
          - name: t
            path: /t
            backend: echo
            subscriptionRequired: false
            policies:
        %s
          - name: keyed
            path: /keyed
            backend: echo
            subscriptionRequired: true
            policies:
              inbound:
                - rate-limit: {calls: 10, period: 1h}
        subscriptions:
          - name: sub
            scope: all
            primaryKey: %s
        """.formatted(policies.indent(6).stripTrailing(), KEY));
  }

  // ------------------------------------------------------------------ HTTP/1.1 framing

  /**
   * Writes a valid request, then {@code bad}, then a request for {@code /t/smuggled} on one
   * connection: the first is answered, {@code bad} gets 400 and the connection closes, and the
   * backend sees the first request only.
   */
  static void refusedAndNothingAfterItIsProcessed(String what, String bad) throws Exception {
    serve("inbound: []");
    GH.upstream().reset();
    String first = "GET /t/first HTTP/1.1\r\nHost: a\r\n\r\n";
    String smuggled = "GET /t/smuggled HTTP/1.1\r\nHost: a\r\n\r\n";
    String got = new String(GH.raw((first + bad + smuggled).getBytes(StandardCharsets.ISO_8859_1), Duration.ofSeconds(5)),
        StandardCharsets.ISO_8859_1);
    assertThat(got).as(what).startsWith("HTTP/1.1 200 ");
    int second = got.indexOf("HTTP/1.1 ", 9);
    assertThat(second).as(what + ": a second response").isPositive();
    assertThat(got.substring(second)).as(what).startsWith("HTTP/1.1 400 ").contains("application/problem+json");
    assertThat(got.indexOf("HTTP/1.1 ", second + 9)).as(what + ": nothing answered after the refusal").isEqualTo(-1);
    List<RecordedRequest> seen = GH.upstream().drain();
    assertThat(seen).as(what).extracting(RecordedRequest::path).containsExactly("/first");
  }

  @Test
  void refusesContentLengthWithTransferEncodingAndProcessesNothingAfter() throws Exception {
    refusedAndNothingAfterItIsProcessed("CL+TE", "POST /t/x HTTP/1.1\r\nHost: a\r\nContent-Length: 6\r\n"
        + "Transfer-Encoding: chunked\r\n\r\n0\r\n\r\n");
    refusedAndNothingAfterItIsProcessed("TE+CL", "POST /t/x HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n"
        + "Content-Length: 40\r\n\r\n0\r\n\r\n");
    refusedAndNothingAfterItIsProcessed("TE chunked, identity", "POST /t/x HTTP/1.1\r\nHost: a\r\n"
        + "Transfer-Encoding: chunked, identity\r\n\r\n0\r\n\r\n");
  }

  @Test
  void refusesDuplicateContentLengthAndProcessesNothingAfter() throws Exception {
    refusedAndNothingAfterItIsProcessed("two Content-Length fields", "POST /t/x HTTP/1.1\r\nHost: a\r\n"
        + "Content-Length: 0\r\nContent-Length: 41\r\n\r\n");
    refusedAndNothingAfterItIsProcessed("Content-Length list", "POST /t/x HTTP/1.1\r\nHost: a\r\n"
        + "Content-Length: 0, 41\r\n\r\n");
  }

  @Test
  void refusesAnOverflowingChunkSizeAndProcessesNothingAfter() throws Exception {
    refusedAndNothingAfterItIsProcessed("chunk size overflow", "POST /t/x HTTP/1.1\r\nHost: a\r\n"
        + "Transfer-Encoding: chunked\r\n\r\n10000000000000001\r\nx\r\n0\r\n\r\n");
    refusedAndNothingAfterItIsProcessed("negative chunk size", "POST /t/x HTTP/1.1\r\nHost: a\r\n"
        + "Transfer-Encoding: chunked\r\n\r\n-1\r\nx\r\n0\r\n\r\n");
  }

  @Test
  void refusesBareLineFeedsAndProcessesNothingAfter() throws Exception {
    refusedAndNothingAfterItIsProcessed("bare LF in the head", "GET /t/x HTTP/1.1\nHost: a\n\n");
    refusedAndNothingAfterItIsProcessed("bare LF after a field", "GET /t/x HTTP/1.1\r\nHost: a\nX-A: b\r\n\r\n");
    refusedAndNothingAfterItIsProcessed("bare LF after a chunk size", "POST /t/x HTTP/1.1\r\nHost: a\r\n"
        + "Transfer-Encoding: chunked\r\n\r\n1\nx\r\n0\r\n\r\n");
  }

  @Test
  void nothingPipelinedAfterARefusedRequestReachesTheBackend() throws Exception {
    refusedAndNothingAfterItIsProcessed("obsolete line folding", "GET /t/x HTTP/1.1\r\nHost: a\r\nX-A: b\r\n c\r\n\r\n");
    refusedAndNothingAfterItIsProcessed("space before colon", "GET /t/x HTTP/1.1\r\nHost: a\r\nContent-Length : 5\r\n\r\n");
    refusedAndNothingAfterItIsProcessed("space in a field name", "GET /t/x HTTP/1.1\r\nHost: a\r\nX A: b\r\n\r\n");
  }

  // ------------------------------------------------------------------ CORS

  @Test
  void corsNeverAllowsOriginNull() throws Exception {
    serve("""
        inbound:
          - cors:
              allowed-origins: ["https://app.example"]
              allowed-methods: [GET, PUT]
              allow-credentials: true
        """);
    HttpResponse<String> allowed = GH.get("/t/x", "Origin", "https://app.example");
    assertThat(allowed.headers().firstValue("Access-Control-Allow-Origin")).hasValue("https://app.example");
    for (String origin : List.of("null", "NULL", "https://app.example.evil.test", "https://evil.test/https://app.example",
        "https://app.example, null", "file://")) {
      HttpResponse<String> actual = GH.get("/t/x", "Origin", origin);
      assertThat(actual.headers().firstValue("Access-Control-Allow-Origin")).as("Origin: %s", origin).isEmpty();
      assertThat(actual.headers().firstValue("Access-Control-Allow-Credentials")).as("Origin: %s", origin).isEmpty();
      HttpResponse<String> pre = GH.send(GH.request("/t/x").method("OPTIONS", HttpRequest.BodyPublishers.noBody())
          .header("Origin", origin).header("Access-Control-Request-Method", "PUT").build());
      assertThat(pre.headers().firstValue("Access-Control-Allow-Origin")).as("preflight Origin: %s", origin).isEmpty();
      assertThat(pre.headers().firstValue("Access-Control-Allow-Credentials")).as("preflight %s", origin).isEmpty();
    }
  }

  // ------------------------------------------------------------------ rate limits

  @Test
  void rateLimitPerSubscriptionAdmitsExactlyNOfNPlusOneConcurrentRequests() throws Exception {
    serve("inbound: []");
    int n = 10;
    ExecutorService pool = Executors.newFixedThreadPool(n + 1);
    try {
      CountDownLatch go = new CountDownLatch(1);
      List<Future<HttpResponse<String>>> results = new ArrayList<>();
      for (int i = 0; i <= n; i++) {
        Callable<HttpResponse<String>> call = () -> {
          go.await();
          return GH.get("/keyed/x", "Subscription-Key", KEY);
        };
        results.add(pool.submit(call));
      }
      go.countDown();
      int ok = 0;
      int limited = 0;
      for (Future<HttpResponse<String>> f : results) {
        int status = f.get(20, TimeUnit.SECONDS).statusCode();
        if (status == 200) {
          ok++;
        } else if (status == 429) {
          limited++;
        }
      }
      assertThat(ok).as("admitted").isEqualTo(n);
      assertThat(limited).as("limited").isEqualTo(1);
      assertThat(GH.upstream().drain()).hasSize(n);
    } finally {
      pool.shutdownNow();
    }
  }
}
