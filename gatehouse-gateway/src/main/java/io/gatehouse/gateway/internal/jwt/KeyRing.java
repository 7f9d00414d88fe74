package io.gatehouse.gateway.internal.jwt;

import static java.util.Objects.requireNonNull;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSVerifier;
import com.nimbusds.jose.crypto.ECDSAVerifier;
import com.nimbusds.jose.crypto.MACVerifier;
import com.nimbusds.jose.crypto.RSASSAVerifier;
import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.KeyOperation;
import com.nimbusds.jose.jwk.KeyUse;
import com.nimbusds.jose.jwk.OctetKeyPair;
import com.nimbusds.jose.jwk.OctetSequenceKey;
import com.nimbusds.jose.jwk.RSAKey;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * An immutable set of verification keys, each with its precomputed verifier and the algorithms it
 * may verify; keys that cannot verify signatures (encryption keys, RSA under 2048 bits, unknown
 * curves) are dropped when the ring is built. Thread-safe.
 */
public final class KeyRing {
  private static final Logger log = LoggerFactory.getLogger(KeyRing.class);

  /** Smallest RSA modulus accepted, in bits. */
  static final int MIN_RSA_BITS = 2048;

  static final Set<String> RSA_ALGS = Set.of("RS256", "RS384", "RS512", "PS256", "PS384", "PS512");
  static final Set<String> HMAC_ALGS = Set.of("HS256", "HS384", "HS512");
  static final Set<String> EDDSA_ALGS = Set.of("EdDSA", "Ed25519");

  /** One usable key. */
  record Entry(JWK jwk, JWSVerifier verifier, Set<String> algorithms) {}

  private final List<Entry> entries;
  private final int sourceKeyCount;

  private KeyRing(List<Entry> entries, int sourceKeyCount) {
    this.entries = List.copyOf(entries);
    this.sourceKeyCount = sourceKeyCount;
  }

  /**
   * Builds a ring from a JWK Set; private key material is reduced to its public part, symmetric
   * keys are kept only when {@code allowSymmetric}.
   */
  public static KeyRing of(JWKSet set, boolean allowSymmetric) {
    requireNonNull(set, "set");
    List<Entry> entries = new ArrayList<>();
    for (JWK jwk : set.getKeys()) {
      if (jwk.getKeyUse() != null && !KeyUse.SIGNATURE.equals(jwk.getKeyUse())) {
        continue;
      }
      if (jwk.getKeyOperations() != null
          && !jwk.getKeyOperations().contains(KeyOperation.VERIFY)
          && !jwk.getKeyOperations().contains(KeyOperation.SIGN)) {
        continue;
      }
      try {
        Entry entry = entry(jwk, allowSymmetric);
        if (entry != null) {
          entries.add(entry);
        }
      } catch (JOSEException | RuntimeException e) {
        log.warn("Ignoring JWK kid={} kty={}: {}", jwk.getKeyID(), jwk.getKeyType(), e.getMessage());
      }
    }
    return new KeyRing(entries, set.getKeys().size());
  }

  private static Entry entry(JWK jwk, boolean allowSymmetric) throws JOSEException {
    Set<String> derived;
    JWSVerifier verifier;
    if (jwk instanceof RSAKey) {
      RSAKey rsa = ((RSAKey) jwk).toPublicJWK();
      int bits = rsa.size();
      if (bits < MIN_RSA_BITS) {
        throw new JOSEException("RSA key of " + bits + " bits, expected >= " + MIN_RSA_BITS);
      }
      derived = RSA_ALGS;
      verifier = new RSASSAVerifier(rsa.toRSAPublicKey());
    } else if (jwk instanceof ECKey) {
      ECKey ec = ((ECKey) jwk).toPublicJWK();
      String alg = ecAlgorithm(ec.getCurve());
      if (alg == null) {
        throw new JOSEException("unsupported EC curve " + ec.getCurve());
      }
      derived = Set.of(alg);
      verifier = new ECDSAVerifier(ec);
    } else if (jwk instanceof OctetKeyPair) {
      derived = EDDSA_ALGS;
      verifier = new Ed25519JdkVerifier(((OctetKeyPair) jwk).toPublicJWK());
    } else if (jwk instanceof OctetSequenceKey) {
      if (!allowSymmetric) {
        throw new JOSEException("symmetric keys are accepted only inline, not from a remote JWKS");
      }
      derived = HMAC_ALGS;
      verifier = new MACVerifier((OctetSequenceKey) jwk);
    } else {
      throw new JOSEException("unsupported key type " + jwk.getKeyType());
    }
    Set<String> algorithms = derived;
    if (jwk.getAlgorithm() != null) {
      String declared = jwk.getAlgorithm().getName();
      if (!derived.contains(declared)) {
        throw new JOSEException("declared alg " + declared + " does not fit key type, expected one of " + derived);
      }
      algorithms = Set.of(declared);
    }
    return new Entry(jwk, verifier, algorithms);
  }

  private static String ecAlgorithm(Curve curve) {
    if (Curve.P_256.equals(curve)) {
      return JWSAlgorithm.ES256.getName();
    } else if (Curve.P_384.equals(curve)) {
      return JWSAlgorithm.ES384.getName();
    } else if (Curve.P_521.equals(curve)) {
      return JWSAlgorithm.ES512.getName();
    } else if (Curve.SECP256K1.equals(curve)) {
      return JWSAlgorithm.ES256K.getName();
    }
    return null;
  }

  List<Entry> entries() {
    return entries;
  }

  boolean hasKid(String kid) {
    for (Entry e : entries) {
      if (kid.equals(e.jwk().getKeyID())) {
        return true;
      }
    }
    return false;
  }

  /** Returns the number of usable keys. */
  public int size() {
    return entries.size();
  }

  @Override
  public String toString() {
    return "KeyRing[" + entries.size() + " usable of " + sourceKeyCount + "]";
  }
}
