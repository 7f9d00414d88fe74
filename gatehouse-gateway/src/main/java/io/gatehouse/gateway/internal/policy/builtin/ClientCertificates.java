package io.gatehouse.gateway.internal.policy.builtin;

import io.gatehouse.gateway.internal.policy.PolicyCompiler;
import io.gatehouse.gateway.internal.policy.PolicyConfig;
import io.gatehouse.gateway.internal.policy.Section;
import io.gatehouse.model.PolicyNames;
import io.gatehouse.policy.PolicyConfigException;
import io.gatehouse.policy.PolicyContext;
import io.gatehouse.policy.Response;
import io.gatehouse.policy.SyncPolicy;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.cert.CRL;
import java.security.cert.CertPathValidator;
import java.security.cert.CertPathValidatorException;
import java.security.cert.CertStore;
import java.security.cert.CertificateExpiredException;
import java.security.cert.CertificateFactory;
import java.security.cert.CertificateNotYetValidException;
import java.security.cert.CollectionCertStoreParameters;
import java.security.cert.PKIXParameters;
import java.security.cert.TrustAnchor;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import javax.security.auth.x500.X500Principal;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code validate-client-certificate}: admits a request only when the client presented a TLS
 * certificate that chains to a trusted CA (optionally checked against a CRL), is within its
 * validity period, and matches one of the configured identities.
 *
 * <p>The gateway's HTTPS listener requests client certificates when started with
 * {@code --tls-client-auth request}; the TLS layer accepts any certificate and this policy decides,
 * so that different APIs can trust different CAs.
 */
final class ClientCertificates {
  private static final Logger LOG = LoggerFactory.getLogger(ClientCertificates.class);

  private ClientCertificates() {}

  /** The policy factory. */
  static final class ValidateClientCertificate extends Base {
    ValidateClientCertificate() {
      super(PolicyNames.VALIDATE_CLIENT_CERTIFICATE);
    }

    @Override
    public io.gatehouse.policy.Policy create(PolicyConfig c, Section section, PolicyCompiler compiler) {
      requestSectionsOnly(name(), section);
      List<X509Certificate> cas = new ArrayList<>();
      List<String> caSources = c.strings("trusted-ca");
      for (int i = 0; i < caSources.size(); i++) {
        try {
          for (java.security.cert.Certificate cert : certificates(caSources.get(i))) {
            cas.add((X509Certificate) cert);
          }
        } catch (IOException | GeneralSecurityException e) {
          throw new PolicyConfigException("trusted-ca[" + i + "]",
              "expected a PEM certificate or a readable PEM file but got '" + caSources.get(i) + "': " + e.getMessage());
        }
      }
      Collection<? extends CRL> crls = List.of();
      String crlFile = c.string("crl-file", null);
      if (crlFile != null) {
        try (InputStream in = Files.newInputStream(Path.of(crlFile))) {
          crls = CertificateFactory.getInstance("X.509").generateCRLs(in);
        } catch (IOException | GeneralSecurityException e) {
          throw new PolicyConfigException("crl-file", "cannot read CRL file '" + crlFile + "': " + e.getMessage());
        }
      }
      boolean notBefore = c.bool("validate-not-before", true);
      boolean notAfter = c.bool("validate-not-after", true);
      List<Identity> identities = new ArrayList<>();
      List<Object> raw = c.list("identities");
      for (int i = 0; i < raw.size(); i++) {
        identities.add(Identity.parse(raw.get(i), "identities[" + i + "]"));
      }
      if (cas.isEmpty() && identities.stream().noneMatch(id -> id.thumbprint != null)) {
        throw new PolicyConfigException("trusted-ca",
            "give 'trusted-ca' or at least one identity with a 'thumbprint': otherwise any certificate would pass");
      }
      if (crlFile != null && cas.isEmpty()) {
        throw new PolicyConfigException("crl-file", "revocation is checked along the chain to 'trusted-ca'; give 'trusted-ca'");
      }
      Checker checker = new Checker(cas, crls, notBefore, notAfter, identities);
      return (SyncPolicy) ctx -> checker.check(ctx);
    }
  }

  /** One accepted identity; every given field must match. */
  private record Identity(String thumbprint, X500Principal subject, X500Principal issuer, String commonName) {
    static Identity parse(Object o, String at) {
      if (!(o instanceof Map<?, ?> m)) {
        throw new PolicyConfigException(at, "expected a map with thumbprint, subject, issuer-subject or common-name");
      }
      Set<Object> known = Set.of("thumbprint", "subject", "issuer-subject", "common-name");
      for (Object k : m.keySet()) {
        if (!known.contains(k)) {
          throw new PolicyConfigException(at + "." + k, "unknown field '" + k + "'; expected one of " + known);
        }
      }
      String thumb = m.get("thumbprint") == null ? null
          : m.get("thumbprint").toString().replace(":", "").toLowerCase(Locale.ROOT);
      if (thumb != null && !thumb.matches("[0-9a-f]{40}|[0-9a-f]{64}")) {
        throw new PolicyConfigException(at + ".thumbprint", "expected a SHA-256 (64 hex digits) or SHA-1 (40) thumbprint but got '"
            + m.get("thumbprint") + "'");
      }
      try {
        X500Principal subject = m.get("subject") == null ? null : new X500Principal(m.get("subject").toString());
        X500Principal issuer = m.get("issuer-subject") == null ? null : new X500Principal(m.get("issuer-subject").toString());
        String cn = m.get("common-name") == null ? null : m.get("common-name").toString();
        if (thumb == null && subject == null && issuer == null && cn == null) {
          throw new PolicyConfigException(at, "give at least one of thumbprint, subject, issuer-subject, common-name");
        }
        return new Identity(thumb, subject, issuer, cn);
      } catch (IllegalArgumentException e) {
        throw new PolicyConfigException(at, "expected a distinguished name such as 'CN=client,O=Example': " + e.getMessage());
      }
    }

