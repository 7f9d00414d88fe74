package io.gatehouse.control;

import static java.util.Objects.requireNonNull;

import io.gatehouse.control.security.OidcSettings;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * How the management listener binds and authenticates: address, optional TLS, client allowlist,
 * OIDC, and the limits on failed authentication; build with {@link #builder()}.
 *
 * @param host bind address
 * @param port port (0 picks a free one)
 * @param tlsCert PEM certificate chain, or {@code null} for plain HTTP
 * @param tlsKey PEM private key matching {@code tlsCert}
 * @param allowlist client networks allowed to connect (CIDR or single addresses); empty allows all
 * @param oidc OIDC bearer JWT settings, or {@code null} when off
 * @param authFailuresPerMinute failed authentications of any kind per client address, and per bearer token,
 *     per minute before further failures get 429 (a valid credential is never refused)
 * @param loginFailuresPerMinute failed logins per client address, and per account name, per minute before
 *     further failures get 429 (a right password is never refused; only the account lockout stops it)
 * @param maxLoginFailures consecutive wrong passwords that lock an account
 * @param lockout how long an account stays locked
 * @param sessionTtl lifetime of a session token from {@code POST /api/v1/login}
 * @param clock the time source (tests pass a fixed one)
 */
public record ManagementOptions(String host, int port, Path tlsCert, Path tlsKey, List<String> allowlist,
    OidcSettings oidc, int authFailuresPerMinute, int loginFailuresPerMinute, int maxLoginFailures, Duration lockout,
    Duration sessionTtl, Clock clock) {

  /** Checks and copies. */
  public ManagementOptions {
    requireNonNull(host, "host");
    if (port < 0 || port > 65535) {
      throw new IllegalArgumentException("expected a port from 0 to 65535 but got " + port);
    }
    if ((tlsCert == null) != (tlsKey == null)) {
      throw new IllegalArgumentException("expected both a TLS certificate and key or neither but got cert=" + tlsCert
          + ", key=" + tlsKey);
    }
    allowlist = List.copyOf(allowlist);
    requireNonNull(lockout, "lockout");
    requireNonNull(sessionTtl, "sessionTtl");
    requireNonNull(clock, "clock");
  }

  /** A builder starting from loopback:8001, no TLS, no OIDC, 20 failures/min, 10 failed logins/min, lock 5 for 15 min, 15-minute sessions. */
  public static Builder builder() {
    return new Builder();
  }

  /** Builds {@link ManagementOptions}. */
  public static final class Builder {
    private String host = ManagementServer.DEFAULT_HOST;
    private int port = ManagementServer.DEFAULT_PORT;
    private Path tlsCert;
    private Path tlsKey;
    private final List<String> allowlist = new ArrayList<>();
    private OidcSettings oidc;
    private int authFailuresPerMinute = 20;
    private int loginFailuresPerMinute = 10;
    private int maxLoginFailures = 5;
    private Duration lockout = Duration.ofMinutes(15);
    private Duration sessionTtl = Duration.ofMinutes(15);
    private Clock clock = Clock.systemUTC();

    private Builder() {}

    /** Sets the bind address and port. */
    public Builder listen(String host, int port) {
      this.host = host;
      this.port = port;
      return this;
    }

    /** Serves HTTPS with a PEM certificate chain and key. */
    public Builder tls(Path cert, Path key) {
      this.tlsCert = cert;
      this.tlsKey = key;
      return this;
    }

    /** Adds client networks allowed to connect. */
    public Builder allow(List<String> networks) {
      allowlist.addAll(networks);
      return this;
    }

    /** Accepts OIDC bearer JWTs. */
    public Builder oidc(OidcSettings settings) {
      this.oidc = settings;
      return this;
    }

    /** Sets the limits on failed authentications and failed logins, per minute (see the record's parameters). */
    public Builder limits(int authFailuresPerMinute, int loginFailuresPerMinute) {
      this.authFailuresPerMinute = authFailuresPerMinute;
      this.loginFailuresPerMinute = loginFailuresPerMinute;
      return this;
    }

    /** Locks an account for {@code lockout} after {@code failures} consecutive wrong passwords. */
    public Builder lockout(int failures, Duration lockout) {
      this.maxLoginFailures = failures;
      this.lockout = lockout;
      return this;
    }

    /** Sets the session token lifetime. */
    public Builder sessionTtl(Duration ttl) {
      this.sessionTtl = ttl;
      return this;
    }

    /** Sets the time source. */
    public Builder clock(Clock clock) {
      this.clock = clock;
      return this;
    }

    /** The options. */
    public ManagementOptions build() {
      return new ManagementOptions(host, port, tlsCert, tlsKey, allowlist, oidc, authFailuresPerMinute,
          loginFailuresPerMinute, maxLoginFailures, lockout, sessionTtl, clock);
    }
  }
}
