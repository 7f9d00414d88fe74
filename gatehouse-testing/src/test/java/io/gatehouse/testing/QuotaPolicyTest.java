package io.gatehouse.testing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.gatehouse.gateway.Gateway;
import io.gatehouse.gateway.GatewayOptions;
import io.gatehouse.model.ConfigException;
import io.gatehouse.model.ConfigLoader;
import io.gatehouse.model.GatewayConfig;
import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/** {@code quota} and {@code quota-by-key} through the real gateway, including restarts on the same data directory. */
class QuotaPolicyTest {
  @RegisterExtension static final GatehouseExtension GH = GatehouseExtension.create();

  static final String KEY_A = "key-a-0123456789abcdefghij";
  static final String KEY_B = "key-b-0123456789abcdefghij";

  static String yaml(String policies, boolean keyed) {
    return """
        backends:
          - name: echo
            url: ${env:UPSTREAM_URL}
        apis:
          - name: t
            path: /t
            backend: echo
            subscriptionRequired: %s
            policies:
        %s
        subscriptions:
          - name: sub-a
            scope: all
            primaryKey: %s
          - name: sub-b
            scope: all
            primaryKey: %s
        """.formatted(keyed, policies.indent(6).stripTrailing(), KEY_A, KEY_B);
  }

  static <T> T await(Future<T> f) throws Exception {
    return f.toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
  }

