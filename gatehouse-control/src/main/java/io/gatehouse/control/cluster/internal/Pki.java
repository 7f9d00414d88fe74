package io.gatehouse.control.cluster.internal;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.StringReader;
import java.io.StringWriter;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.MessageDigest;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.SecureRandom;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.security.spec.PKCS8EncodedKeySpec;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.Date;
import java.util.List;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.openssl.PEMParser;
import org.bouncycastle.openssl.jcajce.JcaPEMKeyConverter;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.bouncycastle.operator.jcajce.JcaContentVerifierProviderBuilder;
import org.bouncycastle.pkcs.PKCS10CertificationRequest;
import org.bouncycastle.pkcs.jcajce.JcaPKCS10CertificationRequestBuilder;

/** Key pairs, certificates and certification requests of the node CA (ECDSA P-256 with SHA-256). */
public final class Pki {
  private static final SecureRandom RANDOM = new SecureRandom();
  private static final String SIGNATURE = "SHA256withECDSA";

  private Pki() {}

  /** A fresh ECDSA P-256 key pair. */
  public static KeyPair ecKeyPair() {
    try {
      KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
      g.initialize(new ECGenParameterSpec("secp256r1"));
      return g.generateKeyPair();
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("ECDSA P-256 is unavailable", e);
    }
  }

  /** A self-signed CA certificate for {@code pair}, valid from a minute ago for {@code validity}. */
  public static X509Certificate selfSignedCa(KeyPair pair, String commonName, Duration validity) {
    X500Name name = new X500Name("CN=" + commonName);
    return build(name, name, pair.getPublic(), pair.getPrivate(), validity, true, false, List.of());
  }

  /**
   * A certificate for {@code subject} named {@code commonName}, signed by {@code ca}: a client
   * certificate when {@code client}, else a server certificate for {@code names} (DNS names or IP
   * addresses).
   */
  public static X509Certificate issue(X509Certificate ca, PrivateKey caKey, String commonName, PublicKey subject,
      Duration validity, boolean client, List<String> names) {
    return build(new X500Name(ca.getSubjectX500Principal().getName()), new X500Name("CN=" + commonName), subject,
        caKey, validity, false, client, names);
  }

