package io.gatehouse.gateway.internal.upstream;

import io.gatehouse.model.BackendDef;
import io.vertx.core.net.ClientSSLOptions;
import io.vertx.core.net.PemKeyCertOptions;
import io.vertx.core.net.TrustOptions;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.MessageDigest;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.util.Base64;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509ExtendedTrustManager;

/** Builds a backend's {@link ClientSSLOptions}: trust, host name verification, pins, client certificate. */
final class BackendTls {
  private BackendTls() {}

  /**
   * The options for {@code tls} (defaults when {@code null}).
   *
   * @throws IllegalArgumentException when a file cannot be read or holds no certificate
   */
  static ClientSSLOptions options(BackendDef.Tls tls, boolean http2, BackendMaterial material) {
    ClientSSLOptions o = new ClientSSLOptions().setUseAlpn(http2);
    if (tls != null && !tls.verify()) {
      return o.setTrustAll(true).setHostnameVerificationAlgorithm("");
    }
    o.setHostnameVerificationAlgorithm("HTTPS");
    X509ExtendedTrustManager base = trustManager(tls, material);
    Set<String> pins = new HashSet<>();
    if (tls != null && tls.pins() != null) {
      for (String p : tls.pins()) {
        pins.add(p.regionMatches(true, 0, "sha256/", 0, 7) ? p.substring(7) : p);
      }
    }
    o.setTrustOptions(TrustOptions.wrap(pins.isEmpty() ? base : new Pinning(base, pins)));
    if (tls != null && tls.clientCert() != null) {
      o.setKeyCertOptions(new PemKeyCertOptions().setCertPath(tls.clientCert()).setKeyPath(tls.clientKey()));
    } else if (material.clientChainPem() != null) {
      o.setKeyCertOptions(new PemKeyCertOptions()
          .setCertValue(io.vertx.core.buffer.Buffer.buffer(material.clientChainPem()))
          .setKeyValue(io.vertx.core.buffer.Buffer.buffer(material.clientKeyPem())));
    }
    return o;
  }

  private static X509ExtendedTrustManager trustManager(BackendDef.Tls tls, BackendMaterial material) {
    try {
      TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
      String pem = null;
      if (tls != null && tls.caFile() != null) {
        pem = Files.readString(Path.of(tls.caFile()), StandardCharsets.US_ASCII);
      } else if (tls != null && tls.caPem() != null) {
        pem = tls.caPem();
      } else if (material.caPem() != null) {
        pem = material.caPem();
      }
      if (pem == null) {
        tmf.init((KeyStore) null);
      } else {
        Collection<? extends java.security.cert.Certificate> certs = CertificateFactory.getInstance("X.509")
            .generateCertificates(new ByteArrayInputStream(pem.getBytes(StandardCharsets.US_ASCII)));
        if (certs.isEmpty()) {
          throw new IllegalArgumentException("expected PEM certificates in the CA but found none");
        }
        KeyStore ks = KeyStore.getInstance(KeyStore.getDefaultType());
        ks.load(null, null);
        int i = 0;
        for (java.security.cert.Certificate c : certs) {
          ks.setCertificateEntry("ca-" + i++, c);
        }
        tmf.init(ks);
      }
      for (TrustManager tm : tmf.getTrustManagers()) {
        if (tm instanceof X509ExtendedTrustManager) {
          return (X509ExtendedTrustManager) tm;
        }
      }
      throw new IllegalStateException("no X509 trust manager available");
    } catch (IOException | GeneralSecurityException e) {
      throw new IllegalArgumentException("cannot load the trusted CA certificates: " + e.getMessage(), e);
    }
  }

  /** SHA-256 (base64) of a certificate's SubjectPublicKeyInfo. */
  static String spkiPin(X509Certificate cert) {
    return sha256(cert.getPublicKey().getEncoded());
  }

  private static String sha256(byte[] bytes) {
    try {
      return Base64.getEncoder().encodeToString(MessageDigest.getInstance("SHA-256").digest(bytes));
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }

  /** Verifies the chain with the delegate, then requires one certificate of it to match a pin. */
  private static final class Pinning extends X509ExtendedTrustManager {
    private final X509ExtendedTrustManager delegate;
    private final Set<String> pins;

    Pinning(X509ExtendedTrustManager delegate, Set<String> pins) {
      this.delegate = delegate;
      this.pins = Set.copyOf(pins);
    }

    private void pin(X509Certificate[] chain) throws CertificateException {
      for (X509Certificate c : chain) {
        if (pins.contains(spkiPin(c)) || pins.contains(sha256(c.getEncoded()))) {
          return;
        }
      }
      throw new CertificateException("no certificate of the backend's chain matches a configured pin");
    }

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType, SSLEngine engine)
        throws CertificateException {
      delegate.checkServerTrusted(chain, authType, engine);
      pin(chain);
    }

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType, Socket socket)
        throws CertificateException {
      delegate.checkServerTrusted(chain, authType, socket);
      pin(chain);
    }

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType) throws CertificateException {
      delegate.checkServerTrusted(chain, authType);
      pin(chain);
    }

    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType, SSLEngine engine)
        throws CertificateException {
      throw new CertificateException("not a server trust manager");
    }

    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType, Socket socket)
        throws CertificateException {
      throw new CertificateException("not a server trust manager");
    }

    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType) throws CertificateException {
      throw new CertificateException("not a server trust manager");
    }

    @Override
    public X509Certificate[] getAcceptedIssuers() {
      return delegate.getAcceptedIssuers();
    }
  }

}
