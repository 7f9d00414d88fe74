package io.gatehouse.control.internal;

import static java.util.Objects.requireNonNull;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.time.Duration;
import java.util.HexFormat;

/**
 * Counts failed authentications per client address and per presented identity (a bearer token's
 * hash prefix, a login's account name) and says how long a failing request must wait; it is asked
 * only after a credential has been checked and found wanting, so it never refuses a valid one.
 *
 * <p>Each kind of key has its own table, so a flood of made-up identities cannot push the
 * per-address counts out of memory.
 */
public final class FailedAuthentications {
  private final FailureLimiter byAddress;
  private final FailureLimiter byToken;
  private final FailureLimiter loginsByAddress;
  private final FailureLimiter loginsByAccount;

  /**
   * At most {@code perMinute} failed authentications of any kind per address and per token, and
   * at most {@code loginsPerMinute} failed logins per address and per account name, each a minute.
   */
  public FailedAuthentications(int perMinute, int loginsPerMinute, Clock clock) {
    requireNonNull(clock, "clock");
    Duration minute = Duration.ofMinutes(1);
    this.byAddress = new FailureLimiter(perMinute, minute, clock);
    this.byToken = new FailureLimiter(perMinute, minute, clock);
    this.loginsByAddress = new FailureLimiter(loginsPerMinute, minute, clock);
    this.loginsByAccount = new FailureLimiter(loginsPerMinute, minute, clock);
  }

  /**
   * Counts a request from {@code address} whose bearer token {@code token} (null when it sent
   * none or a malformed one) did not authenticate; returns the seconds it must wait (answer 429),
   * or 0 (answer 401).
   */
  public long failedToken(String address, String token) {
    long wait = count(byAddress, requireNonNull(address, "address"));
    return token == null ? wait : Math.max(wait, count(byToken, fingerprint(token)));
  }

  /**
   * Counts a failed login from {@code address} for {@code account}; returns the seconds it must
   * wait (answer 429), or 0 (answer 401).
   */
  public long failedLogin(String address, String account) {
    requireNonNull(address, "address");
    requireNonNull(account, "account");
    long wait = count(byAddress, address);
    wait = Math.max(wait, count(loginsByAddress, address));
    return Math.max(wait, count(loginsByAccount, account));
  }

  private static long count(FailureLimiter limiter, String key) {
    return limiter.record(key) ? limiter.retryAfterSeconds(key) : 0;
  }

  /** The first 64 bits of the token's SHA-256: enough to tell tokens apart, never the token. */
  private static String fingerprint(String token) {
    try {
      byte[] digest = MessageDigest.getInstance("SHA-256").digest(token.getBytes(StandardCharsets.UTF_8));
      return HexFormat.of().formatHex(digest, 0, 8);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is missing from this JVM", e);
    }
  }
}
