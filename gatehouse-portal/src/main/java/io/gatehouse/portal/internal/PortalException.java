package io.gatehouse.portal.internal;

/** A refusal of a portal request, answered as an RFC 9457 problem with {@link #status()}. */
public final class PortalException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  private final int status;

  /** A refusal with {@code status} and {@code detail} (shown to the client: never a secret). */
  public PortalException(int status, String detail) {
    super(detail, null, false, false);
    this.status = status;
  }

  /** The HTTP status. */
  public int status() {
    return status;
  }
}
