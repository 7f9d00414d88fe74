package io.gatehouse.gateway.internal.upstream;

/**
 * The uploaded certificates a backend's TLS names, resolved to PEM for one snapshot; part of the
 * upstream's identity, so that replacing a certificate gives the backend a new client.
 * {@link #toString()} never shows the key.
 *
 * @param caPem trusted CA certificates from {@code tls.caCertificate}, or {@code null}
 * @param clientChainPem the client certificate chain from {@code tls.clientCertificate}, or {@code null}
 * @param clientKeyPem its PKCS#8 private key, or {@code null}
 */
public record BackendMaterial(String caPem, String clientChainPem, String clientKeyPem) {
  /** No uploaded certificates. */
  public static final BackendMaterial NONE = new BackendMaterial(null, null, null);

  @Override
  public String toString() {
    return "BackendMaterial[ca=" + (caPem != null) + ", client=" + (clientChainPem != null) + "]";
  }
}
