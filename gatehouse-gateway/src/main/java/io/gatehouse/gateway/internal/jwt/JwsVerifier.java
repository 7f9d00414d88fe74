package io.gatehouse.gateway.internal.jwt;

import static java.util.Objects.requireNonNull;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.JWSObject;
import java.text.ParseException;
import java.util.Locale;
import java.util.Set;

/**
 * Verifies the signature of a compact JWS against a {@link KeyRing}, without looking at the
 * payload: the signature path of {@link JwtValidator}, usable alone for non-JWT payloads.
 *
 * <p>Rules: the token is refused before parsing when longer than {@code maxTokenBytes}; it must
 * have exactly three parts (JWE, five parts, is refused); {@code alg: none} in any letter case is
 * refused; any {@code crit} header is refused (no extension is understood); the {@code alg} must be
 * in the configured allowlist (when one is configured) and among the algorithms of the selected key
 * (its declared {@code alg}, else those of its key type); keys are selected only by {@code kid}
 * from the ring, never from {@code jku}, {@code x5u}, {@code jwk} or {@code x5c} headers.
 * Immutable and thread-safe.
 */
public final class JwsVerifier {
  /** Most keys tried for one token without a {@code kid}. */
  static final int MAX_CANDIDATES = 8;

  private final Set<String> allowlist;
  private final int maxTokenBytes;

  private JwsVerifier(Set<String> allowlist, int maxTokenBytes) {
    this.allowlist = Set.copyOf(allowlist);
    this.maxTokenBytes = maxTokenBytes;
  }

  /**
   * Returns a verifier accepting {@code algorithms} (empty: what each key allows) and tokens of
   * at most {@code maxTokenBytes} characters.
   */
  public static JwsVerifier create(Set<String> algorithms, int maxTokenBytes) {
    requireNonNull(algorithms, "algorithms");
    if (maxTokenBytes < 16) {
      throw new IllegalArgumentException("maxTokenBytes: expected >= 16, got " + maxTokenBytes);
    }
    return new JwsVerifier(algorithms, maxTokenBytes);
  }

  /** What became of one token. */
  public enum Status {
    /** The signature verified with a key of the ring. */
    VERIFIED,
    /** No key of the ring fits the token's {@code kid} (or, without a kid, its algorithm). */
    UNKNOWN_KEY,
    /** The token is refused. */
    REJECTED
  }

  /**
   * The result of parsing or verifying a token.
   *
   * @param status what became of the token
   * @param jws the parsed token, or null when it could not be parsed
   * @param reason why it was refused (for logs only), or null
   */
  public record Outcome(Status status, JWSObject jws, String reason) {
    static Outcome rejected(String reason) {
      return new Outcome(Status.REJECTED, null, reason);
    }
  }

  /** Verifies a compact JWS with the keys of {@code ring}. */
  public Outcome verify(String token, KeyRing ring) {
    Outcome parsed = parse(token);
    return parsed.jws() == null ? parsed : verify(parsed.jws(), ring);
  }

  /**
   * Parses and checks the header of a compact JWS without any key; returns an outcome whose
   * {@code jws} is non-null (status {@link Status#UNKNOWN_KEY}, meaning "not yet verified") or
   * a rejection.
   */
  public Outcome parse(String token) {
    if (token == null || token.isEmpty()) {
      return Outcome.rejected("empty token");
    }
    if (token.length() > maxTokenBytes) {
      return Outcome.rejected(
          "token of " + token.length() + " bytes exceeds maxTokenBytes " + maxTokenBytes);
    }
    int dots = 0;
    for (int i = 0; i < token.length(); i++) {
      char c = token.charAt(i);
      if (c == '.') {
        dots++;
      } else if (!isBase64UrlChar(c)) {
        return Outcome.rejected("token contains a character outside base64url at index " + i);
      }
    }
    if (dots == 4) {
      return Outcome.rejected("JWE (5 parts) is not supported, expected a 3-part JWS");
    }
    if (dots != 2) {
      return Outcome.rejected("expected a 3-part compact JWS, got " + (dots + 1) + " parts");
    }
    JWSObject jws;
    try {
      jws = JWSObject.parse(token);
    } catch (ParseException | RuntimeException e) {
      return Outcome.rejected("malformed JWS: " + e.getMessage());
    }
    JWSHeader header = jws.getHeader();
    String alg = header.getAlgorithm().getName();
    if (alg.toLowerCase(Locale.ROOT).equals("none")) {
      return Outcome.rejected("unsigned token (alg '" + alg + "') refused");
    }
    if (header.getCriticalParams() != null && !header.getCriticalParams().isEmpty()) {
      return Outcome.rejected("crit header " + header.getCriticalParams() + " not understood");
    }
    if (!allowlist.isEmpty() && !allowlist.contains(alg)) {
      return Outcome.rejected("alg '" + alg + "' not in allowlist " + allowlist);
    }
    if (jws.getSignature() == null || jws.getSignature().toString().isEmpty()) {
      return Outcome.rejected("empty signature");
    }
    return new Outcome(Status.UNKNOWN_KEY, jws, null);
  }

  /** Verifies an already parsed token with the keys of {@code ring}. */
  public Outcome verify(JWSObject jws, KeyRing ring) {
    requireNonNull(jws, "jws");
    requireNonNull(ring, "ring");
    String alg = jws.getHeader().getAlgorithm().getName();
    String kid = jws.getHeader().getKeyID();
    int tried = 0;
    boolean kidSeen = false;
    for (KeyRing.Entry entry : ring.entries()) {
      if (kid != null) {
        if (!kid.equals(entry.jwk().getKeyID())) {
          continue;
        }
        kidSeen = true;
      }
      if (!entry.algorithms().contains(alg)) {
        continue;
      }
      if (tried++ >= MAX_CANDIDATES) {
        break;
      }
      if (signatureVerifies(jws, entry)) {
        return new Outcome(Status.VERIFIED, jws, null);
      }
    }
    if (tried == 0) {
      if (kid != null && kidSeen) {
        return new Outcome(Status.REJECTED, jws, "key '" + kid + "' does not accept alg '" + alg + "'");
      }
      return new Outcome(
          Status.UNKNOWN_KEY, jws, kid != null ? "unknown kid '" + kid + "'" : "no key accepts alg '" + alg + "'");
    }
    return new Outcome(Status.REJECTED, jws, "signature does not verify (alg " + alg + ", kid " + kid + ")");
  }

  private static boolean signatureVerifies(JWSObject jws, KeyRing.Entry entry) {
    try {
      return entry.verifier().verify(jws.getHeader(), jws.getSigningInput(), jws.getSignature());
    } catch (JOSEException | RuntimeException e) {
      return false;
    }
  }

  private static boolean isBase64UrlChar(char c) {
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_';
  }
}
