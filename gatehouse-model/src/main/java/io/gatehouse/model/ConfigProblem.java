package io.gatehouse.model;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.annotation.JsonInclude;

/**
 * One reason a configuration was refused: where (source, line, field path) and what was expected.
 *
 * @param source the file or other source name, or {@code null} when not from a file
 * @param line 1-based line in the source, or 0 when unknown
 * @param field the field path, for example {@code apis[0].backend}; empty for the whole document
 * @param message what is wrong and what was expected
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record ConfigProblem(String source, int line, String field, String message) {
  public ConfigProblem {
    requireNonNull(field, "field");
    requireNonNull(message, "message");
  }

  /** A problem at {@code field}, not yet located in a source. */
  public static ConfigProblem at(String field, String message) {
    return new ConfigProblem(null, 0, field, message);
  }

  /** Returns this problem located at {@code line} of {@code source}. */
  public ConfigProblem locate(String source, int line) {
    return new ConfigProblem(source, line, field, message);
  }

  @Override
  public String toString() {
    StringBuilder out = new StringBuilder();
    if (source != null) {
      out.append(source);
      if (line > 0) {
        out.append(':').append(line);
      }
      out.append(": ");
    } else if (line > 0) {
      out.append("line ").append(line).append(": ");
    }
    if (!field.isEmpty()) {
      out.append(field).append(": ");
    }
    return out.append(message).toString();
  }
}
