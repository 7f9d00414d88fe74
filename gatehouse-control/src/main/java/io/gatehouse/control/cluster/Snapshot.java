package io.gatehouse.control.cluster;

import static java.util.Objects.requireNonNull;

import io.gatehouse.control.certificates.CertificateMaterial;
import io.gatehouse.model.GatewayConfig;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * One configuration snapshot as a gateway node serves it, once its control plane's signature has
 * been checked: the revision, the resolved configuration (secrets included) and the key of the
 * subscription-key hashes, the uploaded certificates, the blocked clients and the live debug sessions.
 *
 * @param revision the configuration revision it was made from
 * @param etag the SHA-256 of the signed payload (URL-safe Base64): two snapshots with one etag are identical
 * @param config the resolved configuration
 * @param keyHashingKey the 32-byte key of keyed subscription-key hashes
 * @param certificates the uploaded certificates (SNI server certificates and backend client
 *     certificates with their private keys, CA bundles), by name; their {@code toString} hides the keys
 * @param blocks the blocked clients ({@code ip:ADDRESS} or {@code subscription:NAME}) and when each block ends
 * @param debugSessions the live debug sessions, each known by its token's hash only
 */
public record Snapshot(long revision, String etag, GatewayConfig config, byte[] keyHashingKey,
    List<CertificateMaterial> certificates, Map<String, Instant> blocks,
    List<io.gatehouse.control.debugging.DebugSessionTable.Session> debugSessions) {
  public Snapshot {
    requireNonNull(etag, "etag");
    requireNonNull(config, "config");
    requireNonNull(keyHashingKey, "keyHashingKey");
    certificates = List.copyOf(certificates);
    blocks = Map.copyOf(blocks);
    debugSessions = List.copyOf(debugSessions);
  }

  @Override
  public String toString() {
    return "Snapshot[revision=" + revision + ", etag=" + etag + ", certificates=" + certificates + ", blocks="
        + blocks.size() + ", debugSessions=" + debugSessions.size() + "]";
  }
}
