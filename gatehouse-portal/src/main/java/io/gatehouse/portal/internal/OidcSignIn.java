package io.gatehouse.portal.internal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.jwk.source.JWKSource;
import com.nimbusds.jose.jwk.source.JWKSourceBuilder;
import com.nimbusds.jose.proc.JWSVerificationKeySelector;
import com.nimbusds.jose.proc.SecurityContext;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.proc.DefaultJWTClaimsVerifier;
import com.nimbusds.jwt.proc.DefaultJWTProcessor;
import io.gatehouse.portal.PortalOidc;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Collectors;

/**
 * The developer portal's OIDC sign-in: the authorization code flow with PKCE (S256), {@code state}
 * bound to the browser that started it and single use, and {@code nonce} checked in the ID token,
 * whose signature, issuer, audience and lifetime Nimbus verifies against the provider's discovered
 * keys. Thread-safe; {@link #finish} blocks (token endpoint, keys).
 */
public final class OidcSignIn {
  /** How long a started sign-in may take at the provider. */
  static final Duration PENDING_LIFETIME = Duration.ofMinutes(10);
  /** At most this many sign-ins in flight; beyond it the oldest are dropped. */
  static final int MAX_PENDING = 10_000;

  /** A started sign-in: the browser binding to set as a cookie and where to send the browser. */
  public record Start(String binding, URI authorizeUrl) {}

  /** A developer the provider vouches for: a verified email, a display name and the subject. */
  public record Identity(String email, String name, String subject) {}

  private record Pending(String binding, String nonce, String verifier, String redirectUri, Instant expires) {}

  private record Provider(URI authorize, URI token, JWKSource<SecurityContext> keys) {}

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final SecureRandom RANDOM = new SecureRandom();
  private static final Set<JWSAlgorithm> ALGORITHMS = Set.of(JWSAlgorithm.RS256, JWSAlgorithm.RS384,
      JWSAlgorithm.RS512, JWSAlgorithm.PS256, JWSAlgorithm.PS384, JWSAlgorithm.PS512, JWSAlgorithm.ES256,
      JWSAlgorithm.ES384, JWSAlgorithm.ES512, JWSAlgorithm.EdDSA);

  private final PortalOidc config;
  private final Clock clock;
  private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
  private final Map<String, Pending> pending = new ConcurrentHashMap<>();
  private volatile Provider provider;

  /** Sign-in against {@code config}; the discovery document is read at the first use. */
  public OidcSignIn(PortalOidc config, Clock clock) {
    this.config = config;
    this.clock = clock;
  }

  /** Starts a sign-in that returns to {@code redirectUri}; blocking on the first call (discovery). */
  public Start start(String redirectUri) {
    Provider p = provider();
    Instant now = clock.instant();
    if (pending.size() >= MAX_PENDING) {
      pending.values().removeIf(x -> x.expires().isBefore(now));
      if (pending.size() >= MAX_PENDING) {
        throw new PortalException(503, "too many OIDC sign-ins in progress; try again in a few minutes");
      }
    }
    String state = random();
    String nonce = random();
    String verifier = random() + random();
    String binding = random();
    pending.put(state, new Pending(binding, nonce, verifier, redirectUri, now.plus(PENDING_LIFETIME)));
    Map<String, String> q = new LinkedHashMap<>();
    q.put("response_type", "code");
    q.put("client_id", config.clientId());
    q.put("redirect_uri", redirectUri);
    q.put("scope", "openid email profile");
    q.put("state", state);
    q.put("nonce", nonce);
    q.put("code_challenge", challenge(verifier));
    q.put("code_challenge_method", "S256");
    String sep = p.authorize().getRawQuery() == null ? "?" : "&";
    return new Start(binding, URI.create(p.authorize() + sep + form(q)));
  }

  /**
   * Completes the sign-in {@code state} names with the provider's {@code code}, in the browser whose
   * cookie holds {@code binding}: the identity, or a {@link PortalException} (400 for a bad, reused,
   * expired or foreign state or a token that fails verification, 403 for an unverified email).
   */
  public Identity finish(String state, String code, String binding) {
    if (state == null || code == null || code.isBlank()) {
      throw new PortalException(400, "OIDC sign-in failed: the provider's answer has no state or code");
    }
    Pending p = pending.remove(state); // single use, whatever happens next
    if (p == null || p.expires().isBefore(clock.instant())) {
      throw new PortalException(400, "OIDC sign-in failed: unknown or expired state; start again");
    }
    if (binding == null || !MessageDigest.isEqual(binding.getBytes(StandardCharsets.UTF_8),
        p.binding().getBytes(StandardCharsets.UTF_8))) {
      throw new PortalException(400, "OIDC sign-in failed: the state belongs to another browser; start again");
    }
    Provider provider = provider();
    String idToken = exchange(provider, code, p);
    DefaultJWTProcessor<SecurityContext> processor = new DefaultJWTProcessor<>();
    processor.setJWSKeySelector(new JWSVerificationKeySelector<>(ALGORITHMS, provider.keys()));
    processor.setJWTClaimsSetVerifier(new DefaultJWTClaimsVerifier<>(config.clientId(),
        new JWTClaimsSet.Builder().issuer(config.issuer()).claim("nonce", p.nonce()).build(),
        Set.of("sub", "exp", "iat")));
    JWTClaimsSet claims;
    try {
      claims = processor.process(idToken, null);
    } catch (Exception e) {
      String why = String.valueOf(e.getMessage()).contains("nonce") ? "its nonce does not match this sign-in"
          : "its signature, issuer, audience or lifetime is wrong";
      throw new PortalException(400, "OIDC sign-in failed: the ID token was refused: " + why);
    }
    Object email = claims.getClaim("email");
    Object verified = claims.getClaim("email_verified");
    if (!(email instanceof String address) || address.isBlank()) {
      throw new PortalException(403, "OIDC sign-in refused: the provider gave no email address");
    }
    if (!Boolean.TRUE.equals(verified) && !"true".equals(verified)) {
      throw new PortalException(403, "OIDC sign-in refused: the provider has not verified the email address");
    }
    Object name = claims.getClaim("name");
    return new Identity(address.strip(), name instanceof String n && !n.isBlank() ? n.strip() : address.strip(),
        claims.getSubject());
  }