    boolean matches(X509Certificate cert, String sha256, String sha1) {
      if (thumbprint != null && !thumbprint.equals(thumbprint.length() == 64 ? sha256 : sha1)) {
        return false;
      }
      if (subject != null && !subject.equals(cert.getSubjectX500Principal())) {
        return false;
      }
      if (issuer != null && !issuer.equals(cert.getIssuerX500Principal())) {
        return false;
      }
      return commonName == null || commonName.equals(ClientCertificates.commonName(cert));
    }
  }

  /** The compiled check; immutable and shared by every request. */
  private static final class Checker {
    private final Set<TrustAnchor> anchors;
    private final Collection<? extends CRL> crls;
    private final boolean notBefore;
    private final boolean notAfter;
    private final List<Identity> identities;

    Checker(List<X509Certificate> cas, Collection<? extends CRL> crls, boolean notBefore, boolean notAfter,
        List<Identity> identities) {
      Set<TrustAnchor> a = new HashSet<>();
      cas.forEach(ca -> a.add(new TrustAnchor(ca, null)));
      this.anchors = Set.copyOf(a);
      this.crls = List.copyOf(crls);
      this.notBefore = notBefore;
      this.notAfter = notAfter;
      this.identities = List.copyOf(identities);
    }

    Response check(PolicyContext ctx) {
      X509Certificate[] chain = Base.gw(ctx).clientCertificates();
      if (chain.length == 0) {
        return refuse(ctx, "a client certificate is required", "no client certificate presented");
      }
      X509Certificate leaf = chain[0];
      try {
        if (notBefore || notAfter) {
          leaf.checkValidity();
        }
      } catch (CertificateNotYetValidException e) {
        if (notBefore) {
          return refuse(ctx, null, "client certificate not yet valid");
        }
      } catch (CertificateExpiredException e) {
        if (notAfter) {
          return refuse(ctx, null, "client certificate expired");
        }
      }
      if (!anchors.isEmpty()) {
        try {
          PKIXParameters params = new PKIXParameters(anchors);
          params.setRevocationEnabled(!crls.isEmpty());
          if (!crls.isEmpty()) {
            params.addCertStore(CertStore.getInstance("Collection", new CollectionCertStoreParameters(crls)));
          }
          if (!notAfter || !notBefore) {
            params.setDate(leaf.getNotBefore());
          }
          CertificateFactory cf = CertificateFactory.getInstance("X.509");
          List<X509Certificate> path = new ArrayList<>(List.of(chain));
          path.removeIf(cert -> anchors.stream().anyMatch(t -> t.getTrustedCert().equals(cert)));
          CertPathValidator.getInstance("PKIX").validate(cf.generateCertPath(path), params);
        } catch (CertPathValidatorException e) {
          return refuse(ctx, null, "client certificate chain rejected: " + e.getReason());
        } catch (GeneralSecurityException e) {
          return refuse(ctx, null, "client certificate chain could not be checked: " + e.getMessage());
        }
      }
      if (!identities.isEmpty()) {
        String sha256;
        String sha1;
        try {
          byte[] der = leaf.getEncoded();
          sha256 = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(der));
          sha1 = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-1").digest(der));
        } catch (GeneralSecurityException e) {
          return refuse(ctx, null, "client certificate could not be encoded");
        }
        if (identities.stream().noneMatch(id -> id.matches(leaf, sha256, sha1))) {
          return refuse(ctx, null, "client certificate matches no configured identity");
        }
      }
      return null;
    }

    private static Response refuse(PolicyContext ctx, String detail, String reason) {
      LOG.debug("request {}: {}", ctx.requestId(), reason);
      return ctx.problem(403, "Forbidden", detail == null ? "the client certificate is not accepted" : detail);
    }
  }

  private static Collection<? extends java.security.cert.Certificate> certificates(String source)
      throws IOException, GeneralSecurityException {
    byte[] bytes = source.trim().startsWith("-----BEGIN")
        ? source.getBytes(StandardCharsets.US_ASCII) : Files.readAllBytes(Path.of(source));
    Collection<? extends java.security.cert.Certificate> certs =
        CertificateFactory.getInstance("X.509").generateCertificates(new ByteArrayInputStream(bytes));
    if (certs.isEmpty()) {
      throw new GeneralSecurityException("no certificate found");
    }
    return certs;
  }

  private static String commonName(X509Certificate cert) {
    for (String part : cert.getSubjectX500Principal().getName(X500Principal.RFC2253).split(",")) {
      if (part.startsWith("CN=")) {
        return part.substring(3);
      }
    }
    return null;
  }
}
