package io.gatehouse.gateway.internal.counters;

/**
 * Counters per key and time window that policies (quotas) increment on the request path: every
 * call answers from memory; implementations may persist counts in the background so that they
 * survive a restart.
 *
 * <p>A window is identified by its start (epoch milliseconds); its end tells the store when the
 * count may be forgotten. Threading: safe for concurrent use from any thread; no method blocks on
 * I/O.
 */
public interface CounterStore extends AutoCloseable {

  /**
   * Adds {@code delta} to the count of {@code key} in the window {@code [start, end)} unless the
   * result would exceed {@code limit}; returns the new count, or {@code -1} when refused (nothing
   * is added then).
   */
  long addIfWithin(String key, long start, long end, long delta, long limit);

  /** Adds {@code delta} to the count of {@code key} in the window {@code [start, end)}; returns the new count. */
  long add(String key, long start, long end, long delta);

  /** The count of {@code key} in the window starting at {@code start}; 0 when there is none. */
  long get(String key, long start);

  /** Writes pending counts (if the store persists) and releases resources. */
  @Override
  void close();

  /** A store that keeps counts in memory only; they are lost when the process ends. */
  static CounterStore inMemory() {
    return new LocalCounterStore(null, 0);
  }
}
