package io.gatehouse.gateway.internal.validation;

import static java.util.Objects.requireNonNull;

/**
 * One reason a JSON document does not match its schema, located by a JSON pointer into the
 * document ({@code ""} is the whole document, {@code /items/0/price} a nested member).
 *
 * @param location JSON pointer (RFC 6901) of the offending value
 * @param message what is wrong, in English
 */
public record ValidationError(String location, String message) {
  /** Checks both fields are present. */
  public ValidationError {
    requireNonNull(location, "location");
    requireNonNull(message, "message");
  }
}
