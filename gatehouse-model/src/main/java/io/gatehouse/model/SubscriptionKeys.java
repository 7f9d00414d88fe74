package io.gatehouse.model;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.HexFormat;

/**
 * Generates subscription keys and computes the hashes they are stored and looked up by.
 *
 * <p>Keys carry 192 bits from a CSPRNG, so a fast unsalted SHA-256 is a safe lookup hash: it
 * cannot be reversed by search, and it lets the gateway find a key with one map lookup.
 */
public final class SubscriptionKeys {
  /** Prefix of a stored key hash. */
  public static final String HASH_PREFIX = "sha256:";

  private static final SecureRandom RANDOM = new SecureRandom();
  private static final ThreadLocal<MessageDigest> SHA256 =
      ThreadLocal.withInitial(SubscriptionKeys::newDigest);

  private SubscriptionKeys() {}

  /** A new random key: 24 bytes, URL-safe Base64 without padding (32 characters). */
  public static String generate() {
    byte[] bytes = new byte[24];
    RANDOM.nextBytes(bytes);
    return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
  }

  /** The stored form of {@code key}: {@code sha256:} and the lower-case hex digest. */
  public static String hash(String key) {
    MessageDigest digest = SHA256.get();
    byte[] out = digest.digest(key.getBytes(StandardCharsets.UTF_8));
    return HASH_PREFIX + HexFormat.of().formatHex(out);
  }

  private static MessageDigest newDigest() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is unavailable", e);
    }
  }
}
