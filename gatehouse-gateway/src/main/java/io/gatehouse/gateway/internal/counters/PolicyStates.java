package io.gatehouse.gateway.internal.counters;

import static java.util.Objects.requireNonNull;

import io.gatehouse.gateway.PolicyClocks;
import java.util.Collection;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;
import java.util.function.Supplier;

/**
 * The in-memory state of stateful policies (rate-limit windows, in-flight counts) by policy
 * identity, kept by the gateway across configuration snapshots: a recompiled policy with the same
 * identity gets the same state, so a reload neither resets a window nor forgets requests in flight.
 * It also carries the clocks those policies read (monotonic for rate limits, wall for quotas).
 *
 * <p>Threading: safe for concurrent use; {@link #obtain} is called while compiling, {@link #retain}
 * after a snapshot was swapped in.
 */
public final class PolicyStates {
  private final Map<String, Object> states = new ConcurrentHashMap<>();
  private final LongSupplier wallMillis;
  private final LongSupplier monotonicMillis;
  private final AtomicLong latestWall = new AtomicLong(Long.MIN_VALUE);
  private final SharedCounterStore shared;

  /** States on the system clocks. */
  public PolicyStates() {
    this(PolicyClocks.system());
  }

  /** States whose policies read {@code clocks}. */
  public PolicyStates(PolicyClocks clocks) {
    this(clocks, null);
  }

  /**
   * States whose policies read {@code clocks} and count in {@code shared} (nullable: each node
   * counts alone), the counters of a cluster.
   */
  public PolicyStates(PolicyClocks clocks, SharedCounterStore shared) {
    requireNonNull(clocks, "clocks");
    this.shared = shared;
    this.wallMillis = clocks.wallMillis();
    this.monotonicMillis = clocks.monotonicMillis();
  }

  /** The counters shared by the cluster's nodes, or {@code null} when this node counts alone. */
  public SharedCounterStore shared() {
    return shared;
  }

  /** Milliseconds on the monotonic clock, for windows that a wall-clock step must not move (rate limits). */
  public long monotonicMillis() {
    return monotonicMillis.getAsLong();
  }

  /**
   * Wall time (epoch milliseconds) that never goes back within this gateway's lifetime: after a
   * backward step of the wall clock it stays at the latest instant read until the wall clock passes
   * it again, so calendar periods (quotas) already counted in are never left for an earlier one.
   */
  public long wallMillisNeverBack() {
    long now = wallMillis.getAsLong();
    return latestWall.accumulateAndGet(now, Math::max);
  }

  /**
   * The state of {@code identity}, created with {@code create} when there is none or the one kept
   * is not a {@code type}.
   */
  public <T> T obtain(String identity, Class<T> type, Supplier<T> create) {
    requireNonNull(identity, "identity");
    requireNonNull(type, "type");
    requireNonNull(create, "create");
    Object state = states.compute(identity, (id, old) -> type.isInstance(old) ? old : requireNonNull(create.get(), "state"));
    return type.cast(state);
  }

  /** Forgets the state of every identity not in {@code identities} (policies no longer configured). */
  public void retain(Collection<String> identities) {
    states.keySet().retainAll(identities);
  }

  /** How many identities hold state. */
  public int size() {
    return states.size();
  }
}
