package io.gatehouse.gateway.internal.upstream;

/**
 * Caps retries at {@code ratio} times the requests seen in the current 10-second window, so that
 * retries can never multiply the load on a struggling backend by more than {@code 1 + ratio}.
 */
final class RetryBudget {
  private static final long WINDOW = 10_000_000_000L;
  private final double ratio;
  private long windowStart;
  private long requests;
  private long retries;

  RetryBudget(double ratio) {
    this.ratio = ratio;
    this.windowStart = System.nanoTime();
  }

  synchronized void onRequest(long now) {
    roll(now);
    requests++;
  }

  synchronized boolean tryRetry(long now) {
    roll(now);
    if (retries + 1 > ratio * requests) {
      return false;
    }
    retries++;
    return true;
  }

  private void roll(long now) {
    if (now - windowStart >= WINDOW) {
      windowStart = now;
      requests = 0;
      retries = 0;
    }
  }
}
