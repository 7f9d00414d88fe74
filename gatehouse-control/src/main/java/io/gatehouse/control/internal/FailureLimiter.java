package io.gatehouse.control.internal;

import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Counts events per client in fixed windows and says when a client is over its limit; memory is
 * bounded by forgetting every client when more than {@code maxClients} are tracked.
 */
public final class FailureLimiter {
  private final int limit;
  private final long windowMillis;
  private final Clock clock;
  private final int maxClients;
  private final ConcurrentHashMap<String, long[]> windows = new ConcurrentHashMap<>();

  /** At most {@code limit} events per {@code window} per client. */
  public FailureLimiter(int limit, Duration window, Clock clock) {
    if (limit < 1) {
      throw new IllegalArgumentException("expected a limit of at least 1 but got " + limit);
    }
    this.limit = limit;
    this.windowMillis = window.toMillis();
    this.clock = clock;
    this.maxClients = 100_000;
  }

  /** Counts one event for {@code client}; returns whether it is now over the limit. */
  public boolean record(String client) {
    if (windows.size() > maxClients) {
      windows.clear();
    }
    long now = clock.millis();
    long[] w = windows.compute(client, (k, old) -> {
      if (old == null || now - old[0] >= windowMillis) {
        return new long[] {now, 1};
      }
      old[1]++;
      return old;
    });
    return w[1] > limit;
  }

  /** Seconds until {@code client}'s window ends (at least 1). */
  public long retryAfterSeconds(String client) {
    long[] w = windows.get(client);
    long left = w == null ? 0 : windowMillis - (clock.millis() - w[0]);
    return Math.max(1, (left + 999) / 1000);
  }
}
