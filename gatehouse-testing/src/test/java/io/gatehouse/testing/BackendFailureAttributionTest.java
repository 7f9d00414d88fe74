package io.gatehouse.testing;

import static org.assertj.core.api.Assertions.assertThat;

import io.gatehouse.gateway.BackendStatus;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import java.io.OutputStream;
import java.net.Socket;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Failures that the client or the gateway cause (an oversized body, a header value HTTP cannot
 * carry, a client that leaves mid-request) never count against the backend: its member is not
 * ejected, its breaker stays closed, and it never receives a truncated request as a complete one.
 */
class BackendFailureAttributionTest {
  @RegisterExtension static final GatehouseExtension GH = GatehouseExtension.create();

  private HttpServer server;
  /** Requests the backend read to their end, as "METHOD path body-length". */
  private final List<String> complete = new CopyOnWriteArrayList<>();
  /** Requests whose body broke off at the backend. */
  private final AtomicInteger broken = new AtomicInteger();
  private final AtomicInteger started = new AtomicInteger();

  @BeforeEach
  void startBackend() throws Exception {
    server = GH.vertx().createHttpServer(new HttpServerOptions().setHost("127.0.0.1").setPort(0))
        .requestHandler(req -> {
          started.incrementAndGet();
          req.body().onComplete(ar -> {
            if (ar.failed()) {
              broken.incrementAndGet();
              return;
            }
            complete.add(req.method() + " " + req.path() + " " + ar.result().length());
            req.response().end("ok");
          });
        });
    server.listen().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    GH.apply("""
        backends:
          - name: b
            url: http://127.0.0.1:%d
            outlierDetection: {consecutiveFailures: 2, baseEjection: 60s}
            circuitBreaker: {minimumCalls: 2, window: 2, failureRateThreshold: 50, openDuration: 60s}
        apis:
          - {name: plain, path: /plain, backend: b, subscriptionRequired: false}
          - name: copy
            path: /copy
            backend: b
            subscriptionRequired: false
            policies:
              inbound:
                - set-header: {name: X-User, expression: "request.query['u']"}
        settings:
          maxBodySize: 1000
        """.formatted(server.actualPort()));
  }

  @AfterEach
  void stopBackend() {
    server.close();
  }

  private static String chunkedPost(String path, int chunks, int size) {
    StringBuilder s = new StringBuilder("POST " + path + " HTTP/1.1\r\nHost: gw\r\nTransfer-Encoding: chunked\r\n\r\n");
    for (int i = 0; i < chunks; i++) {
      s.append(Integer.toHexString(size)).append("\r\n").append("x".repeat(size)).append("\r\n");
    }
    return s.append("0\r\n\r\n").toString();
  }

  private static void assertBackendInRotation() throws Exception {
    BackendStatus status = GH.gateway().backendStatus().get(0);
    assertThat(status.breaker()).isEqualTo("CLOSED");
    assertThat(status.failureRate()).isIn(null, 0.0);
    assertThat(status.members().get(0).ejected()).isFalse();
    HttpResponse<String> r = GH.get("/plain/after");
    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(r.body()).isEqualTo("ok");
  }

  @Test
  void oversizedChunkedBodiesGet413AndLeaveTheBackendInTheRotation() throws Exception {
    for (String path : List.of("/plain/upload", "/copy/upload?u=a")) {
      for (int i = 0; i < 5; i++) {
        String answer = new String(GH.raw(chunkedPost(path, 3, 600).getBytes(StandardCharsets.US_ASCII),
            Duration.ofSeconds(10)), StandardCharsets.ISO_8859_1);
        assertThat(answer).startsWith("HTTP/1.1 413 ").contains("body-too-large");
      }
    }
    assertBackendInRotation();
    assertThat(complete).as("no truncated body reached the backend as a complete request")
        .containsExactly("GET /after 0");
  }

  @Test
  void headerValueWithCrLfCopiedFromTheQueryIsRefusedWith400AndNeverCounts() throws Exception {
    for (int i = 0; i < 5; i++) {
      HttpResponse<String> r = GH.get("/copy/x?u=a%0d%0aX-Injected:%20yes");
      assertThat(r.statusCode()).as(r.body()).isEqualTo(400);
      assertThat(r.body()).contains("X-User").doesNotContain("Injected");
    }
    assertBackendInRotation();
    assertThat(started.get()).as("nothing reached the backend but the last request").isEqualTo(1);
  }

  @Test
  void clientsLeavingMidBodyNeverCount() throws Exception {
    for (int i = 1; i <= 3; i++) {
      try (Socket s = new Socket("127.0.0.1", GH.gateway().port())) {
        OutputStream out = s.getOutputStream();
        out.write(("POST /plain/upload HTTP/1.1\r\nHost: gw\r\nTransfer-Encoding: chunked\r\n\r\n"
            + "10\r\n0123456789abcdef\r\n").getBytes(StandardCharsets.US_ASCII));
        out.flush();
        int n = i;
        Await.until("the backend started request " + n, () -> started.get() == n);
      }
      int n = i;
      Await.until("the backend saw request " + n + " break off", () -> broken.get() == n);
      Await.until("the gateway ended request " + n, () -> GH.gateway().backendStatus().get(0).members().get(0).outstanding() == 0);
      assertThat(GH.gateway().backendStatus().get(0).members().get(0).ejected()).as("ejected after " + n).isFalse();
      assertThat(GH.gateway().backendStatus().get(0).breaker()).as("breaker after " + n).isEqualTo("CLOSED");
    }
    assertBackendInRotation();
    assertThat(complete).containsExactly("GET /after 0");
  }
}
