package io.gatehouse.gateway.internal.jwt;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.JWSSigner;
import com.nimbusds.jose.crypto.ECDSASigner;
import com.nimbusds.jose.crypto.MACSigner;
import com.nimbusds.jose.crypto.RSASSASigner;
import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.OctetKeyPair;
import com.nimbusds.jose.jwk.OctetSequenceKey;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.jwk.gen.ECKeyGenerator;
import com.nimbusds.jose.jwk.gen.OctetSequenceKeyGenerator;
import com.nimbusds.jose.jwk.gen.RSAKeyGenerator;
import com.nimbusds.jose.util.Base64URL;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import java.nio.charset.StandardCharsets;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.Signature;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Arrays;
import java.util.Date;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;

/** Key material, signed tokens and a settable clock for the JWT tests. */
final class TestKeys {
  static final Instant NOW = Instant.parse("2030-01-01T00:00:00Z");
  static final RSAKey RSA = generateRsa("rsa-1");
  static final RSAKey RSA_2 = generateRsa("rsa-2");
  static final RSAKey ATTACKER_RSA = generateRsa("rsa-1");
  static final ECKey EC_P256 = generateEc(Curve.P_256, "ec-256");
  static final OctetSequenceKey HMAC = generateOct("hmac-1");

  private TestKeys() {}

  static RSAKey generateRsa(String kid) {
    try {
      return new RSAKeyGenerator(2048).keyID(kid).generate();
    } catch (JOSEException e) {
      throw new IllegalStateException(e);
    }
  }

  static ECKey generateEc(Curve curve, String kid) {
    try {
      return new ECKeyGenerator(curve).keyID(kid).generate();
    } catch (JOSEException e) {
      throw new IllegalStateException(e);
    }
  }

  static OctetSequenceKey generateOct(String kid) {
    try {
      return new OctetSequenceKeyGenerator(256).keyID(kid).generate();
    } catch (JOSEException e) {
      throw new IllegalStateException(e);
    }
  }

  /** A JWK Set JSON object holding the public parts of {@code keys} (secret parts for oct). */
  static Map<String, Object> jwks(JWK... keys) {
    return new JWKSet(Arrays.asList(keys)).toJSONObject(false);
  }

  static String publicJwksJson(JWK... keys) {
    return new JWKSet(Arrays.asList(keys)).toString(true);
  }

  static JWTClaimsSet.Builder claims() {
    return new JWTClaimsSet.Builder()
        .subject("alice")
        .issuer("https://issuer.example")
        .audience("api://orders")
        .issueTime(Date.from(NOW.minusSeconds(10)))
        .expirationTime(Date.from(NOW.plusSeconds(300)));
  }

  static String sign(JWK key, JWSAlgorithm alg, JWTClaimsSet claims) {
    return sign(key, new JWSHeader.Builder(alg).keyID(key.getKeyID()).build(), claims);
  }

  static String sign(JWK key, JWSHeader header, JWTClaimsSet claims) {
    try {
      SignedJWT jwt = new SignedJWT(header, claims);
      jwt.sign(signer(key));
      return jwt.serialize();
    } catch (JOSEException e) {
      throw new IllegalStateException(e);
    }
  }

  static JWSSigner signer(JWK key) throws JOSEException {
    if (key instanceof RSAKey) {
      return new RSASSASigner((RSAKey) key);
    } else if (key instanceof ECKey) {
      return new ECDSASigner((ECKey) key);
    } else if (key instanceof OctetSequenceKey) {
      return new MACSigner((OctetSequenceKey) key);
    }
    throw new IllegalArgumentException("no signer for " + key.getKeyType());
  }

  /** Signs raw header and payload JSON text with {@code key} under {@code alg}. */
  static String signRaw(JWK key, JWSAlgorithm alg, String headerJson, String payload) {
    try {
      String input = b64(headerJson) + "." + b64(payload);
      JWSHeader header = new JWSHeader(alg);
      Base64URL sig = signer(key).sign(header, input.getBytes(StandardCharsets.US_ASCII));
      return input + "." + sig;
    } catch (JOSEException e) {
      throw new IllegalStateException(e);
    }
  }

  static String b64(String text) {
    return Base64URL.encode(text.getBytes(StandardCharsets.UTF_8)).toString();
  }

  /** An Ed25519 key pair from the JDK with its public JWK. */
  record Ed25519(KeyPair pair, OctetKeyPair jwk) {
    static Ed25519 generate(String kid) throws Exception {
      KeyPair pair = KeyPairGenerator.getInstance("Ed25519").generateKeyPair();
      byte[] spki = pair.getPublic().getEncoded();
      byte[] x = Arrays.copyOfRange(spki, spki.length - 32, spki.length);
      OctetKeyPair jwk = new OctetKeyPair.Builder(Curve.Ed25519, Base64URL.encode(x)).keyID(kid).build();
      return new Ed25519(pair, jwk);
    }

    String sign(String alg, JWTClaimsSet claims) throws Exception {
      String input = b64("{\"alg\":\"" + alg + "\",\"kid\":\"" + jwk.getKeyID() + "\"}") + "." + b64(claims.toString());
      Signature s = Signature.getInstance("Ed25519");
      s.initSign(pair.getPrivate());
      s.update(input.getBytes(StandardCharsets.US_ASCII));
      return input + "." + Base64URL.encode(s.sign());
    }
  }

  /** Flips one character in the middle of part {@code part} (0-based) of a compact token. */
  static String tamper(String token, int part) {
    List<String> parts = Arrays.asList(token.split("\\.", -1));
    String p = parts.get(part);
    int i = p.length() / 2;
    char c = p.charAt(i);
    char replacement = c == 'A' ? 'B' : 'A';
    parts.set(part, p.substring(0, i) + replacement + p.substring(i + 1));
    return String.join(".", parts);
  }

  /** A clock the test moves by hand. */
  static final class MutableClock extends Clock {
    private final AtomicReference<Instant> now;

    MutableClock(Instant start) {
      this.now = new AtomicReference<>(start);
    }

    void advance(Duration d) {
      now.updateAndGet(i -> i.plus(d));
    }

    @Override
    public Instant instant() {
      return now.get();
    }

    @Override
    public ZoneOffset getZone() {
      return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(java.time.ZoneId zone) {
      return this;
    }
  }
}
