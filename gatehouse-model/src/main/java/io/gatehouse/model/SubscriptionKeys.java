package io.gatehouse.model;

import static java.util.Objects.requireNonNull;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.HexFormat;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Generates subscription keys and computes the hashes they are stored and looked up by.
 *
 * <p>Two forms. {@code sha256:HEX} is the unkeyed digest of a key: what {@link SubscriptionDef#hashed()}
 * computes from a key given in plain text, and what older revisions stored. {@code hmac-sha256:HEX}
 * is {@code HMAC-SHA256(instance key, SHA-256(key))}: what the control plane stores and
 * distributes, so that a copied hash of a guessable operator-chosen key cannot be searched without
 * the instance's hashing key (kept encrypted under the master key). Because the keyed form is taken
 * over the digest, {@link Hasher#rekeyed(String)} turns an old {@code sha256:} hash into it without
 * knowing the key.
 */
public final class SubscriptionKeys {
  /** Prefix of an unkeyed key hash. */
  public static final String HASH_PREFIX = "sha256:";
  /** Prefix of a keyed key hash. */
  public static final String KEYED_PREFIX = "hmac-sha256:";

  private static final SecureRandom RANDOM = new SecureRandom();
  private static final HexFormat HEX = HexFormat.of();
  private static final ThreadLocal<MessageDigest> SHA256 =
      ThreadLocal.withInitial(SubscriptionKeys::newDigest);

  private SubscriptionKeys() {}

  /** A new random key: 24 bytes, URL-safe Base64 without padding (32 characters). */
  public static String generate() {
    byte[] bytes = new byte[24];
    RANDOM.nextBytes(bytes);
    return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
  }

  /** The unkeyed form of {@code key}: {@code sha256:} and the lower-case hex digest. */
  public static String hash(String key) {
    return HASH_PREFIX + HEX.formatHex(digest(key));
  }

  /** Whether {@code hash} is {@code sha256:} or {@code hmac-sha256:} followed by 64 hex digits. */
  public static boolean isHash(String hash) {
    String hex = hash.startsWith(HASH_PREFIX) ? hash.substring(HASH_PREFIX.length())
        : hash.startsWith(KEYED_PREFIX) ? hash.substring(KEYED_PREFIX.length()) : null;
    return hex != null && hex.length() == 64 && hex.chars().allMatch(c -> Character.digit(c, 16) >= 0);
  }

  /** A hasher keyed with {@code key} (at least 32 bytes). */
  public static Hasher keyed(byte[] key) {
    requireNonNull(key, "key");
    if (key.length < 32) {
      throw new IllegalArgumentException("expected a hashing key of at least 32 bytes but got " + key.length);
    }
    return new Hasher(key.clone());
  }

  /** Computes keyed hashes ({@code hmac-sha256:}) under one instance key; thread-safe. */
  public static final class Hasher {
    private final ThreadLocal<Mac> mac;

    private Hasher(byte[] key) {
      SecretKeySpec spec = new SecretKeySpec(key, "HmacSHA256");
      this.mac = ThreadLocal.withInitial(() -> {
        try {
          Mac m = Mac.getInstance("HmacSHA256");
          m.init(spec);
          return m;
        } catch (GeneralSecurityException e) {
          throw new IllegalStateException("HMAC-SHA256 is unavailable", e);
        }
      });
    }

    /** The keyed form of {@code key}. */
    public String hash(String key) {
      return keyedOf(digest(requireNonNull(key, "key")));
    }

    /** {@code hash} in keyed form: a {@code sha256:} hash converted, a keyed one unchanged. */
    public String rekeyed(String hash) {
      if (hash == null || !hash.startsWith(HASH_PREFIX) || !isHash(hash)) {
        return hash;
      }
      return keyedOf(HEX.parseHex(hash.substring(HASH_PREFIX.length())));
    }

    /** {@code s} with plain keys and unkeyed hashes replaced by keyed hashes. */
    public SubscriptionDef rekeyed(SubscriptionDef s) {
      SubscriptionDef h = s.hashed();
      String primary = rekeyed(h.primaryKeyHash());
      String secondary = rekeyed(h.secondaryKeyHash());
      if (h == s && java.util.Objects.equals(primary, s.primaryKeyHash())
          && java.util.Objects.equals(secondary, s.secondaryKeyHash())) {
        return s;
      }
      return h.withKeyMaterial(null, null, primary, secondary);
    }

    private String keyedOf(byte[] digest) {
      return KEYED_PREFIX + HEX.formatHex(mac.get().doFinal(digest));
    }
  }

  private static byte[] digest(String key) {
    return SHA256.get().digest(key.getBytes(StandardCharsets.UTF_8));
  }

  private static MessageDigest newDigest() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is unavailable", e);
    }
  }
}
