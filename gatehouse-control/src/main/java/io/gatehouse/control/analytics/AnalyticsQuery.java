package io.gatehouse.control.analytics;

import static java.util.Objects.requireNonNull;

import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * An analytics question: the time range {@code [from, to)} (minute precision), the dimensions to
 * group by and the dimension values to keep.
 *
 * @param from start, inclusive
 * @param to end, exclusive
 * @param groupBy names from {@link Analytics#DIMENSIONS} and {@link Analytics#TIME_DIMENSIONS},
 *     in output order; empty for one total
 * @param filters dimension name → required value
 * @param latency whether the answer needs latency percentiles; without, histograms are not read
 */
public record AnalyticsQuery(Instant from, Instant to, List<String> groupBy, Map<String, String> filters,
    boolean latency) {

  /** A query for counts, bytes and latency percentiles. */
  public AnalyticsQuery(Instant from, Instant to, List<String> groupBy, Map<String, String> filters) {
    this(from, to, groupBy, filters, true);
  }

  /** This query without latencies: counts and bytes only, answered without reading histograms. */
  public AnalyticsQuery countsOnly() {
    return new AnalyticsQuery(from, to, groupBy, filters, false);
  }

  public AnalyticsQuery {
    requireNonNull(from, "from");
    requireNonNull(to, "to");
    groupBy = List.copyOf(requireNonNull(groupBy, "groupBy"));
    filters = Map.copyOf(requireNonNull(filters, "filters"));
    if (!from.isBefore(to)) {
      throw new IllegalArgumentException("expected from before to but got from=" + from + ", to=" + to);
    }
    for (String g : groupBy) {
      if (!Analytics.DIMENSIONS.contains(g) && !Analytics.TIME_DIMENSIONS.contains(g)) {
        throw new IllegalArgumentException("unknown groupBy '" + g + "'; expected some of " + Analytics.DIMENSIONS
            + " or one of " + Analytics.TIME_DIMENSIONS);
      }
    }
    for (String f : filters.keySet()) {
      if (!Analytics.DIMENSIONS.contains(f)) {
        throw new IllegalArgumentException("unknown filter '" + f + "'; expected one of " + Analytics.DIMENSIONS);
      }
    }
  }
}
