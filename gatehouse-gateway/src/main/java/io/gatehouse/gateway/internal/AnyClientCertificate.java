package io.gatehouse.gateway.internal;

import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import javax.net.ssl.X509TrustManager;

/**
 * Accepts any client certificate at the TLS layer so that the {@code validate-client-certificate}
 * policy of each API can judge it against that API's own trusted CAs, CRL and identities.
 *
 * <p>Only for client certificates on the gateway listener: it refuses to judge servers.
 */
public final class AnyClientCertificate implements X509TrustManager {
  /** The one instance. */
  public static final AnyClientCertificate INSTANCE = new AnyClientCertificate();
  private static final X509Certificate[] NONE = new X509Certificate[0];

  private AnyClientCertificate() {}

  @Override
  public void checkClientTrusted(X509Certificate[] chain, String authType) {
    // judged later, per API, by validate-client-certificate
  }

  @Override
  public void checkServerTrusted(X509Certificate[] chain, String authType) throws CertificateException {
    throw new CertificateException("this trust manager judges client certificates only");
  }

  @Override
  public X509Certificate[] getAcceptedIssuers() {
    return NONE;
  }
}
