package io.gatehouse.gateway;

import static java.util.Objects.requireNonNull;

/**
 * An uploaded certificate handed to the gateway in memory: a server certificate served by SNI on
 * the HTTPS listener, a client certificate a backend's {@code tls.clientCertificate} names, or a CA
 * bundle a backend's {@code tls.caCertificate} names. {@link #toString()} never shows the key.
 *
 * @param name the certificate's name
 * @param usage what it is for
 * @param chainPem the certificate chain (leaf first) or, for {@link Usage#CA}, the CA certificates, as PEM
 * @param privateKeyPem the PKCS#8 private key as PEM; {@code null} for {@link Usage#CA}
 */
public record TlsCertificate(String name, Usage usage, String chainPem, String privateKeyPem) {

  /** What a certificate is for. */
  public enum Usage {
    /** Served on the gateway's HTTPS listener for the host names it names (SNI). */
    SERVER,
    /** Presented to backends for mutual TLS. */
    CLIENT,
    /** Trusted when verifying backends. */
    CA
  }

  public TlsCertificate {
    requireNonNull(name, "name");
    requireNonNull(usage, "usage");
    requireNonNull(chainPem, "chainPem");
    if (usage != Usage.CA && privateKeyPem == null) {
      throw new IllegalArgumentException("certificate '" + name + "' of usage " + usage + " needs a private key");
    }
  }

  @Override
  public String toString() {
    return "TlsCertificate[name=" + name + ", usage=" + usage + "]";
  }
}
