package io.gatehouse.control.cluster;

import java.time.Instant;

/**
 * A new enrolment token, shown once: single use, expiring, and carrying the node CA's SHA-256
 * fingerprint so that the node can check, before it sends anything, that it talks to this
 * control plane.
 *
 * @param id the token's id (not secret: it names the token in the audit log)
 * @param token the whole token for {@code --enrol-token}
 * @param expiresAt when it stops being accepted
 * @param caFingerprint the node CA fingerprint the token carries
 */
public record EnrolmentToken(String id, String token, Instant expiresAt, String caFingerprint) {}
