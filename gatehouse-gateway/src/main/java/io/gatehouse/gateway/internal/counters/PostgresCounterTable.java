package io.gatehouse.gateway.internal.counters;

import static java.util.Objects.requireNonNull;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.util.ArrayList;
import java.util.List;
import javax.sql.DataSource;

/**
 * The durable copy of quota counters shared by the servers of one PostgreSQL database: table
 * {@code quota_counters} (created by the control plane's migrations), one row per key and window,
 * to which each server adds what it counted since its last batch and from which it reads back every
 * server's total.
 */
public final class PostgresCounterTable implements LocalCounterStore.Persistence {
  private final DataSource database;

  private PostgresCounterTable(DataSource database) {
    this.database = database;
  }

  /**
   * A persistent store over table {@code quota_counters} of {@code database}, adding and reading
   * back every {@code flushMillis}.
   *
   * @throws IllegalStateException when the stored counters cannot be read
   */
  public static LocalCounterStore store(DataSource database, long flushMillis) {
    return LocalCounterStore.persistent(new PostgresCounterTable(requireNonNull(database, "database")), flushMillis);
  }

  @Override
  public List<LocalCounterStore.Snapshot> load(long now) throws Exception {
    try (Connection db = database.getConnection()) {
      return live(db, now);
    }
  }

  @Override
  public List<LocalCounterStore.Snapshot> add(List<LocalCounterStore.Snapshot> deltas, long now) throws Exception {
    try (Connection db = database.getConnection()) {
      db.setAutoCommit(false);
      try (PreparedStatement up = db.prepareStatement(
              "INSERT INTO quota_counters (key, window_start, window_end, count) VALUES (?, ?, ?, ?)"
                  + " ON CONFLICT (key, window_start) DO UPDATE SET count = quota_counters.count + excluded.count");
          PreparedStatement expire = db.prepareStatement("DELETE FROM quota_counters WHERE window_end <= ?")) {
        for (LocalCounterStore.Snapshot c : sorted(deltas)) { // one order for every server: no deadlock between batches
          up.setString(1, c.key());
          up.setLong(2, c.start());
          up.setLong(3, c.end());
          up.setLong(4, c.count());
          up.addBatch();
        }
        if (!deltas.isEmpty()) {
          up.executeBatch();
        }
        expire.setLong(1, now);
        expire.executeUpdate();
        List<LocalCounterStore.Snapshot> out = live(db, now);
        db.commit();
        return out;
      } catch (Exception e) {
        db.rollback();
        throw e;
      }
    }
  }

  private static List<LocalCounterStore.Snapshot> sorted(List<LocalCounterStore.Snapshot> deltas) {
    List<LocalCounterStore.Snapshot> out = new ArrayList<>(deltas);
    out.sort(java.util.Comparator.comparing(LocalCounterStore.Snapshot::key)
        .thenComparingLong(LocalCounterStore.Snapshot::start));
    return out;
  }

  private static List<LocalCounterStore.Snapshot> live(Connection db, long now) throws Exception {
    return CounterRows.live(db, "quota_counters", now);
  }

  @Override
  public void close() {
    // the pool belongs to the store that opened it
  }
}
