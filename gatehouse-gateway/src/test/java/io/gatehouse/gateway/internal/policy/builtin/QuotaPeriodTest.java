package io.gatehouse.gateway.internal.policy.builtin;

import static org.assertj.core.api.Assertions.assertThat;

import io.gatehouse.gateway.internal.counters.CounterStore;
import io.gatehouse.gateway.internal.policy.PolicyConfig;
import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.Test;

class QuotaPeriodTest {
  static long at(String instant) {
    return Instant.parse(instant).toEpochMilli();
  }

  @Test
  void calendarMonthWindowRunsFromTheFirstToTheFirstOfTheNextMonthUtc() {
    Quotas.Period month = Quotas.Period.parse(PolicyConfig.of(Map.of("renewal-period", "month")));
    long[] feb = month.window(at("2024-02-29T23:59:59Z"));
    assertThat(feb[0]).isEqualTo(at("2024-02-01T00:00:00Z"));
    assertThat(feb[1]).isEqualTo(at("2024-03-01T00:00:00Z"));
    long[] dec = month.window(at("2025-12-15T10:00:00Z"));
    assertThat(dec[1]).isEqualTo(at("2026-01-01T00:00:00Z"));
  }

  @Test
  void fixedWindowsAreAlignedAndRenewAtTheirEnd() {
    Quotas.Period day = Quotas.Period.parse(PolicyConfig.of(Map.of("renewal-period", "1d")));
    long[] w = day.window(at("2025-03-10T17:00:00Z"));
    assertThat(w[0]).isEqualTo(at("2025-03-10T00:00:00Z"));
    assertThat(w[1]).isEqualTo(at("2025-03-11T00:00:00Z"));
    assertThat(day.window(w[1])[0]).isEqualTo(w[1]);
    Quotas.Period seconds = Quotas.Period.parse(PolicyConfig.of(Map.of("renewal-period", 3600)));
    assertThat(seconds.window(at("2025-03-10T17:30:00Z"))[0]).isEqualTo(at("2025-03-10T17:00:00Z"));
  }

  @Test
  void exhaustedCallsRenewInTheNextWindow() {
    CounterStore store = CounterStore.inMemory();
    Quotas.Period hour = Quotas.Period.parse(PolicyConfig.of(Map.of("renewal-period", "1h")));
    long[] now = hour.window(at("2025-03-10T17:59:59Z"));
    assertThat(store.addIfWithin("k", now[0], now[1], 1, 2)).isEqualTo(1);
    assertThat(store.addIfWithin("k", now[0], now[1], 1, 2)).isEqualTo(2);
    assertThat(store.addIfWithin("k", now[0], now[1], 1, 2)).isEqualTo(-1);
    long[] next = hour.window(at("2025-03-10T18:00:00Z"));
    assertThat(next[0]).isEqualTo(now[1]);
    assertThat(store.addIfWithin("k", next[0], next[1], 1, 2)).isEqualTo(1);
  }
}
