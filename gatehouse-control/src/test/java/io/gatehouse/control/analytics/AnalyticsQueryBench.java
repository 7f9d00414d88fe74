package io.gatehouse.control.analytics;

import static org.assertj.core.api.Assertions.assertThat;

import io.gatehouse.control.analytics.AnalyticsStore.Grain;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;
import org.junit.jupiter.api.io.TempDir;

/**
 * Figure for docs/benchmarks.md: 30 days of per-minute data for 100 APIs in SQLite, then the
 * time of analytics queries. Not part of the normal run:
 * {@code ./mvnw -o verify -pl gatehouse-control -am -Dtest=AnalyticsQueryBench -Dgatehouse.bench=true -Dsurefire.failIfNoSpecifiedTests=false}
 * ({@code -Dgatehouse.bench.dir=DIR} keeps the loaded database in {@code DIR} and reuses it on the next run).
 */
@EnabledIfSystemProperty(named = "gatehouse.bench", matches = "true")
class AnalyticsQueryBench {
  static final int APIS = 100;
  static final int DAYS = Integer.getInteger("gatehouse.bench.days", 30);

  @TempDir Path dir;

  @Test
  void timesQueriesOverThirtyDaysOfMinuteData() throws IOException {
    long day0 = Instant.parse("2026-10-01T00:00:00Z").toEpochMilli();
    String keep = System.getProperty("gatehouse.bench.dir");
    Path at = keep == null ? dir : Path.of(keep);
    Path marker = at.resolve("loaded-" + DAYS + "-days");
    boolean reuse = keep != null && Files.exists(marker);
    try (JdbcAnalyticsStore store = JdbcAnalyticsStore.open(at)) {
      if (!reuse) {
        load(store, day0);
        if (keep != null) {
          Files.createFile(marker);
        }
      }
      Analytics analytics = Analytics.manual(store, AnalyticsRetention.DEFAULT);
      Instant from = Instant.ofEpochMilli(day0);
      Instant to = Instant.ofEpochMilli(day0 + DAYS * Grain.DAY.millis());
      time("30 days, groupBy=api (day rows)", analytics, new AnalyticsQuery(from, to, List.of("api"), Map.of()));
      time("30 days - 7 min each end, groupBy=api,status (minute+hour+day rows)", analytics,
          new AnalyticsQuery(from.plusSeconds(7 * 60), to.minusSeconds(7 * 60), List.of("api", "status"), Map.of()));
      time("30 days, api=api-7, groupBy=day", analytics,
          new AnalyticsQuery(from, to, List.of("day"), Map.of("api", "api-7")));
      time("last 24 h, groupBy=api,hour (hour rows)", analytics,
          new AnalyticsQuery(to.minusSeconds(86_400), to, List.of("api", "hour"), Map.of()));
      time("last 60 min, groupBy=api (minute rows)", analytics,
          new AnalyticsQuery(to.minusSeconds(3_600).plusSeconds(30), to, List.of("api"), Map.of()));
      time("usage: 30 days - 7 min each end, per subscription and day (counts only)", analytics,
          from.plusSeconds(7 * 60), to.minusSeconds(7 * 60));
      List<AnalyticsRow> all = analytics.query(new AnalyticsQuery(from, to, List.of("api"), Map.of()));
      assertThat(all).hasSize(APIS);
      assertThat(all.get(0).totals().requests()).isEqualTo(5L * DAYS * 1440);
    }
  }

  static void load(JdbcAnalyticsStore store, long day0) {
    Random random = new Random(42);
    long started = System.nanoTime();
    long rows = 0;
    for (long hour = day0; hour < day0 + DAYS * Grain.DAY.millis(); hour += Grain.HOUR.millis()) {
      Map<Long, Map<AggregateKey, Aggregate>> batch = new HashMap<>();
      for (long m = hour; m < hour + Grain.HOUR.millis(); m += Grain.MINUTE.millis()) {
        Map<AggregateKey, Aggregate> keys = new HashMap<>();
        for (int api = 0; api < APIS; api++) {
          Aggregate a = new Aggregate();
          for (int i = 0; i < 5; i++) {
            a.add(new TrafficSample(m, "api-" + api, "", "", "sub-" + (api % 10), i == 4 && random.nextInt(10) == 0 ? 500 : 200,
                "", 100, 1000, 500 + random.nextInt(50_000)));
          }
          keys.put(new AggregateKey("api-" + api, "", "", "sub-" + (api % 10), "2xx", ""), a);
          rows++;
        }
        batch.put(m, keys);
      }
      store.merge(batch);
    }
    System.out.printf("loaded %d minute rows (%d days x %d APIs) in %.1f s, file %d MiB%n", rows, DAYS, APIS,
        (System.nanoTime() - started) / 1e9, store.file().toFile().length() >> 20);
  }

  static void time(String name, Analytics analytics, AnalyticsQuery q) {
    time(name, () -> analytics.query(q).size());
  }

  static void time(String name, Analytics analytics, Instant from, Instant to) {
    time(name, () -> analytics.usage(from, to).size());
  }

  static void time(String name, java.util.function.IntSupplier query) {
    for (int i = 0; i < 3; i++) {
      query.getAsInt();
    }
    java.lang.management.ThreadMXBean threads = java.lang.management.ManagementFactory.getThreadMXBean();
    long[] ms = new long[7];
    long[] cpu = new long[7];
    int groups = 0;
    for (int i = 0; i < ms.length; i++) {
      long c = threads.getCurrentThreadCpuTime();
      long t = System.nanoTime();
      groups = query.getAsInt();
      ms[i] = (System.nanoTime() - t) / 1_000;
      cpu[i] = (threads.getCurrentThreadCpuTime() - c) / 1_000;
    }
    Arrays.sort(ms);
    Arrays.sort(cpu);
    System.out.printf("%-76s %5d groups  wall median %7.1f ms max %7.1f ms  thread CPU median %7.1f ms%n", name, groups,
        ms[3] / 1000.0, ms[6] / 1000.0, cpu[3] / 1000.0);
  }
}
