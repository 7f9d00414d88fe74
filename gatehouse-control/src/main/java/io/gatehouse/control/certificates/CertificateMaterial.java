package io.gatehouse.control.certificates;

import static java.util.Objects.requireNonNull;

/**
 * A stored certificate decrypted for the data plane, in memory only. {@link #toString()} never
 * shows the key.
 *
 * @param name unique name
 * @param usage what it is for
 * @param chainPem the certificate chain (leaf first) or CA certificates, PEM
 * @param privateKeyPem the PKCS#8 private key, PEM; {@code null} for CA bundles
 */
public record CertificateMaterial(String name, CertificateUsage usage, String chainPem, String privateKeyPem) {
  public CertificateMaterial {
    requireNonNull(name, "name");
    requireNonNull(usage, "usage");
    requireNonNull(chainPem, "chainPem");
  }

  @Override
  public String toString() {
    return "CertificateMaterial[name=" + name + ", usage=" + usage.apiName() + "]";
  }
}
