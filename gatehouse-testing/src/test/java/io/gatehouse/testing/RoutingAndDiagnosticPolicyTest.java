package io.gatehouse.testing;

import static io.gatehouse.testing.PolicyCatalogueTest.yaml;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.gatehouse.model.ConfigException;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Metrics;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.net.ServerSocket;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.slf4j.LoggerFactory;

/** The routing and diagnostic policies through the real gateway, including refused configurations. */
class RoutingAndDiagnosticPolicyTest {
  @RegisterExtension static final GatehouseExtension GH = GatehouseExtension.create();
  static MockUpstream other;

  @BeforeAll
  static void startOther() throws Exception {
    other = MockUpstream.start(GH.vertx()).toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    other.respondWith(req -> req.response().putHeader("Content-Type", "application/json")
        .putHeader("X-Other", "yes").end("{\"from\":\"other\"}"));
  }

  @AfterAll
  static void stopOther() throws Exception {
    other.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
  }

  /** The API at {@code /t} with {@code policies}, plus a second backend {@code other}. */
  static void api(String policies) {
    String y = yaml(policies, "", false).replace("backends:\n", "backends:\n  - name: other\n    url: " + other.url() + "\n");
    GH.apply(y);
  }

  static void refused(String policies, String location, String message) {
    assertThatThrownBy(() -> api(policies)).isInstanceOf(ConfigException.class)
        .hasMessageContaining(location).hasMessageContaining(message);
  }

