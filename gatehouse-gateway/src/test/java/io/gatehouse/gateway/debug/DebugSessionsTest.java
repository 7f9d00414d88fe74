package io.gatehouse.gateway.debug;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class DebugSessionsTest {

  /** A clock the test moves by hand. */
  static final class ManualClock extends Clock {
    Instant now = Instant.parse("2026-11-23T04:00:00Z");

    @Override
    public ZoneId getZone() {
      return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(ZoneId zone) {
      return this;
    }

    @Override
    public Instant instant() {
      return now;
    }
  }

  @Test
  void tracesExpireWithTheirSession() {
    ManualClock clock = new ManualClock();
    DebugSessions sessions = new DebugSessions(clock);
    DebugSessions.Opened s = sessions.open("orders", Duration.ofSeconds(60));
    DebugSessions.Recorder r = sessions.recorder(s.token(), "orders", "GET", "/orders/a", "req-1", System.nanoTime());
    int h = r.policyStarted("api", "inbound", "set-header", 0, "apis[0].policies.inbound[0].set-header");
    r.policyEnded(h, DebugSessions.CONTINUED, 0);
    r.finish(200);
    assertThat(sessions.traces(s.id())).hasValueSatisfying(t -> assertThat(t).hasSize(1));

    clock.now = clock.now.plusSeconds(60);
    assertThat(sessions.traces(s.id())).isPresent(); // expires after, not at, its end
    clock.now = clock.now.plusSeconds(1);
    assertThat(sessions.traces(s.id())).isEmpty();
    assertThat(sessions.active()).isFalse();
    assertThat(sessions.recorder(s.token(), "orders", "GET", "/orders/a", "req-2", System.nanoTime())).isNull();
  }

  @Test
  void aSharedSessionIsHonouredByItsTokenHashForItsApiUntilItEndsAndItsTracesGoToTheListener() {
    ManualClock clock = new ManualClock();
    DebugSessions sessions = new DebugSessions(clock);
    assertThat(sessions.active()).isFalse();
    String token = DebugSessions.newToken();
    sessions.share(List.of(new DebugSessions.Shared("s1", DebugSessions.hash(token), "orders",
        clock.now.plusSeconds(60))));
    assertThat(sessions.active()).isTrue();
    List<String> filed = new java.util.ArrayList<>();
    sessions.onRecorded((id, trace) -> filed.add(id + " " + trace.requestId()));
    assertThat(sessions.recorder(DebugSessions.hash(token), "orders", "GET", "/o", "r0", 0))
        .as("the hash is not a token").isNull();
    assertThat(sessions.recorder(token, "users", "GET", "/u", "r0", 0)).as("another API").isNull();
    sessions.recorder(token, "orders", "GET", "/orders/a", "r1", System.nanoTime()).finish(200);
    assertThat(filed).containsExactly("s1 r1");
    assertThat(sessions.traces("s1")).as("kept by whoever opened it, not here").isEmpty();
    clock.now = clock.now.plusSeconds(61);
    assertThat(sessions.recorder(token, "orders", "GET", "/orders/a", "r2", System.nanoTime())).isNull();
    sessions.share(List.of());
    assertThat(sessions.active()).isFalse();
  }

  @Test
  void recorderAppliesOnlyToItsApiAndToken() {
    DebugSessions sessions = new DebugSessions(new ManualClock());
    DebugSessions.Opened s = sessions.open("orders", Duration.ofSeconds(60));
    assertThat(sessions.recorder(s.token(), "users", "GET", "/u", "r", 0)).isNull();
    assertThat(sessions.recorder("not-" + s.token(), "orders", "GET", "/u", "r", 0)).isNull();
    assertThat(sessions.recorder(s.token(), "orders", "GET", "/u", "r", 0)).isNotNull();
  }

  @Test
  void redactsSecretHeadersAndAnyValueCarryingASecretNamedValue() {
    DebugSessions sessions = new DebugSessions(new ManualClock());
    DebugSessions.Opened s = sessions.open("orders", Duration.ofSeconds(60));
    DebugSessions.Recorder r = sessions.recorder(s.token(), "orders", "GET", "/orders/a?k=hunter22&x=1", "r",
        System.nanoTime(), List.of("hunter22"));
    r.backendRequest(1, "https://10.0.0.5:8443", "GET", "/a?k=hunter22&x=1&enc=hunter%32%32",
        List.of(Map.entry("X-Api-Key", "abc"), Map.entry("X-Custom", "Basic hunter22"), Map.entry("Accept", "*/*")));
    r.backendFailed(1, 503, null);
    r.backendRequest(2, "https://10.0.0.6:8443", "GET", "/a", List.of());
    r.backendResponse(200, List.of(Map.entry("Set-Cookie", "s=1"), Map.entry("Content-Type", "text/plain")));
    r.finish(200);
    DebugSessions.Trace t = sessions.traces(s.id()).orElseThrow().get(0);
    assertThat(t.path()).isEqualTo("/orders/a?k=***&x=1");
    assertThat(t.backend()).hasSize(2);
    DebugSessions.BackendAttempt first = t.backend().get(0);
    assertThat(first.uri()).isEqualTo("/a?k=***&x=1&enc=***");
    assertThat(first.requestHeaders()).containsExactly(new DebugSessions.Header("X-Api-Key", "***"),
        new DebugSessions.Header("X-Custom", "***"), new DebugSessions.Header("Accept", "*/*"));
    assertThat(first.status()).isEqualTo(503);
    assertThat(first.error()).contains("503");
    DebugSessions.BackendAttempt second = t.backend().get(1);
    assertThat(second.attempt()).isEqualTo(2);
    assertThat(second.member()).isEqualTo("https://10.0.0.6:8443");
    assertThat(second.responseHeaders()).containsExactly(new DebugSessions.Header("Set-Cookie", "***"),
        new DebugSessions.Header("Content-Type", "text/plain"));
    assertThat(t.toString()).doesNotContain("hunter22");
  }

  @Test
  void nestedPoliciesAndBranchesBelongToTheInnermostOpenPolicyAndFailuresCloseWhatIsOpen() {
    DebugSessions sessions = new DebugSessions(new ManualClock());
    DebugSessions.Opened s = sessions.open("orders", Duration.ofSeconds(60));
    DebugSessions.Recorder r = sessions.recorder(s.token(), "orders", "GET", "/", "r", System.nanoTime());
    int choose = r.policyStarted("api", "inbound", "choose", 0, "c");
    r.branch("when[1]");
    int inner = r.policyStarted("api", "inbound", "set-header", 0, "c.when[1].policies[0].set-header");
    r.policiesFailed(new IllegalStateException("boom"));
    r.policyEnded(choose, DebugSessions.CONTINUED, 0); // already ended: ignored
    r.finish(500);
    List<DebugSessions.PolicyDecision> d = sessions.traces(s.id()).orElseThrow().get(0).policies();
    assertThat(d).extracting(DebugSessions.PolicyDecision::outcome).containsExactly("error", "error");
    assertThat(d.get(0).branch()).isEqualTo("when[1]");
    assertThat(d.get(1).error()).contains("boom");
    assertThat(inner).isEqualTo(1);
  }
}
