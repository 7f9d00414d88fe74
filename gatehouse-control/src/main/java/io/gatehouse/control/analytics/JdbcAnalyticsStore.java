package io.gatehouse.control.analytics;

import static java.util.Objects.requireNonNull;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.HdrHistogram.Histogram;
import org.flywaydb.core.Flyway;
import org.sqlite.SQLiteConfig;
import org.sqlite.SQLiteDataSource;

/**
 * The {@link AnalyticsStore} in a relational database: embedded, the SQLite file
 * {@code <dataDir>/analytics.db} (WAL, {@code synchronous=NORMAL}: a crash may lose the last batch,
 * never corrupt the file), separate from the configuration database; shared by a cluster, the
 * {@code analytics} table of the PostgreSQL database, in which each node writes rows keyed by its
 * name and queries sum them. One
 * connection, serialized by this object's lock, and opened again after a failure (a restarted
 * server).
 */
public final class JdbcAnalyticsStore implements AnalyticsStore {
  /** The database file name inside the data directory. */
  public static final String FILE_NAME = "analytics.db";
  private static final String[] COLUMNS = {"api", "operation", "product", "subscription", "status_class", "client", "node"};
  private static final String KEY_WHERE = "grain = ? AND bucket = ? AND api = ? AND operation = ? AND product = ?"
      + " AND subscription = ? AND status_class = ? AND client = ? AND node = ?";
  private static final java.util.Comparator<AggregateKey> KEY_ORDER = java.util.Comparator.comparing(AggregateKey::api)
      .thenComparing(AggregateKey::operation).thenComparing(AggregateKey::product)
      .thenComparing(AggregateKey::subscription).thenComparing(AggregateKey::statusClass)
      .thenComparing(AggregateKey::client).thenComparing(AggregateKey::node);

  private final javax.sql.DataSource source;
  private final Path file;
  private final String where;
  private final boolean rowLocks;
  private Connection connection;

  private JdbcAnalyticsStore(javax.sql.DataSource source, Path file, String where, boolean rowLocks) {
    this.source = source;
    this.file = file;
    this.where = where;
    this.rowLocks = rowLocks;
  }

  /** Opens (creating if needed) {@code dataDir/analytics.db} and migrates its schema. */
  public static JdbcAnalyticsStore open(Path dataDir) {
    requireNonNull(dataDir, "dataDir");
    io.gatehouse.model.storage.PrivateFiles.directory(dataDir);
    // created 0600 before SQLite opens it: its -wal and -shm files take the database file's mode
    Path file = io.gatehouse.model.storage.PrivateFiles.file(dataDir.resolve(FILE_NAME).toAbsolutePath());
    SQLiteConfig sqlite = new SQLiteConfig();
    sqlite.setJournalMode(SQLiteConfig.JournalMode.WAL);
    sqlite.setSynchronous(SQLiteConfig.SynchronousMode.NORMAL);
    sqlite.setBusyTimeout(10_000);
    // queries read rollup rows through the OS page cache without a copy per page, and keep the
    // hottest pages (the day and hour rows) in a 32 MiB page cache
    sqlite.setPragma(SQLiteConfig.Pragma.MMAP_SIZE, Long.toString(256L << 20));
    sqlite.setPragma(SQLiteConfig.Pragma.CACHE_SIZE, "-32768");
    SQLiteDataSource ds = new SQLiteDataSource(sqlite);
    ds.setUrl("jdbc:sqlite:" + file);
    Flyway.configure().dataSource(ds).locations("classpath:io/gatehouse/control/migration/analytics").load().migrate();
    JdbcAnalyticsStore store = new JdbcAnalyticsStore(ds, file, file.toString(), false);
    synchronized (store) {
      try {
        store.connection();
      } catch (SQLException e) {
        throw new IllegalStateException("cannot open analytics database " + file + ": " + e.getMessage(), e);
      }
    }
    return store;
  }

  /**
   * The analytics of the PostgreSQL database behind {@code pool}, whose schema its
   * {@link io.gatehouse.control.PostgresConfigStore} migrated; {@code where} names it in errors.
   * Concurrent merges of several nodes into one row are serialized by row locks.
   */
  public static JdbcAnalyticsStore over(javax.sql.DataSource pool, String where) {
    return new JdbcAnalyticsStore(requireNonNull(pool, "pool"), null, requireNonNull(where, "where"), true);
  }

