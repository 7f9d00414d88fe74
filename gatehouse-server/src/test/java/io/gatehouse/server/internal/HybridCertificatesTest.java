package io.gatehouse.server.internal;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.gatehouse.model.ConfigMapper;
import io.gatehouse.testing.Await;
import io.gatehouse.testing.TestCertificates;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.ClientAuth;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.net.PemKeyCertOptions;
import io.vertx.core.net.PemTrustOptions;
import java.math.BigInteger;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Uploaded certificates in hybrid mode, over real TLS: a gateway node serves the SNI certificates and
 * presents the backend client certificates uploaded on its control node, picks up replacements, keeps
 * their private keys out of its files and logs, and a revoked node receives none.
 */
class HybridCertificatesTest {
  static final TestCertificates.Issued CA = TestCertificates.authority("Gateway CA");

  @TempDir Path dir;
  final HybridModeServeTest cluster = new HybridModeServeTest();
  final List<HttpServer> backends = new ArrayList<>();
  final ch.qos.logback.core.read.ListAppender<ch.qos.logback.classic.spi.ILoggingEvent> logs =
      new ch.qos.logback.core.read.ListAppender<>();
  final ch.qos.logback.classic.Logger root = (ch.qos.logback.classic.Logger) org.slf4j.LoggerFactory.getLogger(
      org.slf4j.Logger.ROOT_LOGGER_NAME);

  @BeforeEach
  void setUp() throws Exception {
    logs.start();
    root.addAppender(logs);
    cluster.dir = dir;
    cluster.setUp();
  }

  @AfterEach
  void tearDown() throws Exception {
    root.detachAppender(logs);
    for (HttpServer b : backends) {
      b.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }
    cluster.tearDown();
  }

  ServeCommand.Running startGateway(String name) throws Exception {
    ServeCommand.Running r = cluster.startGateway(name, cluster.token());
    Await.until(name + " ready", () -> cluster.get(r, HybridModeServeTest.READY, null) == 200);
    return r;
  }

  void upload(String name, String usage, TestCertificates.Issued c) throws Exception {
    ObjectNode o = ConfigMapper.json().createObjectNode().put("usage", usage)
        .put("certificate", TestCertificates.pem(c.certificate()));
    if (!usage.equals("ca")) {
      o.put("privateKey", TestCertificates.pem(c.key()));
    }
    HttpResponse<String> r = cluster.mgmt("PUT", "/certificates/" + name, "application/json", o.toString());
    assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
  }

  /** The serial number of the certificate {@code gw}'s HTTPS listener presents for SNI {@code host}; null when it has none. */
  static BigInteger served(ServeCommand.Running gw, String host) {
    int port = gw.gateway().httpsPort();
    if (port <= 0) {
      return null;
    }
    try {
      return Serving.served(port, host).getSerialNumber();
    } catch (Exception e) {
      return null;
    }
  }

  /** Waits until {@code gw} presents {@code expected} for {@code host}; returns the milliseconds it took. */
  static double awaitServed(ServeCommand.Running gw, String host, TestCertificates.Issued expected) {
    long t0 = System.nanoTime();
    BigInteger serial = expected.certificate().getSerialNumber();
    Await.until("the gateway node presents certificate " + serial + " for " + host,
        () -> serial.equals(served(gw, host)));
    return (System.nanoTime() - t0) / 1e6;
  }

