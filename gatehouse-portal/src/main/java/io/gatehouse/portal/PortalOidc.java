package io.gatehouse.portal;

import static java.util.Objects.requireNonNull;

import java.net.URI;

/**
 * How developers sign in to the portal with OpenID Connect: the authorization code flow with PKCE
 * against {@code issuer} (endpoints and keys from its discovery document) as client {@code clientId}.
 *
 * @param issuer the provider's issuer URL; its {@code /.well-known/openid-configuration} must name
 *     the same issuer, and ID tokens must carry it as {@code iss}
 * @param clientId the portal's client id at the provider, the ID token's required audience
 * @param clientSecret the client secret, sent with HTTP Basic to the token endpoint; nullable for a
 *     public client (PKCE only). Never logged or returned
 */
public record PortalOidc(String issuer, String clientId, String clientSecret) {
  /** Checks the issuer is an absolute http(s) URL and the client id is given. */
  public PortalOidc {
    requireNonNull(issuer, "issuer");
    requireNonNull(clientId, "clientId");
    URI u;
    try {
      u = URI.create(issuer);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("expected an http(s) issuer URL but got '" + issuer + "'", e);
    }
    if (u.getHost() == null || !("https".equals(u.getScheme()) || "http".equals(u.getScheme()))) {
      throw new IllegalArgumentException("expected an http(s) issuer URL but got '" + issuer + "'");
    }
    if (clientId.isBlank()) {
      throw new IllegalArgumentException("expected a client id for the portal's OIDC sign-in");
    }
    clientSecret = clientSecret == null || clientSecret.isEmpty() ? null : clientSecret;
  }

  /** Hides the client secret. */
  @Override
  public String toString() {
    return "PortalOidc[issuer=" + issuer + ", clientId=" + clientId + ", clientSecret="
        + (clientSecret == null ? "none" : "(secret)") + "]";
  }
}