  private static X509Certificate build(X500Name issuer, X500Name subjectName, PublicKey subject, PrivateKey signer,
      Duration validity, boolean ca, boolean client, List<String> names) {
    try {
      Instant now = Instant.now();
      JcaX509v3CertificateBuilder b = new JcaX509v3CertificateBuilder(issuer, new BigInteger(127, RANDOM),
          Date.from(now.minus(Duration.ofMinutes(1))), Date.from(now.plus(validity)), subjectName, subject);
      b.addExtension(Extension.basicConstraints, true, new BasicConstraints(ca));
      if (ca) {
        b.addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign));
      } else {
        b.addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.digitalSignature));
        b.addExtension(Extension.extendedKeyUsage, false,
            new ExtendedKeyUsage(client ? KeyPurposeId.id_kp_clientAuth : KeyPurposeId.id_kp_serverAuth));
        if (!names.isEmpty()) {
          GeneralName[] out = new GeneralName[names.size()];
          for (int i = 0; i < out.length; i++) {
            String n = names.get(i);
            boolean ip = n.matches("[0-9.]+") || n.contains(":");
            out[i] = new GeneralName(ip ? GeneralName.iPAddress : GeneralName.dNSName, n);
          }
          b.addExtension(Extension.subjectAlternativeName, false, new GeneralNames(out));
        }
      }
      return new JcaX509CertificateConverter().getCertificate(b.build(new JcaContentSignerBuilder(SIGNATURE).build(signer)));
    } catch (GeneralSecurityException | IOException | OperatorCreationException e) {
      throw new IllegalStateException("cannot issue a certificate for " + subjectName + ": " + e.getMessage(), e);
    }
  }

  /** A PEM PKCS#10 certification request for {@code pair}, signed by its private key. */
  public static String certificationRequest(KeyPair pair, String commonName) {
    try {
      PKCS10CertificationRequest csr = new JcaPKCS10CertificationRequestBuilder(new X500Name("CN=" + commonName),
          pair.getPublic()).build(new JcaContentSignerBuilder(SIGNATURE).build(pair.getPrivate()));
      return pem(csr);
    } catch (OperatorCreationException e) {
      throw new IllegalStateException("cannot sign a certification request: " + e.getMessage(), e);
    }
  }

  /**
   * The public key of the PEM certification request {@code pem} once its self-signature checks.
   *
   * @throws IllegalArgumentException when it is not a PEM PKCS#10 request or its signature is wrong
   */
  public static PublicKey verifiedRequestKey(String pem) {
    try (PEMParser parser = new PEMParser(new StringReader(pem))) {
      Object o = parser.readObject();
      if (!(o instanceof PKCS10CertificationRequest csr)) {
        throw new IllegalArgumentException("expected a PEM CERTIFICATE REQUEST");
      }
      PublicKey key = new JcaPEMKeyConverter().getPublicKey(csr.getSubjectPublicKeyInfo());
      if (!csr.isSignatureValid(new JcaContentVerifierProviderBuilder().build(key))) {
        throw new IllegalArgumentException("the certificate request's signature does not match its key");
      }
      if (!key.getAlgorithm().equals("EC")) {
        throw new IllegalArgumentException("expected an EC (P-256) key in the certificate request but got "
            + key.getAlgorithm());
      }
      return key;
    } catch (IOException | OperatorCreationException | org.bouncycastle.pkcs.PKCSException | RuntimeException e) {
      if (e instanceof IllegalArgumentException i) {
        throw i;
      }
      throw new IllegalArgumentException("the certificate request does not parse: " + e.getMessage(), e);
    }
  }

  /** PEM text of a certificate, a certification request or a private key (PKCS#8). */
  public static String pem(Object object) {
    StringWriter out = new StringWriter();
    try (JcaPEMWriter w = new JcaPEMWriter(out)) {
      w.writeObject(object instanceof PrivateKey k ? new org.bouncycastle.openssl.jcajce.JcaPKCS8Generator(k, null)
          : object);
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
    return out.toString();
  }

  /**
   * The certificate in PEM text {@code pem} (the first one).
   *
   * @throws IllegalArgumentException when there is none
   */
  public static X509Certificate certificate(String pem) {
    try {
      return (X509Certificate) CertificateFactory.getInstance("X.509")
          .generateCertificate(new ByteArrayInputStream(pem.getBytes(StandardCharsets.US_ASCII)));
    } catch (GeneralSecurityException | RuntimeException e) {
      throw new IllegalArgumentException("expected a PEM certificate: " + e.getMessage(), e);
    }
  }

  /** The EC private key in PKCS#8 encoding {@code der}. */
  public static PrivateKey ecPrivateKey(byte[] der) {
    try {
      return KeyFactory.getInstance("EC").generatePrivate(new PKCS8EncodedKeySpec(der));
    } catch (GeneralSecurityException e) {
      throw new IllegalArgumentException("expected an EC private key: " + e.getMessage(), e);
    }
  }

  /** The EC private key in PEM text {@code pem} (PKCS#8). */
  public static PrivateKey ecPrivateKey(String pem) {
    String b64 = pem.replaceAll("-----[A-Z ]+-----", "").replaceAll("\\s", "");
    return ecPrivateKey(Base64.getDecoder().decode(b64));
  }

  /** The SHA-256 fingerprint of {@code certificate}'s DER encoding, URL-safe Base64 without padding. */
  public static String fingerprint(X509Certificate certificate) {
    try {
      return Base64.getUrlEncoder().withoutPadding()
          .encodeToString(MessageDigest.getInstance("SHA-256").digest(certificate.getEncoded()));
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }

  /** The serial number of {@code certificate} in hexadecimal. */
  public static String serial(X509Certificate certificate) {
    return certificate.getSerialNumber().toString(16);
  }

  /** The common name of {@code certificate}'s subject, or empty. */
  public static String commonName(X509Certificate certificate) {
    String dn = certificate.getSubjectX500Principal().getName();
    for (String part : dn.split(",")) {
      if (part.startsWith("CN=")) {
        return part.substring(3);
      }
    }
    return "";
  }
}