  static HttpResponse<String> get(HttpClient http, int port, String path, String key) throws Exception {
    return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
        .timeout(Duration.ofSeconds(10)).header("Subscription-Key", key).GET().build(),
        HttpResponse.BodyHandlers.ofString());
  }

  @Test
  void exhaustedQuotaStaysExhaustedAfterRestartOnTheSameDataDirectory(@TempDir Path data) throws Exception {
    GatewayConfig config = ConfigLoader.withEnvironment(Map.of("UPSTREAM_URL", GH.upstream().url())).parse(yaml("""
        inbound:
          - quota: {calls: 3, renewal-period: 30d}
        """, true), "test.yaml", null);
    HttpClient http = HttpClient.newHttpClient();
    Gateway first = await(Gateway.start(GH.vertx(), GatehouseExtension.gatewayOptions().withDataDir(data)));
    try {
      first.apply(config, 1);
      for (int i = 0; i < 3; i++) {
        assertThat(get(http, first.port(), "/t/x", KEY_A).statusCode()).isEqualTo(200);
      }
      HttpResponse<String> refused = get(http, first.port(), "/t/x", KEY_A);
      assertThat(refused.statusCode()).isEqualTo(403);
      assertThat(refused.body()).contains("quota of 3 calls");
      assertThat(Long.parseLong(refused.headers().firstValue("Retry-After").orElseThrow()))
          .isBetween(1L, 30L * 24 * 3600);
      assertThat(refused.headers().firstValue("RateLimit-Limit")).hasValue("3");
      assertThat(refused.headers().firstValue("RateLimit-Remaining")).hasValue("0");
      assertThat(refused.headers().firstValue("RateLimit-Reset")).isPresent();
      assertThat(get(http, first.port(), "/t/x", KEY_B).statusCode()).isEqualTo(200);
    } finally {
      await(first.close());
    }
    assertThat(data.resolve("counters.db")).exists();

    Gateway second = await(Gateway.start(GH.vertx(), GatehouseExtension.gatewayOptions().withDataDir(data)));
    try {
      second.apply(config, 2);
      assertThat(get(http, second.port(), "/t/x", KEY_A).statusCode()).isEqualTo(403);
      assertThat(get(http, second.port(), "/t/x", KEY_B).statusCode()).isEqualTo(200);
      assertThat(get(http, second.port(), "/t/x", KEY_B).statusCode()).isEqualTo(200);
      assertThat(get(http, second.port(), "/t/x", KEY_B).statusCode()).isEqualTo(403);
    } finally {
      await(second.close());
    }
  }

  @Test
  void quotaCountsSurviveANewConfiguration() throws Exception {
    String policies = """
        inbound:
          - quota: {calls: 2, renewal-period: 1d}
        """;
    GH.apply(yaml(policies, true));
    assertThat(GH.get("/t/x", "Subscription-Key", KEY_A).statusCode()).isEqualTo(200);
    assertThat(GH.get("/t/x", "Subscription-Key", KEY_A).statusCode()).isEqualTo(200);
    GH.apply(yaml(policies, true));
    assertThat(GH.get("/t/x", "Subscription-Key", KEY_A).statusCode()).isEqualTo(403);
    GH.apply(yaml(policies.replace("calls: 2", "calls: 3"), true));
    assertThat(GH.get("/t/x", "Subscription-Key", KEY_A).statusCode()).isEqualTo(200);
  }

  @Test
  void quotaByKeyAdmitsExactlyNOfNPlusOneConcurrentRequests() throws Exception {
    int n = 25;
    GH.apply(yaml("""
        inbound:
          - quota-by-key: {calls: %d, renewal-period: month, key: "request.headers['x-tenant']"}
        """.formatted(n), false));
    ExecutorService pool = Executors.newFixedThreadPool(n + 1);
    try {
      CountDownLatch go = new CountDownLatch(1);
      List<java.util.concurrent.Future<HttpResponse<String>>> results = new ArrayList<>();
      for (int i = 0; i <= n; i++) {
        Callable<HttpResponse<String>> call = () -> {
          go.await();
          return GH.get("/t/x", "X-Tenant", "concurrent");
        };
        results.add(pool.submit(call));
      }
      go.countDown();
      int ok = 0;
      int refused = 0;
      for (var f : results) {
        int status = f.get(20, TimeUnit.SECONDS).statusCode();
        if (status == 200) {
          ok++;
        } else if (status == 403) {
          refused++;
        }
      }
      assertThat(ok).isEqualTo(n);
      assertThat(refused).isEqualTo(1);
      assertThat(GH.get("/t/x", "X-Tenant", "other").statusCode()).isEqualTo(200);
    } finally {
      pool.shutdownNow();
    }
  }

  @Test
  void bandwidthCountsRequestAndResponseBodyBytes() throws Exception {
    GH.upstream().respondWith(req -> req.response().end(Buffer.buffer("x".repeat(100))));
    try {
      // 600 request bytes + 100 response bytes = 700 >= 650; either alone stays below.
      GH.apply(yaml("""
          inbound:
            - quota-by-key: {bandwidth: 650, renewal-period: 1h, key: "request.headers['x-tenant']"}
          """, false));
      HttpResponse<String> post = GH.send(GH.request("/t/upload").header("X-Tenant", "both")
          .POST(HttpRequest.BodyPublishers.ofString("y".repeat(600))).build());
      assertThat(post.statusCode()).isEqualTo(200);
      HttpResponse<String> next = GH.get("/t/x", "X-Tenant", "both");
      assertThat(next.statusCode()).isEqualTo(403);
      assertThat(next.body()).contains("650 bytes");

      HttpResponse<String> small = GH.send(GH.request("/t/upload").header("X-Tenant", "small")
          .POST(HttpRequest.BodyPublishers.ofString("y".repeat(500))).build());
      assertThat(small.statusCode()).isEqualTo(200);
      assertThat(GH.get("/t/x", "X-Tenant", "small").statusCode()).as("600 bytes counted").isEqualTo(200);
      assertThat(GH.get("/t/x", "X-Tenant", "small").statusCode()).as("700 bytes counted").isEqualTo(403);
    } finally {
      GH.upstream().reset();
    }
  }

  @Test
  void quotaRefusesBadConfiguration() {
    refused("""
        inbound:
          - quota: {renewal-period: 1h}
        """, "apis[0].policies.inbound[0].quota.calls", "expected 'calls', 'bandwidth' or both");
    refused("""
        inbound:
          - quota: {calls: 5, renewal-period: 40d}
        """, "apis[0].policies.inbound[0].quota.renewal-period", "expected from 1s to 31d");
    refused("""
        inbound:
          - quota: {calls: 5}
        """, "apis[0].policies.inbound[0].quota.renewal-period", "is required");
    refused("""
        outbound:
          - quota: {calls: 5, renewal-period: 1h}
        """, "apis[0].policies.outbound[0].quota", "inbound or backend only");
    refused("""
        inbound:
          - quota-by-key: {calls: 5, renewal-period: 1h}
        """, "apis[0].policies.inbound[0].quota-by-key.key", "is required");
  }

  static void refused(String policies, String location, String message) {
    assertThatThrownBy(() -> GH.apply(yaml(policies, false))).isInstanceOf(ConfigException.class)
        .hasMessageContaining(location).hasMessageContaining(message);
  }

  @Test
  void counterFileIsCreatedUnderTheDataDirectory(@TempDir Path data) throws Exception {
    Gateway g = await(Gateway.start(GH.vertx(), GatehouseExtension.gatewayOptions().withDataDir(data.resolve("d"))));
    await(g.close());
    assertThat(Files.exists(data.resolve("d").resolve("counters.db"))).isTrue();
  }
}
