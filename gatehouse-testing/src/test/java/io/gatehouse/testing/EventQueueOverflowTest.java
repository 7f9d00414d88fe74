package io.gatehouse.testing;

import static org.assertj.core.api.Assertions.assertThat;

import io.gatehouse.gateway.Gateway;
import io.gatehouse.gateway.GatewayOptions;
import io.gatehouse.gateway.metrics.MetricsEndpoint;
import io.gatehouse.model.ConfigLoader;
import io.vertx.core.Vertx;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class EventQueueOverflowTest {
  static final int CAPACITY = 4;
  static final int REQUESTS = 60;

  Vertx vertx;
  MockUpstream upstream;
  Gateway gateway;

  @BeforeEach
  void start() throws Exception {
    vertx = Vertx.vertx();
    upstream = MockUpstream.start(vertx).toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    gateway = Gateway.start(vertx, GatehouseExtension.gatewayOptions(), CAPACITY)
        .toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    gateway.apply(ConfigLoader.withEnvironment(Map.of("UPSTREAM_URL", upstream.url())).parse("""
        backends:
          - name: echo
            url: ${env:UPSTREAM_URL}
        apis:
          - name: open
            path: /open
            backend: echo
            subscriptionRequired: false
        """, "test.yaml", null), 1);
  }

  @AfterEach
  void stop() throws Exception {
    gateway.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
  }

  @Test
  void fullQueueDropsAndCountsEventsWhileRequestsSucceed() throws Exception {
    CountDownLatch release = new CountDownLatch(1);
    Semaphore delivered = new Semaphore(0);
    AtomicLong seen = new AtomicLong();
    gateway.events().subscribe(e -> {
      try {
        release.await();
      } catch (InterruptedException ex) {
        Thread.currentThread().interrupt();
      }
      seen.incrementAndGet();
      delivered.release();
    });
    MetricsEndpoint metrics = MetricsEndpoint.attach(gateway);

    HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
        .connectTimeout(Duration.ofSeconds(5)).build();
    for (int i = 0; i < REQUESTS; i++) {
      HttpResponse<String> r = http.send(HttpRequest.newBuilder(
          URI.create("http://127.0.0.1:" + gateway.port() + "/open/" + i)).timeout(Duration.ofSeconds(5)).build(),
          HttpResponse.BodyHandlers.ofString());
      assertThat(r.statusCode()).isEqualTo(200);
    }

    // An event is published when the response has been written, which may be just after the
    // client read it: poll (bounded) until the last one is accounted for.
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (gateway.events().published() + gateway.events().dropped() < REQUESTS && System.nanoTime() < deadline) {
      LockSupport.parkNanos(1_000_000);
    }
    // The consumer holds at most one event and the queue CAPACITY more; the rest were dropped.
    assertThat(gateway.events().published() + gateway.events().dropped()).isEqualTo(REQUESTS);
    assertThat(gateway.events().dropped()).isGreaterThanOrEqualTo(REQUESTS - CAPACITY - 1);
    assertThat(gateway.events().depth()).isLessThanOrEqualTo(CAPACITY);

    release.countDown();
    long published = gateway.events().published();
    assertThat(delivered.tryAcquire((int) published, 10, TimeUnit.SECONDS)).isTrue();
    assertThat(seen.get()).isEqualTo(published);
    assertThat(metrics.scrape())
        .contains("gatehouse_events_dropped_total " + (double) gateway.events().dropped())
        .contains("gatehouse_events_queue_capacity " + (double) CAPACITY);
    metrics.close();
  }
}
