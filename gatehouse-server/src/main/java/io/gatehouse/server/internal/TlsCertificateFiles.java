package io.gatehouse.server.internal;

import io.gatehouse.insight.advisor.RuntimeFacts;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The certificate source of {@code serve} until the certificate store exists: the certificates of
 * the files given with {@code --tls-cert} (PEM chain or PKCS#12) and {@code --management-tls-cert},
 * re-read on every call so that a renewed file counts at once. Unreadable files are logged and
 * skipped.
 */
final class TlsCertificateFiles implements RuntimeFacts.CertificateSource {
  private static final Logger LOG = LoggerFactory.getLogger(TlsCertificateFiles.class);

  /** One configured file: where it is used, its path, and the PKCS#12 password (nullable for PEM). */
  record File(String usage, Path path, char[] password) {}

  private final List<File> files;

  TlsCertificateFiles(List<File> files) {
    this.files = List.copyOf(files);
  }

  /** The files of {@code --tls-cert} values (CERT.pem,KEY.pem or STORE.p12) and of the management certificate. */
  static TlsCertificateFiles of(List<String> gatewayCerts, String managementCert, String p12Password) {
    List<File> out = new ArrayList<>();
    for (String arg : gatewayCerts) {
      String[] parts = arg.split(",", -1);
      boolean p12 = parts.length == 1 && (arg.endsWith(".p12") || arg.endsWith(".pfx"));
      out.add(new File("gateway https", Path.of(parts[0].strip()),
          p12 ? (p12Password == null ? new char[0] : p12Password.toCharArray()) : null));
    }
    if (managementCert != null && !managementCert.isBlank()) {
      out.add(new File("management https", Path.of(managementCert.split(",", -1)[0].strip()), null));
    }
    return new TlsCertificateFiles(out);
  }

  @Override
  public List<RuntimeFacts.Certificate> certificates() {
    List<RuntimeFacts.Certificate> out = new ArrayList<>();
    for (File f : files) {
      try {
        for (X509Certificate c : read(f)) {
          out.add(new RuntimeFacts.Certificate(f.usage() + " " + f.path().getFileName(),
              c.getSubjectX500Principal().getName(), c.getNotAfter().toInstant()));
        }
      } catch (Exception e) {
        LOG.warn("cannot read the certificate {} for the posture advice: {}", f.path(), e.toString());
      }
    }
    return out;
  }

  private static List<X509Certificate> read(File f) throws Exception {
    List<X509Certificate> out = new ArrayList<>();
    if (f.password() != null) {
      KeyStore ks = KeyStore.getInstance("PKCS12");
      try (InputStream in = Files.newInputStream(f.path())) {
        ks.load(in, f.password());
      }
      for (String alias : Collections.list(ks.aliases())) {
        Certificate[] chain = ks.getCertificateChain(alias);
        if (chain == null && ks.getCertificate(alias) != null) {
          chain = new Certificate[] {ks.getCertificate(alias)};
        }
        if (chain != null) {
          for (Certificate c : chain) {
            if (c instanceof X509Certificate x) {
              out.add(x);
            }
          }
        }
      }
      return out;
    }
    try (InputStream in = Files.newInputStream(f.path())) {
      for (Certificate c : CertificateFactory.getInstance("X.509").generateCertificates(in)) {
        if (c instanceof X509Certificate x) {
          out.add(x);
        }
      }
    }
    return out;
  }
}
