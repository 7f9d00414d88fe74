package io.gatehouse.waf;

/**
 * A rule file could not be loaded; the message names the file, the line and what is wrong.
 */
public final class WafLoadException extends Exception {
  private static final long serialVersionUID = 1L;

  /** An error at {@code source:line}. */
  public WafLoadException(String source, int line, String message) {
    super(source + ":" + line + ": " + message);
  }
}
