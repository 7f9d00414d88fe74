package io.gatehouse.gateway.internal.jwt;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.JWSVerifier;
import com.nimbusds.jose.jca.JCAContext;
import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.OctetKeyPair;
import com.nimbusds.jose.util.Base64URL;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PublicKey;
import java.security.Signature;
import java.security.spec.X509EncodedKeySpec;
import java.util.Set;

/**
 * Verifies Ed25519 ({@code EdDSA} / {@code Ed25519}) signatures with the JDK's own provider, so no
 * Tink dependency is needed; thread-safe.
 */
final class Ed25519JdkVerifier implements JWSVerifier {
  /** DER prefix of a SubjectPublicKeyInfo holding a raw 32-byte Ed25519 key (RFC 8410). */
  private static final byte[] SPKI_PREFIX = {
    0x30, 0x2a, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x70, 0x03, 0x21, 0x00
  };

  private final PublicKey publicKey;
  private final JCAContext jcaContext = new JCAContext();

  Ed25519JdkVerifier(OctetKeyPair key) throws JOSEException {
    if (!Curve.Ed25519.equals(key.getCurve())) {
      throw new JOSEException("expected curve Ed25519, got " + key.getCurve());
    }
    byte[] x = key.getX().decode();
    if (x.length != 32) {
      throw new JOSEException("expected a 32-byte Ed25519 public key, got " + x.length + " bytes");
    }
    byte[] der = new byte[SPKI_PREFIX.length + 32];
    System.arraycopy(SPKI_PREFIX, 0, der, 0, SPKI_PREFIX.length);
    System.arraycopy(x, 0, der, SPKI_PREFIX.length, 32);
    try {
      this.publicKey = KeyFactory.getInstance("Ed25519").generatePublic(new X509EncodedKeySpec(der));
    } catch (GeneralSecurityException e) {
      throw new JOSEException("invalid Ed25519 key: " + e.getMessage(), e);
    }
  }

  @Override
  public boolean verify(JWSHeader header, byte[] signingInput, Base64URL signature) throws JOSEException {
    if (!supportedJWSAlgorithms().contains(header.getAlgorithm())) {
      return false;
    }
    try {
      Signature verifier = Signature.getInstance("Ed25519");
      verifier.initVerify(publicKey);
      verifier.update(signingInput);
      return verifier.verify(signature.decode());
    } catch (GeneralSecurityException e) {
      return false;
    }
  }

  @Override
  public Set<JWSAlgorithm> supportedJWSAlgorithms() {
    return Set.of(JWSAlgorithm.EdDSA, JWSAlgorithm.Ed25519);
  }

  @Override
  public JCAContext getJCAContext() {
    return jcaContext;
  }
}
