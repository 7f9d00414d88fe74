package io.gatehouse.gateway.internal.tls;

import io.gatehouse.gateway.TlsCertificate;
import io.gatehouse.gateway.internal.upstream.BackendMaterial;
import io.gatehouse.model.BackendDef;
import io.gatehouse.model.ConfigProblem;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** Resolves the uploaded certificates a backend's TLS settings name. */
public final class UploadedCertificates {
  private UploadedCertificates() {}

  /**
   * The material {@code tls} names in {@code certificates}, {@link BackendMaterial#NONE} when it names
   * none, or {@code null} after adding to {@code problems} a name that is missing or of the wrong usage.
   */
  public static BackendMaterial material(BackendDef.Tls tls, Map<String, TlsCertificate> certificates, String at,
      List<ConfigProblem> problems) {
    if (tls == null || (tls.clientCertificate() == null && tls.caCertificate() == null)) {
      return BackendMaterial.NONE;
    }
    TlsCertificate client = find(certificates, tls.clientCertificate(), TlsCertificate.Usage.CLIENT,
        at + ".clientCertificate", problems);
    TlsCertificate ca = find(certificates, tls.caCertificate(), TlsCertificate.Usage.CA, at + ".caCertificate", problems);
    if ((tls.clientCertificate() != null && client == null) || (tls.caCertificate() != null && ca == null)) {
      return null;
    }
    return new BackendMaterial(ca == null ? null : ca.chainPem(), client == null ? null : client.chainPem(),
        client == null ? null : client.privateKeyPem());
  }

  private static TlsCertificate find(Map<String, TlsCertificate> certificates, String name, TlsCertificate.Usage usage,
      String at, List<ConfigProblem> problems) {
    if (name == null) {
      return null;
    }
    TlsCertificate c = certificates.get(name);
    String expected = usage.name().toLowerCase(Locale.ROOT);
    if (c == null) {
      problems.add(ConfigProblem.at(at, "expected an uploaded certificate of usage '" + expected
          + "' but there is no certificate named '" + name + "'"));
      return null;
    }
    if (c.usage() != usage) {
      problems.add(ConfigProblem.at(at, "expected a certificate of usage '" + expected + "' but '" + name + "' has usage '"
          + c.usage().name().toLowerCase(Locale.ROOT) + "'"));
      return null;
    }
    return c;
  }
}
