package io.gatehouse.insight.sensitive;

import static java.util.Objects.requireNonNull;

/**
 * One sensitive value found in a text: its type and its position ({@code start} inclusive,
 * {@code end} exclusive).
 */
public record SensitiveMatch(SensitiveType type, int start, int end) {
  public SensitiveMatch {
    requireNonNull(type, "type");
    if (start < 0 || end < start) {
      throw new IllegalArgumentException("expected 0 <= start <= end but got " + start + ".." + end);
    }
  }
}
