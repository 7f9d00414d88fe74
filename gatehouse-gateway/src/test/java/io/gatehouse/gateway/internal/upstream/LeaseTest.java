package io.gatehouse.gateway.internal.upstream;

import static org.assertj.core.api.Assertions.assertThat;

import io.gatehouse.model.BackendDef;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

class LeaseTest {
  // opens after 2 calls of which at least half failed; stays open 1 s; 1 probe while half-open
  private static final BackendDef.CircuitBreaker BREAKER =
      new BackendDef.CircuitBreaker(50, null, null, 2, 2, Duration.ofSeconds(1), 1);

  private static Upstream upstream(BackendDef.CircuitBreaker breaker, String... urls) {
    List<BackendDef.Member> members = java.util.Arrays.stream(urls).map(u -> new BackendDef.Member(u, null, null)).toList();
    return new Upstreams().obtain(new BackendDef("b", null, null, members, null, null, null, null, null, null, breaker,
        null, null, null), Duration.ofSeconds(5));
  }

  private static int outstanding(Upstream up) {
    return up.status().members().stream().mapToInt(io.gatehouse.gateway.BackendStatus.MemberStatus::outstanding).sum();
  }

  @Test
  void aLeaseHoldsAMemberUntilItEndsAndEndsOnlyOnce() {
    Upstream up = upstream(null, "http://127.0.0.1:1", "http://127.0.0.1:2");
    Lease lease = up.acquire(0);

    assertThat(lease.refusal()).isNull();
    assertThat(lease.member()).isNotNull();
    assertThat(outstanding(up)).isEqualTo(1);
    lease.done(false, 1);
    lease.done(false, 2);
    lease.abandon();
    assertThat(outstanding(up)).isZero();
  }

  @Test
  void failedVerdictsOpenTheBreakerAndThenEveryTryIsRefusedUntilItProbes() {
    Upstream up = upstream(BREAKER, "http://127.0.0.1:1");
    long t = 0;
    up.acquire(t).done(true, t + 1);
    up.acquire(t).done(true, t + 1);

    Lease refused = up.acquire(t + 2);
    assertThat(refused.refusal()).isEqualTo(Lease.CIRCUIT_OPEN);
    assertThat(refused.member()).isNull();
    refused.abandon(); // holds nothing: no effect
    assertThat(outstanding(up)).isZero();

    long later = t + Duration.ofSeconds(2).toNanos();
    Lease probe = up.acquire(later);
    assertThat(probe.refusal()).isNull();
    assertThat(up.acquire(later).refusal()).as("one probe while half-open").isEqualTo(Lease.CIRCUIT_OPEN);
    probe.abandon(); // no verdict: the probe's permit comes back
    assertThat(up.acquire(later).refusal()).isNull();
  }

  @Test
  void withNoAvailableMemberTheTryIsRefused() {
    Upstream up = upstream(BREAKER);

    Lease lease = up.acquire(0);
    assertThat(lease.refusal()).isEqualTo(Lease.NO_MEMBER);
    assertThat(lease.member()).isNull();
  }
}
