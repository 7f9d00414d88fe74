package io.gatehouse.insight.injection;

import static java.util.Objects.requireNonNull;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;

/**
 * The half of the detection corpora a case belongs to, decided by its key alone: the first byte of
 * the key's SHA-256 is even for {@link #TUNING} and odd for {@link #HELD_OUT}. A libinjection case's
 * key is its line (so a payload listed in two files is in the same half), a CRS case's key is
 * {@code FILE#TEST_ID} (all stages of a test together). Detector changes may be tuned on the tuning
 * half only; the held-out half is measured and published, never inspected case by case.
 */
enum CorpusHalf {
  TUNING,
  HELD_OUT;

  /** The half of the case named by {@code key}. */
  static CorpusHalf of(String key) {
    requireNonNull(key, "key");
    try {
      byte[] digest = MessageDigest.getInstance("SHA-256").digest(key.getBytes(StandardCharsets.UTF_8));
      return (digest[0] & 1) == 0 ? TUNING : HELD_OUT;
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
