package io.gatehouse.gateway;

/**
 * The gateway's readiness, the one state every readiness probe reports: starting (not ready),
 * serving (ready) and draining (not ready again); it only moves forward. Thread-safe.
 */
final class Readiness {
  private enum State { STARTING, SERVING, DRAINING }

  private volatile State state = State.STARTING;

  /** Starting becomes serving; a no-op when serving or draining. */
  synchronized void serving() {
    if (state == State.STARTING) {
      state = State.SERVING;
    }
  }

  /** Any state becomes draining. */
  synchronized void draining() {
    state = State.DRAINING;
  }

  /** Whether the probes answer 200. */
  boolean ready() {
    return state == State.SERVING;
  }
}
