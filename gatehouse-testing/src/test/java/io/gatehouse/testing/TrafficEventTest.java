package io.gatehouse.testing;

import static org.assertj.core.api.Assertions.assertThat;

import io.gatehouse.gateway.events.TrafficEvent;
import io.gatehouse.gateway.events.TrafficEventConsumer;
import java.io.OutputStream;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

class TrafficEventTest {
  @RegisterExtension static final GatehouseExtension GH = GatehouseExtension.create();

  static final String ALICE = "alice-key-0123456789abcdef";
  static final String BOB = "bob-key-0123456789abcdefgh";
  static final String TRACE = "4bf92f3577b34da6a3ce929d0e0e4736";

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
        - name: carol
      subscriptions:
        - name: alice-starter
          scope: product:starter
          primaryKey: %s
        - name: carol-all
          scope: all
          owner: carol
          primaryKey: %s
      """.formatted(ALICE, BOB);

  final BlockingQueue<TrafficEvent> events = new LinkedBlockingQueue<>();
  final TrafficEventConsumer collect = events::add;

  @BeforeEach
  void subscribe() {
    GH.apply(CONFIG);
    GH.gateway().events().subscribe(collect);
  }

  @AfterEach
  void unsubscribe() {
    GH.gateway().events().unsubscribe(collect);
  }

  TrafficEvent next() throws InterruptedException {
    TrafficEvent e = events.poll(10, TimeUnit.SECONDS);
    assertThat(e).as("a traffic event within 10 s").isNotNull();
    return e;
  }

  /** Sends a marker request and checks that its event is the next one: nothing came in between. */
  void assertNoFurtherEvent() throws Exception {
    HttpResponse<String> marker = GH.get("/open/marker", "X-Request-Id", "marker-1");
    assertThat(marker.statusCode()).isEqualTo(200);
    assertThat(next().requestId()).isEqualTo("marker-1");
  }

  @Test
  void carriesTheNormalizedPathAndHostThatWereRoutedAndForwarded() throws Exception {
    byte[] got = GH.raw("GET /open/%61bc HTTP/1.1\r\nHost: Open.Example.:8080\r\nConnection: close\r\n\r\n"
        .getBytes(StandardCharsets.US_ASCII), java.time.Duration.ofSeconds(5));
    assertThat(new String(got, StandardCharsets.ISO_8859_1)).startsWith("HTTP/1.1 200");
    TrafficEvent e = next();
    assertThat(e.path()).isEqualTo("/open/abc");
    assertThat(e.host()).isEqualTo("open.example");
    assertThat(GH.upstream().take(5).uri()).isEqualTo("/abc");
  }

  @Test
  void forwardedRequestProducesExactlyOneEventWithItsFields() throws Exception {
    HttpResponse<String> r = GH.send(GH.request("/orders/items/7?color=red")
        .header("Subscription-Key", ALICE)
        .header("X-Request-Id", "req-ok")
        .header("traceparent", "00-" + TRACE + "-00f067aa0ba902b7-01")
        .header("User-Agent", "probe/1.0")
        .GET().build());
    assertThat(r.statusCode()).isEqualTo(200);

    TrafficEvent e = next();
    assertThat(e.requestId()).isEqualTo("req-ok");
    assertThat(e.traceId()).isEqualTo(TRACE);
    assertThat(e.clientIp()).isEqualTo("127.0.0.1");
    assertThat(e.method()).isEqualTo("GET");
    assertThat(e.host()).isEqualTo("127.0.0.1");
    assertThat(e.path()).isEqualTo("/orders/items/7");
    assertThat(e.query()).isEqualTo("color=red");
    assertThat(e.api()).isEqualTo("orders");
    assertThat(e.operation()).isNotEmpty();
    assertThat(e.product()).isEqualTo("starter");
    assertThat(e.subscription()).isEqualTo("alice-starter");
    assertThat(e.user()).isNull();
    assertThat(e.status()).isEqualTo(200);
    assertThat(e.backendStatus()).isEqualTo(200);
    assertThat(e.backendNanos()).isPositive();
    assertThat(e.totalNanos()).isGreaterThanOrEqualTo(e.backendNanos());
    assertThat(e.bytesIn()).isZero();
    assertThat(e.bytesOut()).isEqualTo(r.body().getBytes(StandardCharsets.UTF_8).length);
    assertThat(e.cacheStatus()).isNull();
    assertThat(e.rejectedBy()).isNull();
    assertThat(e.error()).isNull();
    assertThat(e.userAgent()).isEqualTo("probe/1.0");
    assertThat(e.protocol()).isIn("HTTP/1.1", "HTTP/2");
    assertNoFurtherEvent();
  }

  @Test
  void eventNamesSubscriptionOwnerAndCountsRequestBodyBytes() throws Exception {
    HttpResponse<String> r = GH.send(GH.request("/orders/items").header("Subscription-Key", BOB)
        .POST(HttpRequest.BodyPublishers.ofString("0123456789")).build());
    assertThat(r.statusCode()).isEqualTo(200);
    TrafficEvent e = next();
    assertThat(e.method()).isEqualTo("POST");
    assertThat(e.subscription()).isEqualTo("carol-all");
    assertThat(e.user()).isEqualTo("carol");
    assertThat(e.product()).isNull();
    assertThat(e.bytesIn()).isEqualTo(10);
    assertNoFurtherEvent();
  }

  @Test
  void missingSubscriptionKeyProducesOneRejectedEvent() throws Exception {
    HttpResponse<String> r = GH.get("/orders/items/7", "X-Request-Id", "req-401");
    assertThat(r.statusCode()).isEqualTo(401);
    TrafficEvent e = next();
    assertThat(e.requestId()).isEqualTo("req-401");
    assertThat(e.status()).isEqualTo(401);
    assertThat(e.api()).isEqualTo("orders");
    assertThat(e.subscription()).isNull();
    assertThat(e.backendStatus()).isNull();
    assertThat(e.backendNanos()).isZero();
    assertThat(e.rejectedBy()).isEqualTo("subscription-key");
    assertThat(e.error()).isEqualTo("subscription-key-missing");
    assertThat(e.bytesOut()).isEqualTo(r.body().getBytes(StandardCharsets.UTF_8).length);
    assertNoFurtherEvent();
  }

  @Test
  void refusedSubscriptionIsNamedInItsEvent() throws Exception {
    assertThat(GH.get("/billing/x", "Subscription-Key", ALICE).statusCode()).isEqualTo(403);
    TrafficEvent e = next();
    assertThat(e.api()).isEqualTo("billing");
    assertThat(e.subscription()).isEqualTo("alice-starter");
    assertThat(e.rejectedBy()).isEqualTo("subscription-key");
    assertThat(e.error()).isEqualTo("subscription-not-allowed");
    assertNoFurtherEvent();
  }

  @Test
  void unknownRouteProducesEventWithEmptyApi() throws Exception {
    assertThat(GH.get("/nowhere").statusCode()).isEqualTo(404);
    TrafficEvent e = next();
    assertThat(e.api()).isEmpty();
    assertThat(e.operation()).isEmpty();
    assertThat(e.rejectedBy()).isEqualTo("route");
    assertThat(e.error()).isEqualTo("no-route");
    assertNoFurtherEvent();
  }

  @Test
  void deadBackendProducesOne502Event() throws Exception {
    int dead;
    try (ServerSocket s = new ServerSocket(0)) {
      dead = s.getLocalPort();
    }
    GH.apply(CONFIG.replace("${env:UPSTREAM_URL}", "http://127.0.0.1:" + dead));
    HttpResponse<String> r = GH.get("/open/x");
    assertThat(r.statusCode()).isEqualTo(502);
    TrafficEvent e = next();
    assertThat(e.status()).isEqualTo(502);
    assertThat(e.api()).isEqualTo("open");
    assertThat(e.backendStatus()).isNull();
    assertThat(e.rejectedBy()).isEqualTo("backend");
    assertThat(e.error()).isEqualTo("backend-unreachable");
    GH.apply(CONFIG);
    assertNoFurtherEvent();
  }

  @Test
  void clientAbortProducesOneEventWithoutStatus() throws Exception {
    GH.upstream().respondWith(req -> { /* never answers */ });
    try (Socket socket = new Socket("127.0.0.1", GH.gateway().port())) {
      OutputStream out = socket.getOutputStream();
      out.write("GET /open/slow HTTP/1.1\r\nHost: a\r\nX-Request-Id: req-abort\r\n\r\n"
          .getBytes(StandardCharsets.US_ASCII));
      out.flush();
      assertThat(GH.upstream().take(10)).isNotNull();
    }
    TrafficEvent e = next();
    assertThat(e.requestId()).isEqualTo("req-abort");
    assertThat(e.status()).isZero();
    assertThat(e.rejectedBy()).isEqualTo("client");
    assertThat(e.error()).isEqualTo("client-aborted");
    GH.upstream().reset();
    assertNoFurtherEvent();
  }
}
