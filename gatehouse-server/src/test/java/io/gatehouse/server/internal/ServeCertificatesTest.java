package io.gatehouse.server.internal;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.gatehouse.model.ConfigMapper;
import io.gatehouse.testing.TestCertificates;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.ClientAuth;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.net.PemKeyCertOptions;
import io.vertx.core.net.PemTrustOptions;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** Uploaded certificates end to end: SNI on the gateway, live replacement, backend mutual TLS, expiry, no leaks. */
class ServeCertificatesTest {
  static final TestCertificates.Issued CA = TestCertificates.authority("Gateway CA");

  @TempDir Path dir;
  Vertx vertx;
  ServeCommand.Running running;
  HttpServer backend;
  final HttpClient http = HttpClient.newHttpClient();
  final ByteArrayOutputStream console = new ByteArrayOutputStream();

  final ch.qos.logback.core.read.ListAppender<ch.qos.logback.classic.spi.ILoggingEvent> logs =
      new ch.qos.logback.core.read.ListAppender<>();
  final ch.qos.logback.classic.Logger root = (ch.qos.logback.classic.Logger) org.slf4j.LoggerFactory.getLogger(
      org.slf4j.Logger.ROOT_LOGGER_NAME);

  @BeforeEach
  void start() throws Exception {
    logs.start();
    root.addAppender(logs);
    vertx = Vertx.vertx();
    running = serve();
  }

  ServeCommand.Running serve(String... extra) throws Exception {
    ServeCommand cmd = new ServeCommand();
    List<String> args = new java.util.ArrayList<>(List.of("--data", dir.resolve("data").toString(), "--gateway-host",
        "127.0.0.1", "--allowed-backend-networks",
        String.join(",", io.gatehouse.testing.GatehouseExtension.LOOPBACK_BACKENDS), "--gateway-port", "0", "--https-port", "0", "--management-port", "0", "--portal-port", "0", "--drain-period", "0s", "--no-access-log"));
    args.addAll(List.of(extra));
    new CommandLine(cmd).parseArgs(args.toArray(String[]::new));
    return cmd.start(null, new PrintStream(console));
  }

  @AfterEach
  void stop() throws Exception {
    root.detachAppender(logs);
    running.close();
    vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
  }

  String token() throws Exception {
    return Files.readString(dir.resolve("data").resolve("admin-token")).trim();
  }