  /** The database file, or {@code null} for a store in a shared database. */
  public Path file() {
    return file;
  }

  private Connection connection() throws SQLException {
    if (connection == null) {
      Connection c = source.getConnection();
      c.setAutoCommit(false);
      connection = c;
    }
    return connection;
  }

  @Override
  public void merge(Map<Long, Map<AggregateKey, Aggregate>> minutes) {
    requireNonNull(minutes, "minutes");
    mergeRows(minutes, null, null);
  }

  @Override
  public int mergeOnce(String node, String batch, Map<Long, Map<AggregateKey, Aggregate>> minutes) {
    requireNonNull(node, "node");
    requireNonNull(batch, "batch");
    requireNonNull(minutes, "minutes");
    if (node.isEmpty() || batch.isEmpty()) {
      throw new IllegalArgumentException("expected a node and a batch id");
    }
    return mergeRows(minutes, node, batch);
  }

  private int mergeRows(Map<Long, Map<AggregateKey, Aggregate>> given, String node, String batch) {
    Map<Long, Map<AggregateKey, Aggregate>> minutes = given;
    Map<Long, Map<AggregateKey, Aggregate>> hours = new HashMap<>();
    Map<Long, Map<AggregateKey, Aggregate>> days = new HashMap<>();
    for (Map.Entry<Long, Map<AggregateKey, Aggregate>> m : minutes.entrySet()) {
      for (Map.Entry<AggregateKey, Aggregate> k : m.getValue().entrySet()) {
        rollInto(hours, Grain.HOUR.floor(m.getKey()), k.getKey(), k.getValue());
        rollInto(days, Grain.DAY.floor(m.getKey()), k.getKey(), k.getValue());
      }
    }
    synchronized (this) {
      try {
        Connection connection = connection();
        int skipped = 0;
        if (batch != null) {
          // the receipts first, in the same transaction: a minute of this batch already added is left out
          minutes = new HashMap<>();
          try (PreparedStatement receipt = connection.prepareStatement(
              "INSERT INTO analytics_receipts (node, minute, batch) VALUES (?, ?, ?) ON CONFLICT DO NOTHING")) {
            for (Map.Entry<Long, Map<AggregateKey, Aggregate>> m : new java.util.TreeMap<>(given).entrySet()) {
              receipt.setString(1, node);
              receipt.setLong(2, m.getKey());
              receipt.setString(3, batch);
              if (receipt.executeUpdate() == 1) {
                Map<AggregateKey, Aggregate> keys = new HashMap<>();
                m.getValue().forEach((k, v) -> keys.merge(k.withNode(node), v, (x, y) -> {
                  Aggregate sum = new Aggregate();
                  sum.merge(x);
                  sum.merge(y);
                  return sum;
                }));
                minutes.put(m.getKey(), keys);
              } else {
                skipped++;
              }
            }
          }
          hours.clear();
          days.clear();
          for (Map.Entry<Long, Map<AggregateKey, Aggregate>> m : minutes.entrySet()) {
            for (Map.Entry<AggregateKey, Aggregate> k : m.getValue().entrySet()) {
              rollInto(hours, Grain.HOUR.floor(m.getKey()), k.getKey(), k.getValue());
              rollInto(days, Grain.DAY.floor(m.getKey()), k.getKey(), k.getValue());
            }
          }
        }
        try (PreparedStatement insert = connection.prepareStatement("INSERT INTO analytics (grain, bucket, api,"
                + " operation, product, subscription, status_class, client, node, requests, errors, bytes_in, bytes_out,"
                + " latency) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING");
            // in a shared database another node may merge into the same row: lock it until the commit
            PreparedStatement select = connection.prepareStatement(
                "SELECT requests, errors, bytes_in, bytes_out, latency FROM analytics WHERE " + KEY_WHERE
                    + (rowLocks ? " FOR UPDATE" : ""));
            PreparedStatement update = connection.prepareStatement("UPDATE analytics SET requests = ?, errors = ?,"
                + " bytes_in = ?, bytes_out = ?, latency = ? WHERE " + KEY_WHERE)) {
          write(Grain.MINUTE, minutes, insert, select, update);
          write(Grain.HOUR, hours, insert, select, update);
          write(Grain.DAY, days, insert, select, update);
          connection.commit();
        }
        return skipped;
      } catch (SQLException | RuntimeException e) {
        rollback();
        throw new IllegalStateException("cannot write analytics to " + where + ": " + e.getMessage(), e);
      }
    }
  }