  int mutualTlsBackend(TestCertificates.Issued serverCert, TestCertificates.Issued clientCa) throws Exception {
    HttpServerOptions o = new HttpServerOptions().setHost("127.0.0.1").setPort(0).setSsl(true)
        .setKeyCertOptions(new PemKeyCertOptions()
            .setCertValue(Buffer.buffer(TestCertificates.pem(serverCert.certificate())))
            .setKeyValue(Buffer.buffer(TestCertificates.pem(serverCert.key()))))
        .setClientAuth(ClientAuth.REQUIRED)
        .setTrustOptions(new PemTrustOptions().addCertValue(Buffer.buffer(TestCertificates.pem(clientCa.certificate()))));
    HttpServer backend = cluster.vertx.createHttpServer(o).requestHandler(r -> {
      String subject;
      try {
        subject = ((X509Certificate) r.connection().peerCertificates().get(0)).getSubjectX500Principal().getName();
      } catch (javax.net.ssl.SSLPeerUnverifiedException e) {
        subject = "none";
      }
      r.response().end("client=" + subject);
    });
    backends.add(backend);
    return backend.listen().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS).actualPort();
  }

  HttpResponse<String> viaGateway(ServeCommand.Running gw, String path) {
    try {
      return cluster.http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + gw.gateway().port() + path))
          .timeout(java.time.Duration.ofSeconds(5)).build(), HttpResponse.BodyHandlers.ofString());
    } catch (Exception e) {
      return null;
    }
  }

  @Test
  void aGatewayNodeServesTheUploadedSniCertificateItsReplacementAndTheBackendClientCertificate() throws Exception {
    cluster.startControl();
    cluster.putConfig("v0");
    ServeCommand.Running gw = startGateway("gw1");
    assertThat(gw.gateway().httpsPort()).as("no certificate yet: no HTTPS listener").isEqualTo(-1);

    TestCertificates.Issued first = TestCertificates.server(CA, "api.example.test");
    upload("api", "server", first);
    double firstMs = awaitServed(gw, "api.example.test", first);
    TestCertificates.Issued second = TestCertificates.server(CA, "api.example.test");
    upload("api", "server", second);
    double secondMs = awaitServed(gw, "api.example.test", second);
    System.out.printf("uploaded certificate answered -> presented by the gateway node: %.1f ms (new listener),"
        + " replacement %.1f ms%n", firstMs, secondMs);

    // backend mutual TLS with an uploaded client certificate and CA bundle, from the gateway node
    TestCertificates.Issued backendCa = TestCertificates.authority("Backend CA");
    TestCertificates.Issued clientCa = TestCertificates.authority("Client CA");
    int port = mutualTlsBackend(TestCertificates.server(backendCa, "127.0.0.1"), clientCa);
    TestCertificates.Issued partner = TestCertificates.server(clientCa, "partner.example.test");
    upload("partner-client", "client", partner);
    upload("partner-ca", "ca", backendCa);
    String yaml = """
        backends:
          - name: partner
            url: https://127.0.0.1:%d
            tls: {clientCertificate: partner-client, caCertificate: partner-ca}
        apis:
          - {name: partner, path: /partner, backend: partner, subscriptionRequired: false}
        """.formatted(port);
    HttpResponse<String> applied = cluster.mgmt("PUT", "/config", "application/yaml", yaml);
    assertThat(applied.statusCode()).as(applied.body()).isEqualTo(200);
    long rev = cluster.currentRevision();
    Await.until("the gateway node serves revision " + rev, () -> gw.gateway().revision() == rev);
    HttpResponse<String> ok = viaGateway(gw, "/partner/x");
    assertThat(ok.statusCode()).as(ok.body()).isEqualTo(200);
    assertThat(ok.body()).isEqualTo("client=CN=partner.example.test");

    // a client certificate the backend does not trust, under the same name: the node presents it (and fails)
    upload("partner-client", "client", TestCertificates.server(TestCertificates.authority("Rogue CA"),
        "partner.example.test"));
    Await.until("the gateway node presents the replaced client certificate", () -> {
      HttpResponse<String> r = viaGateway(gw, "/partner/x");
      return r != null && r.statusCode() == 502;
    });

    // the keys reach no answer of the management API, no file of the node, no log line
    String keyLine = Base64.getEncoder().encodeToString(partner.key().getEncoded()).substring(0, 64);
    String firstKeyLine = Base64.getEncoder().encodeToString(second.key().getEncoded()).substring(0, 64);
    for (String path : List.of("/certificates", "/certificates/api", "/certificates/partner-client", "/nodes")) {
      assertThat(cluster.mgmt("GET", path, null, null).body()).doesNotContain("PRIVATE KEY").doesNotContain(keyLine);
    }
    try (Stream<Path> files = Files.walk(dir.resolve("gw1"))) {
      for (Path f : files.filter(Files::isRegularFile).toList()) {
        String text = new String(Files.readAllBytes(f), StandardCharsets.ISO_8859_1);
        assertThat(text).as(f.toString()).doesNotContain(keyLine).doesNotContain(firstKeyLine);
      }
    }
    assertThat(logs.list).isNotEmpty();
    for (ch.qos.logback.classic.spi.ILoggingEvent e : logs.list) {
      String line = e.getFormattedMessage() + (e.getThrowableProxy() == null ? ""
          : ch.qos.logback.classic.spi.ThrowableProxyUtil.asString(e.getThrowableProxy()));
      assertThat(line).doesNotContain(keyLine).doesNotContain(firstKeyLine).doesNotContain("PRIVATE KEY");
    }
  }

  @Test
  void aNodeRestartedWithoutTheControlPlaneServesTheCertificatesFromItsEncryptedCache() throws Exception {
    cluster.startControl();
    cluster.putConfig("v0");
    ServeCommand.Running gw = startGateway("gw1");
    TestCertificates.Issued cert = TestCertificates.server(CA, "api.example.test");
    upload("api", "server", cert);
    awaitServed(gw, "api.example.test", cert);

    cluster.control.close();
    cluster.started.remove(cluster.control);
    gw.close();
    cluster.started.remove(gw);
    ServeCommand.Running again = cluster.startGateway("gw1", null);
    assertThat(cluster.get(again, HybridModeServeTest.READY, null)).isEqualTo(200);
    assertThat(served(again, "api.example.test")).isEqualTo(cert.certificate().getSerialNumber());
  }

  @Test
  void aRevokedNodeReceivesNoUploadedCertificate() throws Exception {
    cluster.startControl();
    cluster.putConfig("v0");
    ServeCommand.Running kept = startGateway("gw1");
    ServeCommand.Running revoked = startGateway("gw2");
    Await.until("both nodes listed", () -> cluster.nodes().size() == 3);
    String address = "127.0.0.1:" + revoked.gateway().port();
    String id = null;
    for (JsonNode n : cluster.nodes()) {
      if (n.path("address").asText().equals(address)) {
        id = n.path("id").asText();
      }
    }
    assertThat(id).isNotNull();
    assertThat(cluster.mgmt("DELETE", "/nodes/" + id, null, null).statusCode()).isEqualTo(204);

    TestCertificates.Issued cert = TestCertificates.server(CA, "api.example.test");
    upload("api", "server", cert);
    awaitServed(kept, "api.example.test", cert);
    long next = cluster.putConfig("v1"); // a second round: the revoked node's long poll was refused by now
    Await.until("the live node serves revision " + next, () -> kept.gateway().revision() == next);
    assertThat(revoked.gateway().httpsPort()).as("the revoked node got no certificate").isEqualTo(-1);
    assertThat(served(revoked, "api.example.test")).isNull();
    assertThat(cluster.get(revoked, "/v0/hello", null)).as("it keeps its last snapshot").isEqualTo(200);
  }
}
