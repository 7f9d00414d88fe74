package io.gatehouse.portal;

import static org.assertj.core.api.Assertions.assertThat;

import io.gatehouse.portal.internal.Sessions;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import org.junit.jupiter.api.Test;

/** Session ids and their idle and absolute timeouts, on a clock the test moves. */
class SessionsTest {
  static final class MovableClock extends Clock {
    Instant now = Instant.parse("2026-01-01T00:00:00Z");

    @Override
    public java.time.ZoneId getZone() {
      return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(java.time.ZoneId zone) {
      return this;
    }

    @Override
    public Instant instant() {
      return now;
    }
  }

  final MovableClock clock = new MovableClock();
  final Sessions sessions = new Sessions(clock, Duration.ofMinutes(30), Duration.ofHours(12));

  @Test
  void eachSessionGetsAFreshRandomIdAndCsrfToken() {
    Sessions.Session a = sessions.create("dev");
    Sessions.Session b = sessions.create("dev");
    assertThat(a.id()).isNotEqualTo(b.id()).hasSizeGreaterThanOrEqualTo(43);
    assertThat(a.csrfToken()).isNotEqualTo(a.id()).isNotEqualTo(b.csrfToken());
  }

  @Test
  void endsASessionIdleLongerThanTheIdleTimeout() {
    Sessions.Session s = sessions.create("dev");
    clock.now = clock.now.plus(Duration.ofMinutes(29));
    assertThat(sessions.touch(s.id())).isPresent();
    clock.now = clock.now.plus(Duration.ofMinutes(31));
    assertThat(sessions.touch(s.id())).isEmpty();
  }

  @Test
  void endsABusySessionAtTheAbsoluteTimeout() {
    Sessions.Session s = sessions.create("dev");
    for (int i = 0; i < 24; i++) {
      clock.now = clock.now.plus(Duration.ofMinutes(29));
      assertThat(sessions.touch(s.id())).as("after %d steps", i).isPresent();
    }
    clock.now = clock.now.plus(Duration.ofMinutes(29));
    assertThat(sessions.touch(s.id())).isEmpty();
  }

  @Test
  void removingADeveloperEndsAllItsSessions() {
    Sessions.Session a = sessions.create("dev");
    Sessions.Session b = sessions.create("dev");
    Sessions.Session other = sessions.create("other");
    sessions.removeDeveloper("dev");
    assertThat(sessions.touch(a.id())).isEmpty();
    assertThat(sessions.touch(b.id())).isEmpty();
    assertThat(sessions.touch(other.id())).isPresent();
  }
}
