package io.gatehouse.gateway.internal.upstream;

import io.gatehouse.model.BackendDef;

/**
 * A count-based circuit breaker: closed while the failure and slow-call rates of the last
 * {@code window} calls stay below their thresholds, open (refusing every call) for {@code
 * openDuration}, then half-open letting {@code halfOpenCalls} probes through; all probes
 * succeeding closes it, any probe failing opens it again. Thread-safe; never blocks beyond a short
 * monitor.
 */
public final class Breaker {
  /** The breaker states. */
  public enum State { CLOSED, OPEN, HALF_OPEN }

  private final BackendDef.CircuitBreaker def;
  private final long slowNanos;
  private final byte[] ring;
  private int next;
  private int calls;
  private int failures;
  private int slow;
  private State state = State.CLOSED;
  private long openUntil;
  private int permits;
  private int probeSuccesses;

  Breaker(BackendDef.CircuitBreaker def) {
    this.def = def;
    this.slowNanos = def.slowCallDuration().toNanos();
    this.ring = new byte[def.window()];
  }

  /** Whether a call may go ahead now; a {@code true} must be followed by {@link #onResult} or {@link #release}. */
  public synchronized boolean tryAcquire(long now) {
    if (state == State.OPEN) {
      if (now - openUntil < 0) {
        return false;
      }
      state = State.HALF_OPEN;
      permits = def.halfOpenCalls();
      probeSuccesses = 0;
    }
    if (state == State.HALF_OPEN) {
      if (permits <= 0) {
        return false;
      }
      permits--;
    }
    return true;
  }

  /** Gives back a permit whose call ended without a verdict (for example the client went away). */
  public synchronized void release() {
    if (state == State.HALF_OPEN) {
      permits++;
    }
  }

  /** Records the outcome of a permitted call that took {@code nanos}. */
  public synchronized void onResult(boolean failure, long nanos, long now) {
    boolean isSlow = nanos >= slowNanos;
    if (state == State.HALF_OPEN) {
      if (failure || isSlow) {
        open(now);
      } else if (++probeSuccesses >= def.halfOpenCalls()) {
        reset();
      }
      return;
    }
    if (state == State.OPEN) {
      return;
    }
    byte old = ring[next];
    if (old != 0) {
      calls--;
      failures -= old & 1;
      slow -= (old >> 1) & 1;
    }
    byte b = (byte) (4 | (failure ? 1 : 0) | (isSlow ? 2 : 0));
    ring[next] = b;
    next = (next + 1) % ring.length;
    calls++;
    failures += failure ? 1 : 0;
    slow += isSlow ? 1 : 0;
    if (calls >= def.minimumCalls()
        && (failures * 100L >= (long) def.failureRateThreshold() * calls
            || slow * 100L >= (long) def.slowCallRateThreshold() * calls)) {
      open(now);
    }
  }

  private void open(long now) {
    state = State.OPEN;
    openUntil = now + def.openDuration().toNanos();
    permits = 0;
  }

  private void reset() {
    state = State.CLOSED;
    java.util.Arrays.fill(ring, (byte) 0);
    next = 0;
    calls = 0;
    failures = 0;
    slow = 0;
  }

  /** The current state (an open breaker whose time is up still reads OPEN until the next call). */
  public synchronized State state() {
    return state;
  }

  /** The recorded calls, failures and slow calls of the current window, as {@code [calls, failures, slow]}. */
  public synchronized int[] counts() {
    return new int[] {calls, failures, slow};
  }

  /** Milliseconds until an open breaker lets probes through; 0 when not open. */
  public synchronized long retryAfterMillis(long now) {
    return state == State.OPEN ? Math.max(0, (openUntil - now) / 1_000_000L) : 0;
  }
}
