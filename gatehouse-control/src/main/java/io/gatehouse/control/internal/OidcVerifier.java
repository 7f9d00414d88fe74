package io.gatehouse.control.internal;

import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.jwk.source.JWKSource;
import com.nimbusds.jose.jwk.source.JWKSourceBuilder;
import com.nimbusds.jose.proc.JWSVerificationKeySelector;
import com.nimbusds.jose.proc.SecurityContext;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.proc.DefaultJWTClaimsVerifier;
import com.nimbusds.jwt.proc.DefaultJWTProcessor;
import io.gatehouse.control.security.OidcSettings;
import java.net.MalformedURLException;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * Verifies OIDC bearer JWTs with Nimbus (signature against the cached JWKS, {@code iss}, {@code aud},
 * {@code exp}, {@code nbf}) and maps their roles claim to role names; blocking (may fetch the JWKS).
 */
public final class OidcVerifier {
  /** A verified caller: subject and mapped roles. */
  public record Verified(String subject, List<String> roles) {}

  private final OidcSettings settings;
  private final DefaultJWTProcessor<SecurityContext> processor = new DefaultJWTProcessor<>();

  /** A verifier for {@code settings}. */
  public OidcVerifier(OidcSettings settings) {
    this.settings = settings;
    JWKSource<SecurityContext> keys;
    try {
      keys = JWKSourceBuilder.create(settings.jwksUrl().toURL()).retrying(true).build();
    } catch (MalformedURLException e) {
      throw new IllegalArgumentException("expected an http(s) JWKS URL but got " + settings.jwksUrl(), e);
    }
    Set<JWSAlgorithm> algorithms = Set.of(JWSAlgorithm.RS256, JWSAlgorithm.RS384, JWSAlgorithm.RS512,
        JWSAlgorithm.PS256, JWSAlgorithm.PS384, JWSAlgorithm.PS512, JWSAlgorithm.ES256, JWSAlgorithm.ES384,
        JWSAlgorithm.ES512, JWSAlgorithm.EdDSA);
    processor.setJWSKeySelector(new JWSVerificationKeySelector<>(algorithms, keys));
    processor.setJWTClaimsSetVerifier(new DefaultJWTClaimsVerifier<>(settings.audience(),
        new JWTClaimsSet.Builder().issuer(settings.issuer()).build(), Set.of("sub", "exp", "iat")));
  }

  /** Whether {@code token} looks like a compact JWS (three Base64url parts), and so is for this verifier. */
  public static boolean looksLikeJwt(String token) {
    return token.startsWith("eyJ") && token.chars().filter(c -> c == '.').count() == 2;
  }

  /** The verified caller, or empty when the token is invalid in any way. */
  public Optional<Verified> verify(String token) {
    JWTClaimsSet claims;
    try {
      claims = processor.process(token, null);
    } catch (Exception e) {
      return Optional.empty();
    }
    Object raw = claims.getClaim(settings.rolesClaim());
    List<String> values = new ArrayList<>();
    if (raw instanceof String s) {
      values.addAll(List.of(s.split("[ ,]+")));
    } else if (raw instanceof List<?> list) {
      list.forEach(v -> values.add(String.valueOf(v)));
    }
    Set<String> roles = new LinkedHashSet<>();
    for (String v : values) {
      List<String> mapped = settings.roleMap().get(v);
      if (mapped != null) {
        roles.addAll(mapped);
      } else if (settings.roleMap().isEmpty()) {
        roles.add(v);
      }
    }
    return Optional.of(new Verified(claims.getSubject(), List.copyOf(roles)));
  }
}
