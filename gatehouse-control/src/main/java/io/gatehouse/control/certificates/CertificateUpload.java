package io.gatehouse.control.certificates;

/**
 * What a client sends to store a certificate: PEM ({@code certificate}, {@code privateKey}) or a
 * PKCS#12 store ({@code pkcs12}), never both. {@link #toString()} shows no key material.
 *
 * @param usage {@code server}, {@code client} or {@code ca}
 * @param certificate the PEM certificate chain, leaf first (for {@code ca}: the CA certificates)
 * @param privateKey the PEM private key (PKCS#8, PKCS#1 or SEC1; encrypted PKCS#8 or OpenSSL with {@code password})
 * @param pkcs12 a PKCS#12 store, Base64
 * @param password the PKCS#12 store's or the encrypted PEM key's password, or {@code null}
 */
public record CertificateUpload(String usage, String certificate, String privateKey, String pkcs12, String password) {
  @Override
  public String toString() {
    return "CertificateUpload[usage=" + usage + ", pem=" + (certificate != null) + ", pkcs12=" + (pkcs12 != null) + "]";
  }
}
