package io.gatehouse.server.internal;

import java.time.Duration;
import java.util.Locale;
import picocli.CommandLine;

/**
 * Reads a command-line duration written as {@code 500ms}, {@code 90s}, {@code 10m}, {@code 1h} or
 * {@code 1h30m}, or in ISO-8601 ({@code PT10S}); refuses negative values.
 */
public final class DurationConverter implements CommandLine.ITypeConverter<Duration> {

  @Override
  public Duration convert(String value) {
    return parse(value);
  }

  /**
   * The duration {@code text} names.
   *
   * @throws IllegalArgumentException naming the text and the accepted forms
   */
  static Duration parse(String text) {
    String t = text.strip().toUpperCase(Locale.ROOT);
    try {
      Duration d;
      if (t.startsWith("PT") || t.startsWith("P")) {
        d = Duration.parse(t);
      } else if (t.endsWith("MS") && t.length() > 2) {
        d = Duration.ofMillis(Long.parseLong(t.substring(0, t.length() - 2)));
      } else {
        d = Duration.parse("PT" + t);
      }
      if (d.isNegative()) {
        throw new IllegalArgumentException("expected a duration of zero or more but got '" + text + "'");
      }
      return d;
    } catch (java.time.format.DateTimeParseException | NumberFormatException e) {
      throw new IllegalArgumentException("expected a duration such as 500ms, 90s, 10m or 1h30m but got '" + text + "'", e);
    }
  }
}
