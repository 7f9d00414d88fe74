package io.gatehouse.testing;

import static org.assertj.core.api.Assertions.assertThat;

import io.gatehouse.gateway.BackendStatus;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

class BackendResilienceTest {
  @RegisterExtension static final GatehouseExtension GH = GatehouseExtension.create();

  private final List<HttpServer> servers = new ArrayList<>();

  /** A backend answering 200 with its name (or {@code status}), counting requests. */
  private final class Backend {
    final String name;
    final AtomicInteger hits = new AtomicInteger();
    final AtomicBoolean healthy = new AtomicBoolean(true);
    volatile int status = 200;
    HttpServer server;
    int port;

    Backend(String name) {
      this.name = name;
    }

    Backend start(int wantedPort) throws Exception {
      server = GH.vertx().createHttpServer(new HttpServerOptions().setHost("127.0.0.1").setPort(wantedPort))
          .requestHandler(req -> {
            if (req.path().equals("/health")) {
              req.response().setStatusCode(healthy.get() ? 200 : 503).end();
              return;
            }
            hits.incrementAndGet();
            req.response().setStatusCode(status).end(name);
          });
      server.listen().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
      port = server.actualPort();
      servers.add(server);
      return this;
    }

    void stop() throws Exception {
      server.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }

    String url() {
      return "http://127.0.0.1:" + port;
    }
  }

  @AfterEach
  void stopServers() {
    servers.forEach(HttpServer::close);
  }


