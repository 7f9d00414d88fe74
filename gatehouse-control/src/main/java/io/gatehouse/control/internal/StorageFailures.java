package io.gatehouse.control.internal;

import java.io.IOException;
import java.sql.SQLException;
import java.util.Optional;

/**
 * Tells storage failures that the environment causes and that pass (the database locked by another
 * process, a full disk, a PostgreSQL server that cannot be reached or is shutting down) from bugs,
 * and words them for an operator.
 */
public final class StorageFailures {
  private static final int SQLITE_BUSY = 5;
  private static final int SQLITE_LOCKED = 6;
  private static final int SQLITE_FULL = 13;

  private static final String UNREACHABLE = "the configuration database cannot be reached; nothing was changed,"
      + " retry when it is back";

  private StorageFailures() {}

  /**
   * The operator-facing reason why {@code failure} (or one of its causes) makes the store
   * temporarily unavailable, or empty when it is some other failure.
   */
  public static Optional<String> unavailable(Throwable failure) {
    for (Throwable t = failure; t != null; t = t.getCause() == t ? null : t.getCause()) {
      if (t instanceof java.sql.SQLTransientConnectionException) { // no pooled connection within the timeout
        return Optional.of(UNREACHABLE);
      }
      if (t instanceof SQLException sql && sql.getSQLState() != null && sql.getSQLState().length() == 5
          && t.getClass().getName().startsWith("org.postgresql.")) {
        String state = sql.getSQLState();
        // 08: connection exception; 57P01-57P03: administrator or crash shutdown, cannot connect now
        if (state.startsWith("08") || state.startsWith("57P")) {
          return Optional.of(UNREACHABLE);
        }
        if (state.startsWith("53")) { // insufficient resources: disk full, out of memory, too many connections
          return Optional.of("the configuration database is out of resources (" + state + "); nothing was changed,"
              + " retry later");
        }
        if (state.equals("40001") || state.equals("40P01")) { // serialization failure, deadlock: retryable
          return Optional.of("the configuration database refused a concurrent write; nothing was changed, retry");
        }
      }
      if (t instanceof SQLException sql && !t.getClass().getName().startsWith("org.postgresql.")) {
        int code = sql.getErrorCode() & 0xFF;
        if (code == SQLITE_BUSY || code == SQLITE_LOCKED) {
          return Optional.of("the configuration database is locked by another process or connection;"
              + " nothing was changed, retry when it is released");
        }
        if (code == SQLITE_FULL) {
          return Optional.of("the data directory is full; nothing was changed, free disk space and retry");
        }
      }
      if (t instanceof IOException io && io.getMessage() != null
          && io.getMessage().contains("No space left on device")) {
        return Optional.of("the data directory is full; nothing was changed, free disk space and retry");
      }
    }
    return Optional.empty();
  }
}
