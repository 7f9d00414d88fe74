package io.gatehouse.server.internal;

/**
 * The exit statuses every {@code gatehouse} command uses, one meaning each, the same cause giving the
 * same status in every command (documented in {@code docs/cli.md}).
 */
public final class ExitCodes {
  private ExitCodes() {}

  /** The command did what was asked. */
  public static final int OK = 0;
  /** The command ran and its answer is no: findings at {@code --fail-on}, a broken audit chain, a failed check. */
  public static final int CHECK_FAILED = 1;
  /** Bad usage or unreadable input: an unknown option, a missing file, input that is not YAML or JSON. */
  public static final int USAGE = 2;
  /** The configuration or document was read but is invalid, or the server refused it as invalid. */
  public static final int INVALID = 3;
  /** The environment failed: a server unreachable or refusing the credentials, a port in use, a disk error. */
  public static final int ENVIRONMENT = 4;
}
