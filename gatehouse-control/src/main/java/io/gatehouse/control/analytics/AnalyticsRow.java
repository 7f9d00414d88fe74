package io.gatehouse.control.analytics;

import java.util.Map;

/**
 * One group of an analytics answer: its dimension values (in {@code groupBy} order; time
 * dimensions as ISO-8601 bucket starts) and the merged totals.
 */
public record AnalyticsRow(Map<String, String> group, Aggregate totals) {

  /** Errors divided by requests, 0 without requests. */
  public double errorRate() {
    return totals.requests() == 0 ? 0 : (double) totals.errors() / totals.requests();
  }

  /** The latency at {@code percentile} (0–100) in milliseconds, 0 without requests. */
  public double latencyMillis(double percentile) {
    return totals.latency().getTotalCount() == 0 ? 0 : totals.latency().getValueAtPercentile(percentile) / 1000.0;
  }
}
