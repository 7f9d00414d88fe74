package io.gatehouse.control.cluster;

import static java.util.Objects.requireNonNull;

import io.gatehouse.model.GatewayConfig;

/**
 * One configuration snapshot as a gateway node serves it, once its control plane's signature has
 * been checked: the revision, the resolved configuration (secrets included) and the key of the
 * subscription-key hashes.
 *
 * @param revision the configuration revision it was made from
 * @param etag the SHA-256 of the signed payload (URL-safe Base64): two snapshots with one etag are identical
 * @param config the resolved configuration
 * @param keyHashingKey the 32-byte key of keyed subscription-key hashes
 */
public record Snapshot(long revision, String etag, GatewayConfig config, byte[] keyHashingKey) {
  public Snapshot {
    requireNonNull(etag, "etag");
    requireNonNull(config, "config");
    requireNonNull(keyHashingKey, "keyHashingKey");
  }
}
