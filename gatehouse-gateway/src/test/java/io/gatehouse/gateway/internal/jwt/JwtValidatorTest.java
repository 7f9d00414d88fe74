package io.gatehouse.gateway.internal.jwt;

import static io.gatehouse.gateway.internal.jwt.TestKeys.EC_P256;
import static io.gatehouse.gateway.internal.jwt.TestKeys.HMAC;
import static io.gatehouse.gateway.internal.jwt.TestKeys.NOW;
import static io.gatehouse.gateway.internal.jwt.TestKeys.RSA;
import static io.gatehouse.gateway.internal.jwt.TestKeys.b64;
import static io.gatehouse.gateway.internal.jwt.TestKeys.claims;
import static io.gatehouse.gateway.internal.jwt.TestKeys.jwks;
import static io.gatehouse.gateway.internal.jwt.TestKeys.sign;
import static io.gatehouse.gateway.internal.jwt.TestKeys.signRaw;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.MACSigner;
import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.util.Base64URL;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Date;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletionStage;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class JwtValidatorTest {

  private static JwtValidatorSettings.Builder settings(JWK... keys) {
    return JwtValidatorSettings.builder().jwks(jwks(keys));
  }

  private static JwtResult validate(JwtValidatorSettings settings, String token) {
    CompletionStage<JwtResult> stage =
        JwtValidator.create(settings, null, new TestKeys.MutableClock(NOW), null).validate(token);
    assertThat(stage.toCompletableFuture()).as("inline keys answer synchronously").isDone();
    return stage.toCompletableFuture().join();
  }

  private static JwtResult validate(String token) {
    return validate(settings(RSA, EC_P256, HMAC).build(), token);
  }

  private static void assertRefused(JwtResult result, String reasonFragment) {
    assertThat(result.valid()).as("refused: %s", result.reason()).isFalse();
    assertThat(result.errorCode()).isEqualTo("invalid_token");
    assertThat(result.claims()).isEmpty();
    assertThat(result.subject()).isNull();
    assertThat(result.reason()).containsIgnoringCase(reasonFragment);
  }

  @Test
  void answersARepeatedTokenFromTheCacheAndStillJudgesItsExpiryEachTime() {
    TestKeys.MutableClock clock = new TestKeys.MutableClock(NOW);
    JwtValidator v = JwtValidator.create(settings(RSA).build(), null, clock, null);
    String token = sign(RSA, JWSAlgorithm.RS256,
        claims().expirationTime(Date.from(NOW.plus(Duration.ofMinutes(5)))).build());

    JwtResult first = v.validate(token).toCompletableFuture().join();
    JwtResult second = v.validate(token).toCompletableFuture().join();
    assertThat(first.valid()).as(first.reason()).isTrue();
    assertThat(second.valid()).isTrue();
    assertThat(second.claims()).isEqualTo(first.claims());
    assertThat(v.cacheHits()).as("the second validation skipped the signature").isEqualTo(1);

    clock.advance(Duration.ofMinutes(10));
    assertRefused(v.validate(token).toCompletableFuture().join(), "expired");
  }

  @Test
  void neverRemembersARefusedTokenAndVerifiesEveryOtherTokenOnItsOwn() {
    JwtValidator v = JwtValidator.create(settings(RSA).audiences("api://orders").build(), null,
        new TestKeys.MutableClock(NOW), null);
    String wrongAudience = sign(RSA, JWSAlgorithm.RS256, claims().audience("api://other").build());
    assertRefused(v.validate(wrongAudience).toCompletableFuture().join(), "audience");
    assertRefused(v.validate(wrongAudience).toCompletableFuture().join(), "audience");

    String token = sign(RSA, JWSAlgorithm.RS256, claims().build());
    assertThat(v.validate(token).toCompletableFuture().join().valid()).isTrue();
    int at = token.length() - 10; // inside the signature, where every character carries six bits
    String tampered = token.substring(0, at) + (token.charAt(at) == 'A' ? 'B' : 'A') + token.substring(at + 1);
    assertRefused(v.validate(tampered).toCompletableFuture().join(), "signature");
    assertThat(v.cacheHits()).isZero();
  }

  @Test
  void acceptsValidRs256TokenAndReturnsImmutableClaims() {
    String token = sign(RSA, JWSAlgorithm.RS256, claims().claim("roles", List.of("a", "b")).build());
    JwtResult result = validate(settings(RSA).issuers("https://issuer.example").audiences("api://orders").build(), token);
    assertThat(result.valid()).as(result.reason()).isTrue();
    assertThat(result.subject()).isEqualTo("alice");
    assertThat(result.errorCode()).isNull();
    assertThat(result.claims()).containsEntry("iss", "https://issuer.example").containsKey("exp");
    assertThat(result.claims().get("roles")).isEqualTo(List.of("a", "b"));
    assertThatThrownBy(() -> result.claims().put("x", 1)).isInstanceOf(UnsupportedOperationException.class);
    @SuppressWarnings("unchecked")
    List<Object> roles = (List<Object>) result.claims().get("roles");
    assertThatThrownBy(() -> roles.add("c")).isInstanceOf(UnsupportedOperationException.class);
  }

  @Test
  void acceptsEveryKeyTypeWithItsDerivedAlgorithms() throws Exception {
    ECKey p384 = TestKeys.generateEc(Curve.P_384, "ec-384");
    TestKeys.Ed25519 ed = TestKeys.Ed25519.generate("ed-1");
    JwtValidatorSettings s = settings(RSA, EC_P256, p384, HMAC, ed.jwk()).build();
    for (JWSAlgorithm alg : List.of(JWSAlgorithm.RS256, JWSAlgorithm.RS384, JWSAlgorithm.RS512,
        JWSAlgorithm.PS256, JWSAlgorithm.PS384, JWSAlgorithm.PS512)) {
      assertThat(validate(s, sign(RSA, alg, claims().build())).valid()).as(alg.getName()).isTrue();
    }
    assertThat(validate(s, sign(EC_P256, JWSAlgorithm.ES256, claims().build())).valid()).isTrue();
    assertThat(validate(s, sign(p384, JWSAlgorithm.ES384, claims().build())).valid()).isTrue();
    for (JWSAlgorithm alg : List.of(JWSAlgorithm.HS256, JWSAlgorithm.HS384, JWSAlgorithm.HS512)) {
      // HS384/HS512 need longer secrets than the 256-bit test key: MACSigner refuses to sign
      if (alg == JWSAlgorithm.HS256) {
        assertThat(validate(s, sign(HMAC, alg, claims().build())).valid()).as(alg.getName()).isTrue();
      }
    }
    assertThat(validate(s, ed.sign("EdDSA", claims().build())).valid()).isTrue();
    assertThat(validate(s, ed.sign("Ed25519", claims().build())).valid()).isTrue();
  }

  @Test
  void refusesEd25519SignatureOfAnotherKey() throws Exception {
    TestKeys.Ed25519 ed = TestKeys.Ed25519.generate("ed-1");
    TestKeys.Ed25519 other = TestKeys.Ed25519.generate("ed-1");
    assertRefused(validate(settings(ed.jwk()).build(), other.sign("EdDSA", claims().build())), "signature");
  }

  @ParameterizedTest
  @ValueSource(strings = {"none", "None", "NONE", "nOnE"})
  void refusesAlgNoneInEveryLetterCase(String alg) {
    String unsigned = b64("{\"alg\":\"" + alg + "\",\"kid\":\"rsa-1\"}") + "." + b64(claims().build().toString());
    assertRefused(validate(unsigned + "."), "");
    assertRefused(validate(unsigned + "." + b64("garbage")), "");
    // Even when an operator lists every algorithm, "none" cannot be configured.
    assertThatThrownBy(() -> settings(RSA).algorithms("RS256", alg).build())
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining(alg);
  }

  @Test
  void refusesTokenWithEmptySignature() {
    String token = sign(RSA, JWSAlgorithm.RS256, claims().build());
    String stripped = token.substring(0, token.lastIndexOf('.') + 1);
    assertRefused(validate(stripped), "signature");
  }

  @Test
  void refusesHmacTokenSignedWithTheRsaPublicKeyAsSecret() throws Exception {
    byte[] publicKeyBytes = RSA.toRSAPublicKey().getEncoded();
    byte[] publicJwkBytes = RSA.toPublicJWK().toJSONString().getBytes(StandardCharsets.UTF_8);
    for (byte[] secret : List.of(publicKeyBytes, publicJwkBytes)) {
      SignedJWT forged = new SignedJWT(new JWSHeader.Builder(JWSAlgorithm.HS256).keyID("rsa-1").build(), claims().build());
      forged.sign(new MACSigner(secret));
      // default allowlist: derived from the RSA key, HS256 is not among them
      assertRefused(validate(settings(RSA).build(), forged.serialize()), "alg 'HS256'");
      // even an allowlist naming HS256 never pairs HS256 with an RSA key
      assertRefused(validate(settings(RSA).algorithms("RS256", "HS256").build(), forged.serialize()), "alg 'HS256'");
    }
  }

  @Test
  void neverSelectsKeysFromEmbeddedJwkJkuX5uOrX5cHeaders() throws Exception {
    RSAKey attacker = TestKeys.ATTACKER_RSA; // same kid as the trusted key
    JWSHeader header = new JWSHeader.Builder(JWSAlgorithm.RS256)
        .keyID("rsa-1")
        .jwk(attacker.toPublicJWK())
        .jwkURL(URI.create("https://attacker.example/jwks"))
        .x509CertURL(URI.create("https://attacker.example/cert"))
        .build();
    assertRefused(validate(settings(RSA).build(), sign(attacker, header, claims().build())), "signature");
    JWSHeader noKid = new JWSHeader.Builder(JWSAlgorithm.RS256).jwk(attacker.toPublicJWK()).build();
    assertRefused(validate(settings(RSA).build(), sign(attacker, noKid, claims().build())), "signature");
  }

  @Test
  void refusesCritHeaderItDoesNotUnderstand() {
    String header = "{\"alg\":\"RS256\",\"kid\":\"rsa-1\",\"crit\":[\"exp\"],\"exp\":1}";
    String token = signRaw(RSA, JWSAlgorithm.RS256, header, claims().build().toString());
    assertRefused(validate(token), "crit");
    String b64False = "{\"alg\":\"RS256\",\"kid\":\"rsa-1\",\"b64\":false,\"crit\":[\"b64\"]}";
    assertRefused(validate(signRaw(RSA, JWSAlgorithm.RS256, b64False, claims().build().toString())), "");
  }

  @Test
  void refusesAlgorithmOutsideTheAllowlist() {
    String token = sign(RSA, JWSAlgorithm.PS256, claims().build());
    assertRefused(validate(settings(RSA).algorithms("RS256").build(), token), "allowlist");
  }

  @Test
  void refusesAlgorithmThatDoesNotFitTheKey() throws Exception {
    // ES384 signed with a P-384 key that claims the kid of the trusted P-256 key
    ECKey p384 = TestKeys.generateEc(Curve.P_384, "ec-256");
    assertRefused(validate(sign(p384, JWSAlgorithm.ES384, claims().build())), "does not accept");
    // a key that declares alg RS256 does not verify PS256, even correctly signed
    RSAKey declared = new RSAKey.Builder(RSA).algorithm(JWSAlgorithm.RS256).build();
    assertRefused(validate(settings(declared).build(), sign(RSA, JWSAlgorithm.PS256, claims().build())), "does not accept");
    assertThat(validate(settings(declared).build(), sign(RSA, JWSAlgorithm.RS256, claims().build())).valid()).isTrue();
  }

  @Test
  void refusesUnknownKid() {
    RSAKey stranger = TestKeys.generateRsa("stranger");
    assertRefused(validate(sign(stranger, JWSAlgorithm.RS256, claims().build())), "unknown kid");
  }

  @Test
  void refusesExpiredToken() {
    JWTClaimsSet expired = claims().expirationTime(Date.from(NOW.minusSeconds(61))).build();
    assertRefused(validate(sign(RSA, JWSAlgorithm.RS256, expired)), "expired");
    JWTClaimsSet withinSkew = claims().expirationTime(Date.from(NOW.minusSeconds(59))).build();
    assertThat(validate(sign(RSA, JWSAlgorithm.RS256, withinSkew)).valid()).isTrue();
    JwtValidatorSettings noSkew = settings(RSA).clockSkew(Duration.ZERO).build();
    assertRefused(validate(noSkew, sign(RSA, JWSAlgorithm.RS256, withinSkew)), "expired");
  }

  @Test
  void refusesTokenWithoutExpUnlessConfigured() {
    JWTClaimsSet noExp = claims().expirationTime(null).build();
    assertRefused(validate(sign(RSA, JWSAlgorithm.RS256, noExp)), "exp missing");
    assertThat(validate(settings(RSA).requireExp(false).build(), sign(RSA, JWSAlgorithm.RS256, noExp)).valid()).isTrue();
  }

  @Test
  void refusesTokenNotYetValid() {
    JWTClaimsSet future = claims().notBeforeTime(Date.from(NOW.plusSeconds(61))).build();
    assertRefused(validate(sign(RSA, JWSAlgorithm.RS256, future)), "not valid before");
    JWTClaimsSet withinSkew = claims().notBeforeTime(Date.from(NOW.plusSeconds(59))).build();
    assertThat(validate(sign(RSA, JWSAlgorithm.RS256, withinSkew)).valid()).isTrue();
  }

  @Test
  void refusesTokenIssuedInTheFuture() {
    JWTClaimsSet future = claims().issueTime(Date.from(NOW.plusSeconds(120))).build();
    assertRefused(validate(sign(RSA, JWSAlgorithm.RS256, future)), "issued in the future");
  }

  @Test
  void refusesMalformedTimeClaims() {
    String payload = "{\"sub\":\"alice\",\"exp\":\"tomorrow\"}";
    assertRefused(validate(signRaw(RSA, JWSAlgorithm.RS256, "{\"alg\":\"RS256\",\"kid\":\"rsa-1\"}", payload)), "");
  }

  @Test
  void refusesWrongIssuer() {
    JwtValidatorSettings s = settings(RSA).issuers("https://issuer.example").build();
    assertRefused(validate(s, sign(RSA, JWSAlgorithm.RS256, claims().issuer("https://evil.example").build())), "issuer");
    assertRefused(validate(s, sign(RSA, JWSAlgorithm.RS256, claims().issuer(null).build())), "issuer");
  }

  @Test
  void checksAudienceAsStringOrArray() {
    JwtValidatorSettings s = settings(RSA).audiences("api://orders").build();
    assertRefused(validate(s, sign(RSA, JWSAlgorithm.RS256, claims().audience("api://billing").build())), "audience");
    assertRefused(validate(s, sign(RSA, JWSAlgorithm.RS256, claims().audience(List.of("a", "b")).build())), "audience");
    assertRefused(validate(s, sign(RSA, JWSAlgorithm.RS256, claims().audience((String) null).build())), "audience");
    assertThat(validate(s, sign(RSA, JWSAlgorithm.RS256, claims().audience(List.of("a", "api://orders")).build())).valid()).isTrue();
    assertThat(validate(s, sign(RSA, JWSAlgorithm.RS256, claims().audience("api://orders").build())).valid()).isTrue();
  }

  @Test
  void checksRequiredClaims() {
    JwtValidatorSettings s = settings(RSA).requireClaim("scope_level", "gold", "silver").requireClaim("tenant").build();
    assertThat(validate(s, sign(RSA, JWSAlgorithm.RS256, claims().claim("scope_level", "gold").claim("tenant", "t1").build())).valid()).isTrue();
    assertThat(validate(s, sign(RSA, JWSAlgorithm.RS256, claims().claim("scope_level", List.of("bronze", "silver")).claim("tenant", 7).build())).valid()).isTrue();
    assertRefused(validate(s, sign(RSA, JWSAlgorithm.RS256, claims().claim("scope_level", "bronze").claim("tenant", "t1").build())), "scope_level");
    assertRefused(validate(s, sign(RSA, JWSAlgorithm.RS256, claims().claim("scope_level", "gold").build())), "tenant");
    assertRefused(validate(s, sign(RSA, JWSAlgorithm.RS256, claims().claim("scope_level", Map.of("x", "gold")).claim("tenant", "t").build())), "scope_level");
  }

  @Test
  void refusesTamperedPayloadHeaderOrSignature() {
    String token = sign(RSA, JWSAlgorithm.RS256, claims().build());
    assertRefused(validate(TestKeys.tamper(token, 1)), "");
    assertRefused(validate(TestKeys.tamper(token, 2)), "signature");
    String ecToken = sign(EC_P256, JWSAlgorithm.ES256, claims().build());
    assertRefused(validate(TestKeys.tamper(ecToken, 1)), "");
    assertRefused(validate(TestKeys.tamper(ecToken, 2)), "");
    String hmacToken = sign(HMAC, JWSAlgorithm.HS256, claims().build());
    assertRefused(validate(TestKeys.tamper(hmacToken, 1)), "");
    // a token re-pointed at another payload keeps the old signature
    String other = sign(RSA, JWSAlgorithm.RS256, claims().subject("mallory").build());
    String[] a = token.split("\\.");
    String[] b = other.split("\\.");
    assertRefused(validate(a[0] + "." + b[1] + "." + a[2]), "signature");
  }

  @Test
  void refusesNonJsonPayload() {
    String token = signRaw(RSA, JWSAlgorithm.RS256, "{\"alg\":\"RS256\",\"kid\":\"rsa-1\"}", "just text");
    assertRefused(validate(token), "payload");
    String array = signRaw(RSA, JWSAlgorithm.RS256, "{\"alg\":\"RS256\",\"kid\":\"rsa-1\"}", "[1,2]");
    assertRefused(validate(array), "payload");
  }

  @Test
  void refusesOversizedTokenBeforeParsing() {
    String big = "x".repeat(8 * 1024 + 1);
    assertRefused(validate(big), "exceeds maxTokenBytes 8192");
    String padded = sign(RSA, JWSAlgorithm.RS256, claims().claim("pad", "p".repeat(9000)).build());
    assertRefused(validate(padded), "exceeds maxTokenBytes");
    assertThat(validate(settings(RSA).maxTokenBytes(32 * 1024).build(), padded).valid()).isTrue();
  }

  @Test
  void refusesJweAndOtherShapes() {
    assertRefused(validate("eyJhbGciOiJSU0EtT0FFUCJ9.a.b.c.d"), "JWE");
    assertRefused(validate("abc"), "3-part");
    assertRefused(validate("a.b"), "3-part");
    assertRefused(validate(""), "empty");
    assertRefused(validate("a b.c.d"), "base64url");
    assertRefused(validate("...."), "JWE");
    assertRefused(validate("!!.@@.##"), "base64url");
    assertRefused(validate(b64("not json") + "." + b64("{}") + ".sig"), "malformed");
  }

  @Test
  void refusesDuplicateJsonKeys() {
    String header = "{\"alg\":\"RS256\",\"kid\":\"rsa-1\",\"kid\":\"rsa-2\"}";
    assertRefused(validate(signRaw(RSA, JWSAlgorithm.RS256, header, claims().build().toString())), "malformed");
    long exp = NOW.plusSeconds(300).getEpochSecond();
    String payload = "{\"sub\":\"alice\",\"exp\":" + exp + ",\"sub\":\"admin\"}";
    assertRefused(validate(signRaw(RSA, JWSAlgorithm.RS256, "{\"alg\":\"RS256\",\"kid\":\"rsa-1\"}", payload)), "payload");
  }

  @Test
  void survivesDeeplyNestedPayload() {
    long exp = NOW.plusSeconds(300).getEpochSecond();
    String payload = "{\"sub\":\"alice\",\"exp\":" + exp + ",\"x\":" + "[".repeat(5000) + "]".repeat(5000) + "}";
    JwtValidatorSettings s = settings(RSA).maxTokenBytes(64 * 1024).build();
    JwtResult result = validate(s, signRaw(RSA, JWSAlgorithm.RS256, "{\"alg\":\"RS256\",\"kid\":\"rsa-1\"}", payload));
    assertThat(result).isNotNull(); // accepted or refused, but no StackOverflowError escapes
  }

  @Test
  void refusesInvalidSettings() {
    assertThatThrownBy(() -> JwtValidatorSettings.builder().build())
        .hasMessageContaining("exactly one of jwksUrl, openidConfigUrl, jwks");
    assertThatThrownBy(() -> JwtValidatorSettings.builder().jwksUrl(URI.create("file:///etc/passwd")).build())
        .hasMessageContaining("file:///etc/passwd");
    assertThatThrownBy(() -> settings(RSA).algorithms("RS1").build()).hasMessageContaining("RS1");
    assertThatThrownBy(() -> settings(RSA).clockSkew(Duration.ofSeconds(-1)).build()).hasMessageContaining("PT-1S");
    assertThatThrownBy(() -> JwtValidatorSettings.builder().jwks("{\"keys\":[]}").build()).hasMessageContaining("empty");
  }

  @Test
  void dropsWeakRsaKeys() throws Exception {
    RSAKey weak = new com.nimbusds.jose.jwk.gen.RSAKeyGenerator(1024, true).keyID("weak").generate();
    assertThat(KeyRing.of(new com.nimbusds.jose.jwk.JWKSet(weak), true).size()).isZero();
    assertThat(KeyRing.of(new com.nimbusds.jose.jwk.JWKSet(List.of(RSA, HMAC)), false).size()).isEqualTo(1);
  }

  @Test
  void verifierIsUsableAloneForNonJwtPayloads() {
    String token = signRaw(RSA, JWSAlgorithm.RS256, "{\"alg\":\"RS256\"}", "plain text payload");
    KeyRing ring = KeyRing.of(new com.nimbusds.jose.jwk.JWKSet(RSA), false);
    JwsVerifier verifier = JwsVerifier.create(Set.of(), 8192);
    assertThat(verifier.verify(token, ring).status()).isEqualTo(JwsVerifier.Status.VERIFIED);
    assertThat(verifier.verify(TestKeys.tamper(token, 1), ring).status()).isEqualTo(JwsVerifier.Status.REJECTED);
    assertThat(Base64URL.from(token.split("\\.")[1]).decodeToString()).isEqualTo("plain text payload");
  }
}