  private static String get(String path) {
    try {
      return GH.get(path).body();
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  @Test
  void weightedBalancingFollowsWeightsWithinFivePercent() throws Exception {
    Backend a = new Backend("a").start(0);
    Backend b = new Backend("b").start(0);
    Backend c = new Backend("c").start(0);
    GH.apply("""
        backends:
          - name: pool
            loadBalancing: weighted
            members:
              - {url: %s, weight: 1}
              - {url: %s, weight: 2}
              - {url: %s, weight: 7}
        apis:
          - {name: p, path: /p, backend: pool, subscriptionRequired: false}
        """.formatted(a.url(), b.url(), c.url()));
    int total = 10_000;
    Semaphore inFlight = new Semaphore(32);
    List<CompletableFuture<HttpResponse<Void>>> all = new ArrayList<>();
    java.net.http.HttpClient http = java.net.http.HttpClient.newBuilder()
        .version(java.net.http.HttpClient.Version.HTTP_1_1).build();
    for (int i = 0; i < total; i++) {
      inFlight.acquire();
      CompletableFuture<HttpResponse<Void>> f = http.sendAsync(GH.request("/p/x").GET().build(),
          HttpResponse.BodyHandlers.discarding());
      f.whenComplete((r, e) -> inFlight.release());
      all.add(f);
    }
    CompletableFuture.allOf(all.toArray(new CompletableFuture[0])).get(60, TimeUnit.SECONDS);
    assertThat(all).allMatch(f -> f.join().statusCode() == 200);
    assertThat(a.hits.get()).isCloseTo(1_000, org.assertj.core.data.Percentage.withPercentage(5));
    assertThat(b.hits.get()).isCloseTo(2_000, org.assertj.core.data.Percentage.withPercentage(5));
    assertThat(c.hits.get()).isCloseTo(7_000, org.assertj.core.data.Percentage.withPercentage(5));
  }

  @Test
  void failsOverToLowerPriorityAndBackWhenHealthChanges() throws Exception {
    Backend primary = new Backend("primary").start(0);
    Backend secondary = new Backend("secondary").start(0);
    GH.apply("""
        backends:
          - name: pool
            members:
              - {url: %s, priority: 0}
              - {url: %s, priority: 1}
            healthCheck: {path: /health, interval: 30ms, timeout: 1s, healthyThreshold: 1, unhealthyThreshold: 1}
        apis:
          - {name: p, path: /p, backend: pool, subscriptionRequired: false}
        """.formatted(primary.url(), secondary.url()));
    for (int i = 0; i < 5; i++) {
      assertThat(get("/p/x")).isEqualTo("primary");
    }
    primary.healthy.set(false);
    Await.until("failover", () -> get("/p/x").equals("secondary"));
    assertThat(get("/p/x")).isEqualTo("secondary");
    primary.healthy.set(true);
    Await.until("failback", () -> get("/p/x").equals("primary"));

    primary.healthy.set(false);
    secondary.healthy.set(false);
    Await.until("all unhealthy", () -> GH.gateway().backendStatus().get(0).members().stream().noneMatch(BackendStatus.MemberStatus::healthy));
    HttpResponse<String> r = GH.get("/p/x");
    assertThat(r.statusCode()).isEqualTo(503);
    assertThat(r.body()).contains("backend-unavailable");
  }

  @Test
  void breakerOpensOnFailuresAnswers503AndClosesThroughHalfOpen() throws Exception {
    Backend b = new Backend("b").start(0);
    int port = b.port;
    String yaml = """
        backends:
          - name: fragile
            url: %s
            circuitBreaker: {minimumCalls: 4, window: 4, failureRateThreshold: 50, openDuration: 300ms, halfOpenCalls: 2}
        apis:
          - {name: f, path: /f, backend: fragile, subscriptionRequired: false}
        """.formatted(b.url());
    GH.apply(yaml);
    assertThat(GH.get("/f/x").statusCode()).isEqualTo(200);
    b.stop();
    int failures = 0;
    HttpResponse<String> r = GH.get("/f/x");
    while (r.statusCode() == 502 && failures < 10) {
      failures++;
      r = GH.get("/f/x");
    }
    assertThat(failures).isBetween(1, 4);
    assertThat(r.statusCode()).isEqualTo(503);
    assertThat(r.body()).contains("backend-circuit-open");
    assertThat(r.headers().firstValue("Retry-After")).isPresent();
    assertThat(GH.gateway().backendStatus().get(0).breaker()).isEqualTo("OPEN");

    GH.apply(yaml); // a reload with the same definition keeps the tripped breaker
    assertThat(GH.get("/f/x").statusCode()).isEqualTo(503);

    Backend back = new Backend("b").start(port);
    Await.until("half-open probe succeeds", () -> get("/f/x").equals("b"));
    Await.until("breaker closed", () -> GH.gateway().backendStatus().get(0).breaker().equals("CLOSED")
        || get("/f/x").isEmpty());
    assertThat(GH.gateway().backendStatus().get(0).breaker()).isEqualTo("CLOSED");
    assertThat(back.hits.get()).isGreaterThanOrEqualTo(2);
  }

  @Test
  void breakerOpensUnderLoadFromAKilledBackendAfterItsConfiguredFailuresAndClosesThroughHalfOpen() throws Exception {
    Backend b = new Backend("b").start(0);
    int port = b.port;
    GH.apply("""
        backends:
          - name: fragile
            url: %s
            circuitBreaker: {minimumCalls: 10, window: 10, failureRateThreshold: 50, openDuration: 1s, halfOpenCalls: 3}
        apis:
          - {name: f, path: /f, backend: fragile, subscriptionRequired: false}
        """.formatted(b.url()));
    for (int i = 0; i < 10; i++) {
      assertThat(GH.get("/f/x").statusCode()).isEqualTo(200); // a window full of successes
    }
    b.stop();
    int workers = 8;
    AtomicInteger badGateway = new AtomicInteger();
    AtomicInteger open = new AtomicInteger();
    AtomicInteger other = new AtomicInteger();
    AtomicBoolean retryAfterMissing = new AtomicBoolean();
    java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(workers);
    try {
      List<java.util.concurrent.Future<?>> done = new ArrayList<>();
      for (int w = 0; w < workers; w++) {
        done.add(pool.submit(() -> {
          for (int i = 0; i < 200; i++) { // each worker stops at its first 503: no time for a half-open cycle
            HttpResponse<String> r = GH.get("/f/x");
            if (r.statusCode() == 502) {
              badGateway.incrementAndGet();
            } else if (r.statusCode() == 503 && r.body().contains("backend-circuit-open")) {
              open.incrementAndGet();
              retryAfterMissing.compareAndSet(false, r.headers().firstValue("Retry-After").isEmpty());
              return null;
            } else {
              other.incrementAndGet();
            }
          }
          return null;
        }));
      }
      for (java.util.concurrent.Future<?> f : done) {
        f.get(60, TimeUnit.SECONDS);
      }
    } finally {
      pool.shutdownNow();
    }
    // 5 failures of a window of 10 open it; calls already admitted may fail too (at most one per worker).
    assertThat(badGateway.get()).isBetween(5, 5 + workers);
    assertThat(open.get()).isEqualTo(workers);
    assertThat(other.get()).isZero();
    assertThat(retryAfterMissing.get()).isFalse();
    assertThat(GH.gateway().backendStatus().get(0).breaker()).isEqualTo("OPEN");

    Backend back = new Backend("b").start(port);
    Await.until("first probe after the open duration", () -> get("/f/x").equals("b"));
    assertThat(GH.gateway().backendStatus().get(0).breaker()).isEqualTo("HALF_OPEN");
    assertThat(get("/f/x")).isEqualTo("b");
    assertThat(get("/f/x")).isEqualTo("b");
    assertThat(GH.gateway().backendStatus().get(0).breaker()).isEqualTo("CLOSED");
    assertThat(back.hits.get()).isEqualTo(3);
  }

  @Test
  void retriesIdempotentRequestsWithinBudgetOnly() throws Exception {
    Backend b = new Backend("b").start(0);
    b.status = 503;
    GH.apply("""
        backends:
          - name: flaky
            url: %s
            retry: {count: 3, budgetRatio: 0.2, backoff: 0ms}
        apis:
          - {name: r, path: /r, backend: flaky, subscriptionRequired: false}
        """.formatted(b.url()));
    for (int i = 0; i < 50; i++) {
      assertThat(GH.get("/r/x").statusCode()).isEqualTo(503);
    }
    assertThat(b.hits.get()).isGreaterThan(50).isLessThanOrEqualTo(50 + 10);

    b.hits.set(0);
    HttpResponse<String> post = GH.send(GH.request("/r/x").POST(HttpRequest.BodyPublishers.noBody()).build());
    assertThat(post.statusCode()).isEqualTo(503);
    assertThat(b.hits.get()).isEqualTo(1);
  }

  @Test
  void retriesUntilAGoodAnswerWhenBudgetAllows() throws Exception {
    Backend bad = new Backend("bad").start(0);
    bad.status = 503;
    Backend good = new Backend("good").start(0);
    GH.apply("""
        backends:
          - name: mixed
            members: [{url: %s}, {url: %s}]
            retry: {count: 2, budgetRatio: 1.0, backoff: 1ms}
        apis:
          - {name: m, path: /m, backend: mixed, subscriptionRequired: false}
        """.formatted(bad.url(), good.url()));
    for (int i = 0; i < 10; i++) {
      HttpResponse<String> r = GH.get("/m/x");
      assertThat(r.statusCode()).isEqualTo(200);
      assertThat(r.body()).isEqualTo("good");
    }
    assertThat(bad.hits.get()).isBetween(5, 10); // round-robin sends every other first try to the bad member
  }

  @Test
  void ejectsMemberAfterConsecutiveFailures() throws Exception {
    Backend bad = new Backend("bad").start(0);
    bad.status = 500;
    Backend good = new Backend("good").start(0);
    GH.apply("""
        backends:
          - name: od
            members: [{url: %s}, {url: %s}]
            outlierDetection: {consecutiveFailures: 2, baseEjection: 1m}
        apis:
          - {name: o, path: /o, backend: od, subscriptionRequired: false}
        """.formatted(bad.url(), good.url()));
    for (int i = 0; i < 20; i++) {
      GH.get("/o/x");
    }
    assertThat(bad.hits.get()).isEqualTo(2);
    assertThat(GH.gateway().backendStatus().get(0).members().get(0).ejected()).isTrue();
  }


  @Test
  void speaksHttp2ToBackendWhenAsked() throws Exception {
    java.util.concurrent.atomic.AtomicReference<String> version = new java.util.concurrent.atomic.AtomicReference<>();
    HttpServer h2 = GH.vertx().createHttpServer(new HttpServerOptions().setHost("127.0.0.1").setPort(0))
        .requestHandler(req -> {
          version.set(req.version().name());
          req.response().end("ok");
        });
    h2.listen().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    servers.add(h2);
    GH.apply("""
        backends:
          - {name: h2, url: "http://127.0.0.1:%d", http2: true}
        apis:
          - {name: h, path: /h, backend: h2, subscriptionRequired: false}
        """.formatted(h2.actualPort()));
    assertThat(GH.get("/h/x").statusCode()).isEqualTo(200);
    assertThat(version.get()).isEqualTo("HTTP_2");
  }

  @Test
  void changedDefinitionGetsFreshStateButSameDefinitionKeepsIt() throws Exception {
    Backend bad = new Backend("bad").start(0);
    bad.status = 500;
    String yaml = """
        backends:
          - name: od
            members: [{url: %s}]
            outlierDetection: {consecutiveFailures: 1, baseEjection: %s}
        apis:
          - {name: o, path: /o, backend: od, subscriptionRequired: false}
        """;
    GH.apply(yaml.formatted(bad.url(), "1m"));
    assertThat(GH.get("/o/x").statusCode()).isEqualTo(500);
    assertThat(GH.get("/o/x").statusCode()).isEqualTo(503);
    GH.apply(yaml.formatted(bad.url(), "1m"));
    assertThat(GH.get("/o/x").statusCode()).isEqualTo(503);
    GH.apply(yaml.formatted(bad.url(), "2m"));
    assertThat(GH.get("/o/x").statusCode()).isEqualTo(500);
    assertThat(bad.hits.get()).isEqualTo(2);
  }
}
