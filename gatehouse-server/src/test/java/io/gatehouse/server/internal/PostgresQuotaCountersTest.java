package io.gatehouse.server.internal;

import static org.assertj.core.api.Assertions.assertThat;

import io.gatehouse.control.DatabaseUrl;
import io.gatehouse.control.PostgresConfigStore;
import io.gatehouse.gateway.internal.counters.LocalCounterStore;
import io.gatehouse.gateway.internal.counters.PostgresCounterTable;
import io.gatehouse.testing.postgres.PostgresServer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The durable copy of quota counters in PostgreSQL ({@link PostgresCounterTable}), shared by the servers of one database. */
class PostgresQuotaCountersTest {
  static final long DAY = 86_400_000L;
  static final long NEVER = 3_600_000L; // flush interval: the tests flush by hand

  @TempDir Path dir;

  PostgresConfigStore database() {
    PostgresServer pg = PostgresServer.shared();
    return PostgresConfigStore.open(DatabaseUrl.parse(pg.url(pg.createDatabase()), Map.of()), dir, Map.of());
  }

  static int admit(LocalCounterStore store, String key, long start, long limit, int attempts) {
    int admitted = 0;
    for (int i = 0; i < attempts; i++) {
      if (store.addIfWithin(key, start, start + DAY, 1, limit) >= 0) {
        admitted++;
      }
    }
    return admitted;
  }

  @Test
  void aQuotasConsumptionSurvivesARestartOfEveryServerAndIsSharedBetweenServers() throws Exception {
    long start = System.currentTimeMillis() - 1000;
    try (PostgresConfigStore db = database()) {
      LocalCounterStore a = PostgresCounterTable.store(db.dataSource(), NEVER);
      LocalCounterStore b = PostgresCounterTable.store(db.dataSource(), NEVER);
      assertThat(admit(a, "q", start, 10, 4)).isEqualTo(4);
      a.flush();
      b.flush(); // reads back A's four
      assertThat(b.get("q", start)).isEqualTo(4);
      assertThat(admit(b, "q", start, 10, 10)).as("B admits what A left").isEqualTo(6);
      b.flush();
      a.flush();
      assertThat(a.get("q", start)).isEqualTo(10);
      assertThat(admit(a, "q", start, 10, 1)).isZero();
      a.close();
      b.close();

      LocalCounterStore again = PostgresCounterTable.store(db.dataSource(), NEVER);
      try {
        assertThat(again.get("q", start)).as("after every server restarted").isEqualTo(10);
        assertThat(admit(again, "q", start, 10, 1)).isZero();
        assertThat(admit(again, "other", start, 10, 3)).as("another key keeps its own count").isEqualTo(3);
      } finally {
        again.close();
      }
    }
  }

  static Thread started(Runnable r) {
    Thread t = new Thread(r);
    t.start();
    return t;
  }

  @Test
  void losesNoCountMadeWhileBatchesAreAddedAndReadBack() throws Exception {
    long start = System.currentTimeMillis() - 1000;
    try (PostgresConfigStore db = database()) {
      List<LocalCounterStore> servers = List.of(PostgresCounterTable.store(db.dataSource(), NEVER),
          PostgresCounterTable.store(db.dataSource(), NEVER));
      AtomicBoolean stop = new AtomicBoolean();
      AtomicLong counted = new AtomicLong();
      List<Thread> counting = new ArrayList<>();
      List<Thread> flushing = new ArrayList<>();
      for (LocalCounterStore s : servers) {
        for (int t = 0; t < 2; t++) {
          counting.add(started(() -> {
            while (!stop.get()) {
              s.add("shared", start, start + DAY, 1);
              counted.incrementAndGet();
            }
          }));
        }
        flushing.add(started(() -> {
          for (int i = 0; i < 20; i++) {
            try {
              s.flush();
            } catch (Exception e) {
              throw new IllegalStateException(e);
            }
          }
        }));
      }
      for (Thread t : flushing) {
        t.join();
      }
      stop.set(true);
      for (Thread t : counting) {
        t.join();
      }
      for (LocalCounterStore s : servers) {
        s.flush();
      }
      for (LocalCounterStore s : servers) {
        s.flush(); // the second round reads back the other server's last batch
      }
      assertThat(counted.get()).isPositive();
      for (LocalCounterStore s : servers) {
        assertThat(s.get("shared", start)).as("each server's view: every count of both").isEqualTo(counted.get());
        s.close();
      }
      LocalCounterStore reopened = PostgresCounterTable.store(db.dataSource(), NEVER);
      assertThat(reopened.get("shared", start)).isEqualTo(counted.get());
      reopened.close();
    }
  }
}
