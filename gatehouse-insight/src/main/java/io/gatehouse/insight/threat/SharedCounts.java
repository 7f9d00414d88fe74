package io.gatehouse.insight.threat;

import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.CompletionStage;

/**
 * Per-identity counts that the {@link ThreatEngine}s of several nodes share (a Redis server in a
 * cluster), so that an identity-based detection (brute force, object enumeration) fires at the same
 * threshold whether the requests reach one node or are spread over many.
 */
public interface SharedCounts {
  /**
   * Adds one event at {@code time} to {@code key}'s tumbling window, atomically for every node: a
   * window starts with the first event after the last window ended and lasts {@code window}.
   * Completes with the count in the window including this event (each count is answered once,
   * cluster-wide), or exceptionally when the shared store cannot answer; the engine then counts
   * that event locally.
   */
  CompletionStage<Long> add(String key, Instant time, Duration window);

  /**
   * Adds {@code member} to {@code key}'s set of distinct members in its tumbling window (started and
   * ended as in {@link #add}), atomically for every node, keeping at most {@code max} members.
   * Completes with the number of distinct members in the window when {@code member} was new there
   * (so each number is answered once, cluster-wide), with 0 when it was already counted or the set
   * is full, or exceptionally when the shared store cannot answer; the engine then counts locally.
   */
  CompletionStage<Long> addDistinct(String key, String member, Instant time, Duration window, int max);
}
