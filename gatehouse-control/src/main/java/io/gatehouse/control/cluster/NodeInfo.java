package io.gatehouse.control.cluster;

import java.time.Instant;

/**
 * One node of the cluster as {@code GET /api/v1/nodes} lists it.
 *
 * @param id the node's id (the common name of its client certificate for gateway nodes)
 * @param role {@code control} or {@code gateway}
 * @param address the address the node reported (its gateway listener, or its management listener)
 * @param revision the configuration revision it serves (0 before the first)
 * @param version the Gatehouse version it runs
 * @param enrolledAt when it enrolled (or first started, for a control node)
 * @param lastHeartbeat its last heartbeat, nullable before the first
 * @param revokedAt when it was revoked, nullable while it is not
 * @param backends the backend status (as {@code GET /api/v1/backend-status} items) the node reported
 *     with its last heartbeat, nullable before the first (and for control nodes)
 */
public record NodeInfo(String id, String role, String address, long revision, String version, Instant enrolledAt,
    Instant lastHeartbeat, Instant revokedAt, com.fasterxml.jackson.databind.JsonNode backends) {

  /** A node without reported backend status. */
  public NodeInfo(String id, String role, String address, long revision, String version, Instant enrolledAt,
      Instant lastHeartbeat, Instant revokedAt) {
    this(id, role, address, revision, version, enrolledAt, lastHeartbeat, revokedAt, null);
  }
}
