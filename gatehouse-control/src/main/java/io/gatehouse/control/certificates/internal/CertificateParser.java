package io.gatehouse.control.certificates.internal;

import io.gatehouse.control.certificates.CertificateUpload;
import io.gatehouse.control.certificates.CertificateUsage;
import io.gatehouse.control.certificates.InvalidCertificateException;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.Key;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.SecureRandom;
import java.security.Signature;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collections;
import java.util.List;
import org.bouncycastle.asn1.pkcs.PrivateKeyInfo;
import org.bouncycastle.openssl.PEMEncryptedKeyPair;
import org.bouncycastle.openssl.PEMKeyPair;
import org.bouncycastle.openssl.PEMParser;
import org.bouncycastle.openssl.jcajce.JcaPEMKeyConverter;
import org.bouncycastle.openssl.jcajce.JceOpenSSLPKCS8DecryptorProviderBuilder;
import org.bouncycastle.openssl.jcajce.JcePEMDecryptorProviderBuilder;
import org.bouncycastle.pkcs.PKCS8EncryptedPrivateKeyInfo;

/**
 * Turns an upload into a validated certificate chain and private key: PEM or PKCS#12 in, a PEM
 * chain and a PKCS#8 PEM key out. Error messages never contain the input.
 */
public final class CertificateParser {
  /** Bouncy Castle for decrypting PEM keys (PKCS#7 padding names), used by instance, never registered globally. */
  private static final java.security.Provider BC = new org.bouncycastle.jce.provider.BouncyCastleProvider();

  /** The largest chain accepted. */
  public static final int MAX_CHAIN = 20;

  /** A validated upload. */
  public record Parsed(CertificateUsage usage, List<X509Certificate> chain, PrivateKey key) {
    /** The chain as PEM, leaf first. */
    public String chainPem() {
      StringBuilder out = new StringBuilder();
      for (X509Certificate c : chain) {
        try {
          out.append(pem("CERTIFICATE", c.getEncoded()));
        } catch (GeneralSecurityException e) {
          throw new IllegalStateException("cannot encode a parsed certificate", e);
        }
      }
      return out.toString();
    }

    /** The key as PKCS#8 PEM, or {@code null}. */
    public String keyPem() {
      return key == null ? null : pem("PRIVATE KEY", key.getEncoded());
    }

    @Override
    public String toString() {
      return "Parsed[usage=" + usage + ", chain=" + chain.size() + "]";
    }
  }

  private CertificateParser() {}

  /**
   * Parses and validates {@code upload}: exactly one of PEM and PKCS#12, at least one certificate, a
   * private key for {@code server} and {@code client} that matches the leaf, none for {@code ca}.
   *
   * @throws InvalidCertificateException naming the field at fault
   */
  public static Parsed parse(CertificateUpload upload) {
    if (upload.usage() == null) {
      throw new InvalidCertificateException("usage", "expected one of server, client, ca");
    }
    CertificateUsage usage = CertificateUsage.parse(upload.usage());
    boolean pem = upload.certificate() != null || upload.privateKey() != null;
    boolean p12 = upload.pkcs12() != null;
    if (pem == p12) {
      throw new InvalidCertificateException(p12 ? "pkcs12" : "certificate",
          "expected either PEM ('certificate', with 'privateKey' unless usage is ca) or 'pkcs12' (Base64) but got "
              + (p12 ? "both" : "neither"));
    }
    List<X509Certificate> chain;
    PrivateKey key;
    if (p12) {
      Parsed fromStore = pkcs12(usage, upload.pkcs12(), upload.password());
      chain = fromStore.chain();
      key = fromStore.key();
    } else {
      if (upload.certificate() == null) {
        throw new InvalidCertificateException("certificate", "expected the PEM certificate chain");
      }
      chain = certificates(upload.certificate());
      key = upload.privateKey() == null ? null : privateKey(upload.privateKey(), upload.password());
    }
    if (usage == CertificateUsage.CA) {
      if (key != null) {
        throw new InvalidCertificateException(p12 ? "pkcs12" : "privateKey",
            "expected no private key for usage ca: a CA bundle is only trusted, never presented");
      }
    } else {
      if (key == null) {
        throw new InvalidCertificateException(p12 ? "pkcs12" : "privateKey",
            "expected a private key for usage " + usage.apiName());
      }
      if (!matches(key, chain.get(0).getPublicKey())) {
        throw new InvalidCertificateException(p12 ? "pkcs12" : "privateKey",
            "the private key does not match the certificate " + chain.get(0).getSubjectX500Principal().getName());
      }
    }
    return new Parsed(usage, List.copyOf(chain), key);
  }

