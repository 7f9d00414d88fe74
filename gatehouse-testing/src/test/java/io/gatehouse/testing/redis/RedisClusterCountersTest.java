package io.gatehouse.testing.redis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.gatehouse.gateway.Gateway;
import io.gatehouse.gateway.PolicyClocks;
import io.gatehouse.gateway.RedisOptions;
import io.gatehouse.model.ConfigException;
import io.gatehouse.model.ConfigLoader;
import io.gatehouse.model.GatewayConfig;
import io.gatehouse.testing.Await;
import io.gatehouse.testing.GatehouseExtension;
import io.gatehouse.testing.TestCertificates;
import io.vertx.core.Future;
import io.vertx.core.http.HttpServerRequest;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Three in-process gateways sharing one real Redis server, reached over real HTTP: exact global
 * limits, concurrency leases, and each {@code on-store-failure} mode while Redis is killed and
 * after it restarts on the same port.
 */
class RedisClusterCountersTest {
  @RegisterExtension static final GatehouseExtension GH = GatehouseExtension.create();

  private RedisServer redis;
  private final List<Gateway> nodes = new ArrayList<>();
  private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
  private final ExecutorService pool = Executors.newFixedThreadPool(32);

  @BeforeEach
  void startRedis() {
    redis = RedisServer.start();
  }

  @AfterEach
  void stopAll() throws Exception {
    pool.shutdownNow();
    for (Gateway g : nodes) {
      await(g.close());
    }
    if (redis != null) {
      redis.close();
    }
  }

  static <T> T await(Future<T> f) throws Exception {
    return f.toCompletionStage().toCompletableFuture().get(20, TimeUnit.SECONDS);
  }

  private GatewayConfig config(String policies) throws Exception {
    String yaml = """
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
        """.formatted(policies.indent(6).stripTrailing());
    return ConfigLoader.withEnvironment(Map.of("UPSTREAM_URL", GH.upstream().url())).parse(yaml, "test.yaml", null);
  }

  /** Starts three gateways on {@code redis} serving {@code policies}, and waits until each counts the others live. */
  private void cluster(RedisOptions options, String policies) throws Exception {
    GatewayConfig config = config(policies);
    for (int i = 0; i < 3; i++) {
      Gateway g = await(Gateway.start(GH.vertx(), GatehouseExtension.gatewayOptions(), Gateway.DEFAULT_EVENT_QUEUE_CAPACITY,
          PolicyClocks.system(), options));
      nodes.add(g);
      g.apply(config, 1);
      g.ready();
    }
    Await.until("three live nodes seen by every node", () -> nodes.stream().allMatch(n -> n.counterLiveNodes() == 3));
  }

  private void cluster(String policies) throws Exception {
    cluster(options(redis.uri(), Map.of()), policies);
  }

