package io.gatehouse.control.analytics;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.gatehouse.control.analytics.AnalyticsStore.Grain;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AnalyticsTest {
  static final long DAY0 = Instant.parse("2026-11-20T00:00:00Z").toEpochMilli();
  @TempDir Path dir;
  SqliteAnalyticsStore store;
  Analytics analytics;

  @BeforeEach
  void open() {
    store = SqliteAnalyticsStore.open(dir);
    analytics = Analytics.manual(store, AnalyticsRetention.DEFAULT);
  }

  @AfterEach
  void close() {
    analytics.close();
    store.close();
  }

  static TrafficSample sample(long time, String api, String sub, int status, long micros) {
    return new TrafficSample(time, api, "", null, sub, status, "10.0.0.1", 10, 100, micros);
  }

  @Test
  void mergesFlushesOfTheSameMinuteAndRollsUpToHourAndDay() {
    long t = DAY0 + 3_600_000L * 5 + 60_000L * 7 + 1_000;
    analytics.record(sample(t, "orders", "alice", 200, 1_000));
    analytics.flush();
    analytics.record(sample(t + 5_000, "orders", "alice", 200, 3_000));
    analytics.record(sample(t + 60_000, "orders", "alice", 503, 5_000));
    analytics.flush();

    List<AnalyticsStore.Row> minutes = store.rows(Grain.MINUTE, DAY0, DAY0 + Grain.DAY.millis());
    assertThat(minutes).hasSize(2);
    List<AnalyticsStore.Row> hours = store.rows(Grain.HOUR, DAY0, DAY0 + Grain.DAY.millis());
    assertThat(hours).hasSize(2); // 2xx and 5xx keys
    List<AnalyticsStore.Row> days = store.rows(Grain.DAY, DAY0, DAY0 + Grain.DAY.millis());
    long total = days.stream().mapToLong(r -> r.totals().requests()).sum();
    assertThat(total).isEqualTo(3);
    AnalyticsStore.Row ok = days.stream().filter(r -> r.key().statusClass().equals("2xx")).findFirst().orElseThrow();
    assertThat(ok.totals().latency().getTotalCount()).isEqualTo(2);
    assertThat(ok.totals().bytesOut()).isEqualTo(200);
  }

  @Test
  void queryOverArbitraryRangeUsesEveryGrainAndCountsEachRequestOnce() {
    // one request every 17 minutes for 3 days
    List<TrafficSample> samples = new ArrayList<>();
    for (long t = DAY0; t < DAY0 + 3 * Grain.DAY.millis(); t += 17 * 60_000L) {
      samples.add(sample(t, t % 2 == 0 ? "a" : "b", "s", 200, 2_000));
    }
    samples.forEach(analytics::record);
    analytics.flush();
    long from = DAY0 + 13 * 60_000L + 90 * 60_000L; // not aligned to hours
    long to = DAY0 + 2 * Grain.DAY.millis() + 5 * 3_600_000L + 33 * 60_000L;
    long expected = samples.stream().filter(s -> s.timeMillis() >= from && s.timeMillis() < to).count();
    List<Grain> used = new ArrayList<>();
    Analytics.segments(from, to, Grain.DAY, (g, a, b) -> used.add(g));
    assertThat(used).contains(Grain.MINUTE, Grain.HOUR, Grain.DAY);

    List<AnalyticsRow> rows = analytics.query(new AnalyticsQuery(Instant.ofEpochMilli(from), Instant.ofEpochMilli(to),
        List.of(), Map.of()));
    assertThat(rows).hasSize(1);
    assertThat(rows.get(0).totals().requests()).isEqualTo(expected);
  }

  @Test
  void groupsByApiAndStatusWithErrorRateAndPercentiles() {
    for (int i = 1; i <= 100; i++) {
      analytics.record(sample(DAY0 + i * 1000, "a", "s", i <= 90 ? 200 : 500, i * 1_000L));
    }
    analytics.record(sample(DAY0, "b", "s", 404, 7_000));
    analytics.flush();
    List<AnalyticsRow> byApi = analytics.query(new AnalyticsQuery(Instant.ofEpochMilli(DAY0),
        Instant.ofEpochMilli(DAY0 + 3_600_000L), List.of("api"), Map.of()));
    assertThat(byApi).extracting(r -> r.group().get("api")).containsExactly("a", "b");
    AnalyticsRow a = byApi.get(0);
    assertThat(a.totals().requests()).isEqualTo(100);
    assertThat(a.errorRate()).isEqualTo(0.10);
    assertThat(a.latencyMillis(50)).isCloseTo(50.0, within(0.5));
    assertThat(a.latencyMillis(99)).isCloseTo(99.0, within(1.0));
    assertThat(byApi.get(1).errorRate()).isEqualTo(1.0);

    List<AnalyticsRow> filtered = analytics.query(new AnalyticsQuery(Instant.ofEpochMilli(DAY0),
        Instant.ofEpochMilli(DAY0 + 3_600_000L), List.of("status"), Map.of("api", "a")));
    assertThat(filtered).extracting(r -> r.group().get("status") + "=" + r.totals().requests())
        .containsExactly("2xx=90", "5xx=10");
  }

  @Test
  void usageIsPerSubscriptionAndDayWithoutAnonymousTraffic() {
    analytics.record(sample(DAY0 + 1000, "a", "alice", 200, 1000));
    analytics.record(sample(DAY0 + Grain.DAY.millis() + 1000, "a", "alice", 500, 1000));
    analytics.record(sample(DAY0 + 2000, "b", "bob", 200, 1000));
    analytics.record(sample(DAY0 + 3000, "b", null, 200, 1000));
    analytics.flush();
    List<AnalyticsRow> usage = analytics.usage(Instant.ofEpochMilli(DAY0), Instant.ofEpochMilli(DAY0 + 2 * Grain.DAY.millis()));
    assertThat(usage).extracting(r -> r.group().get("day").substring(0, 10) + " " + r.group().get("subscription") + " "
        + r.totals().requests() + " " + r.totals().errors())
        .containsExactly("2026-11-20 alice 1 0", "2026-11-20 bob 1 0", "2026-11-21 alice 1 1");
  }

  @Test
  void purgeDropsMinuteRowsBeyondRetentionButKeepsRollups() {
    analytics.record(sample(DAY0, "a", "s", 200, 1000));
    analytics.flush();
    int removed = store.purge(Instant.ofEpochMilli(DAY0 + 8 * Grain.DAY.millis()), AnalyticsRetention.DEFAULT);
    assertThat(removed).isEqualTo(1);
    assertThat(store.rows(Grain.MINUTE, DAY0, DAY0 + Grain.DAY.millis())).isEmpty();
    assertThat(store.rows(Grain.DAY, DAY0, DAY0 + Grain.DAY.millis())).hasSize(1);
  }

  @Test
  void foldsClientsBeyondTheCapIntoOther() {
    for (int i = 0; i < Analytics.MAX_KEYS_PER_MINUTE + 10; i++) {
      analytics.record(new TrafficSample(DAY0, "a", "", null, null, 200, "10.1." + i, 0, 0, 100));
    }
    assertThat(analytics.folded()).isEqualTo(10);
  }
}
