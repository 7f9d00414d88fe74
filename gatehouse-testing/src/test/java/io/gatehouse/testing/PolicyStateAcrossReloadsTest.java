package io.gatehouse.testing;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.http.HttpResponse;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Rate-limit windows, quota counts and in-flight counts belong to the policy's identity (scope by
 * name, section, position, or an explicit {@code counter}) and survive configuration reloads.
 */
class PolicyStateAcrossReloadsTest {
  @RegisterExtension static final GatehouseExtension GH = GatehouseExtension.create();

  /** API {@code name} at {@code /name} with {@code policies}; {@code other} adds an unrelated API first. */
  static String config(String name, String policies, boolean other) {
    String extra = other ? """
          - name: aaa-other
            path: /aaa-other
            backend: echo
            subscriptionRequired: false
        """ : "";
    return """
        backends:
          - name: echo
            url: ${env:UPSTREAM_URL}
        apis:
        %s
          - name: %s
            path: /%s
            backend: echo
            subscriptionRequired: false
            policies:
        %s
        """.formatted(extra.stripTrailing(), name, name, policies.indent(6).stripTrailing());
  }

  static int status(String path) throws Exception {
    return GH.get(path).statusCode();
  }

  @Test
  void rateLimitByKeyWindowSurvivesAReloadThatAddsAnUnrelatedApi() throws Exception {
    String policies = """
        inbound:
          - rate-limit-by-key: {calls: 5, period: 300s, key: "'one-key'"}
        """;
    GH.apply(config("rlk", policies, false));
    for (int i = 0; i < 5; i++) {
      assertThat(status("/rlk/x")).isEqualTo(200);
    }
    GH.apply(config("rlk", policies, true)); // the new API comes first: positions of APIs shift
    assertThat(status("/aaa-other/x")).isEqualTo(200);
    assertThat(status("/rlk/x")).isEqualTo(429);
  }

  @Test
  void changingTheLimitKeepsTheCount() throws Exception {
    GH.apply(config("limit", """
        inbound:
          - rate-limit: {calls: 5, period: 300s}
        """, false));
    for (int i = 0; i < 5; i++) {
      assertThat(status("/limit/x")).isEqualTo(200);
    }
    assertThat(status("/limit/x")).isEqualTo(429);
    GH.apply(config("limit", """
        inbound:
          - rate-limit: {calls: 7, period: 300s}
        """, false));
    HttpResponse<String> sixth = GH.get("/limit/x");
    assertThat(sixth.statusCode()).isEqualTo(200);
    assertThat(sixth.headers().firstValue("RateLimit-Remaining")).hasValue("1");
    assertThat(status("/limit/x")).isEqualTo(200);
    assertThat(status("/limit/x")).isEqualTo(429);
  }

  @Test
  void explicitCounterKeepsTheWindowWhenThePolicyMoves() throws Exception {
    GH.apply(config("moved", """
        inbound:
          - rate-limit: {calls: 3, period: 300s, counter: moved-per-client}
        """, false));
    for (int i = 0; i < 3; i++) {
      assertThat(status("/moved/x")).isEqualTo(200);
    }
    GH.apply(config("moved", """
        inbound:
          - set-header: {name: X-First, value: "1"}
          - rate-limit: {calls: 3, period: 300s, counter: moved-per-client}
        """, false));
    assertThat(status("/moved/x")).isEqualTo(429);
  }

  @Test
  void aPolicyAtANewPositionStartsAfresh() throws Exception {
    GH.apply(config("fresh", """
        inbound:
          - rate-limit: {calls: 2, period: 300s}
        """, false));
    assertThat(status("/fresh/x")).isEqualTo(200);
    assertThat(status("/fresh/x")).isEqualTo(200);
    assertThat(status("/fresh/x")).isEqualTo(429);
    GH.apply(config("fresh", """
        inbound:
          - set-header: {name: X-First, value: "1"}
          - rate-limit: {calls: 2, period: 300s}
        """, false));
    assertThat(status("/fresh/x")).isEqualTo(200);
  }

  @Test
  void quotaCountSurvivesAReloadThatAddsAnApiBeforeIt() throws Exception {
    String policies = """
        inbound:
          - quota-by-key: {calls: 3, renewal-period: 1d, key: "'tenant'"}
        """;
    GH.apply(config("quota", policies, false));
    for (int i = 0; i < 3; i++) {
      assertThat(status("/quota/x")).isEqualTo(200);
    }
    GH.apply(config("quota", policies, true));
    assertThat(status("/quota/x")).isEqualTo(403);
  }

  @Test
  void requestsInFlightCountAcrossAReload() throws Exception {
    CountDownLatch arrived = new CountDownLatch(1);
    CountDownLatch release = new CountDownLatch(1);
    GH.upstream().respondWith(req -> {
      arrived.countDown();
      GH.vertx().executeBlocking(() -> release.await(10, TimeUnit.SECONDS))
          .onComplete(x -> req.response().end("slow"));
    });
    String policies = """
        inbound:
          - limit-concurrency: {max-count: 1}
        """;
    GH.apply(config("conc", policies, false));
    ExecutorService pool = Executors.newSingleThreadExecutor();
    try {
      Future<HttpResponse<String>> slow = pool.submit(() -> GH.get("/conc/slow"));
      assertThat(arrived.await(10, TimeUnit.SECONDS)).isTrue();
      GH.apply(config("conc", policies, true));
      assertThat(status("/conc/other")).isEqualTo(429);
      release.countDown();
      assertThat(slow.get(10, TimeUnit.SECONDS).statusCode()).isEqualTo(200);
      assertThat(status("/conc/after")).isEqualTo(200);
    } finally {
      release.countDown();
      pool.shutdownNow();
      GH.upstream().reset();
    }
  }
}