  private static void rollInto(Map<Long, Map<AggregateKey, Aggregate>> target, long bucket, AggregateKey key, Aggregate a) {
    Aggregate sum = target.computeIfAbsent(bucket, b -> new HashMap<>()).computeIfAbsent(key, k -> new Aggregate());
    sum.merge(a);
  }

  private static void write(Grain grain, Map<Long, Map<AggregateKey, Aggregate>> rows, PreparedStatement insert,
      PreparedStatement select, PreparedStatement update) throws SQLException {
    // one order for every writer, so that nodes merging into the same rows never deadlock
    for (Map.Entry<Long, Map<AggregateKey, Aggregate>> b : new java.util.TreeMap<>(rows).entrySet()) {
      List<Map.Entry<AggregateKey, Aggregate>> keys = new ArrayList<>(b.getValue().entrySet());
      keys.sort(Map.Entry.comparingByKey(KEY_ORDER));
      for (Map.Entry<AggregateKey, Aggregate> k : keys) {
        Aggregate a = k.getValue();
        AggregateKey key = k.getKey();
        insert.setInt(1, grain.ordinal() + 1);
        insert.setLong(2, b.getKey());
        bindKey(insert, 3, key);
        insert.setLong(10, a.requests());
        insert.setLong(11, a.errors());
        insert.setLong(12, a.bytesIn());
        insert.setLong(13, a.bytesOut());
        insert.setBytes(14, encode(a.latency()));
        if (insert.executeUpdate() == 1) {
          continue;
        }
        select.setInt(1, grain.ordinal() + 1);
        select.setLong(2, b.getKey());
        bindKey(select, 3, key);
        Aggregate merged;
        try (ResultSet rs = select.executeQuery()) {
          if (!rs.next()) {
            throw new SQLException("row vanished during merge: " + key);
          }
          merged = read(rs, 1);
        }
        merged.merge(a);
        update.setLong(1, merged.requests());
        update.setLong(2, merged.errors());
        update.setLong(3, merged.bytesIn());
        update.setLong(4, merged.bytesOut());
        update.setBytes(5, encode(merged.latency()));
        update.setInt(6, grain.ordinal() + 1);
        update.setLong(7, b.getKey());
        bindKey(update, 8, key);
        update.executeUpdate();
      }
    }
  }

  private static void bindKey(PreparedStatement st, int first, AggregateKey key) throws SQLException {
    st.setString(first, key.api());
    st.setString(first + 1, key.operation());
    st.setString(first + 2, key.product());
    st.setString(first + 3, key.subscription());
    st.setString(first + 4, key.statusClass());
    st.setString(first + 5, key.client());
    st.setString(first + 6, key.node());
  }

  private static Aggregate read(ResultSet rs, int first) throws SQLException {
    return Aggregate.of(rs.getLong(first), rs.getLong(first + 1), rs.getLong(first + 2), rs.getLong(first + 3),
        decode(rs.getBytes(first + 4)));
  }

  static byte[] encode(Histogram h) {
    ByteBuffer buffer = ByteBuffer.allocate(h.getNeededByteBufferCapacity());
    int n = h.encodeIntoByteBuffer(buffer); // V2 encoding: zig-zag LEB128 counts with zero runs, no deflate
    byte[] out = new byte[n];
    buffer.flip();
    buffer.get(out);
    return out;
  }

  static Histogram decode(byte[] bytes) {
    try {
      Histogram h = Histogram.decodeFromByteBuffer(ByteBuffer.wrap(bytes), 0);
      h.setAutoResize(true);
      return h;
    } catch (RuntimeException e) {
      throw new IllegalStateException("corrupt latency histogram of " + bytes.length + " bytes: " + e.getMessage(), e);
    }
  }

