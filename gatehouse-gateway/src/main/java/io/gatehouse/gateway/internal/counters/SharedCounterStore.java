package io.gatehouse.gateway.internal.counters;

import java.util.concurrent.CompletionStage;

/**
 * Counters shared by every gateway node of a cluster (rate-limit windows, quotas, concurrency
 * leases), each check one atomic round trip to the shared server; when the server cannot be
 * reached, {@link #available()} turns false and policies decide by their {@code on-store-failure}.
 *
 * <p>Unlike {@link CounterStore}, which answers from memory, every check here is I/O: methods
 * return at once and complete their stage on an I/O thread (callers hop back to their own thread).
 * A stage fails when the server is unreachable or too slow. Thread-safe.
 */
public interface SharedCounterStore extends AutoCloseable {

  /** Whether the server answered the latest command or heartbeat; false skips it until it does again. */
  boolean available();

  /**
   * How many gateway nodes were heartbeating into the server when it last answered (1 before the
   * first answer): the divisor of per-node limits while the server is unreachable.
   */
  int liveNodes();

  /**
   * Counts one call in the fixed window of {@code periodMillis} (aligned on the server's clock)
   * of {@code key} unless {@code limit} calls were already counted; completes with {count, or -1
   * when refused; milliseconds until the window ends}.
   */
  CompletionStage<long[]> window(String key, long periodMillis, long limit);

  /**
   * Checks a quota window {@code [start, end)} of {@code key}: refused with -2 when its bytes
   * reached {@code bandwidth} (0: no byte limit), with -1 when its calls reached {@code calls}
   * (0: no call limit), otherwise counts one call and completes with the new count (0 without a
   * call limit).
   */
  CompletionStage<Long> quota(String key, long start, long end, long calls, long bandwidth);

  /** Adds {@code bytes} to the bytes of quota window {@code [start, end)} of {@code key}, in the background. */
  void addBytes(String key, long start, long end, long bytes);

  /**
   * Takes a lease among at most {@code max} on {@code key}; completes with the lease, or
   * {@code null} when {@code max} are held. A lease expires unless its node renews it, so the
   * leases of a node that died free themselves.
   */
  CompletionStage<Lease> acquire(String key, int max);

  /** A held concurrency lease; {@link #release()} returns it (once; later calls do nothing). */
  interface Lease {
    /** Returns the lease, in the background. */
    void release();
  }

  /** Counts a decision taken without the server ({@code open}: by the per-node local limit; else refused). */
  void countFallback(boolean open);

  /** Commands and heartbeats that failed (unreachable, timed out, refused), since start. */
  long failures();

  /** Decisions taken without the server since start, by the local limit ({@code open}) or refused. */
  long fallbackDecisions(boolean open);

  @Override
  void close();
}
