package io.gatehouse.gateway;

import java.time.Instant;
import java.util.List;

/**
 * A read-only snapshot of one backend's runtime state, for the management API and metrics.
 *
 * @param name backend name
 * @param breaker circuit-breaker state: {@code CLOSED}, {@code OPEN}, {@code HALF_OPEN} or {@code NONE}
 * @param failureRate percentage of failed calls among the breaker's recorded calls, {@code null}
 *     without a breaker
 * @param slowCallRate percentage of slow calls among the breaker's recorded calls, {@code null}
 *     without a breaker
 * @param recordedCalls calls in the breaker's window (0 without a breaker)
 * @param members the pool members
 * @param idleCloseMillis the shortest idle time after which the backend was seen to close a pooled
 *     connection itself, {@code null} until seen; the pool then retires idle connections before it
 */
public record BackendStatus(String name, String breaker, Double failureRate, Double slowCallRate, int recordedCalls,
    List<MemberStatus> members, Long idleCloseMillis) {
  public BackendStatus {
    members = List.copyOf(members);
  }

  /**
   * One member's state.
   *
   * @param url base URL
   * @param weight configured weight
   * @param priority configured priority (lower is preferred)
   * @param healthy result of active health checks (true without checks)
   * @param ejected currently ejected by outlier detection
   * @param ejectedUntil end of the current ejection, {@code null} when not ejected
   * @param outstanding requests in flight
   */
  public record MemberStatus(String url, int weight, int priority, boolean healthy, boolean ejected,
      Instant ejectedUntil, int outstanding) {}
}
