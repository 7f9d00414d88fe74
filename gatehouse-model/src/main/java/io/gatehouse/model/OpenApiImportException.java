package io.gatehouse.model;

import static java.util.Objects.requireNonNull;

/**
 * Thrown when an API's OpenAPI document cannot be imported into it, naming the API's field at fault
 * ({@code openapi} for the document, {@code operations[N]} for an operation that names nothing in it).
 */
public final class OpenApiImportException extends IllegalArgumentException {
  private static final long serialVersionUID = 1L;

  private final String field;

  /** A failure at {@code field} of the API, saying what is wrong in {@code message}. */
  public OpenApiImportException(String field, String message) {
    super(requireNonNull(message, "message"));
    this.field = requireNonNull(field, "field");
  }

  /** The API's field at fault, such as {@code openapi} or {@code operations[2]}. */
  public String field() {
    return field;
  }
}
