package io.gatehouse.insight.threat;

import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.CompletionStage;

/**
 * Per-identity counts that the {@link ThreatEngine}s of several nodes share (a Redis server in a
 * cluster), so that an identity-based detection (brute force) fires at the same threshold whether
 * the failures reach one node or are spread over many.
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
}
