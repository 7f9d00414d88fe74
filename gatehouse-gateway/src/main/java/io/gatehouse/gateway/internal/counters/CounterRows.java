package io.gatehouse.gateway.internal.counters;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;

/** Reads persisted counters from a table of (key, window_start, window_end, count) rows over JDBC. */
final class CounterRows {
  private CounterRows() {}

  /** Every counter in {@code table} (a constant name, never input) whose window ends after {@code now}. */
  static List<LocalCounterStore.Snapshot> live(Connection db, String table, long now) throws SQLException {
    List<LocalCounterStore.Snapshot> out = new ArrayList<>();
    try (PreparedStatement q = db.prepareStatement(
        "SELECT key, window_start, window_end, count FROM " + table + " WHERE window_end > ?")) {
      q.setLong(1, now);
      try (ResultSet rs = q.executeQuery()) {
        while (rs.next()) {
          out.add(new LocalCounterStore.Snapshot(rs.getString(1), rs.getLong(2), rs.getLong(3), rs.getLong(4)));
        }
      }
    }
    return out;
  }
}