  private String exchange(Provider provider, String code, Pending p) {
    Map<String, String> form = new LinkedHashMap<>();
    form.put("grant_type", "authorization_code");
    form.put("code", code);
    form.put("redirect_uri", p.redirectUri());
    form.put("code_verifier", p.verifier());
    HttpRequest.Builder b = HttpRequest.newBuilder(provider.token()).timeout(Duration.ofSeconds(10))
        .header("Content-Type", "application/x-www-form-urlencoded").header("Accept", "application/json");
    if (config.clientSecret() != null) {
      b.header("Authorization", "Basic " + Base64.getEncoder().encodeToString(
          (enc(config.clientId()) + ":" + enc(config.clientSecret())).getBytes(StandardCharsets.UTF_8)));
    } else {
      form.put("client_id", config.clientId());
    }
    HttpResponse<String> r;
    try {
      r = http.send(b.POST(HttpRequest.BodyPublishers.ofString(form(form))).build(),
          HttpResponse.BodyHandlers.ofString());
    } catch (java.io.IOException e) {
      throw new PortalException(502, "OIDC sign-in failed: the provider's token endpoint is unreachable");
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new PortalException(503, "OIDC sign-in interrupted");
    }
    if (r.statusCode() != 200) {
      throw new PortalException(400, "OIDC sign-in failed: the provider refused the code (HTTP " + r.statusCode() + ")");
    }
    try {
      JsonNode body = JSON.readTree(r.body());
      String idToken = body.path("id_token").asText("");
      if (idToken.isEmpty()) {
        throw new PortalException(400, "OIDC sign-in failed: the provider's token answer has no id_token");
      }
      return idToken;
    } catch (java.io.IOException e) {
      throw new PortalException(400, "OIDC sign-in failed: the provider's token answer is not JSON");
    }
  }

  private Provider provider() {
    Provider p = provider;
    if (p != null) {
      return p;
    }
    synchronized (this) {
      if (provider == null) {
        provider = discover();
      }
      return provider;
    }
  }

  private Provider discover() {
    String base = config.issuer().endsWith("/") ? config.issuer().substring(0, config.issuer().length() - 1)
        : config.issuer();
    URI url = URI.create(base + "/.well-known/openid-configuration");
    try {
      HttpResponse<String> r = http.send(HttpRequest.newBuilder(url).timeout(Duration.ofSeconds(10))
          .header("Accept", "application/json").build(), HttpResponse.BodyHandlers.ofString());
      if (r.statusCode() != 200) {
        throw new PortalException(502, "OIDC discovery failed: " + url + " answered HTTP " + r.statusCode());
      }
      JsonNode doc = JSON.readTree(r.body());
      if (!config.issuer().equals(doc.path("issuer").asText())) {
        throw new PortalException(502, "OIDC discovery failed: the document names issuer '"
            + doc.path("issuer").asText() + "', expected '" + config.issuer() + "'");
      }
      URI authorize = URI.create(doc.path("authorization_endpoint").asText());
      URI token = URI.create(doc.path("token_endpoint").asText());
      URI jwks = URI.create(doc.path("jwks_uri").asText());
      if (authorize.getHost() == null || token.getHost() == null || jwks.getHost() == null) {
        throw new PortalException(502, "OIDC discovery failed: " + url
            + " lacks an absolute authorization_endpoint, token_endpoint or jwks_uri");
      }
      JWKSource<SecurityContext> keys = JWKSourceBuilder.create(jwks.toURL()).retrying(true).build();
      return new Provider(authorize, token, keys);
    } catch (java.io.IOException | IllegalArgumentException e) {
      throw new PortalException(502, "OIDC discovery failed at " + url + ": " + e.getMessage());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new PortalException(503, "OIDC discovery interrupted");
    }
  }

  private static String challenge(String verifier) {
    try {
      byte[] d = MessageDigest.getInstance("SHA-256").digest(verifier.getBytes(StandardCharsets.US_ASCII));
      return Base64.getUrlEncoder().withoutPadding().encodeToString(d);
    } catch (java.security.NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  private static String random() {
    byte[] b = new byte[24];
    RANDOM.nextBytes(b);
    return Base64.getUrlEncoder().withoutPadding().encodeToString(b);
  }

  private static String enc(String s) {
    return URLEncoder.encode(s, StandardCharsets.UTF_8);
  }

  private static String form(Map<String, String> m) {
    return m.entrySet().stream().map(e -> enc(e.getKey()) + "=" + enc(e.getValue())).collect(Collectors.joining("&"));
  }
}
