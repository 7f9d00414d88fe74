package io.gatehouse.control.cluster.internal;

import java.net.Socket;
import java.security.GeneralSecurityException;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.X509ExtendedTrustManager;

/**
 * Trusts a server whose certificate the node CA signed: the CA is the one stored at enrolment, or,
 * during enrolment, the certificate in the server's chain whose SHA-256 fingerprint the enrolment
 * token carries. Host names are not checked: the CA is private to the cluster and pinned, so its
 * signature is what identifies the control plane.
 */
public final class PinnedTrust extends X509ExtendedTrustManager {
  private final String fingerprint;
  private final X509Certificate ca;

  /** Trusting certificates signed by {@code ca}. */
  public static PinnedTrust ca(X509Certificate ca) {
    return new PinnedTrust(null, ca);
  }

  /** Trusting certificates signed by the CA in the chain whose fingerprint is {@code fingerprint}. */
  public static PinnedTrust fingerprint(String fingerprint) {
    return new PinnedTrust(fingerprint, null);
  }

  private PinnedTrust(String fingerprint, X509Certificate ca) {
    this.fingerprint = fingerprint;
    this.ca = ca;
  }

  @Override
  public void checkServerTrusted(X509Certificate[] chain, String authType) throws CertificateException {
    if (chain == null || chain.length == 0) {
      throw new CertificateException("the control plane presented no certificate");
    }
    X509Certificate anchor = ca;
    if (anchor == null) {
      for (X509Certificate c : chain) {
        if (Pki.fingerprint(c).equals(fingerprint)) {
          anchor = c;
        }
      }
      if (anchor == null) {
        throw new CertificateException("the control plane's certificate chain does not hold the node CA whose"
            + " fingerprint the enrolment token carries (" + fingerprint + "): wrong address, or an interceptor");
      }
    }
    try {
      anchor.checkValidity();
      chain[0].checkValidity();
      chain[0].verify(anchor.getPublicKey());
    } catch (GeneralSecurityException e) {
      throw new CertificateException("the control plane's certificate is not signed by the pinned node CA: "
          + e.getMessage(), e);
    }
  }

  @Override
  public void checkServerTrusted(X509Certificate[] chain, String authType, Socket socket) throws CertificateException {
    checkServerTrusted(chain, authType);
  }

  @Override
  public void checkServerTrusted(X509Certificate[] chain, String authType, SSLEngine engine) throws CertificateException {
    checkServerTrusted(chain, authType);
  }

  @Override
  public void checkClientTrusted(X509Certificate[] chain, String authType) throws CertificateException {
    throw new CertificateException("a node does not accept clients");
  }

  @Override
  public void checkClientTrusted(X509Certificate[] chain, String authType, Socket socket) throws CertificateException {
    checkClientTrusted(chain, authType);
  }

  @Override
  public void checkClientTrusted(X509Certificate[] chain, String authType, SSLEngine engine) throws CertificateException {
    checkClientTrusted(chain, authType);
  }

  @Override
  public X509Certificate[] getAcceptedIssuers() {
    return ca == null ? new X509Certificate[0] : new X509Certificate[] {ca};
  }
}
