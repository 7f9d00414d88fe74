package io.gatehouse.control.analytics;

import static java.util.Objects.requireNonNull;

import java.time.Duration;

/**
 * How long each grain of analytics is kept: minute rows for {@code minutes}, hour rows for
 * {@code hours}, day rows for {@code days}.
 */
public record AnalyticsRetention(Duration minutes, Duration hours, Duration days) {
  /** Minutes 7 days, hours 90 days, days 2 years (730 days). */
  public static final AnalyticsRetention DEFAULT =
      new AnalyticsRetention(Duration.ofDays(7), Duration.ofDays(90), Duration.ofDays(730));

  public AnalyticsRetention {
    requireNonNull(minutes, "minutes");
    requireNonNull(hours, "hours");
    requireNonNull(days, "days");
    if (minutes.compareTo(Duration.ofHours(1)) < 0 || hours.compareTo(minutes) < 0 || days.compareTo(hours) < 0) {
      throw new IllegalArgumentException("expected minutes >= 1h <= hours <= days but got minutes=" + minutes
          + ", hours=" + hours + ", days=" + days);
    }
  }

  /**
   * Parses {@code MINUTES,HOURS,DAYS} where each is a count of days ({@code 7d} or {@code 7}),
   * such as {@code 7d,90d,730d}.
   */
  public static AnalyticsRetention parse(String text) {
    requireNonNull(text, "text");
    String[] parts = text.split(",");
    if (parts.length != 3) {
      throw new IllegalArgumentException("expected MINUTES,HOURS,DAYS retention in days such as 7d,90d,730d but got '"
          + text + "'");
    }
    Duration[] d = new Duration[3];
    for (int i = 0; i < 3; i++) {
      String p = parts[i].strip();
      if (p.endsWith("d")) {
        p = p.substring(0, p.length() - 1);
      }
      try {
        d[i] = Duration.ofDays(Long.parseLong(p));
      } catch (NumberFormatException e) {
        throw new IllegalArgumentException("expected a number of days such as 7d but got '" + parts[i] + "' in '"
            + text + "'");
      }
    }
    return new AnalyticsRetention(d[0], d[1], d[2]);
  }

  /** The retention of {@code grain}. */
  public Duration of(AnalyticsStore.Grain grain) {
    switch (grain) {
      case MINUTE: return minutes;
      case HOUR: return hours;
      default: return days;
    }
  }
}
