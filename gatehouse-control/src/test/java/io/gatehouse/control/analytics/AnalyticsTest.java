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
  JdbcAnalyticsStore store;
  Analytics analytics;

  /** Opens the store under test in {@code dir}: SQLite here, PostgreSQL in {@link PostgresAnalyticsTest}. */
  JdbcAnalyticsStore openStore(Path dir) {
    return JdbcAnalyticsStore.open(dir);
  }

  @BeforeEach
  void open() {
    store = openStore(dir);
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
  void eventsAcrossWallClockJumpsAreFiledUnderTheirOwnTimesNoneLostOrCountedTwice() {
    long t = DAY0 + 3_600_000L * 10 + 30_000;
    analytics.record(sample(t, "orders", "alice", 200, 1_000));
    analytics.flush();
    // The clock steps back an hour: events land in that earlier, already closed, hour and minute.
    analytics.record(sample(t - 3_600_000L, "orders", "alice", 200, 2_000));
    analytics.record(sample(t - 3_600_000L + 1_000, "orders", "alice", 200, 2_000));
    analytics.flush();
    // ... then forward two hours past the first event: a gap, then a new minute.
    analytics.record(sample(t + 7_200_000L, "orders", "alice", 500, 4_000));
    analytics.flush();
    // ... and back to the first event's minute, which merges with what was flushed there.
    analytics.record(sample(t + 5_000, "orders", "alice", 200, 1_000));
    analytics.flush();

    List<AnalyticsStore.Row> minutes = store.rows(Grain.MINUTE, DAY0, DAY0 + Grain.DAY.millis());
    assertThat(minutes).extracting(r -> r.totals().requests()).containsExactlyInAnyOrder(2L, 2L, 1L);
    List<AnalyticsStore.Row> days = store.rows(Grain.DAY, DAY0, DAY0 + Grain.DAY.millis());
    assertThat(days.stream().mapToLong(r -> r.totals().requests()).sum()).isEqualTo(5);
    List<AnalyticsRow> hourly = analytics.query(new AnalyticsQuery(Instant.ofEpochMilli(DAY0),
        Instant.ofEpochMilli(DAY0 + Grain.DAY.millis()), List.of(), Map.of()));
    assertThat(hourly.stream().mapToLong(r -> r.totals().requests()).sum()).isEqualTo(5);
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

  @Test
  void unalignedRangeGivesExactlyTheMinuteRowsSumsAndMergedPercentiles() {
    java.util.Random random = new java.util.Random(7);
    List<TrafficSample> samples = new ArrayList<>();
    for (int i = 0; i < 20_000; i++) {
      long t = DAY0 + (long) (random.nextDouble() * 3 * Grain.DAY.millis());
      int status = random.nextInt(20) == 0 ? 503 : random.nextInt(10) == 0 ? 404 : 200;
      // a wide spread of latencies, so that hour and day histograms are dense
      long micros = (long) Math.exp(random.nextDouble() * 16);
      samples.add(new TrafficSample(t, random.nextBoolean() ? "a" : "b", "", null, "s" + random.nextInt(3), status,
          "10.0.0.1", random.nextInt(500), random.nextInt(5_000), micros));
    }
    samples.forEach(analytics::record);
    analytics.flush();
    // 00:37 on day 0 to 17:11 on day 2: minute rows at both edges, hour rows, one whole day
    long from = DAY0 + 37 * 60_000L;
    long to = DAY0 + 2 * Grain.DAY.millis() + 17 * 3_600_000L + 11 * 60_000L;
    List<Grain> used = new ArrayList<>();
    Analytics.segments(from, to, Grain.DAY, (g, a, b) -> used.add(g));
    assertThat(used).containsExactly(Grain.MINUTE, Grain.HOUR, Grain.DAY, Grain.HOUR, Grain.MINUTE);

    Map<String, Aggregate> expected = new java.util.TreeMap<>();
    store.scan(Grain.MINUTE, from, to, Map.of(), row -> expected.computeIfAbsent(
        row.key().api() + "/" + row.key().statusClass(), k -> new Aggregate()).merge(row.totals()));
    long inRange = samples.stream().filter(x -> x.timeMillis() >= from && x.timeMillis() < to).count();
    assertThat(expected.values().stream().mapToLong(Aggregate::requests).sum()).isEqualTo(inRange);

    List<AnalyticsRow> rows = analytics.query(new AnalyticsQuery(Instant.ofEpochMilli(from), Instant.ofEpochMilli(to),
        List.of("api", "status"), Map.of()));
    List<AnalyticsRow> counts = analytics.query(new AnalyticsQuery(Instant.ofEpochMilli(from), Instant.ofEpochMilli(to),
        List.of("api", "status"), Map.of()).countsOnly());
    assertThat(rows).hasSize(expected.size());
    assertThat(counts).hasSize(expected.size());
    for (int i = 0; i < rows.size(); i++) {
      AnalyticsRow r = rows.get(i);
      Aggregate want = expected.get(r.group().get("api") + "/" + r.group().get("status"));
      for (AnalyticsRow got : List.of(r, counts.get(i))) {
        assertThat(got.group()).isEqualTo(r.group());
        assertThat(got.totals().requests()).isEqualTo(want.requests());
        assertThat(got.totals().errors()).isEqualTo(want.errors());
        assertThat(got.totals().bytesIn()).isEqualTo(want.bytesIn());
        assertThat(got.totals().bytesOut()).isEqualTo(want.bytesOut());
      }
      assertThat(r.totals().latency().getTotalCount()).isEqualTo(want.latency().getTotalCount());
      for (double p : new double[] {1, 10, 50, 90, 95, 99, 99.9, 100}) {
        assertThat(r.totals().latency().getValueAtPercentile(p)).as("p%s of %s", p, r.group())
            .isEqualTo(want.latency().getValueAtPercentile(p));
      }
      assertThat(r.totals().latency().getMaxValue()).isEqualTo(want.latency().getMaxValue());
      assertThat(counts.get(i).totals().latency().getTotalCount()).isZero();
    }
  }

  @Test
  void summedEncodedHistogramsEqualMergedHistograms() {
    java.util.Random random = new java.util.Random(11);
    LatencyCounts sum = new LatencyCounts();
    org.HdrHistogram.Histogram merged = Aggregate.newHistogram();
    for (int i = 0; i < 200; i++) {
      org.HdrHistogram.Histogram h = Aggregate.newHistogram();
      int n = random.nextInt(50);
      for (int j = 0; j < n; j++) {
        h.recordValue(Math.min(Aggregate.MAX_MICROS, (long) Math.exp(random.nextDouble() * 22)));
      }
      if (random.nextInt(10) == 0) {
        h.recordValueWithCount(1 + random.nextInt(1000), 1L << 40); // counts needing all LEB128 bytes
      }
      sum.addEncoded(JdbcAnalyticsStore.encode(h));
      merged.add(h);
    }
    org.HdrHistogram.Histogram got = sum.toHistogram();
    assertThat(got.getTotalCount()).isEqualTo(merged.getTotalCount());
    assertThat(got).isEqualTo(merged);

    LatencyCounts one = new LatencyCounts();
    one.addEncoded(JdbcAnalyticsStore.encode(merged));
    assertThat(one.toHistogram()).isEqualTo(merged);
    assertThat(new LatencyCounts().toHistogram().getTotalCount()).isZero();
  }

  static Map<Long, Map<AggregateKey, Aggregate>> oneMinute(long minute, AggregateKey key, long requests) {
    Map<Long, Map<AggregateKey, Aggregate>> m = new java.util.HashMap<>();
    m.put(minute, new java.util.HashMap<>(Map.of(key, Aggregate.of(requests, 0, 10, 100, Aggregate.newHistogram()))));
    return m;
  }

  @Test
  void keepsEachNodesRowsAndSumsThemInQueriesFilteredOrGroupedByNode() {
    long t = DAY0 + 3_600_000L * 3 + 30_000;
    Analytics a = Analytics.manual(store, AnalyticsRetention.DEFAULT);
    try (Analytics first = Analytics.start(store, AnalyticsRetention.DEFAULT, java.time.Duration.ofHours(1), "node-a");
        Analytics second = Analytics.start(store, AnalyticsRetention.DEFAULT, java.time.Duration.ofHours(1), "node-b")) {
      for (int i = 0; i < 3; i++) {
        first.record(sample(t + i, "orders", "alice", 200, 1_000));
      }
      for (int i = 0; i < 5; i++) {
        second.record(sample(t + i, "orders", "alice", 200, 1_000));
      }
      first.flush();
      second.flush();
    }
    List<AnalyticsStore.Row> minutes = store.rows(Grain.MINUTE, DAY0, DAY0 + Grain.DAY.millis());
    assertThat(minutes).extracting(r -> r.key().node() + "=" + r.totals().requests())
        .containsExactlyInAnyOrder("node-a=3", "node-b=5");
    Instant from = Instant.ofEpochMilli(DAY0);
    Instant to = Instant.ofEpochMilli(DAY0 + Grain.DAY.millis());
    assertThat(a.query(new AnalyticsQuery(from, to, List.of(), Map.of()))).singleElement()
        .satisfies(r -> assertThat(r.totals().requests()).isEqualTo(8));
    assertThat(a.query(new AnalyticsQuery(from, to, List.of("node"), Map.of())))
        .extracting(r -> r.group().get("node") + "=" + r.totals().requests()).containsExactly("node-a=3", "node-b=5");
    assertThat(a.query(new AnalyticsQuery(from, to, List.of("subscription"), Map.of("node", "node-b"))))
        .singleElement().satisfies(r -> assertThat(r.totals().requests()).isEqualTo(5));
  }

  @Test
  void addsAReportedBatchOncePerNodeMinuteAndBatchWhenItIsSentAgain() {
    long minute = DAY0 + 60_000L * 42;
    AggregateKey key = new AggregateKey("orders", "", "", "alice", "2xx", "10.0.0.1");
    Map<Long, Map<AggregateKey, Aggregate>> report = oneMinute(minute, key, 7);
    report.put(minute + 60_000, oneMinute(minute + 60_000, key, 2).get(minute + 60_000));
    assertThat(store.mergeOnce("gw-1", "batch-1", report)).isZero();
    assertThat(store.mergeOnce("gw-1", "batch-1", report)).isEqualTo(2); // the answer was lost: sent again
    assertThat(store.mergeOnce("gw-1", "batch-2", oneMinute(minute, key, 1))).isZero(); // a later batch counts
    assertThat(store.mergeOnce("gw-2", "batch-1", oneMinute(minute, key, 4))).isZero(); // another node's batch id

    assertThat(store.rows(Grain.MINUTE, minute, minute + 60_000))
        .extracting(r -> r.key().node() + "=" + r.totals().requests()).containsExactlyInAnyOrder("gw-1=8", "gw-2=4");
    assertThat(store.rows(Grain.DAY, DAY0, DAY0 + Grain.DAY.millis()))
        .extracting(r -> r.key().node() + "=" + r.totals().requests()).containsExactlyInAnyOrder("gw-1=10", "gw-2=4");
  }

  @Test
  void filesAReportUnderTheReportingNodeWhateverNodeItsKeysName() {
    long minute = DAY0 + 60_000L * 5;
    AggregateKey claimed = new AggregateKey("orders", "", "", "alice", "2xx", "10.0.0.1", "gw-victim");
    store.mergeOnce("gw-attacker", "b", oneMinute(minute, claimed, 100));
    assertThat(store.rows(Grain.MINUTE, minute, minute + 60_000)).singleElement()
        .satisfies(r -> assertThat(r.key().node()).isEqualTo("gw-attacker"));
  }
}
