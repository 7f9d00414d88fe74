package io.gatehouse.gateway.internal.jwt;

import static java.util.Objects.requireNonNull;

import java.util.Map;

/**
 * The outcome of one token validation: either the verified claims, or an RFC 6750 error code plus
 * an internal reason that is for logs only and must never reach the HTTP client.
 *
 * @param valid whether the token passed every check
 * @param subject the {@code sub} claim of a valid token, or null
 * @param claims the verified claims of a valid token (deeply immutable), empty on failure
 * @param errorCode the RFC 6750 error code of a failure ({@code invalid_token}), or null
 * @param reason why validation failed, for logs only, or null
 */
public record JwtResult(
    boolean valid, String subject, Map<String, Object> claims, String errorCode, String reason) {

  /** The RFC 6750 error code of every refused token. */
  public static final String INVALID_TOKEN = "invalid_token";

  /** Freezes the claims. */
  public JwtResult {
    requireNonNull(claims, "claims");
  }

  /** Returns a success carrying already-immutable claims. */
  static JwtResult success(String subject, Map<String, Object> claims) {
    return new JwtResult(true, subject, claims, null, null);
  }

  /** Returns a failure with error code {@code invalid_token} and an internal reason. */
  static JwtResult failure(String reason) {
    return new JwtResult(false, null, Map.of(), INVALID_TOKEN, requireNonNull(reason, "reason"));
  }
}
