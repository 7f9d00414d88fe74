package io.gatehouse.control.security;

import java.time.Instant;

/**
 * One entry of the audit log as stored: what was done, by whom, from where, with which result,
 * and its link in the hash chain.
 *
 * @param seq position in the log, from 1, without gaps
 * @param time when it was recorded (millisecond precision)
 * @param actor the principal's name ({@code anonymous} when unauthenticated)
 * @param roles the principal's roles, comma-separated
 * @param sourceIp the client address
 * @param action what was attempted, for example {@code postApis} or {@code login}
 * @param entity what it applied to, for example {@code apis/orders}, or empty
 * @param before the entity before, as JSON with secrets redacted, or {@code null}
 * @param after the entity after, as JSON with secrets redacted, or {@code null}
 * @param result {@code success}, {@code denied} or {@code failed <status>}
 * @param requestId the request id of the call
 * @param prevHash the previous record's hash ({@link AuditLog#GENESIS} for the first)
 * @param hash SHA-256 hex of {@code prevHash}, a newline and the canonical JSON of the fields above
 */
public record AuditRecord(
    long seq,
    Instant time,
    String actor,
    String roles,
    String sourceIp,
    String action,
    String entity,
    String before,
    String after,
    String result,
    String requestId,
    String prevHash,
    String hash) {}
