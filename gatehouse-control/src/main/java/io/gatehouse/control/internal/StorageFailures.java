package io.gatehouse.control.internal;

import java.io.IOException;
import java.sql.SQLException;
import java.util.Optional;

/**
 * Tells storage failures that the environment causes and that pass (the database locked by another
 * process, a full disk) from bugs, and words them for an operator.
 */
public final class StorageFailures {
  private static final int SQLITE_BUSY = 5;
  private static final int SQLITE_LOCKED = 6;
  private static final int SQLITE_FULL = 13;

  private StorageFailures() {}

  /**
   * The operator-facing reason why {@code failure} (or one of its causes) makes the store
   * temporarily unavailable, or empty when it is some other failure.
   */
  public static Optional<String> unavailable(Throwable failure) {
    for (Throwable t = failure; t != null; t = t.getCause() == t ? null : t.getCause()) {
      if (t instanceof SQLException sql) {
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
