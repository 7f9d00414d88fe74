package io.gatehouse.control;

import static java.util.Objects.requireNonNull;

import io.gatehouse.model.GatewayConfig;

/**
 * One stored version of the whole desired state: its metadata and its normalized configuration.
 *
 * @param info number, time, author, message and source
 * @param config the normalized configuration (subscription keys only as hashes)
 */
public record Revision(RevisionInfo info, GatewayConfig config) {
  public Revision {
    requireNonNull(info, "info");
    requireNonNull(config, "config");
  }

  /** The revision number; 0 for the empty configuration before any commit. */
  public long id() {
    return info.id();
  }
}
