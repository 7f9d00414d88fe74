package io.gatehouse.gateway.internal.http1;

import static java.util.Objects.requireNonNull;

import java.util.Collections;
import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.atomic.LongAdder;

/**
 * Thread-safe counts of requests rejected by {@link StrictHttp1Validator}, one count per
 * {@link Http1Violation}; share one instance between all connections of a listener.
 */
public final class Http1RejectionCounters {
  private final LongAdder[] counts = new LongAdder[Http1Violation.values().length];

  public Http1RejectionCounters() {
    for (int i = 0; i < counts.length; i++) {
      counts[i] = new LongAdder();
    }
  }

  void increment(Http1Violation violation) {
    counts[violation.ordinal()].increment();
  }

  /** The number of requests rejected for {@code violation} so far. */
  public long count(Http1Violation violation) {
    return counts[requireNonNull(violation, "violation").ordinal()].sum();
  }

  /** A snapshot of all non-zero counts. */
  public Map<Http1Violation, Long> snapshot() {
    EnumMap<Http1Violation, Long> map = new EnumMap<>(Http1Violation.class);
    for (Http1Violation v : Http1Violation.values()) {
      long n = counts[v.ordinal()].sum();
      if (n != 0) {
        map.put(v, n);
      }
    }
    return Collections.unmodifiableMap(map);
  }
}