  HttpResponse<String> mgmt(String method, String path, String body, String type) throws Exception {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + running.management().actualPort() + path))
        .header("Authorization", "Bearer " + token())
        .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
    if (type != null) {
      b.header("Content-Type", type);
    }
    return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
  }

  HttpResponse<String> upload(String name, String usage, TestCertificates.Issued c) throws Exception {
    ObjectNode o = ConfigMapper.json().createObjectNode().put("usage", usage)
        .put("certificate", TestCertificates.pem(c.certificate()));
    if (c.key() != null && !usage.equals("ca")) {
      o.put("privateKey", TestCertificates.pem(c.key()));
    }
    HttpResponse<String> r = mgmt("PUT", "/api/v1/certificates/" + name, o.toString(), "application/json");
    assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    return r;
  }

  /** The certificate the gateway's HTTPS listener presents for SNI {@code host}. */
  X509Certificate served(String host) throws Exception {
    return Serving.served(running.gateway().httpsPort(), host);
  }

  @Test
  void servesUploadedCertificatesBySniAndReplacesThemWithoutRestart() throws Exception {
    assertThat(running.gateway().httpsPort()).as("no certificate yet: no HTTPS listener").isEqualTo(-1);
    TestCertificates.Issued first = TestCertificates.server(CA, "api.example.test");
    TestCertificates.Issued other = TestCertificates.server(CA, "other.example.test");
    upload("api", "server", first);
    upload("other", "server", other);
    int port = running.gateway().httpsPort();
    assertThat(port).isPositive();
    assertThat(served("api.example.test").getSerialNumber()).isEqualTo(first.certificate().getSerialNumber());
    assertThat(served("other.example.test").getSerialNumber()).isEqualTo(other.certificate().getSerialNumber());

    TestCertificates.Issued second = TestCertificates.server(CA, "api.example.test");
    upload("api", "server", second);
    assertThat(served("api.example.test").getSerialNumber()).isEqualTo(second.certificate().getSerialNumber());
    assertThat(served("other.example.test").getSerialNumber()).isEqualTo(other.certificate().getSerialNumber());
    assertThat(running.gateway().httpsPort()).as("same listener").isEqualTo(port);

    // PKCS#12 replaces it too
    TestCertificates.Issued third = TestCertificates.server(CA, "api.example.test");
    Path p12 = third.writePkcs12(dir, "third", "p12-password");
    ObjectNode o = ConfigMapper.json().createObjectNode().put("usage", "server")
        .put("pkcs12", Base64.getEncoder().encodeToString(Files.readAllBytes(p12))).put("password", "p12-password");
    assertThat(mgmt("PUT", "/api/v1/certificates/api", o.toString(), "application/json").statusCode()).isEqualTo(200);
    assertThat(served("api.example.test").getSerialNumber()).isEqualTo(third.certificate().getSerialNumber());

    // a restart serves the stored certificates from the start, beside a --tls-cert file
    running.close();
    TestCertificates.Issued file = TestCertificates.server(CA, "file.example.test");
    Path cert = file.writePem(dir, "file");
    running = serve("--tls-cert", cert + "," + TestCertificates.Issued.keyPath(dir, "file"));
    assertThat(running.gateway().httpsPort()).isPositive();
    assertThat(served("api.example.test").getSerialNumber()).isEqualTo(third.certificate().getSerialNumber());
    assertThat(served("other.example.test").getSerialNumber()).isEqualTo(other.certificate().getSerialNumber());
    assertThat(served("file.example.test").getSerialNumber()).isEqualTo(file.certificate().getSerialNumber());
  }

  int mutualTlsBackend(TestCertificates.Issued serverCert, TestCertificates.Issued clientCa) throws Exception {
    HttpServerOptions o = new HttpServerOptions().setHost("127.0.0.1").setPort(0).setSsl(true)
        .setKeyCertOptions(new PemKeyCertOptions()
            .setCertValue(Buffer.buffer(TestCertificates.pem(serverCert.certificate())))
            .setKeyValue(Buffer.buffer(TestCertificates.pem(serverCert.key()))))
        .setClientAuth(ClientAuth.REQUIRED)
        .setTrustOptions(new PemTrustOptions().addCertValue(Buffer.buffer(TestCertificates.pem(clientCa.certificate()))));
    backend = vertx.createHttpServer(o).requestHandler(r -> {
      String subject;
      try {
        subject = ((X509Certificate) r.connection().peerCertificates().get(0)).getSubjectX500Principal().getName();
      } catch (javax.net.ssl.SSLPeerUnverifiedException e) {
        subject = "none";
      }
      r.response().end("client=" + subject);
    });
    return backend.listen().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS).actualPort();
  }

  HttpResponse<String> viaGateway(String path) throws Exception {
    return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + running.gateway().port() + path)).build(),
        HttpResponse.BodyHandlers.ofString());
  }

  @Test
  void backendMutualTlsWithUploadedClientCertificateAndCaBundle() throws Exception {
    TestCertificates.Issued backendCa = TestCertificates.authority("Backend CA");
    TestCertificates.Issued clientCa = TestCertificates.authority("Client CA");
    int port = mutualTlsBackend(TestCertificates.server(backendCa, "127.0.0.1"), clientCa);
    String yaml = """
        backends:
          - name: partner
            url: https://127.0.0.1:%d
            tls: {clientCertificate: partner-client, caCertificate: partner-ca}
        apis:
          - {name: partner, path: /partner, backend: partner, subscriptionRequired: false}
        """.formatted(port);
    HttpResponse<String> refused = mgmt("PUT", "/api/v1/config", yaml, "application/yaml");
    assertThat(refused.statusCode()).isEqualTo(400);
    assertThat(refused.body()).contains("no certificate named 'partner-client'");

    TestCertificates.Issued partner = TestCertificates.server(clientCa, "partner.example.test");
    upload("partner-client", "client", partner);
    upload("partner-ca", "ca", backendCa);
    HttpResponse<String> applied = mgmt("PUT", "/api/v1/config", yaml, "application/yaml");
    assertThat(applied.statusCode()).as(applied.body()).isEqualTo(200);
    HttpResponse<String> ok = viaGateway("/partner/x");
    assertThat(ok.statusCode()).as(ok.body()).isEqualTo(200);
    assertThat(ok.body()).isEqualTo("client=CN=partner.example.test");

    // a client certificate the backend does not trust, uploaded under the same name: picked up at once
    upload("partner-client", "client", TestCertificates.server(TestCertificates.authority("Rogue CA"),
        "partner.example.test"));
    assertThat(viaGateway("/partner/x").statusCode()).isEqualTo(502);
    upload("partner-client", "client", TestCertificates.server(clientCa, "partner.example.test"));
    assertThat(viaGateway("/partner/x").statusCode()).isEqualTo(200);

    // the export names the certificates and holds no key
    ServeTest.Cli export = ServeTest.Cli.run("export", "--server", "http://127.0.0.1:" + running.management().actualPort(),
        "--token", token());
    assertThat(export.code()).as(export.err()).isZero();
    assertThat(export.out()).contains("clientCertificate: partner-client").contains("caCertificate: partner-ca")
        .doesNotContain("PRIVATE KEY");

    // nor does the log, nor the database files
    String keyLine = Base64.getEncoder().encodeToString(partner.key().getEncoded()).substring(0, 64);
    assertThat(logs.list).isNotEmpty();
    for (ch.qos.logback.classic.spi.ILoggingEvent e : logs.list) {
      String line = e.getFormattedMessage() + (e.getThrowableProxy() == null ? ""
          : ch.qos.logback.classic.spi.ThrowableProxyUtil.asString(e.getThrowableProxy()));
      assertThat(line).doesNotContain(keyLine).doesNotContain("PRIVATE KEY");
    }
    try (var files = Files.list(dir.resolve("data"))) {
      for (Path f : files.filter(p -> p.getFileName().toString().startsWith("gatehouse.db")).toList()) {
        assertThat(new String(Files.readAllBytes(f), StandardCharsets.ISO_8859_1)).as(f.toString())
            .doesNotContain(keyLine).doesNotContain("PRIVATE KEY");
      }
    }
  }

  @Test
  void expiringCertificatesAreFlaggedToTheApiTheLogAndTheAdvisor() throws Exception {
    TestCertificates.Issued soon = TestCertificates.server(CA, Instant.now().minus(Duration.ofDays(1)),
        Instant.now().plus(Duration.ofDays(12)), "soon.example.test");
    upload("soon", "server", soon);
    upload("fine", "server", TestCertificates.server(CA, Instant.now().minus(Duration.ofDays(1)),
        Instant.now().plus(Duration.ofDays(200)), "fine.example.test"));
    JsonNode list = ConfigMapper.json().readTree(mgmt("GET", "/api/v1/certificates", null, null).body());
    assertThat(list.get("expiringSoon")).extracting(JsonNode::asText).containsExactly("soon");
    JsonNode one = ConfigMapper.json().readTree(mgmt("GET", "/api/v1/certificates/soon", null, null).body());
    assertThat(one.get("expiringSoon").asBoolean()).isTrue();
    assertThat(one.get("expiresInDays").asLong()).isBetween(11L, 12L);
    assertThat(one.toString()).doesNotContain("PRIVATE KEY");

    HttpResponse<String> advice = mgmt("GET", "/api/v1/security/recommendations", null, null);
    assertThat(advice.statusCode()).isEqualTo(200);
    JsonNode findings = ConfigMapper.json().readTree(advice.body()).get("findings");
    List<String> expiring = new java.util.ArrayList<>();
    findings.forEach(f -> {
      if (f.get("rule").asText().equals("certificate.expiring")) {
        expiring.add(f.get("resource").asText());
      }
    });
    assertThat(expiring).containsExactly("certificate soon (server)");
    io.gatehouse.control.SqliteConfigStore store = (io.gatehouse.control.SqliteConfigStore) running.plane().store();
    assertThat(store.certificates().warnExpiring()).extracting(c -> c.name()).containsExactly("soon");
  }
}
