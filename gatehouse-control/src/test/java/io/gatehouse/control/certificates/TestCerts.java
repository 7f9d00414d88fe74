package io.gatehouse.control.certificates;

import java.io.ByteArrayOutputStream;
import java.io.StringWriter;
import java.math.BigInteger;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.Date;
import java.util.concurrent.atomic.AtomicLong;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/** Certificates for the control plane's tests (the testing module's generator sits behind the module wall). */
public final class TestCerts {
  private static final AtomicLong SERIAL = new AtomicLong(System.nanoTime());

  /** A certificate with its key pair. */
  public record Cert(X509Certificate certificate, KeyPair keys) {
    /** The certificate as PEM. */
    public String certPem() {
      return pem(certificate);
    }

    /** The private key as PKCS#8 PEM. */
    public String keyPem() {
      StringWriter out = new StringWriter();
      try (JcaPEMWriter w = new JcaPEMWriter(out)) {
        w.writeObject(new org.bouncycastle.openssl.jcajce.JcaPKCS8Generator(keys.getPrivate(), null));
      } catch (Exception e) {
        throw new IllegalStateException(e);
      }
      return out.toString();
    }

    /** The private key in OpenSSL's traditional form (PKCS#1 for RSA, SEC1 for EC). */
    public String traditionalKeyPem() {
      if (!keys.getPrivate().getAlgorithm().equals("EC")) {
        return pem(keys);
      }
      // SEC1 as OpenSSL writes it, with the curve inside (the JDK's encoding keeps it only in PKCS#8)
      org.bouncycastle.asn1.pkcs.PrivateKeyInfo info =
          org.bouncycastle.asn1.pkcs.PrivateKeyInfo.getInstance(keys.getPrivate().getEncoded());
      try {
        org.bouncycastle.asn1.sec.ECPrivateKey inner =
            org.bouncycastle.asn1.sec.ECPrivateKey.getInstance(info.parsePrivateKey());
        org.bouncycastle.asn1.sec.ECPrivateKey sec1 = new org.bouncycastle.asn1.sec.ECPrivateKey(256, inner.getKey(),
            info.getPrivateKeyAlgorithm().getParameters());
        return "-----BEGIN EC PRIVATE KEY-----\n" + Base64.getMimeEncoder(64, new byte[] {'\n'})
            .encodeToString(sec1.getEncoded()) + "\n-----END EC PRIVATE KEY-----\n";
      } catch (java.io.IOException e) {
        throw new IllegalStateException(e);
      }
    }

    /** The Base64 lines of the PKCS#8 key: what must never leak. */
    public String keyBase64() {
      return Base64.getEncoder().encodeToString(keys.getPrivate().getEncoded());
    }

    /** A PKCS#12 store with this certificate and key, Base64. */
    public String pkcs12(String password) {
      try {
        KeyStore ks = KeyStore.getInstance("PKCS12");
        ks.load(null, null);
        ks.setKeyEntry("entry", keys.getPrivate(), password.toCharArray(), new java.security.cert.Certificate[] {certificate});
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ks.store(out, password.toCharArray());
        return Base64.getEncoder().encodeToString(out.toByteArray());
      } catch (Exception e) {
        throw new IllegalStateException(e);
      }
    }
  }

  private TestCerts() {}

  /** A self-signed CA. */
  public static Cert ca(String cn) {
    KeyPair kp = keys("RSA");
    return sign(cn, kp, null, kp.getPrivate(), true, new String[0], Instant.now().plus(Duration.ofDays(365)));
  }

  /** A leaf for {@code dnsNames} signed by {@code ca}, valid until {@code notAfter}, with an {@code algorithm} key. */
  public static Cert leaf(Cert ca, String algorithm, Instant notAfter, String... dnsNames) {
    return sign(dnsNames[0], keys(algorithm), ca.certificate(), ca.keys().getPrivate(), false, dnsNames, notAfter);
  }

  /** An RSA leaf valid for a year. */
  public static Cert leaf(Cert ca, String... dnsNames) {
    return leaf(ca, "RSA", Instant.now().plus(Duration.ofDays(365)), dnsNames);
  }

  private static Cert sign(String cn, KeyPair kp, X509Certificate issuer, PrivateKey issuerKey, boolean ca,
      String[] names, Instant notAfter) {
    try {
      X500Name subject = new X500Name("CN=" + cn);
      JcaX509v3CertificateBuilder b = new JcaX509v3CertificateBuilder(
          issuer == null ? subject : new X500Name(issuer.getSubjectX500Principal().getName()),
          BigInteger.valueOf(SERIAL.incrementAndGet()), Date.from(Instant.now().minus(Duration.ofMinutes(5))),
          Date.from(notAfter), subject, kp.getPublic());
      b.addExtension(Extension.basicConstraints, true, new BasicConstraints(ca));
      if (names.length > 0) {
        GeneralName[] g = new GeneralName[names.length];
        for (int i = 0; i < names.length; i++) {
          g[i] = new GeneralName(GeneralName.dNSName, names[i]);
        }
        b.addExtension(Extension.subjectAlternativeName, false, new GeneralNames(g));
      }
      String alg = issuerKey.getAlgorithm().equals("EC") ? "SHA256withECDSA" : "SHA256withRSA";
      return new Cert(new JcaX509CertificateConverter().getCertificate(b.build(new JcaContentSignerBuilder(alg).build(issuerKey))), kp);
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  private static KeyPair keys(String algorithm) {
    try {
      KeyPairGenerator g = KeyPairGenerator.getInstance(algorithm);
      g.initialize(algorithm.equals("EC") ? 256 : 2048);
      return g.generateKeyPair();
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  /** PEM of a certificate or key pair. */
  public static String pem(Object o) {
    StringWriter out = new StringWriter();
    try (JcaPEMWriter w = new JcaPEMWriter(out)) {
      w.writeObject(o);
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
    return out.toString();
  }
}
