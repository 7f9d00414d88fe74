package io.gatehouse.testing;

import static org.assertj.core.api.Assertions.assertThat;

import io.gatehouse.gateway.debug.DebugSessions;
import io.gatehouse.gateway.debug.DebugSessions.BackendAttempt;
import io.gatehouse.gateway.debug.DebugSessions.PolicyDecision;
import io.gatehouse.gateway.debug.DebugSessions.Trace;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Request debugging through the real gateway: each policy's decision in order, the backend attempt, redaction. */
class RequestDebuggingTest {
  @RegisterExtension static final GatehouseExtension GH = GatehouseExtension.create();

  static final String SECRET = "s3cr3t-backend-token-42";

  static final String CONFIG = """
      namedValues:
        - name: backend-token
          type: secret
          value: %s
      policies:
        inbound:
          - set-header: {name: X-Global, value: g}
      backends:
        - name: echo
          url: ${env:UPSTREAM_URL}
      apis:
        - name: orders
          path: /orders
          backend: echo
          subscriptionRequired: false
          policies:
            inbound:
              - base
              - set-header: {name: X-Backend-Auth, value: "Bearer ${nv:backend-token}"}
              - choose:
                  when:
                    - condition: "'x-gold' in request.headers"
                      policies:
                        - set-header: {name: X-Lane, value: fast}
                  otherwise:
                    - rate-limit: {calls: 1, period: 1h}
            outbound:
              - set-header: {name: X-Out, value: o}
          operations:
            - operation: GET /items
              policies:
                inbound:
                  - base
                  - set-header: {name: X-Op, value: op}
        - name: other
          path: /other
          backend: echo
          subscriptionRequired: false
      """.formatted(SECRET);

  @BeforeEach
  void configure() {
    GH.apply(CONFIG);
  }

