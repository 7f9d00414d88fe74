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
 * @param column 1-based column in the source, or 0 when unknown
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record ConfigProblem(String source, int line, String field, String message,
    @JsonInclude(JsonInclude.Include.NON_DEFAULT) int column) {
  public ConfigProblem {
    requireNonNull(field, "field");
    requireNonNull(message, "message");
  }

  /** A problem at {@code line} (column unknown). */
  public ConfigProblem(String source, int line, String field, String message) {
    this(source, line, field, message, 0);
  }

  /** A problem at {@code field}, not yet located in a source. */
  public static ConfigProblem at(String field, String message) {
    return new ConfigProblem(null, 0, field, message);
  }

  /** Returns this problem located at {@code line} of {@code source}. */
  public ConfigProblem locate(String source, int line) {
    return new ConfigProblem(source, line, field, message, line == this.line ? column : 0);
  }

  @Override
  public String toString() {
    StringBuilder out = new StringBuilder();
    if (source != null) {
      out.append(source);
      if (line > 0) {
        out.append(':').append(line);
        if (column > 0) {
          out.append(':').append(column);
        }
      }
      out.append(": ");
    } else if (line > 0) {
      out.append("line ").append(line);
      if (column > 0) {
        out.append(", column ").append(column);
      }
      out.append(": ");
    }
    if (!field.isEmpty()) {
      out.append(field).append(": ");
    }
    return out.append(message).toString();
  }
}
