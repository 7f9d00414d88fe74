package io.gatehouse.testing;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.http.ClientAuth;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.net.PemKeyCertOptions;
import io.vertx.core.net.PemTrustOptions;
import java.math.BigInteger;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.MessageDigest;
import java.security.cert.X509Certificate;
import java.util.Base64;
import java.util.Date;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

class BackendTlsTest {
  @RegisterExtension static final GatehouseExtension GH = GatehouseExtension.create();
  static final long DAY = 86_400_000L;

  @TempDir Path dir;
  final AtomicInteger hits = new AtomicInteger();
  HttpServer server;

  record Issued(KeyPair keys, X509Certificate cert) {}

  static KeyPair keys() throws Exception {
    KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
    g.initialize(256);
    return g.generateKeyPair();
  }

  static Issued issue(String subject, Issued issuer, boolean ca, GeneralName san, long from, long to) throws Exception {
    KeyPair kp = keys();
    X500Name name = new X500Name("CN=" + subject);
    JcaX509v3CertificateBuilder b = new JcaX509v3CertificateBuilder(
        issuer == null ? name : new X500Name(issuer.cert().getSubjectX500Principal().getName()),
        BigInteger.valueOf(System.nanoTime()), new Date(from), new Date(to), name, kp.getPublic());
    b.addExtension(Extension.basicConstraints, true, new BasicConstraints(ca));
    if (san != null) {
      b.addExtension(Extension.subjectAlternativeName, false, new GeneralNames(san));
    }
    var signer = new JcaContentSignerBuilder("SHA256withECDSA")
        .build(issuer == null ? kp.getPrivate() : issuer.keys().getPrivate());
    return new Issued(kp, new JcaX509CertificateConverter().getCertificate(b.build(signer)));
  }

  static Issued ca(String name) throws Exception {
    long now = System.currentTimeMillis();
    return issue(name, null, true, null, now - DAY, now + 30 * DAY);
  }

  static Issued leaf(Issued ca, String ipOrDns, long from, long to) throws Exception {
    GeneralName san = Character.isDigit(ipOrDns.charAt(0))
        ? new GeneralName(GeneralName.iPAddress, ipOrDns) : new GeneralName(GeneralName.dNSName, ipOrDns);
    return issue(ipOrDns, ca, false, san, from, to);
  }

  Path pem(String file, String type, byte[] der) throws Exception {
    String body = Base64.getMimeEncoder(64, "\n".getBytes()).encodeToString(der);
    Path p = dir.resolve(file);
    Files.writeString(p, "-----BEGIN " + type + "-----\n" + body + "\n-----END " + type + "-----\n");
    return p;
  }

  Path cert(String file, Issued i) throws Exception {
    return pem(file, "CERTIFICATE", i.cert().getEncoded());
  }

  Path key(String file, Issued i) throws Exception {
    return pem(file, "PRIVATE KEY", i.keys().getPrivate().getEncoded());
  }

  int serve(Issued serverCert, Path clientCa) throws Exception {
    HttpServerOptions o = new HttpServerOptions().setHost("127.0.0.1").setPort(0).setSsl(true)
        .setKeyCertOptions(new PemKeyCertOptions().setCertPath(cert("server.pem", serverCert).toString())
            .setKeyPath(key("server.key", serverCert).toString()));
    if (clientCa != null) {
      o.setClientAuth(ClientAuth.REQUIRED).setTrustOptions(new PemTrustOptions().addCertPath(clientCa.toString()));
    }
    server = GH.vertx().createHttpServer(o).requestHandler(r -> {
      hits.incrementAndGet();
      r.response().end("secure");
    });
    server.listen().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    return server.actualPort();
  }

  @AfterEach
  void stop() {
    if (server != null) {
      server.close();
    }
  }

