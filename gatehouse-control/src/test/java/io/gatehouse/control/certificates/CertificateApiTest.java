package io.gatehouse.control.certificates;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.gatehouse.control.AdminTokens;
import io.gatehouse.control.ControlPlane;
import io.gatehouse.control.ManagementServer;
import io.gatehouse.control.SqliteConfigStore;
import io.gatehouse.model.ConfigMapper;
import io.vertx.core.Vertx;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The certificate routes over a real management server and SQLite store. */
class CertificateApiTest {
  /** The store the tests run against: SQLite here, PostgreSQL in {@link PostgresCertificateApiTest}. */
  io.gatehouse.control.TestStores.Kind kind() {
    return io.gatehouse.control.TestStores.Kind.SQLITE;
  }

  static final String TOKEN = "test-admin-token-certs-0123456789";
  static final TestCerts.Cert CA = TestCerts.ca("Test CA");

  @TempDir Path dir;
  Vertx vertx;
  io.gatehouse.control.ControlStore store;
  ControlPlane plane;
  ManagementServer server;
  final HttpClient http = HttpClient.newHttpClient();
  final List<String> responses = new ArrayList<>();

  record Res(int status, String body) {
    JsonNode json() throws Exception {
      return ConfigMapper.json().readTree(body);
    }
  }

  @BeforeEach
  void start() throws Exception {
    store = io.gatehouse.control.TestStores.open(kind(), dir, Map.of());
    AdminTokens.bootstrap(store, dir, TOKEN);
    plane = ControlPlane.over(store);
    plane.addValidator(store.certificates()::problems);
    vertx = Vertx.vertx();
    server = ManagementServer.start(vertx, "127.0.0.1", 0, plane).toCompletionStage().toCompletableFuture().get();
  }

  @AfterEach
  void stop() throws Exception {
    if (server != null) {
      server.close().toCompletionStage().toCompletableFuture().get();
      vertx.close().toCompletionStage().toCompletableFuture().get();
      store.close();
    }
  }

