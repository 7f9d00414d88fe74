package io.gatehouse.gateway;

import java.util.List;

/**
 * A read-only snapshot of one backend's runtime state, for the management API.
 *
 * @param name backend name
 * @param breaker circuit-breaker state: {@code CLOSED}, {@code OPEN}, {@code HALF_OPEN} or {@code NONE}
 * @param members the pool members
 */
public record BackendStatus(String name, String breaker, List<MemberStatus> members) {
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
   * @param outstanding requests in flight
   */
  public record MemberStatus(String url, int weight, int priority, boolean healthy, boolean ejected,
      int outstanding) {}
}