  HttpResponse<String> call(int port, String tlsYaml) throws Exception {
    GH.apply("""
        backends:
          - name: s
            url: https://127.0.0.1:%d
            tls: %s
        apis:
          - {name: s, path: /s, backend: s, subscriptionRequired: false}
        """.formatted(port, tlsYaml));
    return GH.get("/s/x");
  }

  void assertTlsRejected(HttpResponse<String> r) {
    assertThat(r.statusCode()).isEqualTo(502);
    assertThat(r.body()).contains("backend-tls");
    assertThat(hits.get()).isZero();
  }

  @Test
  void validChainWorks() throws Exception {
    Issued ca = ca("ca");
    long now = System.currentTimeMillis();
    int port = serve(leaf(ca, "127.0.0.1", now - DAY, now + DAY), null);
    HttpResponse<String> r = call(port, "{caFile: " + cert("ca.pem", ca) + "}");
    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(r.body()).isEqualTo("secure");
  }

  @Test
  void matchingPinWorksAndWrongPinIsRejected() throws Exception {
    Issued ca = ca("ca");
    long now = System.currentTimeMillis();
    Issued leaf = leaf(ca, "127.0.0.1", now - DAY, now + DAY);
    int port = serve(leaf, null);
    String pin = Base64.getEncoder().encodeToString(
        MessageDigest.getInstance("SHA-256").digest(leaf.cert().getPublicKey().getEncoded()));
    assertThat(call(port, "{caFile: " + cert("ca.pem", ca) + ", pins: [\"" + pin + "\"]}").statusCode()).isEqualTo(200);
    hits.set(0);
    String wrong = Base64.getEncoder().encodeToString(new byte[32]);
    assertTlsRejected(call(port, "{caFile: " + cert("ca.pem", ca) + ", pins: [\"" + wrong + "\"]}"));
  }

  @Test
  void wrongHostNameIsRejected() throws Exception {
    Issued ca = ca("ca");
    long now = System.currentTimeMillis();
    int port = serve(leaf(ca, "other.example", now - DAY, now + DAY), null);
    assertTlsRejected(call(port, "{caFile: " + cert("ca.pem", ca) + "}"));
  }

  @Test
  void expiredCertificateIsRejected() throws Exception {
    Issued ca = ca("ca");
    long now = System.currentTimeMillis();
    int port = serve(leaf(ca, "127.0.0.1", now - 10 * DAY, now - DAY), null);
    assertTlsRejected(call(port, "{caFile: " + cert("ca.pem", ca) + "}"));
  }

  @Test
  void untrustedIssuerIsRejected() throws Exception {
    Issued ca = ca("ca");
    Issued other = ca("other");
    long now = System.currentTimeMillis();
    int port = serve(leaf(other, "127.0.0.1", now - DAY, now + DAY), null);
    assertTlsRejected(call(port, "{caFile: " + cert("ca.pem", ca) + "}"));
  }

  @Test
  void mutualTlsWithClientCertificateWorks() throws Exception {
    Issued ca = ca("ca");
    long now = System.currentTimeMillis();
    Path caPem = cert("ca.pem", ca);
    int port = serve(leaf(ca, "127.0.0.1", now - DAY, now + DAY), caPem);
    Issued client = leaf(ca, "gateway.client", now - DAY, now + DAY);
    HttpResponse<String> r = call(port, "{caFile: " + caPem + ", clientCert: " + cert("client.pem", client)
        + ", clientKey: " + key("client.key", client) + "}");
    assertThat(r.statusCode()).isEqualTo(200);
  }

  @Test
  void serverNameOverridesSniAndVerifiedHost() throws Exception {
    Issued ca = ca("ca");
    long now = System.currentTimeMillis();
    int port = serve(leaf(ca, "backend.internal", now - DAY, now + DAY), null);
    String caFile = cert("ca.pem", ca).toString();
    assertThat(call(port, "{caFile: " + caFile + ", serverName: backend.internal}").statusCode()).isEqualTo(200);
    hits.set(0);
    assertTlsRejected(call(port, "{caFile: " + caFile + "}"));
  }
}
