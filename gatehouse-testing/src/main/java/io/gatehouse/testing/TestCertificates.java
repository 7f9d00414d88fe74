package io.gatehouse.testing;

import java.io.IOException;
import java.io.StringWriter;
import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.concurrent.atomic.AtomicLong;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/**
 * Generates certificate authorities and leaf certificates for tests, and writes them as PEM.
 */
public final class TestCertificates {
  private static final AtomicLong SERIAL = new AtomicLong(System.currentTimeMillis());

  /** A certificate with its private key. */
  public record Issued(X509Certificate certificate, PrivateKey key) {

    /** Writes {@code NAME.crt} and {@code NAME.key} (PKCS#8) into {@code dir}; returns the cert path. */
    public Path writePem(Path dir, String name) throws IOException {
      Path cert = dir.resolve(name + ".crt");
      Files.writeString(cert, pem(certificate));
      Files.writeString(dir.resolve(name + ".key"), pem(key));
      return cert;
    }

    /** Writes a PKCS#12 key store holding this certificate and key under alias {@code name}. */
    public Path writePkcs12(Path dir, String name, String password) throws IOException {
      Path file = dir.resolve(name + ".p12");
      try {
        java.security.KeyStore ks = java.security.KeyStore.getInstance("PKCS12");
        ks.load(null, null);
        ks.setKeyEntry(name, key, password.toCharArray(), new java.security.cert.Certificate[] {certificate});
        try (java.io.OutputStream out = Files.newOutputStream(file)) {
          ks.store(out, password.toCharArray());
        }
      } catch (GeneralSecurityException e) {
        throw new IOException("cannot write PKCS#12 store " + file, e);
      }
      return file;
    }

    /** The path {@link #writePem} used for the key. */
    public static Path keyPath(Path dir, String name) {
      return dir.resolve(name + ".key");
    }
  }

  private TestCertificates() {}

  /** A self-signed CA valid from now for a year. */
  public static Issued authority(String commonName) {
    KeyPair kp = keyPair();
    return sign(commonName, kp, null, kp.getPrivate(), true, new String[0], Instant.now().minus(Duration.ofMinutes(5)),
        Instant.now().plus(Duration.ofDays(365)), new X500Name("CN=" + commonName));
  }

  /** A server certificate for {@code dnsNames} (the first is the CN), signed by {@code ca}. */
  public static Issued server(Issued ca, String... dnsNames) {
    return server(ca, Instant.now().minus(Duration.ofMinutes(5)), Instant.now().plus(Duration.ofDays(30)), dnsNames);
  }

  /** A server certificate with the given validity, signed by {@code ca}. */
  public static Issued server(Issued ca, Instant notBefore, Instant notAfter, String... dnsNames) {
    KeyPair kp = keyPair();
    return sign(dnsNames[0], kp, ca.certificate(), ca.key(), false, dnsNames, notBefore, notAfter,
        new X500Name(ca.certificate().getSubjectX500Principal().getName()));
  }

  private static Issued sign(String cn, KeyPair kp, X509Certificate issuerCert, PrivateKey issuerKey, boolean ca,
      String[] dnsNames, Instant notBefore, Instant notAfter, X500Name issuer) {
    try {
      JcaX509v3CertificateBuilder b = new JcaX509v3CertificateBuilder(issuer,
          BigInteger.valueOf(SERIAL.incrementAndGet()), Date.from(notBefore), Date.from(notAfter),
          new X500Name("CN=" + cn), kp.getPublic());
      b.addExtension(Extension.basicConstraints, true, new BasicConstraints(ca));
      if (ca) {
        b.addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign));
      } else {
        GeneralName[] names = new GeneralName[dnsNames.length];
        for (int i = 0; i < dnsNames.length; i++) {
          boolean ip = dnsNames[i].matches("[0-9.]+") || dnsNames[i].contains(":");
          names[i] = new GeneralName(ip ? GeneralName.iPAddress : GeneralName.dNSName, dnsNames[i]);
        }
        b.addExtension(Extension.subjectAlternativeName, false, new GeneralNames(names));
        b.addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.digitalSignature | KeyUsage.keyEncipherment));
      }
      X509Certificate cert = new JcaX509CertificateConverter()
          .getCertificate(b.build(new JcaContentSignerBuilder("SHA256withRSA").build(issuerKey)));
      return new Issued(cert, kp.getPrivate());
    } catch (GeneralSecurityException | IOException | OperatorCreationException e) {
      throw new IllegalStateException("cannot create test certificate for " + cn, e);
    }
  }

  private static KeyPair keyPair() {
    try {
      KeyPairGenerator g = KeyPairGenerator.getInstance("RSA");
      g.initialize(2048);
      return g.generateKeyPair();
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }

  /** PEM text of a certificate or key. */
  public static String pem(Object object) {
    StringWriter out = new StringWriter();
    try (JcaPEMWriter w = new JcaPEMWriter(out)) {
      w.writeObject(object instanceof PrivateKey k ? new org.bouncycastle.openssl.jcajce.JcaPKCS8Generator(k, null) : object);
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
    return out.toString();
  }
}
