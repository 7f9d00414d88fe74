package io.gatehouse.control.secrets;

import static java.util.Objects.requireNonNull;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.SecureRandom;
import java.security.spec.PKCS8EncodedKeySpec;
import java.security.spec.X509EncodedKeySpec;
import java.util.Arrays;
import java.util.Base64;
import javax.crypto.Cipher;
import javax.crypto.KeyAgreement;
import javax.crypto.Mac;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;

/**
 * Sealed values: a value encrypted to an instance's X25519 public key (ECIES: an ephemeral X25519
 * key agreement, HKDF-SHA256, AES-256-GCM), so that anyone holding the public key can seal and
 * only the instance can unseal.
 *
 * <p>A sealed value reads {@code v1:} followed by URL-safe Base64 of the ephemeral public key
 * (X.509, 44 bytes), a 12-byte nonce and the GCM output.
 */
public final class Sealing {
  /** The prefix of sealed values. */
  public static final String PREFIX = "v1:";

  private static final SecureRandom RANDOM = new SecureRandom();
  private static final int PUB_LEN = 44;
  private static final int NONCE = 12;
  private static final byte[] INFO = "gatehouse-seal-v1".getBytes(StandardCharsets.UTF_8);

  private final KeyPair pair;

  private Sealing(KeyPair pair) {
    this.pair = pair;
  }

  /** A new random key pair. */
  public static Sealing generate() {
    try {
      return new Sealing(KeyPairGenerator.getInstance("X25519").generateKeyPair());
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("X25519 is not available: " + e, e);
    }
  }

  /** The key pair from its encodings (X.509 public key, PKCS#8 private key). */
  public static Sealing of(byte[] publicKey, byte[] privateKey) {
    try {
      KeyFactory f = KeyFactory.getInstance("X25519");
      return new Sealing(new KeyPair(f.generatePublic(new X509EncodedKeySpec(publicKey)),
          f.generatePrivate(new PKCS8EncodedKeySpec(privateKey))));
    } catch (GeneralSecurityException e) {
      throw new IllegalArgumentException("not an X25519 key pair: " + e.getMessage(), e);
    }
  }

  /** The public key, X.509 encoded. */
  public byte[] publicKey() {
    return pair.getPublic().getEncoded();
  }

  /** The private key, PKCS#8 encoded (encrypt it before storing it). */
  public byte[] privateKey() {
    return pair.getPrivate().getEncoded();
  }

  /** The public key as a PEM {@code PUBLIC KEY} block. */
  public String publicKeyPem() {
    return "-----BEGIN PUBLIC KEY-----\n" + Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII))
        .encodeToString(publicKey()) + "\n-----END PUBLIC KEY-----\n";
  }

  /**
   * The X25519 public key in {@code pem} (a {@code PUBLIC KEY} block, or bare Base64).
   *
   * @throws IllegalArgumentException when it is not one
   */
  public static PublicKey parsePublicKey(String pem) {
    requireNonNull(pem, "pem");
    String body = pem.replaceAll("-----[A-Z ]+-----", "").replaceAll("\\s", "");
    try {
      return KeyFactory.getInstance("X25519").generatePublic(new X509EncodedKeySpec(Base64.getDecoder().decode(body)));
    } catch (GeneralSecurityException | IllegalArgumentException e) {
      throw new IllegalArgumentException("expected an X25519 public key in PEM but got something else: " + e.getMessage(), e);
    }
  }

  /** Seals {@code value} to {@code recipient}. */
  public static String seal(PublicKey recipient, String value) {
    requireNonNull(recipient, "recipient");
    requireNonNull(value, "value");
    try {
      KeyPair eph = KeyPairGenerator.getInstance("X25519").generateKeyPair();
      byte[] ephPub = eph.getPublic().getEncoded();
      byte[] key = derive(eph.getPrivate(), recipient, ephPub, recipient.getEncoded());
      byte[] nonce = new byte[NONCE];
      RANDOM.nextBytes(nonce);
      Cipher c = Cipher.getInstance("AES/GCM/NoPadding");
      c.init(Cipher.ENCRYPT_MODE, new SecretKeySpec(key, "AES"), new GCMParameterSpec(128, nonce));
      byte[] ct = c.doFinal(value.getBytes(StandardCharsets.UTF_8));
      byte[] out = ByteBuffer.allocate(ephPub.length + NONCE + ct.length).put(ephPub).put(nonce).put(ct).array();
      return PREFIX + Base64.getUrlEncoder().withoutPadding().encodeToString(out);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("sealing failed: " + e, e);
    }
  }

  /** Seals {@code value} to this key pair. */
  public String seal(String value) {
    return seal(pair.getPublic(), value);
  }

  /**
   * Opens a value sealed to this key pair.
   *
   * @throws IllegalArgumentException when it is malformed or sealed to another key
   */
  public String unseal(String sealed) {
    requireNonNull(sealed, "sealed");
    byte[] raw;
    try {
      raw = sealed.startsWith(PREFIX) ? Base64.getUrlDecoder().decode(sealed.substring(PREFIX.length())) : new byte[0];
    } catch (IllegalArgumentException e) {
      raw = new byte[0];
    }
    if (raw.length < PUB_LEN + NONCE + 16) {
      throw new IllegalArgumentException("expected a sealed value 'v1:BASE64' from 'gatehouse seal' but got a malformed one");
    }
    try {
      byte[] ephPub = Arrays.copyOfRange(raw, 0, PUB_LEN);
      PublicKey eph = KeyFactory.getInstance("X25519").generatePublic(new X509EncodedKeySpec(ephPub));
      byte[] key = derive(pair.getPrivate(), eph, ephPub, publicKey());
      Cipher c = Cipher.getInstance("AES/GCM/NoPadding");
      c.init(Cipher.DECRYPT_MODE, new SecretKeySpec(key, "AES"), new GCMParameterSpec(128, raw, PUB_LEN, NONCE));
      return new String(c.doFinal(raw, PUB_LEN + NONCE, raw.length - PUB_LEN - NONCE), StandardCharsets.UTF_8);
    } catch (GeneralSecurityException e) {
      throw new IllegalArgumentException("the sealed value does not open with this instance's key (sealed for another instance?)");
    }
  }

  /** HKDF-SHA256 (RFC 5869) of the X25519 shared secret, salted with both public keys. */
  private static byte[] derive(PrivateKey mine, PublicKey theirs, byte[] ephPub, byte[] recipientPub)
      throws GeneralSecurityException {
    KeyAgreement ka = KeyAgreement.getInstance("X25519");
    ka.init(mine);
    ka.doPhase(theirs, true);
    byte[] shared = ka.generateSecret();
    Mac mac = Mac.getInstance("HmacSHA256");
    mac.init(new SecretKeySpec(ByteBuffer.allocate(ephPub.length + recipientPub.length).put(ephPub).put(recipientPub).array(), "HmacSHA256"));
    byte[] prk = mac.doFinal(shared);
    mac.init(new SecretKeySpec(prk, "HmacSHA256"));
    mac.update(INFO);
    mac.update((byte) 1);
    return mac.doFinal();
  }
}
