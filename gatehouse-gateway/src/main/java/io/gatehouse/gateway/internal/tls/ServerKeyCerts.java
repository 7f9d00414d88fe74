package io.gatehouse.gateway.internal.tls;

import io.gatehouse.gateway.GatewayOptions;
import io.gatehouse.gateway.TlsCertificate;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.net.PemKeyCertOptions;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.security.GeneralSecurityException;
import java.security.Key;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.cert.Certificate;
import java.util.Base64;
import java.util.Collection;
import java.util.Collections;
import java.util.List;

/**
 * Builds the HTTPS listener's key material from the certificate files given at start and the
 * uploaded server certificates: everything as in-memory PEM pairs, among which Vert.x chooses by SNI
 * (the certificates' DNS names).
 */
public final class ServerKeyCerts {
  private ServerKeyCerts() {}

  /**
   * The PEM pairs of {@code files} (PEM files read, PKCS#12 stores converted) followed by the
   * {@link TlsCertificate.Usage#SERVER} certificates of {@code uploaded}; {@code null} when there is none.
   *
   * @throws IllegalArgumentException when a file cannot be read or a store holds no key
   */
  public static PemKeyCertOptions options(List<GatewayOptions.Certificate> files, Collection<TlsCertificate> uploaded) {
    PemKeyCertOptions pem = new PemKeyCertOptions();
    int pairs = 0;
    for (GatewayOptions.Certificate c : files) {
      if (c.certPem() != null) {
        pem.addCertValue(read(c.certPem())).addKeyValue(read(c.keyPem()));
        pairs++;
      } else {
        pairs += addPkcs12(pem, c);
      }
    }
    for (TlsCertificate t : uploaded) {
      if (t.usage() == TlsCertificate.Usage.SERVER) {
        pem.addCertValue(Buffer.buffer(t.chainPem())).addKeyValue(Buffer.buffer(t.privateKeyPem()));
        pairs++;
      }
    }
    return pairs == 0 ? null : pem;
  }

  private static Buffer read(java.nio.file.Path file) {
    try {
      return Buffer.buffer(Files.readAllBytes(file));
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read TLS file " + file, e);
    }
  }

  private static int addPkcs12(PemKeyCertOptions pem, GatewayOptions.Certificate c) {
    char[] password = c.pkcs12Password() == null ? new char[0] : c.pkcs12Password().toCharArray();
    try (InputStream in = Files.newInputStream(c.pkcs12())) {
      KeyStore ks = KeyStore.getInstance("PKCS12");
      ks.load(in, password);
      int added = 0;
      for (String alias : Collections.list(ks.aliases())) {
        if (!ks.isKeyEntry(alias)) {
          continue;
        }
        Key key = ks.getKey(alias, password);
        Certificate[] chain = ks.getCertificateChain(alias);
        if (!(key instanceof PrivateKey) || chain == null || chain.length == 0) {
          continue;
        }
        StringBuilder certs = new StringBuilder();
        for (Certificate cert : chain) {
          certs.append(pem("CERTIFICATE", cert.getEncoded()));
        }
        pem.addCertValue(Buffer.buffer(certs.toString())).addKeyValue(Buffer.buffer(pem("PRIVATE KEY", key.getEncoded())));
        added++;
      }
      if (added == 0) {
        throw new IllegalArgumentException("PKCS#12 store " + c.pkcs12() + " holds no private key with a certificate");
      }
      return added;
    } catch (IOException | GeneralSecurityException e) {
      throw new IllegalArgumentException("cannot read PKCS#12 store " + c.pkcs12() + ": " + e.getMessage(), e);
    }
  }

  /** PEM text of {@code der} under {@code label}, 64 characters a line. */
  public static String pem(String label, byte[] der) {
    return "-----BEGIN " + label + "-----\n"
        + Base64.getMimeEncoder(64, new byte[] {'\n'}).encodeToString(der)
        + "\n-----END " + label + "-----\n";
  }
}