  private static List<X509Certificate> certificates(String pemText) {
    if (!pemText.contains("-----BEGIN CERTIFICATE-----")) {
      throw new InvalidCertificateException("certificate", "expected PEM text with '-----BEGIN CERTIFICATE-----'");
    }
    List<X509Certificate> out = new ArrayList<>();
    try {
      for (Certificate c : CertificateFactory.getInstance("X.509")
          .generateCertificates(new ByteArrayInputStream(pemText.getBytes(StandardCharsets.US_ASCII)))) {
        out.add((X509Certificate) c);
      }
    } catch (GeneralSecurityException | RuntimeException e) {
      throw new InvalidCertificateException("certificate", "expected PEM X.509 certificates but they do not parse");
    }
    return checkedChain(out, "certificate");
  }

  private static List<X509Certificate> checkedChain(List<X509Certificate> chain, String field) {
    if (chain.isEmpty()) {
      throw new InvalidCertificateException(field, "expected at least one X.509 certificate but found none");
    }
    if (chain.size() > MAX_CHAIN) {
      throw new InvalidCertificateException(field, "expected at most " + MAX_CHAIN + " certificates but got " + chain.size());
    }
    return chain;
  }

  private static PrivateKey privateKey(String pemText, String password) {
    Object object;
    try (PEMParser parser = new PEMParser(new StringReader(pemText))) {
      object = parser.readObject();
    } catch (IOException | RuntimeException e) {
      throw new InvalidCertificateException("privateKey", "expected a PEM private key but it does not parse");
    }
    JcaPEMKeyConverter converter = new JcaPEMKeyConverter();
    try {
      if (object instanceof PEMEncryptedKeyPair enc) {
        object = enc.decryptKeyPair(new JcePEMDecryptorProviderBuilder().setProvider(BC).build(requirePassword(password)));
      } else if (object instanceof PKCS8EncryptedPrivateKeyInfo enc) {
        object = enc.decryptPrivateKeyInfo(new JceOpenSSLPKCS8DecryptorProviderBuilder().setProvider(BC).build(requirePassword(password)));
      }
      if (object instanceof PEMKeyPair pair) {
        return jdkKey(pair.getPrivateKeyInfo(), converter);
      }
      if (object instanceof PrivateKeyInfo info) {
        return jdkKey(info, converter);
      }
    } catch (InvalidCertificateException e) {
      throw e;
    } catch (Exception e) {
      throw new InvalidCertificateException("privateKey",
          "cannot read the private key (wrong password or unsupported algorithm)");
    }
    throw new InvalidCertificateException("privateKey",
        "expected a PEM private key ('PRIVATE KEY', 'RSA PRIVATE KEY', 'EC PRIVATE KEY' or 'ENCRYPTED PRIVATE KEY')");
  }

  /** The key as a JDK key (so that JDK TLS and signatures take it); Bouncy Castle names EC keys "ECDSA". */
  private static PrivateKey jdkKey(PrivateKeyInfo info, JcaPEMKeyConverter converter) throws Exception {
    String oid = info.getPrivateKeyAlgorithm().getAlgorithm().getId();
    String algorithm = switch (oid) {
      case "1.2.840.113549.1.1.1" -> "RSA";
      case "1.2.840.113549.1.1.10" -> "RSASSA-PSS";
      case "1.2.840.10045.2.1" -> "EC";
      case "1.3.101.112" -> "Ed25519";
      case "1.3.101.113" -> "Ed448";
      default -> null;
    };
    if (algorithm == null) {
      return converter.getPrivateKey(info);
    }
    if (algorithm.equals("EC") && info.getPrivateKeyAlgorithm().getParameters() == null) {
      // SEC1 'EC PRIVATE KEY' carries its curve inside the key; the JDK wants it in the algorithm identifier
      org.bouncycastle.asn1.sec.ECPrivateKey ec = org.bouncycastle.asn1.sec.ECPrivateKey.getInstance(info.parsePrivateKey());
      info = new PrivateKeyInfo(new org.bouncycastle.asn1.x509.AlgorithmIdentifier(
          org.bouncycastle.asn1.x9.X9ObjectIdentifiers.id_ecPublicKey, ec.getParametersObject()), ec);
    }
    return java.security.KeyFactory.getInstance(algorithm)
        .generatePrivate(new java.security.spec.PKCS8EncodedKeySpec(info.getEncoded()));
  }

