package io.gatehouse.gateway.internal.counters;

import static java.util.Objects.requireNonNull;

import java.util.Collection;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;

/**
 * The in-memory state of stateful policies (rate-limit windows, in-flight counts) by policy
 * identity, kept by the gateway across configuration snapshots: a recompiled policy with the same
 * identity gets the same state, so a reload neither resets a window nor forgets requests in flight.
 *
 * <p>Threading: safe for concurrent use; {@link #obtain} is called while compiling, {@link #retain}
 * after a snapshot was swapped in.
 */
public final class PolicyStates {
  private final Map<String, Object> states = new ConcurrentHashMap<>();

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
