package io.gatehouse.gateway.internal.jwt;

import static java.util.Objects.requireNonNull;

import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.util.JSONObjectUtils;
import java.net.URI;
import java.text.ParseException;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * The immutable configuration of one {@link JwtValidator}: where the keys come from, which
 * algorithms are accepted and which claims a token must carry.
 *
 * <p>Exactly one key source is set: {@link #jwksUrl()}, {@link #openidConfigUrl()} (OIDC discovery,
 * whose {@code jwks_uri} is fetched and whose {@code issuer} becomes the allowed issuer when
 * {@link #issuers()} is empty) or inline {@link #jwks()} (a JWK Set, symmetric {@code oct} keys
 * included). Build with {@link #builder()}.
 *
 * @param jwksUrl URL of a JWK Set document, or null
 * @param openidConfigUrl URL of an OpenID Provider configuration document, or null
 * @param jwks an inline JWK Set as a JSON object, or null
 * @param algorithms accepted {@code alg} values; empty means "what each key declares with its
 *     {@code alg}, else what its key type allows"
 * @param issuers accepted {@code iss} values; empty means no issuer check (unless discovered)
 * @param audiences accepted {@code aud} values; empty means no audience check
 * @param clockSkew tolerance applied to {@code exp}, {@code nbf} and {@code iat}
 * @param requireExp whether a token without {@code exp} is refused
 * @param maxTokenBytes tokens longer than this are refused before any parsing
 * @param requiredClaims claim name to accepted values; an empty set only requires presence
 * @param jwksRefreshInterval age after which cached remote keys are refreshed in the background
 * @param minRefetchInterval minimum time between two fetches of remote keys (unknown {@code kid},
 *     refresh or retry after failure)
 * @param fetchTimeout timeout of one HTTP fetch (connect plus response)
 * @param maxJwksBytes largest accepted JWKS or discovery document
 */
public record JwtValidatorSettings(
    URI jwksUrl,
    URI openidConfigUrl,
    Map<String, Object> jwks,
    Set<String> algorithms,
    Set<String> issuers,
    Set<String> audiences,
    Duration clockSkew,
    boolean requireExp,
    int maxTokenBytes,
    Map<String, Set<String>> requiredClaims,
    Duration jwksRefreshInterval,
    Duration minRefetchInterval,
    Duration fetchTimeout,
    int maxJwksBytes) {

  /** Default {@link #clockSkew()}: 60 seconds. */
  public static final Duration DEFAULT_CLOCK_SKEW = Duration.ofSeconds(60);
  /** Default {@link #maxTokenBytes()}: 8 KiB. */
  public static final int DEFAULT_MAX_TOKEN_BYTES = 8 * 1024;
  /** Default {@link #jwksRefreshInterval()}: 10 minutes. */
  public static final Duration DEFAULT_REFRESH_INTERVAL = Duration.ofMinutes(10);
  /** Default {@link #minRefetchInterval()}: 30 seconds. */
  public static final Duration DEFAULT_MIN_REFETCH_INTERVAL = Duration.ofSeconds(30);
  /** Default {@link #fetchTimeout()}: 5 seconds. */
  public static final Duration DEFAULT_FETCH_TIMEOUT = Duration.ofSeconds(5);
  /** Default {@link #maxJwksBytes()}: 256 KiB. */
  public static final int DEFAULT_MAX_JWKS_BYTES = 256 * 1024;

  /** The JWS algorithms this validator can verify. */
  public static final Set<String> SUPPORTED_ALGORITHMS =
      Set.of(
          "RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384", "ES512",
          "ES256K", "EdDSA", "Ed25519", "HS256", "HS384", "HS512");

  /** Validates and freezes the settings. */
  public JwtValidatorSettings {
    int sources = (jwksUrl != null ? 1 : 0) + (openidConfigUrl != null ? 1 : 0) + (jwks != null ? 1 : 0);
    if (sources != 1) {
      throw new IllegalArgumentException(
          "exactly one of jwksUrl, openidConfigUrl, jwks must be set, got " + sources);
    }
    checkHttpUrl(jwksUrl, "jwksUrl");
    checkHttpUrl(openidConfigUrl, "openidConfigUrl");
    if (jwks != null) {
      jwks = Map.copyOf(jwks);
      try {
        JWKSet set = JWKSet.parse(jwks);
        if (set.getKeys().isEmpty()) {
          throw new IllegalArgumentException("jwks: expected at least one key, got an empty set");
        }
      } catch (ParseException e) {
        throw new IllegalArgumentException("jwks: not a valid JWK Set: " + e.getMessage(), e);
      }
    }
    algorithms = Set.copyOf(requireNonNull(algorithms, "algorithms"));
    for (String alg : algorithms) {
      if (!SUPPORTED_ALGORITHMS.contains(alg)) {
        throw new IllegalArgumentException(
            "algorithms: unsupported algorithm '" + alg + "', expected one of " + new java.util.TreeSet<>(SUPPORTED_ALGORITHMS));
      }
    }
    issuers = Set.copyOf(requireNonNull(issuers, "issuers"));
    audiences = Set.copyOf(requireNonNull(audiences, "audiences"));
    requireNonNull(clockSkew, "clockSkew");
    if (clockSkew.isNegative()) {
      throw new IllegalArgumentException("clockSkew: expected >= 0, got " + clockSkew);
    }
    if (maxTokenBytes < 16) {
      throw new IllegalArgumentException("maxTokenBytes: expected >= 16, got " + maxTokenBytes);
    }
    Map<String, Set<String>> claims = new LinkedHashMap<>();
    requireNonNull(requiredClaims, "requiredClaims").forEach((k, v) -> claims.put(k, Set.copyOf(v)));
    requiredClaims = Map.copyOf(claims);
    checkPositive(jwksRefreshInterval, "jwksRefreshInterval");
    requireNonNull(minRefetchInterval, "minRefetchInterval");
    if (minRefetchInterval.isNegative()) {
      throw new IllegalArgumentException("minRefetchInterval: expected >= 0, got " + minRefetchInterval);
    }
    checkPositive(fetchTimeout, "fetchTimeout");
    if (maxJwksBytes < 64) {
      throw new IllegalArgumentException("maxJwksBytes: expected >= 64, got " + maxJwksBytes);
    }
  }

  private static void checkHttpUrl(URI url, String name) {
    if (url == null) {
      return;
    }
    String scheme = url.getScheme() == null ? "" : url.getScheme().toLowerCase(Locale.ROOT);
    if (!scheme.equals("https") && !scheme.equals("http") || url.getHost() == null) {
      throw new IllegalArgumentException(name + ": expected an absolute http(s) URL, got '" + url + "'");
    }
  }

  private static void checkPositive(Duration d, String name) {
    requireNonNull(d, name);
    if (d.isNegative() || d.isZero()) {
      throw new IllegalArgumentException(name + ": expected > 0, got " + d);
    }
  }

  /** Returns a builder with every default set and no key source. */
  public static Builder builder() {
    return new Builder();
  }

  /** Mutable builder of {@link JwtValidatorSettings}; not thread-safe. */
  public static final class Builder {
    private URI jwksUrl;
    private URI openidConfigUrl;
    private Map<String, Object> jwks;
    private Set<String> algorithms = Set.of();
    private Set<String> issuers = Set.of();
    private Set<String> audiences = Set.of();
    private Duration clockSkew = DEFAULT_CLOCK_SKEW;
    private boolean requireExp = true;
    private int maxTokenBytes = DEFAULT_MAX_TOKEN_BYTES;
    private final Map<String, Set<String>> requiredClaims = new LinkedHashMap<>();
    private Duration jwksRefreshInterval = DEFAULT_REFRESH_INTERVAL;
    private Duration minRefetchInterval = DEFAULT_MIN_REFETCH_INTERVAL;
    private Duration fetchTimeout = DEFAULT_FETCH_TIMEOUT;
    private int maxJwksBytes = DEFAULT_MAX_JWKS_BYTES;

    private Builder() {}

    /** Fetches keys from a JWK Set URL. */
    public Builder jwksUrl(URI url) {
      this.jwksUrl = requireNonNull(url, "url");
      return this;
    }

    /** Fetches keys through OpenID Connect discovery at this configuration document URL. */
    public Builder openidConfigUrl(URI url) {
      this.openidConfigUrl = requireNonNull(url, "url");
      return this;
    }

    /** Uses an inline JWK Set given as a JSON object. */
    public Builder jwks(Map<String, Object> jwkSet) {
      this.jwks = requireNonNull(jwkSet, "jwkSet");
      return this;
    }

    /** Uses an inline JWK Set given as JSON text. */
    public Builder jwks(String jwkSetJson) {
      requireNonNull(jwkSetJson, "jwkSetJson");
      try {
        this.jwks = JSONObjectUtils.parse(jwkSetJson);
      } catch (ParseException e) {
        throw new IllegalArgumentException("jwks: expected a JSON object, got invalid JSON: " + e.getMessage(), e);
      }
      return this;
    }

    /** Restricts the accepted algorithms (an allowlist). */
    public Builder algorithms(String... algs) {
      this.algorithms = new LinkedHashSet<>(java.util.Arrays.asList(algs));
      return this;
    }

    /** Sets the accepted issuers. */
    public Builder issuers(String... values) {
      this.issuers = new LinkedHashSet<>(java.util.Arrays.asList(values));
      return this;
    }

    /** Sets the accepted audiences (a token matches when any of its audiences is accepted). */
    public Builder audiences(String... values) {
      this.audiences = new LinkedHashSet<>(java.util.Arrays.asList(values));
      return this;
    }

    /** Sets the clock skew tolerance. */
    public Builder clockSkew(Duration skew) {
      this.clockSkew = skew;
      return this;
    }

    /** Sets whether {@code exp} is mandatory. */
    public Builder requireExp(boolean require) {
      this.requireExp = require;
      return this;
    }

    /** Sets the largest accepted token length. */
    public Builder maxTokenBytes(int max) {
      this.maxTokenBytes = max;
      return this;
    }

    /** Requires a claim whose value (or one of whose array elements) is one of {@code values}. */
    public Builder requireClaim(String name, String... values) {
      requiredClaims.put(requireNonNull(name, "name"), Set.of(values));
      return this;
    }

    /** Sets the background refresh interval of remote keys. */
    public Builder jwksRefreshInterval(Duration interval) {
      this.jwksRefreshInterval = interval;
      return this;
    }

    /** Sets the minimum interval between two fetches of remote keys. */
    public Builder minRefetchInterval(Duration interval) {
      this.minRefetchInterval = interval;
      return this;
    }

    /** Sets the timeout of one key fetch. */
    public Builder fetchTimeout(Duration timeout) {
      this.fetchTimeout = timeout;
      return this;
    }

    /** Sets the largest accepted JWKS or discovery document. */
    public Builder maxJwksBytes(int max) {
      this.maxJwksBytes = max;
      return this;
    }

    /** Builds and validates the settings. */
    public JwtValidatorSettings build() {
      return new JwtValidatorSettings(
          jwksUrl, openidConfigUrl, jwks, algorithms, issuers, audiences, clockSkew, requireExp,
          maxTokenBytes, requiredClaims, jwksRefreshInterval, minRefetchInterval, fetchTimeout,
          maxJwksBytes);
    }
  }
}
