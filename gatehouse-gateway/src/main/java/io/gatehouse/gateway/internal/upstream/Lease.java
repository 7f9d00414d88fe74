package io.gatehouse.gateway.internal.upstream;

/**
 * One try's hold on a backend, from {@link Upstream#acquire}: the circuit breaker's permission and
 * the member the {@link LoadBalancer} chose, ended exactly once with a verdict ({@link #done}) or
 * without one ({@link #abandon}); later ends are ignored. A refused lease ({@link #refusal()} not
 * {@code null}) holds nothing.
 *
 * <p>Threading: ended from the request's event loop; the upstream and breaker synchronize.
 */
public final class Lease {
  /** The refusal when the circuit breaker is open. */
  public static final String CIRCUIT_OPEN = "backend-circuit-open";
  /** The refusal when no member is healthy and not ejected. */
  public static final String NO_MEMBER = "backend-unavailable";

  private final Upstream upstream;
  private final Breaker breaker;
  private final Member member;
  private final long startNanos;
  private final String refusal;
  private boolean ended;

  Lease(Upstream upstream, Breaker breaker, Member member, long startNanos, String refusal) {
    this.upstream = upstream;
    this.breaker = breaker;
    this.member = member;
    this.startNanos = startNanos;
    this.refusal = refusal;
    this.ended = refusal != null;
  }

  /** {@link #CIRCUIT_OPEN}, {@link #NO_MEMBER}, or {@code null} when the try may go ahead. */
  public String refusal() {
    return refusal;
  }

  /** The chosen member; {@code null} when refused. */
  public Member member() {
    return member;
  }

  /**
   * Ends the try with its verdict: {@code failure} is a connection error, timeout or 5xx answer;
   * feeds outlier detection and the breaker (with the time since {@link Upstream#acquire}).
   */
  public void done(boolean failure, long now) {
    if (ended) {
      return;
    }
    ended = true;
    upstream.done(member, failure, now);
    if (breaker != null) {
      breaker.onResult(failure, now - startNanos, now);
    }
  }

  /**
   * Ends the try without a verdict (the client left, the credentials or the outbound guard failed,
   * the backend closed an idle pooled connection under the request): neither the member nor the
   * breaker counts it.
   */
  public void abandon() {
    if (ended) {
      return;
    }
    ended = true;
    upstream.abandon(member);
    if (breaker != null) {
      breaker.release();
    }
  }
}
