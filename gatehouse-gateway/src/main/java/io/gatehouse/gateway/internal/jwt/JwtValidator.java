package io.gatehouse.gateway.internal.jwt;

import static java.util.Objects.requireNonNull;

import com.nimbusds.jose.JWSObject;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jwt.JWTClaimsSet;
import io.gatehouse.gateway.internal.outbound.OutboundGuard;
import java.net.http.HttpClient;
import java.text.ParseException;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Date;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * Validates bearer JWTs (compact JWS) against one {@link JwtValidatorSettings}: signature through
 * {@link JwsVerifier}, then {@code exp}, {@code nbf}, {@code iat}, {@code iss}, {@code aud} and the
 * required claims.
 *
 * <p>A token accepted once is remembered by its hash ({@link VerifiedTokens}) until its key set
 * changes, so presenting it again skips the signature verification but never the time checks.
 *
 * <p>Built once per configuration snapshot and thread-safe. {@link #validate(String)} never
 * blocks: when the keys are cached it returns an already-completed stage; when a key fetch is
 * needed the stage completes later on the HTTP client's executor (callers on an event loop must
 * hop back to their context).
 */
public final class JwtValidator {
  private final JwtValidatorSettings settings;
  private final JwsVerifier verifier;
  private final KeySource keys;
  private final Clock clock;
  private final VerifiedTokens verified = new VerifiedTokens();

  private JwtValidator(JwtValidatorSettings settings, KeySource keys, Clock clock) {
    this.settings = settings;
    this.verifier = JwsVerifier.create(settings.algorithms(), settings.maxTokenBytes());
    this.keys = keys;
    this.clock = clock;
  }

  /**
   * Returns a validator using a new HTTP client (for remote keys; it follows no redirects) that
   * connects only where {@code guard} allows, and the system clock.
   */
  public static JwtValidator create(JwtValidatorSettings settings, OutboundGuard guard) {
    requireNonNull(settings, "settings");
    HttpClient http = settings.jwksUrl() == null && settings.openidConfigUrl() == null
        ? null
        : HttpClient.newBuilder()
            .connectTimeout(settings.fetchTimeout())
            .followRedirects(HttpClient.Redirect.NEVER) // a redirect would skip the guard's check
            .build();
    return create(settings, http, Clock.systemUTC(), guard);
  }

  /**
   * Returns a validator fetching remote keys with {@code http} (null only for inline keys) from
   * addresses {@code guard} allows, and reading time from {@code clock}.
   */
  public static JwtValidator create(JwtValidatorSettings settings, HttpClient http, Clock clock, OutboundGuard guard) {
    requireNonNull(settings, "settings");
    requireNonNull(clock, "clock");
    KeySource source;
    if (settings.jwks() != null) {
      try {
        source = new StaticKeySource(KeyRing.of(JWKSet.parse(settings.jwks()), true));
      } catch (ParseException e) {
        throw new IllegalArgumentException("jwks: not a valid JWK Set: " + e.getMessage(), e);
      }
    } else {
      source = new RemoteKeySource(
          requireNonNull(http, "http"),
          requireNonNull(guard, "guard"),
          settings.jwksUrl(),
          settings.openidConfigUrl(),
          settings.fetchTimeout(),
          settings.maxJwksBytes(),
          settings.jwksRefreshInterval(),
          settings.minRefetchInterval(),
          clock);
    }
    return new JwtValidator(settings, source, clock);
  }

  /** Returns the settings this validator was built from. */
  public JwtValidatorSettings settings() {
    return settings;
  }

  /** Validates one token (the bearer credential, without the {@code Bearer } prefix). */
  public CompletionStage<JwtResult> validate(String token) {
    VerifiedTokens.Digest digest = null;
    KeySource.Keys cached = keys.current();
    if (token != null && token.length() <= settings.maxTokenBytes()) {
      digest = VerifiedTokens.digest(token);
      VerifiedTokens.Entry hit = cached == null ? null : verified.get(digest, cached);
      if (hit != null) {
        String late = timeProblem(hit.exp(), hit.nbf(), hit.iat());
        return CompletableFuture.completedFuture(late == null ? hit.result() : JwtResult.failure(late));
      }
    }
    JwsVerifier.Outcome parsed = verifier.parse(token);
    if (parsed.jws() == null) {
      return CompletableFuture.completedFuture(JwtResult.failure(parsed.reason()));
    }
    JWSObject jws = parsed.jws();
    VerifiedTokens.Digest key = digest;
    if (cached == null) {
      return keys.load()
          .handle((loaded, error) -> error != null
              ? CompletableFuture.completedFuture(JwtResult.failure("keys unavailable: " + error))
              : verifyOrRefetch(jws, loaded, key))
          .thenCompose(stage -> stage);
    }
    return verifyOrRefetch(jws, cached, key);
  }

  /** How many validations were answered from the cache of accepted tokens (for tests and metrics). */
  long cacheHits() {
    return verified.hits();
  }

