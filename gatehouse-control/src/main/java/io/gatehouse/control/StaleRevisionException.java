package io.gatehouse.control;

import static java.util.Objects.requireNonNull;

/**
 * Thrown when a change was computed from revision {@link #base()} but another commit (through this
 * server or another sharing the store) made {@link #latest()} the newest revision first; nothing was
 * written.
 */
public final class StaleRevisionException extends RuntimeException {
  private static final long serialVersionUID = 1L;
  private final long base;
  private final transient Revision latest;

  /** The change based on revision {@code base} found {@code latest} as the newest revision. */
  public StaleRevisionException(long base, Revision latest) {
    super("the change was made on revision " + base + " but revision " + requireNonNull(latest, "latest").id()
        + " is the newest", null, false, false);
    this.base = base;
    this.latest = latest;
  }

  /** The revision the change was computed from. */
  public long base() {
    return base;
  }

  /** The newest revision when the change was refused. */
  public Revision latest() {
    return latest;
  }
}
