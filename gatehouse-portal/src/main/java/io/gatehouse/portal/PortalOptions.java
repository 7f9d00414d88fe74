package io.gatehouse.portal;

import static java.util.Objects.requireNonNull;

import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;

/**
 * How the developer portal listens and behaves.
 *
 * @param host bind address
 * @param port port (0 picks a free one)
 * @param tlsCert PEM certificate chain for HTTPS, nullable for plain HTTP (then {@code tlsKey} too)
 * @param tlsKey PEM private key of {@code tlsCert}, nullable
 * @param publicUrl the portal's URL as browsers reach it (its origin is the only one state-changing
 *     requests may come from and the one the gateway answers CORS for), nullable to trust the
 *     request's {@code Host}
 * @param gatewayUrl the gateway's URL as browsers reach it, for the API reference and Try it; nullable
 * @param smtpUrl {@code smtp://[user:password@]host[:port]} or {@code smtps://...} for verification
 *     and password-reset mail; nullable: no mail, emails count as verified at sign-up
 * @param mailFrom the sender address of portal mail
 * @param verifyEmail whether sign-up needs email verification (off for {@code --demo}; ignored without SMTP)
 * @param approveDevelopers whether new developers wait for an operator's approval before signing in
 * @param sessionIdle a session ends after this long without a request
 * @param sessionAbsolute a session ends this long after sign-in, whatever its use
 * @param linkLifetime how long verification and password-reset links work
 * @param oidc OIDC sign-in for developers beside email and password; nullable for none
 */
public record PortalOptions(String host, int port, Path tlsCert, Path tlsKey, String publicUrl, String gatewayUrl,
    URI smtpUrl, String mailFrom, boolean verifyEmail, boolean approveDevelopers, Duration sessionIdle,
    Duration sessionAbsolute, Duration linkLifetime, PortalOidc oidc) {
  /** The default port. */
  public static final int DEFAULT_PORT = 8002;
  /** The default bind address: every interface (the portal is for the API consumers' developers). */
  public static final String DEFAULT_HOST = "0.0.0.0";

  public PortalOptions {
    requireNonNull(host, "host");
    if (port < 0 || port > 65535) {
      throw new IllegalArgumentException("expected a port in 0..65535 but got " + port);
    }
    if ((tlsCert == null) != (tlsKey == null)) {
      throw new IllegalArgumentException("expected both a TLS certificate and key, or neither");
    }
    if (smtpUrl != null && !("smtp".equals(smtpUrl.getScheme()) || "smtps".equals(smtpUrl.getScheme()))) {
      throw new IllegalArgumentException("expected an smtp:// or smtps:// URL but got '" + smtpUrl + "'");
    }
    if (publicUrl != null) {
      URI u = URI.create(publicUrl);
      if (u.getScheme() == null || u.getHost() == null) {
        throw new IllegalArgumentException("expected an absolute http(s) URL for the portal but got '" + publicUrl + "'");
      }
    }
    mailFrom = mailFrom == null ? "gatehouse-portal@localhost" : mailFrom;
    sessionIdle = sessionIdle == null ? Duration.ofMinutes(30) : sessionIdle;
    sessionAbsolute = sessionAbsolute == null ? Duration.ofHours(12) : sessionAbsolute;
    linkLifetime = linkLifetime == null ? Duration.ofHours(1) : linkLifetime;
  }

  /** Plain HTTP on {@code host}:{@code port}, no mail, verification on (moot without mail), no developer approval. */
  public static PortalOptions listen(String host, int port) {
    return new PortalOptions(host, port, null, null, null, null, null, null, true, false, null, null, null, null);
  }

  /** These options with HTTPS from a PEM chain and key. */
  public PortalOptions withTls(Path cert, Path key) {
    return new PortalOptions(host, port, cert, key, publicUrl, gatewayUrl, smtpUrl, mailFrom, verifyEmail,
        approveDevelopers, sessionIdle, sessionAbsolute, linkLifetime, oidc);
  }

  /** These options with the portal's and the gateway's public URLs (either nullable). */
  public PortalOptions withUrls(String portal, String gateway) {
    return new PortalOptions(host, port, tlsCert, tlsKey, portal, gateway, smtpUrl, mailFrom, verifyEmail,
        approveDevelopers, sessionIdle, sessionAbsolute, linkLifetime, oidc);
  }

  /** These options sending mail through {@code smtp} from {@code from} (nullable for the default sender). */
  public PortalOptions withMail(URI smtp, String from) {
    return new PortalOptions(host, port, tlsCert, tlsKey, publicUrl, gatewayUrl, smtp, from, verifyEmail,
        approveDevelopers, sessionIdle, sessionAbsolute, linkLifetime, oidc);
  }

  /** These options with email verification and developer approval as given. */
  public PortalOptions withSignUp(boolean verify, boolean approve) {
    return new PortalOptions(host, port, tlsCert, tlsKey, publicUrl, gatewayUrl, smtpUrl, mailFrom, verify, approve,
        sessionIdle, sessionAbsolute, linkLifetime, oidc);
  }

  /** These options with session timeouts as given. */
  public PortalOptions withSessions(Duration idle, Duration absolute) {
    return new PortalOptions(host, port, tlsCert, tlsKey, publicUrl, gatewayUrl, smtpUrl, mailFrom, verifyEmail,
        approveDevelopers, idle, absolute, linkLifetime, oidc);
  }

  /** These options with OIDC sign-in for developers (nullable for none). */
  public PortalOptions withOidc(PortalOidc oidc) {
    return new PortalOptions(host, port, tlsCert, tlsKey, publicUrl, gatewayUrl, smtpUrl, mailFrom, verifyEmail,
        approveDevelopers, sessionIdle, sessionAbsolute, linkLifetime, oidc);
  }

  /** Whether the listener speaks TLS. */
  public boolean tls() {
    return tlsCert != null;
  }

  /** Whether sign-up waits for the emailed link. */
  public boolean verificationNeeded() {
    return verifyEmail && smtpUrl != null;
  }
}
