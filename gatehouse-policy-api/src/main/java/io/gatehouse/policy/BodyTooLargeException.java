package io.gatehouse.policy;

/** Thrown when a body being aggregated exceeds the limit the caller gave. */
public final class BodyTooLargeException extends RuntimeException {
  private static final long serialVersionUID = 1L;
  private final long limit;

  /** Creates an exception for a body larger than {@code limit} bytes. */
  public BodyTooLargeException(long limit) {
    super("body exceeds " + limit + " bytes");
    this.limit = limit;
  }

  /** The limit in bytes that was exceeded. */
  public long limit() {
    return limit;
  }
}