  private CompletionStage<JwtResult> verifyOrRefetch(JWSObject jws, KeySource.Keys current,
      VerifiedTokens.Digest digest) {
    JwsVerifier.Outcome outcome = verifier.verify(jws, current.ring());
    if (outcome.status() != JwsVerifier.Status.UNKNOWN_KEY) {
      return CompletableFuture.completedFuture(finish(outcome, current, digest));
    }
    return keys.refetch().handle((fresh, error) -> {
      if (error != null) {
        return JwtResult.failure(outcome.reason() + "; refetch failed: " + error);
      }
      JwsVerifier.Outcome again = verifier.verify(jws, fresh.ring());
      if (again.status() == JwsVerifier.Status.UNKNOWN_KEY) {
        return JwtResult.failure(again.reason() + " (after refetch)");
      }
      return finish(again, fresh, digest);
    });
  }

  private JwtResult finish(JwsVerifier.Outcome outcome, KeySource.Keys keys, VerifiedTokens.Digest digest) {
    if (outcome.status() != JwsVerifier.Status.VERIFIED) {
      return JwtResult.failure(outcome.reason());
    }
    JWTClaimsSet claims;
    try {
      Map<String, Object> json = outcome.jws().getPayload().toJSONObject();
      if (json == null) {
        return JwtResult.failure("payload is not a JSON object");
      }
      claims = JWTClaimsSet.parse(json);
    } catch (ParseException | RuntimeException e) {
      return JwtResult.failure("payload is not a JWT claims set: " + e.getMessage());
    }
    String problem = checkClaims(claims, keys.discoveredIssuer());
    if (problem != null) {
      return JwtResult.failure(problem);
    }
    @SuppressWarnings("unchecked")
    Map<String, Object> frozen = (Map<String, Object>) freeze(claims.toJSONObject());
    JwtResult accepted = JwtResult.success(claims.getSubject(), frozen);
    if (digest != null) {
      verified.put(digest, new VerifiedTokens.Entry(accepted, keys,
          claims.getExpirationTime(), claims.getNotBeforeTime(), claims.getIssueTime()));
    }
    return accepted;
  }

  /** Returns why the time claims refuse the token now, or null when they pass. */
  private String timeProblem(Date exp, Date nbf, Date iat) {
    Instant now = clock.instant();
    long skew = settings.clockSkew().toMillis();
    if (exp != null && now.toEpochMilli() > exp.getTime() + skew) {
      return "expired at " + exp.toInstant() + ", now " + now;
    }
    if (nbf != null && now.toEpochMilli() + skew < nbf.getTime()) {
      return "not valid before " + nbf.toInstant() + ", now " + now;
    }
    if (iat != null && iat.getTime() > now.toEpochMilli() + skew) {
      return "issued in the future at " + iat.toInstant() + ", now " + now;
    }
    return null;
  }

  /** Returns why the claims are refused, or null when they pass. */
  private String checkClaims(JWTClaimsSet claims, String discoveredIssuer) {
    Date exp;
    Date nbf;
    Date iat;
    String iss;
    List<String> aud;
    try {
      exp = claims.getExpirationTime();
      nbf = claims.getNotBeforeTime();
      iat = claims.getIssueTime();
      iss = claims.getIssuer();
      aud = claims.getAudience();
    } catch (RuntimeException e) {
      return "malformed registered claim: " + e.getMessage();
    }
    if (exp == null && settings.requireExp()) {
      return "exp missing";
    }
    String late = timeProblem(exp, nbf, iat);
    if (late != null) {
      return late;
    }
    Set<String> issuers = settings.issuers();
    if (issuers.isEmpty() && discoveredIssuer != null) {
      issuers = Set.of(discoveredIssuer);
    }
    if (!issuers.isEmpty() && (iss == null || !issuers.contains(iss))) {
      return "issuer '" + iss + "' not in " + issuers;
    }
    if (!settings.audiences().isEmpty()
        && (aud == null || aud.stream().noneMatch(settings.audiences()::contains))) {
      return "audience " + aud + " not in " + settings.audiences();
    }
    for (Map.Entry<String, Set<String>> required : settings.requiredClaims().entrySet()) {
      Object value = claims.getClaim(required.getKey());
      if (value == null) {
        return "claim '" + required.getKey() + "' missing";
      }
      Set<String> allowed = required.getValue();
      if (!allowed.isEmpty() && !matches(value, allowed)) {
        return "claim '" + required.getKey() + "' value " + value + " not in " + allowed;
      }
    }
    return null;
  }

  private static boolean matches(Object value, Set<String> allowed) {
    if (value instanceof List) {
      for (Object element : (List<?>) value) {
        if (element != null && !(element instanceof Map) && !(element instanceof List)
            && allowed.contains(String.valueOf(element))) {
          return true;
        }
      }
      return false;
    }
    if (value instanceof Map) {
      return false;
    }
    return allowed.contains(String.valueOf(value));
  }

  /** Deep-copies JSON values into unmodifiable maps and lists (nulls kept). */
  private static Object freeze(Object value) {
    if (value instanceof Map) {
      Map<String, Object> copy = new LinkedHashMap<>();
      for (Map.Entry<?, ?> e : ((Map<?, ?>) value).entrySet()) {
        copy.put(String.valueOf(e.getKey()), freeze(e.getValue()));
      }
      return Collections.unmodifiableMap(copy);
    }
    if (value instanceof List) {
      List<Object> copy = new ArrayList<>();
      for (Object o : (List<?>) value) {
        copy.add(freeze(o));
      }
      return Collections.unmodifiableList(copy);
    }
    return value;
  }
}
