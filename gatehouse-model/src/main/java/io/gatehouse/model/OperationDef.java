package io.gatehouse.model;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;
import java.util.Locale;

/**
 * One operation of an API: an HTTP method and a path template below the API's prefix, written
 * {@code "GET /items/{id}"}.
 *
 * <p>A template segment {@code {name}} matches one non-empty path segment; a final segment
 * {@code *} matches the rest of the path.
 */
public record OperationDef(String method, String path) {
  public OperationDef {
    requireNonNull(method, "method");
    requireNonNull(path, "path");
    method = method.toUpperCase(Locale.ROOT);
  }

  /**
   * Parses {@code "METHOD /path"}.
   *
   * @throws IllegalArgumentException when the text is not a method, one space and a path
   *     starting with {@code /}
   */
  @JsonCreator
  public static OperationDef parse(String text) {
    requireNonNull(text, "text");
    String trimmed = text.trim();
    int space = trimmed.indexOf(' ');
    if (space <= 0 || !trimmed.substring(space + 1).trim().startsWith("/")) {
      throw new IllegalArgumentException(
          "expected 'METHOD /path/{param}' but got '" + text + "'");
    }
    String method = trimmed.substring(0, space);
    if (!method.chars().allMatch(c -> Character.isLetter(c) || c == '*')) {
      throw new IllegalArgumentException("invalid method '" + method + "' in '" + text + "'");
    }
    return new OperationDef(method, trimmed.substring(space + 1).trim());
  }

  /** The operation as written in configuration, {@code "METHOD /path"}. */
  @JsonValue
  @Override
  public String toString() {
    return method + " " + path;
  }
}
