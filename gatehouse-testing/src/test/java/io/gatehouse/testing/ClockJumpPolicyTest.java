package io.gatehouse.testing;

import static org.assertj.core.api.Assertions.assertThat;

import io.gatehouse.gateway.Gateway;
import io.gatehouse.gateway.PolicyClocks;
import io.gatehouse.model.ConfigLoader;
import io.gatehouse.model.GatewayConfig;
import io.vertx.core.Future;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Rate limits and quotas through the real gateway while its wall clock steps back and forward. */
class ClockJumpPolicyTest {
  @RegisterExtension static final GatehouseExtension GH = GatehouseExtension.create();

  static final long HOUR = 3_600_000;
  final AtomicLong wall = new AtomicLong(Instant.parse("2025-03-10T17:30:00Z").toEpochMilli());
  final AtomicLong monotonic = new AtomicLong(100 * 60_000 + 1_000); // 1 s into a one-minute window
  final HttpClient http = HttpClient.newHttpClient();
  Gateway gateway;

  @BeforeEach
  void start() throws Exception {
    gateway = await(Gateway.start(GH.vertx(), GatehouseExtension.gatewayOptions(),
        Gateway.DEFAULT_EVENT_QUEUE_CAPACITY, new PolicyClocks(wall::get, monotonic::get)));
    GatewayConfig config = ConfigLoader.withEnvironment(Map.of("UPSTREAM_URL", GH.upstream().url())).parse("""
        backends:
          - name: echo
            url: ${env:UPSTREAM_URL}
        apis:
          - name: r
            path: /r
            backend: echo
            subscriptionRequired: false
            policies:
              inbound:
                - rate-limit: {calls: 5, period: 1m}
          - name: k
            path: /k
            backend: echo
            subscriptionRequired: false
            policies:
              inbound:
                - rate-limit-by-key: {calls: 5, period: 1m, key: "'one-key'"}
          - name: q
            path: /q
            backend: echo
            subscriptionRequired: false
            policies:
              inbound:
                - quota: {calls: 3, renewal-period: 1h}
        """, "test.yaml", null);
    gateway.apply(config, 1);
  }

  @AfterEach
  void stop() throws Exception {
    await(gateway.close());
  }

  static <T> T await(Future<T> f) throws Exception {
    return f.toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
  }

  int get(String path) throws Exception {
    return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + gateway.port() + path))
        .timeout(Duration.ofSeconds(10)).GET().build(), HttpResponse.BodyHandlers.discarding()).statusCode();
  }

  @Test
  void rateLimitWindowsIgnoreWallClockJumpsAndEndOnTheMonotonicClock() throws Exception {
    for (String path : new String[] {"/r/x", "/k/x"}) {
      for (int i = 0; i < 5; i++) {
        assertThat(get(path)).as(path + " call " + (i + 1)).isEqualTo(200);
      }
      assertThat(get(path)).as(path + " call 6").isEqualTo(429);
    }
    wall.addAndGet(-HOUR); // a backward step does not start a new window
    assertThat(get("/r/x")).isEqualTo(429);
    assertThat(get("/k/x")).isEqualTo(429);
    wall.addAndGet(2 * HOUR); // nor does a forward step
    assertThat(get("/r/x")).isEqualTo(429);
    assertThat(get("/k/x")).isEqualTo(429);
    monotonic.addAndGet(60_000); // the period passes on the monotonic clock: admitted again
    assertThat(get("/r/x")).isEqualTo(200);
    assertThat(get("/k/x")).isEqualTo(200);
  }

  @Test
  void backwardWallClockStepNeverGivesBackSpentQuota() throws Exception {
    for (int i = 0; i < 3; i++) {
      assertThat(get("/q/x")).isEqualTo(200);
    }
    assertThat(get("/q/x")).isEqualTo(403);
    wall.addAndGet(-20 * 60_000); // back within the same hour: the count stays
    assertThat(get("/q/x")).isEqualTo(403);
    wall.addAndGet(-HOUR); // back into the previous hour: still counted in the latest hour seen
    assertThat(get("/q/x")).isEqualTo(403);
    wall.set(Instant.parse("2025-03-10T18:00:01Z").toEpochMilli()); // forward into the next hour: renewed
    assertThat(get("/q/x")).isEqualTo(200);
    wall.set(Instant.parse("2025-03-10T17:59:00Z").toEpochMilli()); // back again: counts in the 18:00 hour
    assertThat(get("/q/x")).isEqualTo(200);
    assertThat(get("/q/x")).isEqualTo(200);
    assertThat(get("/q/x")).isEqualTo(403);
  }
}
