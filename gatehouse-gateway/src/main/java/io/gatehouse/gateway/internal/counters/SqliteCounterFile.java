package io.gatehouse.gateway.internal.counters;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.Statement;
import java.util.List;

/**
 * Counters kept in a SQLite file (one table, one row per key and window, WAL journal), written
 * only by the background flusher of one {@link LocalCounterStore}.
 */
public final class SqliteCounterFile implements LocalCounterStore.Persistence {
  private final Connection db;

  private SqliteCounterFile(Connection db) {
    this.db = db;
  }

  /** Opens (creating if needed) the counter file {@code file}. */
  public static SqliteCounterFile open(Path file) throws Exception {
    // created 0600 (its directory 0700) before SQLite opens it: the -wal and -shm files take its mode
    io.gatehouse.model.storage.PrivateFiles.file(file);
    Connection db = DriverManager.getConnection("jdbc:sqlite:" + file.toAbsolutePath());
    try (Statement s = db.createStatement()) {
      s.execute("PRAGMA journal_mode=WAL");
      s.execute("PRAGMA synchronous=NORMAL");
      s.execute("CREATE TABLE IF NOT EXISTS counters (key TEXT NOT NULL, window_start INTEGER NOT NULL,"
          + " window_end INTEGER NOT NULL, count INTEGER NOT NULL, PRIMARY KEY (key, window_start))");
    }
    return new SqliteCounterFile(db);
  }

  /** A persistent store over {@code <dataDir>/counters.db}, flushing every second. */
  public static LocalCounterStore store(Path dataDir) {
    try {
      return LocalCounterStore.persistent(open(dataDir.resolve("counters.db")), 1000);
    } catch (Exception e) {
      throw new IllegalStateException("cannot open the counter file in " + dataDir + ": " + e.getMessage(), e);
    }
  }

  @Override
  public List<LocalCounterStore.Snapshot> load(long now) throws Exception {
    return CounterRows.live(db, "counters", now);
  }

  /** Adds {@code deltas} and forgets ended windows; returns nothing, since this node is the file's only writer. */
  @Override
  public List<LocalCounterStore.Snapshot> add(List<LocalCounterStore.Snapshot> deltas, long now) throws Exception {
    List<LocalCounterStore.Snapshot> counters = deltas;
    db.setAutoCommit(false);
    try (PreparedStatement up = db.prepareStatement(
            "INSERT INTO counters (key, window_start, window_end, count) VALUES (?, ?, ?, ?)"
                + " ON CONFLICT (key, window_start) DO UPDATE SET count = counters.count + excluded.count");
        PreparedStatement expire = db.prepareStatement("DELETE FROM counters WHERE window_end <= ?")) {
      for (LocalCounterStore.Snapshot c : counters) {
        up.setString(1, c.key());
        up.setLong(2, c.start());
        up.setLong(3, c.end());
        up.setLong(4, c.count());
        up.addBatch();
      }
      if (!counters.isEmpty()) {
        up.executeBatch();
      }
      expire.setLong(1, now);
      expire.executeUpdate();
      db.commit();
      return List.of();
    } catch (Exception e) {
      db.rollback();
      throw e;
    } finally {
      db.setAutoCommit(true);
    }
  }

  @Override
  public void close() throws Exception {
    db.close();
  }
}
