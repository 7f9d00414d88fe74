package io.gatehouse.control.backup.internal;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Types;
import java.util.ArrayList;
import java.util.List;

/**
 * Copies the rows of the store's tables between two JDBC connections whose schemas have the same
 * tables and columns (the SQLite and PostgreSQL migrations): PostgreSQL to the SQLite files of a
 * backup archive, and back on a restore. The caller owns the transactions.
 */
public final class TableCopy {
  /** The tables of the configuration database, in an order that satisfies every reference. */
  public static final List<String> CONFIG_TABLES = List.of("revisions", "admin_tokens", "instance_keys",
      "access_tokens", "accounts", "custom_roles", "audit_log", "certificates");
  /** The table of the analytics database. */
  public static final List<String> ANALYTICS_TABLES = List.of("analytics");
  /** The quota counters' table in PostgreSQL; a backup keeps its rows in {@code counters.db}, table {@link #NODE_COUNTERS}. */
  public static final String QUOTA_COUNTERS = "quota_counters";
  /** The table of a node's {@code counters.db} (same columns as {@link #QUOTA_COUNTERS}). */
  public static final String NODE_COUNTERS = "counters";
  /** Creates {@link #NODE_COUNTERS} as a node's {@code counters.db} has it. */
  public static final String NODE_COUNTERS_SCHEMA = "CREATE TABLE IF NOT EXISTS counters (key TEXT NOT NULL,"
      + " window_start INTEGER NOT NULL, window_end INTEGER NOT NULL, count INTEGER NOT NULL,"
      + " PRIMARY KEY (key, window_start))";

  private static final int BATCH = 500;

  private TableCopy() {}

  /** Copies every row of {@code tables} from {@code from} to {@code to}; returns how many rows. */
  public static long copy(Connection from, Connection to, List<String> tables) throws SQLException {
    long rows = 0;
    for (String table : tables) {
      rows += copy(from, to, table);
    }
    return rows;
  }

  private static long copy(Connection from, Connection to, String table) throws SQLException {
    return copy(from, table, to, table);
  }

  /** Copies every row of table {@code fromTable} of {@code from} into table {@code toTable} of {@code to}; returns how many rows. */
  public static long copy(Connection from, String fromTable, Connection to, String toTable) throws SQLException {
    long rows = 0;
    try (Statement s = from.createStatement()) {
      s.setFetchSize(BATCH); // PostgreSQL streams with a cursor inside a transaction instead of loading the table
      try (ResultSet rs = s.executeQuery("SELECT * FROM " + fromTable)) {
        ResultSetMetaData meta = rs.getMetaData();
        int n = meta.getColumnCount();
        List<String> columns = new ArrayList<>();
        for (int i = 1; i <= n; i++) {
          columns.add(meta.getColumnName(i));
        }
        String sql = "INSERT INTO " + toTable + " (" + String.join(", ", columns) + ") VALUES ("
            + String.join(", ", java.util.Collections.nCopies(n, "?")) + ")";
        try (PreparedStatement insert = to.prepareStatement(sql)) {
          int pending = 0;
          while (rs.next()) {
            for (int i = 1; i <= n; i++) {
              Object v = rs.getObject(i);
              if (v == null) {
                insert.setNull(i, Types.NULL);
              } else {
                insert.setObject(i, v);
              }
            }
            insert.addBatch();
            rows++;
            if (++pending == BATCH) {
              insert.executeBatch();
              pending = 0;
            }
          }
          if (pending > 0) {
            insert.executeBatch();
          }
        }
      }
    }
    return rows;
  }

  /** How many rows {@code table} holds in {@code c}, or -1 when it does not exist. */
  public static long count(Connection c, String table) throws SQLException {
    try (ResultSet rs = c.getMetaData().getTables(null, null, table, new String[] {"TABLE"})) {
      if (!rs.next()) {
        return -1;
      }
    }
    try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("SELECT count(*) FROM " + table)) {
      rs.next();
      return rs.getLong(1);
    }
  }
}
