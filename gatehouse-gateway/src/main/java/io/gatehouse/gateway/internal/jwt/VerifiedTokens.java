package io.gatehouse.gateway.internal.jwt;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.Date;
import java.util.concurrent.atomic.LongAdder;

/**
 * A bounded cache of the tokens one {@link JwtValidator} accepted, so that a client presenting the
 * same token again costs a hash instead of a signature verification.
 *
 * <p>Entries are keyed by the SHA-256 of the token (the cache never holds a usable credential), are
 * valid only with the very key set they were verified against (a rotation or refetch of the keys
 * makes every entry miss), and carry the token's time claims so that the validator judges
 * {@code exp}, {@code nbf} and {@code iat} against its clock on every use. Only accepted tokens are
 * kept; a refused token is verified again each time. Thread-safe.
 */
final class VerifiedTokens {
  /** Entries kept at most; an entry is about the size of the token's claims. */
  static final int MAX_ENTRIES = 10_000;
  /** How long an entry lives at most, whatever its {@code exp}, so that a token without one is re-verified. */
  static final Duration MAX_AGE = Duration.ofMinutes(10);

  private static final ThreadLocal<MessageDigest> SHA_256 = ThreadLocal.withInitial(() -> {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("the JDK has no SHA-256", e);
    }
  });

  /** The SHA-256 of a token, as four longs. */
  record Digest(long a, long b, long c, long d) {}

  /**
   * One accepted token.
   *
   * @param result the accepted result (subject and frozen claims)
   * @param keys the key set the signature was verified against
   * @param exp the {@code exp} claim, or null
   * @param nbf the {@code nbf} claim, or null
   * @param iat the {@code iat} claim, or null
   */
  record Entry(JwtResult result, KeySource.Keys keys, Date exp, Date nbf, Date iat) {}

  private final Cache<Digest, Entry> entries = Caffeine.newBuilder()
      .maximumSize(MAX_ENTRIES)
      .expireAfterWrite(MAX_AGE)
      .build();
  private final LongAdder hits = new LongAdder();

  /** The digest of {@code token}. */
  static Digest digest(String token) {
    MessageDigest md = SHA_256.get();
    ByteBuffer h = ByteBuffer.wrap(md.digest(token.getBytes(StandardCharsets.UTF_8)));
    return new Digest(h.getLong(), h.getLong(), h.getLong(), h.getLong());
  }

  /** The entry for {@code digest} when it was verified against {@code current}, or null. */
  Entry get(Digest digest, KeySource.Keys current) {
    Entry e = entries.getIfPresent(digest);
    if (e == null || e.keys() != current) {
      return null;
    }
    hits.increment();
    return e;
  }

  /** Remembers an accepted token. */
  void put(Digest digest, Entry entry) {
    entries.put(digest, entry);
  }

  /** How many validations were answered from this cache. */
  long hits() {
    return hits.sum();
  }
}