  private HttpResponse<String> get(int node, String key) throws Exception {
    return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + nodes.get(node).port() + "/t/x"))
        .timeout(Duration.ofSeconds(15)).header("x-k", key).GET().build(), HttpResponse.BodyHandlers.ofString());
  }

  /** Sends {@code count} requests at once, spread round-robin over the three nodes; returns their statuses. */
  private List<Integer> burst(int count, String key) throws Exception {
    CountDownLatch go = new CountDownLatch(1);
    List<java.util.concurrent.Future<Integer>> all = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      int node = i % 3;
      all.add(pool.submit((Callable<Integer>) () -> {
        go.await();
        return get(node, key).statusCode();
      }));
    }
    go.countDown();
    List<Integer> statuses = new ArrayList<>();
    for (java.util.concurrent.Future<Integer> f : all) {
      statuses.add(f.get(30, TimeUnit.SECONDS));
    }
    return statuses;
  }

  private static long count(List<Integer> statuses, int status) {
    return statuses.stream().filter(s -> s == status).count();
  }

  private static String fresh() {
    return UUID.randomUUID().toString();
  }

  @Test
  void admitsExactlyNOfNPlusOneConcurrentCallsSpreadOverThreeNodesForARateLimit() throws Exception {
    cluster("""
        inbound:
          - rate-limit-by-key: {calls: 30, period: 1d, key: "request.headers['x-k']"}
        """);
    List<Integer> statuses = burst(31, fresh());
    assertThat(count(statuses, 200)).as("admitted of %s", statuses).isEqualTo(30);
    assertThat(count(statuses, 429)).as("refused of %s", statuses).isEqualTo(1);
  }

  @Test
  void admitsExactlyNOfNPlusOneConcurrentCallsSpreadOverThreeNodesForAQuota() throws Exception {
    cluster("""
        inbound:
          - quota-by-key: {calls: 30, renewal-period: 30d, key: "request.headers['x-k']"}
        """);
    List<Integer> statuses = burst(31, fresh());
    assertThat(count(statuses, 200)).as("admitted of %s", statuses).isEqualTo(30);
    assertThat(count(statuses, 403)).as("refused of %s", statuses).isEqualTo(1);
  }

  @Test
  void limitsRequestsInFlightAcrossNodesAndFreesLeasesWhenResponsesEnd() throws Exception {
    ConcurrentLinkedQueue<HttpServerRequest> held = new ConcurrentLinkedQueue<>();
    GH.upstream().respondWith(held::add);
    cluster("""
        inbound:
          - limit-concurrency: {max-count: 2}
        """);
    List<java.util.concurrent.Future<Integer>> first = new ArrayList<>();
    for (int node = 0; node < 2; node++) {
      int n = node;
      first.add(pool.submit(() -> get(n, "a").statusCode()));
    }
    Await.until("two requests held at the backend", () -> held.size() == 2);
    assertThat(get(2, "a").statusCode()).as("a third request on the third node").isEqualTo(429);
    GH.upstream().reset();
    HttpServerRequest r;
    while ((r = held.poll()) != null) {
      HttpServerRequest req = r;
      GH.vertx().runOnContext(v -> req.response().end("ok"));
    }
    for (java.util.concurrent.Future<Integer> f : first) {
      assertThat(f.get(20, TimeUnit.SECONDS)).isEqualTo(200);
    }
    Await.until("a request admitted on the third node once the leases are returned",
        () -> call(() -> get(2, "a").statusCode()) == 200);
  }

  @Test
  void decidesByThePerNodeShareWhenRedisIsKilledInOpenModeAndCountsInRedisAgainOnceItReturns() throws Exception {
    cluster("""
        inbound:
          - rate-limit-by-key: {calls: 6, period: 1d, key: "request.headers['x-k']", on-store-failure: open}
        """);
    AtomicBoolean loading = new AtomicBoolean(true);
    ConcurrentLinkedQueue<Integer> seen = new ConcurrentLinkedQueue<>();
    java.util.concurrent.Future<?> load = pool.submit(() -> {
      for (int i = 0; loading.get(); i++) {
        seen.add(call(() -> get(0, "load-" + (System.nanoTime() % 1000)).statusCode()));
      }
      return null;
    });
    Await.until("requests under load", () -> seen.size() > 20);
    redis.kill();
    Await.until("every node sees Redis unreachable", () -> nodes.stream().noneMatch(Gateway::counterStoreAvailable));
    seen.clear();
    Await.until("requests under load without Redis", () -> seen.size() > 20);
    assertThat(seen).as("answers under load without Redis, open mode").allMatch(s -> s == 200 || s == 429);

    // 6 calls over 3 live nodes: each node admits 2 of a key on its own
    String key = fresh();
    List<Integer> alone = new ArrayList<>();
    for (int i = 0; i < 5; i++) {
      alone.add(get(1, key).statusCode());
    }
    assertThat(alone).containsExactly(200, 200, 429, 429, 429);
    assertThat(nodes.get(1).counterFallbackDecisions(true)).isGreaterThanOrEqualTo(5);
    assertThat(nodes.get(0).counterStoreFailures()).isPositive();
    String metrics = io.gatehouse.gateway.metrics.MetricsEndpoint.attach(nodes.get(1)).scrape();
    assertThat(metrics).containsPattern("gatehouse_counters_fallback_decisions_total\\{mode=\"open\"} [1-9]")
        .containsPattern("gatehouse_counters_store_failures_total [1-9]")
        .contains("gatehouse_counters_live_nodes 3.0");

    redis.restart();
    Await.until("every node sees Redis again", () -> nodes.stream().allMatch(Gateway::counterStoreAvailable));
    loading.set(false);
    load.get(20, TimeUnit.SECONDS);
    long fallbacks = nodes.get(1).counterFallbackDecisions(true);
    List<Integer> statuses = burst(7, fresh());
    assertThat(count(statuses, 200)).as("admitted of %s after recovery", statuses).isEqualTo(6);
    assertThat(nodes.get(1).counterFallbackDecisions(true)).as("no fallback after recovery").isEqualTo(fallbacks);
  }

  @Test
  void refusesWithProblem503WhenRedisIsKilledInClosedModeAndAdmitsAgainOnceItReturns() throws Exception {
    cluster("""
        inbound:
          - quota-by-key: {calls: 1000, renewal-period: 1d, key: "request.headers['x-k']", on-store-failure: closed}
        """);
    String key = fresh();
    assertThat(get(0, key).statusCode()).isEqualTo(200);
    redis.kill();
    Await.until("node 2 refuses with 503", () -> call(() -> get(2, key).statusCode()) == 503);
    HttpResponse<String> refused = get(1, key);
    assertThat(refused.statusCode()).isEqualTo(503);
    assertThat(refused.headers().firstValue("content-type").orElse("")).startsWith("application/problem+json");
    assertThat(refused.body()).contains("on-store-failure: closed");
    assertThat(nodes.get(1).counterFallbackDecisions(false)).isPositive();

    redis.restart();
    Await.until("every node admits again", () -> {
      for (int n = 0; n < 3; n++) {
        int node = n;
        if (call(() -> get(node, key).statusCode()) != 200) {
          return false;
        }
      }
      return true;
    });
  }

  @Test
  void refusesAnOnStoreFailureOtherThanOpenOrClosed() throws Exception {
    GatewayConfig config = config("""
        inbound:
          - rate-limit: {calls: 5, period: 1m, on-store-failure: maybe}
        """);
    Gateway g = await(Gateway.start(GH.vertx(), GatehouseExtension.gatewayOptions()));
    nodes.add(g);
    assertThatThrownBy(() -> g.apply(config, 1)).isInstanceOf(ConfigException.class)
        .hasMessageContaining("on-store-failure").hasMessageContaining("expected one of [open, closed] but got 'maybe'");
  }

  @Test
  void countsThroughAnAclUserAndIsUnavailableWithAWrongPassword() throws Exception {
    redis.close();
    redis = RedisServer.builder().user("gw", "s3cret-pass").start();
    RedisOptions good = options("redis://gw:${env:REDIS_PASS}@127.0.0.1:" + redis.port(),
        Map.of("REDIS_PASS", "s3cret-pass"));
    cluster(good, """
        inbound:
          - rate-limit-by-key: {calls: 2, period: 1d, key: "request.headers['x-k']", on-store-failure: closed}
        """);
    String key = fresh();
    assertThat(List.of(get(0, key).statusCode(), get(1, key).statusCode(), get(2, key).statusCode()))
        .containsExactly(200, 200, 429);

    Gateway wrong = await(Gateway.start(GH.vertx(), GatehouseExtension.gatewayOptions(), Gateway.DEFAULT_EVENT_QUEUE_CAPACITY,
        PolicyClocks.system(), good.withCredentials("gw", "wrong")));
    nodes.add(wrong);
    assertThat(wrong.counterStoreAvailable()).isFalse();
    assertThat(good.toString()).doesNotContain("s3cret-pass");
  }

  @Test
  void countsOverVerifiedTlsAndRefusesAServerWhoseCertificateIsUntrustedOrNamesAnotherHost(@TempDir Path dir)
      throws Exception {
    redis.close();
    TestCertificates.Issued ca = TestCertificates.authority("redis test ca");
    Path caPem = ca.writePem(dir, "ca");
    TestCertificates.server(ca, "127.0.0.1").writePem(dir, "redis");
    redis = RedisServer.builder().tls(dir.resolve("redis.crt"), dir.resolve("redis.key")).start();
    assertThat(redis.uri()).startsWith("rediss://");
    RedisOptions trusted = options(redis.uri(), Map.of()).withTrustedCertificates(caPem);
    cluster(trusted, """
        inbound:
          - rate-limit-by-key: {calls: 2, period: 1d, key: "request.headers['x-k']", on-store-failure: closed}
        """);
    String key = fresh();
    assertThat(List.of(get(0, key).statusCode(), get(1, key).statusCode(), get(2, key).statusCode()))
        .containsExactly(200, 200, 429);

    Gateway untrusted = await(Gateway.start(GH.vertx(), GatehouseExtension.gatewayOptions(),
        Gateway.DEFAULT_EVENT_QUEUE_CAPACITY, PolicyClocks.system(), options(redis.uri(), Map.of())));
    nodes.add(untrusted);
    assertThat(untrusted.counterStoreAvailable()).as("a server signed by an authority the JVM does not trust").isFalse();

    TestCertificates.server(ca, "10.9.9.9").writePem(dir, "other");
    try (RedisServer other = RedisServer.builder().tls(dir.resolve("other.crt"), dir.resolve("other.key")).start()) {
      Gateway misnamed = await(Gateway.start(GH.vertx(), GatehouseExtension.gatewayOptions(),
          Gateway.DEFAULT_EVENT_QUEUE_CAPACITY, PolicyClocks.system(),
          options(other.uri(), Map.of()).withTrustedCertificates(caPem)));
      nodes.add(misnamed);
      assertThat(misnamed.counterStoreAvailable()).as("a certificate for another host").isFalse();
    }
  }

  /**
   * The options of {@code uri} with a command timeout generous for a loaded test machine: a killed
   * Redis is noticed by the closed connection, not by the timeout.
   */
  private static RedisOptions options(String uri, Map<String, String> env) {
    return RedisOptions.parse(uri, env).withTimeout(Duration.ofSeconds(5));
  }

  private static <T> T call(Callable<T> c) {
    try {
      return c.call();
    } catch (Exception e) {
      throw new AssertionError(e);
    }
  }
}
