package io.gatehouse.model.apim;

/** Signals that one element cannot be converted: it is left out and the message is reported. */
final class Unconvertible extends RuntimeException {
  private static final long serialVersionUID = 1L;

  Unconvertible(String message) {
    super(message, null, false, false);
  }
}