  @Test
  void recordsEachPolicyDecisionInOrderWithTheBackendExchangeAndNoSecrets() throws Exception {
    DebugSessions sessions = GH.gateway().debugSessions();
    DebugSessions.Opened session = sessions.open("orders", Duration.ofMinutes(5));
    String token = session.token();

    // 1: the condition holds: the gold branch runs, the rate limit is skipped
    assertThat(GH.get("/orders/items?token=" + SECRET + "&page=2", DebugSessions.HEADER, token, "X-Gold", "1",
        "Authorization", "Bearer client-credential", "Cookie", "sid=cookie-value").statusCode()).isEqualTo(200);
    // 2: otherwise-branch: the rate limit admits its one call
    assertThat(GH.get("/orders/items", DebugSessions.HEADER, token).statusCode()).isEqualTo(200);
    // 3: the rate limit refuses the second call
    assertThat(GH.get("/orders/items", DebugSessions.HEADER, token).statusCode()).isEqualTo(429);
    // without the token, and with it on another API: nothing recorded
    assertThat(GH.get("/orders/items").statusCode()).isEqualTo(429);
    assertThat(GH.get("/other/x", DebugSessions.HEADER, token).statusCode()).isEqualTo(200);

    await(() -> sessions.traces(session.id()).orElseThrow().size() >= 3);
    List<Trace> traces = sessions.traces(session.id()).orElseThrow();
    assertThat(traces).hasSize(3);

    Trace gold = traces.get(0);
    assertThat(gold.status()).isEqualTo(200);
    assertThat(decisions(gold)).containsExactly(
        "global inbound set-header#0 continued",
        "api inbound set-header#1 continued",
        "api inbound choose#2 continued branch=when[0]",
        "api inbound rate-limit#0 skipped",
        "api inbound set-header#0 continued",
        "operation inbound set-header#1 continued",
        "api outbound set-header#0 continued");
    assertThat(gold.policies().get(4).location())
        .isEqualTo("apis[0].policies.inbound[2].choose.when[0].policies[0].set-header");
    assertThat(gold.policies()).allSatisfy(d -> assertThat(d.micros()).isGreaterThanOrEqualTo(0));
    assertThat(gold.backend()).hasSize(1);
    BackendAttempt attempt = gold.backend().get(0);
    assertThat(attempt.attempt()).isEqualTo(1);
    assertThat(attempt.member()).isEqualTo("http://127.0.0.1:" + GH.upstream().port());
    assertThat(attempt.status()).isEqualTo(200);
    assertThat(attempt.uri()).isEqualTo("/items?token=***&page=2");
    assertThat(attempt.requestHeaders()).extracting(DebugSessions.Header::name)
        .contains("X-Global", "X-Backend-Auth", "X-Lane", "X-Op", "Authorization", "Cookie");
    assertThat(attempt.requestHeaders()).filteredOn(h -> h.name().equals("X-Backend-Auth")
        || h.name().equals("Authorization") || h.name().equals("Cookie"))
        .extracting(DebugSessions.Header::value).containsOnly("***");
    assertThat(attempt.requestHeaders()).filteredOn(h -> h.name().equals("X-Lane"))
        .extracting(DebugSessions.Header::value).containsExactly("fast");
    assertThat(attempt.responseHeaders()).isNotEmpty();
    assertThat(attempt.latencyMicros()).isGreaterThan(0);
    assertThat(gold.path()).isEqualTo("/orders/items?token=***&page=2");
    assertThat(traces.toString()).doesNotContain(SECRET, "client-credential", "cookie-value");
    assertThat(GH.upstream().take(5).header("X-Backend-Auth")).isEqualTo("Bearer " + SECRET); // only the trace hides it

    assertThat(decisions(traces.get(1))).containsExactly(
        "global inbound set-header#0 continued",
        "api inbound set-header#1 continued",
        "api inbound choose#2 continued branch=otherwise",
        "api inbound set-header#0 skipped",
        "api inbound rate-limit#0 continued",
        "operation inbound set-header#1 continued",
        "api outbound set-header#0 continued");

    Trace refused = traces.get(2);
    assertThat(refused.status()).isEqualTo(429);
    assertThat(decisions(refused)).containsExactly(
        "global inbound set-header#0 continued",
        "api inbound set-header#1 continued",
        "api inbound choose#2 short-circuited 429 branch=otherwise",
        "api inbound set-header#0 skipped",
        "api inbound rate-limit#0 short-circuited 429");
    assertThat(refused.backend()).isEmpty();
  }

  @Test
  void recordsAPolicyFailureAsAnError() throws Exception {
    GH.apply("""
        backends:
          - name: echo
            url: ${env:UPSTREAM_URL}
        apis:
          - name: broken
            path: /broken
            backend: echo
            subscriptionRequired: false
            policies:
              inbound:
                - set-header: {name: X-A, value: a}
                - set-header: {name: X-Fail, expression: "1 / (size(request.path) - size(request.path))"}
        """);
    DebugSessions sessions = GH.gateway().debugSessions();
    DebugSessions.Opened session = sessions.open("broken", Duration.ofMinutes(5));
    assertThat(GH.get("/broken/x", DebugSessions.HEADER, session.token()).statusCode()).isEqualTo(500);
    await(() -> sessions.traces(session.id()).orElseThrow().size() == 1);
    Trace t = sessions.traces(session.id()).orElseThrow().get(0);
    assertThat(decisions(t)).containsExactly("api inbound set-header#0 continued", "api inbound set-header#1 error");
    assertThat(t.policies().get(1).error()).isNotBlank();
  }

  static List<String> decisions(Trace t) {
    return t.policies().stream().map(RequestDebuggingTest::describe).toList();
  }

  static String describe(PolicyDecision d) {
    return d.scope() + " " + d.section() + " " + d.policy() + "#" + d.position() + " " + d.outcome()
        + (d.status() == 0 ? "" : " " + d.status()) + (d.branch() == null ? "" : " branch=" + d.branch());
  }

  static void await(BooleanSupplier condition) throws InterruptedException {
    Await.until("the condition", condition);
  }
}