  static int closedPort() throws Exception {
    try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
      return s.getLocalPort();
    }
  }

  // ------------------------------------------------------------------ set-backend-service

  @Test
  void setBackendServiceRoutesToAnotherBackendByNameOrUrl() throws Exception {
    other.drain();
    api("""
        inbound:
          - choose:
              when:
                - condition: "request.headers['x-lane'] == 'named'"
                  policies:
                    - set-backend-service: {backend-id: other}
                - condition: "request.headers['x-lane'] == 'url'"
                  policies:
                    - set-backend-service: {base-url: "%s/base"}
        """.formatted(other.url()));
    HttpResponse<String> named = GH.get("/t/items?q=1", "X-Lane", "named");
    assertThat(named.headers().firstValue("X-Other")).hasValue("yes");
    assertThat(other.take(5).uri()).isEqualTo("/items?q=1");
    HttpResponse<String> byUrl = GH.get("/t/items", "X-Lane", "url");
    assertThat(byUrl.headers().firstValue("X-Other")).hasValue("yes");
    assertThat(other.take(5).uri()).isEqualTo("/base/items");
    HttpResponse<String> usual = GH.get("/t/items", "X-Lane", "none");
    assertThat(usual.headers().firstValue("X-Other")).isEmpty();
    assertThat(GH.upstream().drain()).hasSize(1);
  }

  @Test
  void setBackendServiceRefusesUnknownBackendAndBadUrl() {
    refused("""
        inbound:
          - set-backend-service: {backend-id: nowhere}
        """, "apis[0].policies.inbound[0].set-backend-service.backend-id", "unknown backend 'nowhere'");
    refused("""
        inbound:
          - set-backend-service: {base-url: "ftp://x"}
        """, "apis[0].policies.inbound[0].set-backend-service.base-url", "expected an http or https URL");
    refused("""
        inbound:
          - set-backend-service: {}
        """, "apis[0].policies.inbound[0].set-backend-service.backend-id", "exactly one of");
  }

  // ------------------------------------------------------------------ forward-request

  @Test
  void forwardRequestTimeoutOverridesTheBackendTimeout() throws Exception {
    api("""
        backend:
          - forward-request: {timeout: 300ms}
        """);
    GH.upstream().respondWith(req -> GH.vertx().setTimer(3000, id -> req.response().end("late")));
    long start = System.nanoTime();
    HttpResponse<String> r = GH.get("/t/slow");
    long ms = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
    assertThat(r.statusCode()).isEqualTo(504);
    assertThat(ms).isLessThan(2500);
    refused("""
        backend:
          - forward-request: {timeout: never}
        """, "apis[0].policies.backend[0].forward-request.timeout", "expected a positive duration");
  }

  // ------------------------------------------------------------------ retry

  @Test
  void retryRepeatsTheForwardWhileTheConditionHolds() throws Exception {
    api("""
        backend:
          - retry: {condition: "response.status == 503", count: 3, interval: 10ms, backoff: exponential}
        """);
    AtomicInteger n = new AtomicInteger();
    GH.upstream().respondWith(req -> {
      int i = n.incrementAndGet();
      req.response().setStatusCode(i < 3 ? 503 : 200).end("attempt " + i);
    });
    HttpResponse<String> r = GH.send(GH.request("/t/r").POST(HttpRequest.BodyPublishers.ofString("payload")).build());
    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(r.body()).isEqualTo("attempt 3");
    var got = GH.upstream().drain();
    assertThat(got).hasSize(3);
    assertThat(got).allSatisfy(g -> assertThat(g.bodyText()).isEqualTo("payload"));

    n.set(0);
    GH.upstream().respondWith(req -> req.response().setStatusCode(503).end("attempt " + n.incrementAndGet()));
    HttpResponse<String> exhausted = GH.get("/t/r");
    assertThat(exhausted.statusCode()).isEqualTo(503);
    assertThat(exhausted.body()).isEqualTo("attempt 4");
  }

  @Test
  void retryRefusesBadConfiguration() {
    refused("""
        backend:
          - retry: {condition: "1 + 2", count: 2}
        """, "apis[0].policies.backend[0].retry.condition", "boolean");
    refused("""
        backend:
          - retry: {condition: "true", count: 50}
        """, "apis[0].policies.backend[0].retry.count", "expected a number from 1 to 10");
    refused("""
        backend:
          - retry: {condition: "true"}
        """, "apis[0].policies.backend[0].retry.count", "is required");
  }

  // ------------------------------------------------------------------ send-request

  @Test
  void sendRequestStoresTheCallOutResponseForLaterPolicies() throws Exception {
    other.drain();
    api("""
        inbound:
          - send-request:
              method: POST
              url: "%s/introspect"
              headers: {X-Caller: gatehouse}
              body-expression: "'token=' + request.headers['x-token']"
              response-variable-name: auth
          - set-header: {name: X-Auth-Status, expression: "string(variables.auth.status)"}
          - set-header: {name: X-Auth-Body, expression: "variables.auth.body"}
          - set-header: {name: X-Auth-Header, expression: "variables.auth.headers['x-other']"}
        """.formatted(other.url()));
    HttpResponse<String> r = GH.get("/t/x", "X-Token", "abc");
    assertThat(r.statusCode()).isEqualTo(200);
    RecordedRequest callout = other.take(5);
    assertThat(callout.method()).isEqualTo("POST");
    assertThat(callout.uri()).isEqualTo("/introspect");
    assertThat(callout.header("X-Caller")).isEqualTo("gatehouse");
    assertThat(callout.bodyText()).isEqualTo("token=abc");
    RecordedRequest forwarded = GH.upstream().take(5);
    assertThat(forwarded.header("X-Auth-Status")).isEqualTo("200");
    assertThat(forwarded.header("X-Auth-Body")).isEqualTo("{\"from\":\"other\"}");
    assertThat(forwarded.header("X-Auth-Header")).isEqualTo("yes");
  }

  @Test
  void sendRequestFailureFailsThePipelineUnlessIgnored() throws Exception {
    int port = closedPort();
    api("""
        inbound:
          - send-request: {url: "http://127.0.0.1:%d/", response-variable-name: r, timeout: 2s}
        """.formatted(port));
    assertThat(GH.get("/t/x").statusCode()).isEqualTo(500);
    assertThat(GH.upstream().drain()).isEmpty();
    api("""
        inbound:
          - send-request: {url: "http://127.0.0.1:%d/", response-variable-name: r, ignore-error: true}
          - set-header: {name: X-Status, expression: "string(variables.r.status)"}
        """.formatted(port));
    assertThat(GH.get("/t/x").statusCode()).isEqualTo(200);
    assertThat(GH.upstream().take(5).header("X-Status")).isEqualTo("0");
  }

  @Test
  void sendRequestLimitsTheResponseSizeAndRefusesBadConfiguration() throws Exception {
    other.respondWith(req -> req.response().end("x".repeat(5000)));
    try {
      api("""
          inbound:
            - send-request: {url: "%s/big", response-variable-name: r, max-response-size: 1000}
          """.formatted(other.url()));
      assertThat(GH.get("/t/x").statusCode()).isEqualTo(500);
    } finally {
      startOtherResponder();
    }
    refused("""
        inbound:
          - send-request: {url: "ftp://x/", response-variable-name: r}
        """, "apis[0].policies.inbound[0].send-request.url", "expected an absolute http or https URL");
    refused("""
        inbound:
          - send-request: {url: "http://x/"}
        """, "apis[0].policies.inbound[0].send-request.response-variable-name", "is required");
  }

  static void startOtherResponder() {
    other.respondWith(req -> req.response().putHeader("Content-Type", "application/json")
        .putHeader("X-Other", "yes").end("{\"from\":\"other\"}"));
  }

  // ------------------------------------------------------------------ trace

  @Test
  void traceLogsTheMessageWithTheRequestId() throws Exception {
    Logger log = (Logger) LoggerFactory.getLogger("io.gatehouse.trace");
    Level before = log.getLevel();
    ListAppender<ILoggingEvent> appender = new ListAppender<>();
    appender.start();
    log.addAppender(appender);
    log.setLevel(Level.DEBUG);
    try {
      api("""
          inbound:
            - trace: {source: entry, expression: "'path ' + request.path"}
          outbound:
            - trace: {message: leaving, severity: information}
          """);
      HttpResponse<String> r = GH.get("/t/traced");
      String id = r.headers().firstValue("X-Request-Id").orElseThrow();
      assertThat(appender.list).extracting(ILoggingEvent::getFormattedMessage)
          .anySatisfy(m -> assertThat(m).contains(id).contains("[entry]").contains("path /traced"))
          .anySatisfy(m -> assertThat(m).contains(id).contains("leaving"));
      assertThat(appender.list).extracting(ILoggingEvent::getLevel).contains(Level.DEBUG, Level.INFO);
    } finally {
      log.detachAppender(appender);
      log.setLevel(before);
    }
    refused("""
        inbound:
          - trace: {message: a, severity: loud}
        """, "apis[0].policies.inbound[0].trace.severity", "expected one of [verbose, information, error]");
  }

  // ------------------------------------------------------------------ emit-metric

  @Test
  void emitMetricCountsWithDimensionsFromExpressions() throws Exception {
    SimpleMeterRegistry registry = new SimpleMeterRegistry();
    Metrics.addRegistry(registry);
    try {
      api("""
          inbound:
            - emit-metric:
                name: test.calls
                dimensions: {lane: "'x-lane' in request.headers ? request.headers['x-lane'] : 'none'", method: "request.method"}
          outbound:
            - emit-metric: {name: test.bytes, value: "double(response.status)"}
          """);
      GH.get("/t/a", "X-Lane", "fast");
      GH.get("/t/a", "X-Lane", "fast");
      GH.get("/t/a");
      Counter fast = registry.find("test.calls").tags("lane", "fast", "method", "GET").counter();
      Counter none = registry.find("test.calls").tags("lane", "none").counter();
      assertThat(fast).isNotNull();
      assertThat(fast.count()).isEqualTo(2.0);
      assertThat(none.count()).isEqualTo(1.0);
      assertThat(registry.find("test.bytes").counter().count()).isEqualTo(600.0);
    } finally {
      Metrics.removeRegistry(registry);
    }
    refused("""
        inbound:
          - emit-metric: {name: "bad name!"}
        """, "apis[0].policies.inbound[0].emit-metric.name", "expected a metric name");
    refused("""
        inbound:
          - emit-metric: {name: ok, dimensions: {lane: "request.headers["}}
        """, "apis[0].policies.inbound[0].emit-metric.dimensions.lane", "invalid expression");
  }
}
