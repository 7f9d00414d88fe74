package io.gatehouse.control.certificates;

/** An upload refused: names the request field at fault and says what was expected (never echoes key material). */
public final class InvalidCertificateException extends IllegalArgumentException {
  private static final long serialVersionUID = 1L;
  private final String field;

  /** A refusal of {@code field} because of {@code message}. */
  public InvalidCertificateException(String field, String message) {
    super(message);
    this.field = field;
  }

  /** The request field at fault, such as {@code privateKey}. */
  public String field() {
    return field;
  }
}
