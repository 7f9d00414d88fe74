package io.gatehouse.control.analytics;

import static org.assertj.core.api.Assertions.assertThat;

import io.gatehouse.control.PostgresConfigStore;
import io.gatehouse.control.TestStores;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Every analytics test of {@link AnalyticsTest}, on PostgreSQL, and the merges of several nodes into one row. */
class PostgresAnalyticsTest extends AnalyticsTest {
  PostgresConfigStore database;

  @Override
  JdbcAnalyticsStore openStore(Path dir) {
    database = (PostgresConfigStore) TestStores.open(TestStores.Kind.POSTGRESQL, dir, Map.of());
    return database.analytics();
  }

  @AfterEach
  void closeDatabase() {
    store.close();
    database.close();
  }

  @Test
  void addsTheTotalsOfNodesMergingIntoTheSameRowsConcurrently() throws Exception {
    int nodes = 4;
    int rounds = 25;
    List<JdbcAnalyticsStore> stores = new java.util.ArrayList<>();
    for (int i = 0; i < nodes; i++) {
      stores.add(database.analytics());
    }
    AggregateKey key = new AggregateKey("orders", "", "", "alice", "2xx", "10.0.0.1");
    ExecutorService pool = Executors.newFixedThreadPool(nodes);
    try {
      List<Future<?>> done = new java.util.ArrayList<>();
      for (JdbcAnalyticsStore s : stores) {
        done.add(pool.submit(() -> {
          for (int r = 0; r < rounds; r++) {
            Aggregate a = Aggregate.of(1, 0, 10, 100, Aggregate.newHistogram());
            Map<Long, Map<AggregateKey, Aggregate>> minutes = new HashMap<>();
            minutes.put(DAY0, new HashMap<>(Map.of(key, a)));
            s.merge(minutes);
          }
          return null;
        }));
      }
      for (Future<?> f : done) {
        f.get();
      }
    } finally {
      pool.shutdownNow();
      stores.forEach(JdbcAnalyticsStore::close);
    }
    long total = nodes * rounds;
    assertThat(store.rows(AnalyticsStore.Grain.MINUTE, DAY0, DAY0 + 60_000)).singleElement()
        .satisfies(r -> assertThat(r.totals().requests()).isEqualTo(total));
    assertThat(store.rows(AnalyticsStore.Grain.DAY, DAY0, DAY0 + AnalyticsStore.Grain.DAY.millis())).singleElement()
        .satisfies(r -> assertThat(r.totals().requests()).isEqualTo(total));
  }
}