  @Override
  public void scanEncoded(Grain grain, long fromMillis, long toMillis, Map<String, String> filters,
      java.util.Collection<String> dimensions, boolean latency, EncodedRowSink sink) {
    requireNonNull(grain, "grain");
    requireNonNull(filters, "filters");
    requireNonNull(dimensions, "dimensions");
    requireNonNull(sink, "sink");
    // Only the key columns asked for are read (each text column costs a JNI call and a String).
    boolean[] read = new boolean[COLUMNS.length];
    StringBuilder sql = new StringBuilder("SELECT bucket, requests, errors, bytes_in, bytes_out");
    if (latency) {
      sql.append(", latency");
    }
    for (String d : dimensions) {
      read[columnIndex(d)] = true;
    }
    for (int c = 0; c < COLUMNS.length; c++) {
      if (read[c]) {
        sql.append(", ").append(COLUMNS[c]);
      }
    }
    // The grain is written as a literal, and counts-only scans of hour and day rows repeat the
    // partial index's condition (grain > 1), so that the planner reads the covering index
    // analytics_rollup_counts (V5) instead of the rows with their histograms.
    sql.append(" FROM analytics WHERE grain = ").append(grain.ordinal() + 1);
    if (!latency && grain != Grain.MINUTE) {
      sql.append(" AND grain > 1");
    }
    sql.append(" AND bucket >= ? AND bucket < ?");
    List<String> values = new ArrayList<>();
    for (Map.Entry<String, String> f : filters.entrySet()) {
      sql.append(" AND ").append(COLUMNS[columnIndex(f.getKey())]).append(" = ?");
      values.add(f.getValue());
    }
    int firstKey = latency ? 7 : 6;
    synchronized (this) {
      try (PreparedStatement st = connection().prepareStatement(sql.toString())) {
        st.setLong(1, fromMillis);
        st.setLong(2, toMillis);
        for (int i = 0; i < values.size(); i++) {
          st.setString(3 + i, values.get(i));
        }
        String[] key = new String[COLUMNS.length];
        try (ResultSet rs = st.executeQuery()) {
          while (rs.next()) {
            int at = firstKey;
            for (int c = 0; c < COLUMNS.length; c++) {
              key[c] = read[c] ? rs.getString(at++) : "";
            }
            sink.accept(rs.getLong(1), new AggregateKey(key[0], key[1], key[2], key[3], key[4], key[5], key[6]), rs.getLong(2),
                rs.getLong(3), rs.getLong(4), rs.getLong(5), latency ? rs.getBytes(6) : null);
          }
        }
        connection.commit();
      } catch (SQLException e) {
        rollback();
        throw new IllegalStateException("cannot read analytics from " + where + ": " + e.getMessage(), e);
      }
    }
  }

  private static int columnIndex(String dimension) {
    String c = dimension.equals("status") ? "status_class" : dimension;
    for (int i = 0; i < COLUMNS.length; i++) {
      if (COLUMNS[i].equals(c)) {
        return i;
      }
    }
    throw new IllegalArgumentException("unknown dimension '" + dimension + "'; expected one of " + Analytics.DIMENSIONS);
  }

  @Override
  public int purge(Instant now, AnalyticsRetention retention) {
    requireNonNull(now, "now");
    requireNonNull(retention, "retention");
    synchronized (this) {
      try (PreparedStatement st = connection().prepareStatement("DELETE FROM analytics WHERE grain = ? AND bucket < ?")) {
        int n = 0;
        for (Grain g : Grain.values()) {
          st.setInt(1, g.ordinal() + 1);
          st.setLong(2, now.toEpochMilli() - retention.of(g).toMillis());
          n += st.executeUpdate();
        }
        try (PreparedStatement receipts = connection.prepareStatement("DELETE FROM analytics_receipts WHERE minute < ?")) {
          receipts.setLong(1, now.toEpochMilli() - retention.of(Grain.MINUTE).toMillis());
          receipts.executeUpdate();
        }
        connection.commit();
        return n;
      } catch (SQLException e) {
        rollback();
        throw new IllegalStateException("cannot purge analytics in " + where + ": " + e.getMessage(), e);
      }
    }
  }

  /** Rolls back and drops the connection: the next call opens a new one (the server may have restarted). */
  private void rollback() {
    if (connection == null) {
      return;
    }
    try {
      connection.rollback();
    } catch (SQLException ignored) {
      // the connection is unusable; it is dropped below
    }
    try {
      connection.close();
    } catch (SQLException ignored) {
      // already broken
    }
    connection = null;
  }

  @Override
  public synchronized void close() {
    if (connection == null) {
      return;
    }
    try {
      connection.close();
      connection = null;
    } catch (SQLException e) {
      throw new IllegalStateException("cannot close analytics database " + where + ": " + e.getMessage(), e);
    }
  }
}
