package io.gatehouse.control.certificates;

import static java.util.Objects.requireNonNull;

import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The public metadata of a stored certificate (its leaf, or for a CA bundle its first certificate
 * with the earliest expiry of the bundle): never any key material.
 *
 * @param name unique name
 * @param usage what it is for
 * @param subject the subject distinguished name
 * @param issuer the issuer distinguished name
 * @param subjectAlternativeNames DNS names and IP addresses, in certificate order
 * @param serialNumber hexadecimal serial number
 * @param notBefore start of validity
 * @param notAfter end of validity
 * @param sha256Thumbprint SHA-256 of the certificate's DER encoding, lower-case hexadecimal
 * @param chainLength how many certificates the chain or bundle holds
 * @param keyStored whether a (encrypted) private key is stored
 * @param updatedAt when it was last uploaded
 * @param updatedBy who uploaded it
 */
public record CertificateInfo(String name, CertificateUsage usage, String subject, String issuer,
    List<String> subjectAlternativeNames, String serialNumber, Instant notBefore, Instant notAfter,
    String sha256Thumbprint, int chainLength, boolean keyStored, Instant updatedAt, String updatedBy) {

  /** How long before expiry a certificate counts as expiring soon. */
  public static final Duration EXPIRY_WARNING = Duration.ofDays(30);

  public CertificateInfo {
    requireNonNull(name, "name");
    requireNonNull(usage, "usage");
    subjectAlternativeNames = List.copyOf(subjectAlternativeNames);
    requireNonNull(notAfter, "notAfter");
  }

  /** Whole days from {@code now} to expiry, negative once expired. */
  public long expiresInDays(Instant now) {
    return Math.floorDiv(Duration.between(now, notAfter).toSeconds(), 86_400L);
  }

  /** Whether it expires within {@link #EXPIRY_WARNING} of {@code now} (or has expired). */
  public boolean expiringSoon(Instant now) {
    return notAfter.isBefore(now.plus(EXPIRY_WARNING));
  }

  /** What the management API shows: this metadata, plus {@code expiresInDays}, {@code expiringSoon}, {@code expired}. */
  public Map<String, Object> view(Instant now) {
    Map<String, Object> out = new LinkedHashMap<>();
    out.put("name", name);
    out.put("usage", usage.apiName());
    out.put("subject", subject);
    out.put("issuer", issuer);
    out.put("subjectAlternativeNames", subjectAlternativeNames);
    out.put("serialNumber", serialNumber);
    out.put("notBefore", notBefore.toString());
    out.put("notAfter", notAfter.toString());
    out.put("sha256Thumbprint", sha256Thumbprint);
    out.put("chainLength", chainLength);
    out.put("keyStored", keyStored);
    out.put("expiresInDays", expiresInDays(now));
    out.put("expiringSoon", expiringSoon(now));
    out.put("expired", notAfter.isBefore(now));
    out.put("updatedAt", updatedAt.toString());
    out.put("updatedBy", updatedBy);
    return out;
  }
}
