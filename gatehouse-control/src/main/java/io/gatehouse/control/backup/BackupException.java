package io.gatehouse.control.backup;

import static java.util.Objects.requireNonNull;

/** A backup or restore that did not happen, with the reason as a {@link Kind} and a one-line message for the operator. */
public final class BackupException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  /** Why a backup or restore failed; the commands turn each kind into their exit status. */
  public enum Kind {
    /** Bad input from the operator: options, a non-empty target, an existing archive, a short passphrase. */
    USAGE,
    /** The passphrase does not open the archive. */
    WRONG_PASSPHRASE,
    /** The archive is not a Gatehouse backup, has an unknown version, or fails authentication. */
    CORRUPTED,
    /** The archive ends before its final chunk. */
    TRUNCATED,
    /** The secrets in the backup are wrapped by a master key the restore cannot find. */
    MISSING_MASTER_KEY,
    /** A check failed: a broken audit chain. */
    FAILED,
    /** Reading or writing files failed: the disk, permissions, a locked database. */
    IO
  }

  private final Kind kind;

  /** A failure of kind {@code kind} described by {@code message}. */
  public BackupException(Kind kind, String message) {
    super(requireNonNull(message, "message"));
    this.kind = requireNonNull(kind, "kind");
  }

  /** A failure of kind {@code kind} described by {@code message}, caused by {@code cause}. */
  public BackupException(Kind kind, String message, Throwable cause) {
    super(requireNonNull(message, "message"), cause);
    this.kind = requireNonNull(kind, "kind");
  }

  /** Why it failed. */
  public Kind kind() {
    return kind;
  }
}
