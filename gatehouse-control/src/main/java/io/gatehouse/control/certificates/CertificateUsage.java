package io.gatehouse.control.certificates;

import java.util.Locale;

/** What an uploaded certificate is for; its API name is the lower-case constant name. */
public enum CertificateUsage {
  /** Served by the gateway's HTTPS listener for the DNS names it carries (SNI); needs a private key. */
  SERVER,
  /** Presented to backends for mutual TLS ({@code tls.clientCertificate}); needs a private key. */
  CLIENT,
  /** Trusted CA certificates for verifying backends ({@code tls.caCertificate}); carries no key. */
  CA;

  /** The API name: {@code server}, {@code client} or {@code ca}. */
  public String apiName() {
    return name().toLowerCase(Locale.ROOT);
  }

  /**
   * The usage named {@code text}.
   *
   * @throws InvalidCertificateException when it is none of {@code server}, {@code client}, {@code ca}
   */
  public static CertificateUsage parse(String text) {
    for (CertificateUsage u : values()) {
      if (u.apiName().equals(text)) {
        return u;
      }
    }
    throw new InvalidCertificateException("usage", "expected one of server, client, ca but got '" + text + "'");
  }
}