  Res call(String method, String path, String body, String contentType) throws Exception {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.actualPort() + path))
        .header("Authorization", "Bearer " + TOKEN)
        .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
    if (body != null) {
      b.header("Content-Type", contentType);
    }
    HttpResponse<String> r = http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    responses.add(method + " " + path + " -> " + r.statusCode() + "\n" + r.body());
    return new Res(r.statusCode(), r.body());
  }

  Res put(String name, Map<String, String> fields) throws Exception {
    ObjectNode o = ConfigMapper.json().createObjectNode();
    fields.forEach(o::put);
    return call("PUT", "/api/v1/certificates/" + name, o.toString(), "application/json");
  }

  static Map<String, String> pem(String usage, TestCerts.Cert c) {
    return Map.of("usage", usage, "certificate", c.certPem(), "privateKey", c.keyPem());
  }

  @Test
  void uploadsPemAndShowsMetadataOnly() throws Exception {
    TestCerts.Cert leaf = TestCerts.leaf(CA, "api.example.test", "www.example.test");
    Res r = put("api", pem("server", leaf));
    assertThat(r.status()).as(r.body()).isEqualTo(200);
    JsonNode j = r.json();
    assertThat(j.get("usage").asText()).isEqualTo("server");
    assertThat(j.get("subject").asText()).isEqualTo("CN=api.example.test");
    assertThat(j.get("issuer").asText()).isEqualTo("CN=Test CA");
    assertThat(j.get("subjectAlternativeNames")).extracting(JsonNode::asText)
        .containsExactly("api.example.test", "www.example.test");
    assertThat(j.get("serialNumber").asText()).isEqualTo(leaf.certificate().getSerialNumber().toString(16));
    assertThat(j.get("sha256Thumbprint").asText()).isEqualTo(
        HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(leaf.certificate().getEncoded())));
    assertThat(j.get("notAfter").asText()).isEqualTo(leaf.certificate().getNotAfter().toInstant().toString());
    assertThat(j.get("keyStored").asBoolean()).isTrue();
    assertThat(j.get("expiringSoon").asBoolean()).isFalse();
    assertThat(j.get("expiresInDays").asLong()).isBetween(363L, 365L);

    Res one = call("GET", "/api/v1/certificates/api", null, null);
    assertThat(one.status()).isEqualTo(200);
    assertThat(one.json().get("sha256Thumbprint")).isEqualTo(j.get("sha256Thumbprint"));
    Res list = call("GET", "/api/v1/certificates", null, null);
    assertThat(list.json().get("items")).hasSize(1);
    assertThat(call("GET", "/api/v1/certificates/nope", null, null).status()).isEqualTo(404);

    for (String response : responses) {
      assertThat(response).doesNotContain("PRIVATE KEY").doesNotContain(leaf.keyBase64().substring(0, 64));
    }
    assertThat(store.certificates().material()).singleElement().satisfies(m -> {
      assertThat(m.privateKeyPem()).contains("BEGIN PRIVATE KEY");
      assertThat(m.toString()).doesNotContain("PRIVATE");
    });
  }

  @Test
  void uploadsPkcs12AndTraditionalKeys() throws Exception {
    TestCerts.Cert client = TestCerts.leaf(CA, "client.example.test");
    Res p12 = put("client", Map.of("usage", "client", "pkcs12", client.pkcs12("s3cret-p12"), "password", "s3cret-p12"));
    assertThat(p12.status()).as(p12.body()).isEqualTo(200);
    assertThat(p12.json().get("usage").asText()).isEqualTo("client");
    assertThat(p12.json().get("subject").asText()).isEqualTo("CN=client.example.test");

    TestCerts.Cert ec = TestCerts.leaf(CA, "EC", Instant.now().plus(Duration.ofDays(90)), "ec.example.test");
    Res sec1 = put("ec", Map.of("usage", "server", "certificate", ec.certPem(), "privateKey", ec.traditionalKeyPem()));
    assertThat(ec.traditionalKeyPem()).contains("EC PRIVATE KEY");
    assertThat(sec1.status()).as(sec1.body()).isEqualTo(200);

    TestCerts.Cert rsa = TestCerts.leaf(CA, "rsa.example.test");
    Res pkcs1 = put("rsa", Map.of("usage", "server", "certificate", rsa.certPem(), "privateKey", rsa.traditionalKeyPem()));
    assertThat(rsa.traditionalKeyPem()).contains("RSA PRIVATE KEY");
    assertThat(pkcs1.status()).as(pkcs1.body()).isEqualTo(200);

    TestCerts.Cert locked = TestCerts.leaf(CA, "locked.example.test");
    java.io.StringWriter encrypted = new java.io.StringWriter();
    try (org.bouncycastle.openssl.jcajce.JcaPEMWriter w = new org.bouncycastle.openssl.jcajce.JcaPEMWriter(encrypted)) {
      w.writeObject(new org.bouncycastle.openssl.jcajce.JcaPKCS8Generator(locked.keys().getPrivate(),
          new org.bouncycastle.openssl.jcajce.JceOpenSSLPKCS8EncryptorBuilder(
              org.bouncycastle.openssl.PKCS8Generator.AES_256_CBC).setProvider(new org.bouncycastle.jce.provider.BouncyCastleProvider())
              .setPassword("k3y-pass".toCharArray()).build()));
    }
    assertThat(encrypted.toString()).contains("ENCRYPTED PRIVATE KEY");
    Res wrong = put("locked", Map.of("usage", "server", "certificate", locked.certPem(), "privateKey",
        encrypted.toString(), "password", "nope"));
    assertThat(wrong.status()).isEqualTo(400);
    assertThat(put("locked", Map.of("usage", "server", "certificate", locked.certPem(), "privateKey",
        encrypted.toString())).body()).contains("expected the password");
    Res unlocked = put("locked", Map.of("usage", "server", "certificate", locked.certPem(), "privateKey",
        encrypted.toString(), "password", "k3y-pass"));
    assertThat(unlocked.status()).as(unlocked.body()).isEqualTo(200);
    store.certificates().delete("locked");

    Res bundle = put("roots", Map.of("usage", "ca", "certificate", CA.certPem()));
    assertThat(bundle.status()).as(bundle.body()).isEqualTo(200);
    assertThat(bundle.json().get("keyStored").asBoolean()).isFalse();
    assertThat(store.certificates().material()).extracting(CertificateMaterial::name)
        .containsExactly("client", "ec", "roots", "rsa");
  }

  @Test
  void refusesAKeyThatDoesNotMatchTheCertificate() throws Exception {
    TestCerts.Cert a = TestCerts.leaf(CA, "a.example.test");
    TestCerts.Cert b = TestCerts.leaf(CA, "b.example.test");
    Res r = put("a", Map.of("usage", "server", "certificate", a.certPem(), "privateKey", b.keyPem()));
    assertThat(r.status()).isEqualTo(400);
    assertThat(r.json().get("problems").get(0).get("field").asText()).isEqualTo("privateKey");
    assertThat(r.json().get("detail").asText()).contains("does not match the certificate CN=a.example.test");
    assertThat(r.body()).doesNotContain(b.keyBase64().substring(0, 40));
    assertThat(store.certificates().list()).isEmpty();
  }

  @Test
  void refusesGarbageWithClearProblems() throws Exception {
    TestCerts.Cert c = TestCerts.leaf(CA, "c.example.test");
    Map<String, Map<String, String>> bad = new java.util.LinkedHashMap<>();
    bad.put("usage", Map.of("usage", "web", "certificate", c.certPem(), "privateKey", c.keyPem()));
    bad.put("certificate", Map.of("usage", "server", "certificate", "-----BEGIN CERTIFICATE-----\nnot base64!\n-----END CERTIFICATE-----\n",
        "privateKey", c.keyPem()));
    bad.put("privateKey", Map.of("usage", "server", "certificate", c.certPem(), "privateKey", "hello"));
    bad.put("pkcs12", Map.of("usage", "client", "pkcs12", c.pkcs12("right"), "password", "wrong"));
    for (Map.Entry<String, Map<String, String>> e : bad.entrySet()) {
      Res r = put("c", e.getValue());
      assertThat(r.status()).as(e.getKey() + ": " + r.body()).isEqualTo(400);
      assertThat(r.json().get("problems").get(0).get("field").asText()).as(r.body()).isEqualTo(e.getKey());
    }
    Res noKey = put("c", Map.of("usage", "server", "certificate", c.certPem()));
    assertThat(noKey.status()).isEqualTo(400);
    assertThat(noKey.body()).contains("expected a private key for usage server");
    Res caWithKey = put("c", pem("ca", c));
    assertThat(caWithKey.status()).isEqualTo(400);
    assertThat(caWithKey.body()).contains("expected no private key for usage ca");
    Res both = put("c", Map.of("usage", "client", "certificate", c.certPem(), "pkcs12", c.pkcs12("x")));
    assertThat(both.status()).isEqualTo(400);
    assertThat(both.body()).contains("but got both");
    assertThat(call("PUT", "/api/v1/certificates/c", "{not json", "application/json").status()).isEqualTo(400);
    assertThat(call("PUT", "/api/v1/certificates/c", "{\"usage\":\"server\",\"extra\":1}", "application/json").body())
        .contains("unknown field");
    assertThat(put("bad%20name", pem("server", c)).status()).isEqualTo(400);
    assertThat(store.certificates().list()).isEmpty();
  }

  @Test
  void replacingKeepsTheNameAndChangesTheThumbprint() throws Exception {
    TestCerts.Cert first = TestCerts.leaf(CA, "api.example.test");
    TestCerts.Cert second = TestCerts.leaf(CA, "api.example.test");
    String t1 = put("api", pem("server", first)).json().get("sha256Thumbprint").asText();
    int[] changes = {0};
    store.certificates().onChange(() -> changes[0]++);
    String t2 = put("api", pem("server", second)).json().get("sha256Thumbprint").asText();
    assertThat(t2).isNotEqualTo(t1);
    assertThat(changes[0]).isEqualTo(1);
    assertThat(store.certificates().list()).hasSize(1);
    assertThat(store.certificates().material().get(0).chainPem()).isEqualTo(second.certPem().replace("\r\n", "\n"));
  }

  @Test
  void flagsCertificatesExpiringWithin30Days() throws Exception {
    TestCerts.Cert soon = TestCerts.leaf(CA, "RSA", Instant.now().plus(Duration.ofDays(10)), "soon.example.test");
    TestCerts.Cert later = TestCerts.leaf(CA, "RSA", Instant.now().plus(Duration.ofDays(60)), "later.example.test");
    Res s = put("soon", pem("server", soon));
    assertThat(s.json().get("expiringSoon").asBoolean()).isTrue();
    assertThat(s.json().get("expiresInDays").asLong()).isBetween(9L, 10L);
    assertThat(put("later", pem("client", later)).json().get("expiringSoon").asBoolean()).isFalse();
    assertThat(call("GET", "/api/v1/certificates", null, null).json().get("expiringSoon"))
        .extracting(JsonNode::asText).containsExactly("soon");
    assertThat(store.certificates().expiringSoon()).extracting(CertificateInfo::name).containsExactly("soon");
    assertThat(store.certificates().warnExpiring()).extracting(CertificateInfo::name).containsExactly("soon");
  }

  @Test
  void backendsMustReferToExistingCertificatesOfTheRightUsageAndKeepThemFromDeletion() throws Exception {
    String yaml = """
        backends:
          - name: secure
            url: https://backend.example.test
            tls: {clientCertificate: partner, caCertificate: roots}
        """;
    Res missing = call("PUT", "/api/v1/config", yaml, "application/yaml");
    assertThat(missing.status()).isEqualTo(400);
    assertThat(missing.body()).contains("backends[0].tls.clientCertificate").contains("no certificate named 'partner'");

    TestCerts.Cert partner = TestCerts.leaf(CA, "partner.example.test");
    assertThat(put("partner", pem("server", partner)).status()).isEqualTo(200);
    assertThat(put("roots", Map.of("usage", "ca", "certificate", CA.certPem())).status()).isEqualTo(200);
    Res wrongUsage = call("PUT", "/api/v1/config", yaml, "application/yaml");
    assertThat(wrongUsage.status()).isEqualTo(400);
    assertThat(wrongUsage.body()).contains("has usage 'server'");

    assertThat(put("partner", pem("client", partner)).status()).isEqualTo(200);
    assertThat(call("PUT", "/api/v1/config", yaml, "application/yaml").status()).isEqualTo(200);
    Res delete = call("DELETE", "/api/v1/certificates/partner", null, null);
    assertThat(delete.status()).isEqualTo(409);
    assertThat(delete.body()).contains("used by backends [secure]");
    assertThat(put("partner", pem("server", partner)).status()).isEqualTo(409);

    assertThat(call("PUT", "/api/v1/config", "backends: []\n", "application/yaml").status()).isEqualTo(200);
    assertThat(call("DELETE", "/api/v1/certificates/partner", null, null).status()).isEqualTo(204);
    assertThat(call("DELETE", "/api/v1/certificates/partner", null, null).status()).isEqualTo(404);
  }

  @Test
  void keysAreEncryptedAtRestAndAuditedAsMetadata() throws Exception {
    TestCerts.Cert leaf = TestCerts.leaf(CA, "api.example.test");
    assertThat(put("api", pem("server", leaf)).status()).isEqualTo(200);
    assertThat(put("api", pem("server", TestCerts.leaf(CA, "api.example.test"))).status()).isEqualTo(200);
    assertThat(call("DELETE", "/api/v1/certificates/api", null, null).status()).isEqualTo(204);

    Res audit = call("GET", "/api/v1/audit?limit=100", null, null);
    assertThat(audit.status()).as(audit.body()).isEqualTo(200);
    assertThat(audit.body()).contains("putCertificatesByName").contains("deleteCertificatesByName")
        .contains("certificates/api").contains("sha256Thumbprint");
    Res export = call("GET", "/api/v1/audit/export", null, null);
    for (String text : List.of(audit.body(), export.body())) {
      assertThat(text).doesNotContain("PRIVATE KEY").doesNotContain(leaf.keyBase64().substring(0, 64));
    }

    server.close().toCompletionStage().toCompletableFuture().get();
    vertx.close().toCompletionStage().toCompletableFuture().get();
    store.close();
    server = null;
    try (var files = Files.list(dir)) {
      for (Path f : files.filter(p -> p.getFileName().toString().startsWith(SqliteConfigStore.FILE_NAME)).toList()) {
        String bytes = new String(Files.readAllBytes(f), StandardCharsets.ISO_8859_1);
        assertThat(bytes).as(f.toString()).doesNotContain(leaf.keyBase64().substring(0, 64)).doesNotContain("PRIVATE KEY");
      }
    }
  }
}
