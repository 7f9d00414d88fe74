package io.gatehouse.control.internal;

import java.sql.SQLException;
import org.jdbi.v3.core.Handle;

/**
 * Serializes the read-then-insert writes (next revision id, next audit record) of every server
 * sharing a PostgreSQL database with a transaction-scoped advisory lock; on SQLite, whose writes
 * are serialized by the database itself, it does nothing.
 */
public final class WriteLocks {
  /** The lock of configuration revisions. */
  public static final long REVISIONS = 0x6761_7465_0001L;
  /** The lock of the audit chain. */
  public static final long AUDIT = 0x6761_7465_0002L;

  private WriteLocks() {}

  /** Takes lock {@code key} until the transaction of {@code h} ends (PostgreSQL only). */
  public static void serialize(Handle h, long key) {
    if (isPostgres(h)) {
      h.createQuery("SELECT pg_advisory_xact_lock(:key)").bind("key", key).mapToMap().one();
    }
  }

  /** Whether {@code h} is connected to PostgreSQL. */
  public static boolean isPostgres(Handle h) {
    try {
      return h.getConnection().getMetaData().getDatabaseProductName().equals("PostgreSQL");
    } catch (SQLException e) {
      throw new IllegalStateException("cannot tell the database product: " + e.getMessage(), e);
    }
  }
}