  private static char[] requirePassword(String password) {
    if (password == null) {
      throw new InvalidCertificateException("password", "expected the password of the encrypted private key");
    }
    return password.toCharArray();
  }

  private static Parsed pkcs12(CertificateUsage usage, String base64, String password) {
    byte[] bytes;
    try {
      bytes = Base64.getMimeDecoder().decode(base64);
    } catch (IllegalArgumentException e) {
      throw new InvalidCertificateException("pkcs12", "expected Base64 of a PKCS#12 store");
    }
    char[] pw = password == null ? new char[0] : password.toCharArray();
    KeyStore ks;
    try {
      ks = KeyStore.getInstance("PKCS12");
      ks.load(new ByteArrayInputStream(bytes), pw);
    } catch (IOException | GeneralSecurityException | RuntimeException e) {
      throw new InvalidCertificateException("pkcs12", "cannot open the PKCS#12 store (not PKCS#12, or a wrong password)");
    }
    try {
      List<String> aliases = Collections.list(ks.aliases());
      List<String> keyed = aliases.stream().filter(a -> isKeyEntry(ks, a)).toList();
      if (keyed.size() > 1) {
        throw new InvalidCertificateException("pkcs12", "expected one private key in the PKCS#12 store but found "
            + keyed.size());
      }
      if (keyed.size() == 1) {
        Key k = ks.getKey(keyed.get(0), pw);
        Certificate[] chain = ks.getCertificateChain(keyed.get(0));
        if (!(k instanceof PrivateKey pk) || chain == null || chain.length == 0) {
          throw new InvalidCertificateException("pkcs12", "expected a private key with its certificate chain");
        }
        List<X509Certificate> certs = new ArrayList<>();
        for (Certificate c : chain) {
          certs.add((X509Certificate) c);
        }
        return new Parsed(usage, checkedChain(certs, "pkcs12"), pk);
      }
      List<X509Certificate> certs = new ArrayList<>();
      for (String a : aliases) {
        if (ks.getCertificate(a) instanceof X509Certificate x) {
          certs.add(x);
        }
      }
      return new Parsed(usage, checkedChain(certs, "pkcs12"), null);
    } catch (GeneralSecurityException e) {
      throw new InvalidCertificateException("pkcs12", "cannot read the key of the PKCS#12 store (wrong password?)");
    }
  }

  private static boolean isKeyEntry(KeyStore ks, String alias) {
    try {
      return ks.isKeyEntry(alias);
    } catch (GeneralSecurityException e) {
      return false;
    }
  }

  /** Whether {@code key} belongs to {@code pub}: a signature made with one verifies with the other. */
  static boolean matches(PrivateKey key, PublicKey pub) {
    if (!key.getAlgorithm().equalsIgnoreCase(pub.getAlgorithm())
        && !(isEdDsa(key.getAlgorithm()) && isEdDsa(pub.getAlgorithm()))) {
      return false;
    }
    String alg = switch (key.getAlgorithm().toUpperCase(java.util.Locale.ROOT)) {
      case "RSA" -> "SHA256withRSA";
      case "EC" -> "SHA256withECDSA";
      case "RSASSA-PSS" -> "RSASSA-PSS";
      default -> key.getAlgorithm();
    };
    try {
      byte[] data = new byte[32];
      new SecureRandom().nextBytes(data);
      Signature s = Signature.getInstance(alg);
      if (alg.equals("RSASSA-PSS")) {
        s.setParameter(new java.security.spec.PSSParameterSpec("SHA-256", "MGF1",
            java.security.spec.MGF1ParameterSpec.SHA256, 32, 1));
      }
      s.initSign(key);
      s.update(data);
      byte[] sig = s.sign();
      s.initVerify(pub);
      s.update(data);
      return s.verify(sig);
    } catch (GeneralSecurityException e) {
      return false;
    }
  }

  private static boolean isEdDsa(String alg) {
    return alg.equalsIgnoreCase("EdDSA") || alg.equalsIgnoreCase("Ed25519") || alg.equalsIgnoreCase("Ed448");
  }

  /** PEM text of {@code der} under {@code label}. */
  public static String pem(String label, byte[] der) {
    return "-----BEGIN " + label + "-----\n" + Base64.getMimeEncoder(64, new byte[] {'\n'}).encodeToString(der)
        + "\n-----END " + label + "-----\n";
  }
}
