package io.gatehouse.control;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.spi.ThrowableProxyUtil;
import ch.qos.logback.core.read.ListAppender;
import com.fasterxml.jackson.databind.JsonNode;
import io.gatehouse.control.secrets.Sealing;
import io.gatehouse.model.ConfigMapper;
import io.vertx.core.Vertx;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

/** Writes known secrets through every way in, then looks for them everywhere they must not be. */
class SecretsLeakTest {
  static final String TOKEN = "test-admin-token-0123456789abcdef";
  static final String API_SECRET = "Tr0ub4dor-api-s3cret-9f1c";
  static final String YAML_SECRET = "c0rrect-h0rse-yaml-s3cret-77aa";
  static final String SEALED_SECRET = "b4ttery-st4ple-sealed-s3cret-0b2e";
  static final io.gatehouse.control.certificates.TestCerts.Cert CERT = io.gatehouse.control.certificates.TestCerts.leaf(
      io.gatehouse.control.certificates.TestCerts.ca("Leak CA"), "leak.example.test");
  /** Two PEM lines of the certificate's private key (PKCS#8 DER in Base64): any copy of the key contains them. */
  static final String KEY_HEAD = CERT.keyBase64().substring(0, 64);
  static final String KEY_MIDDLE = CERT.keyBase64().substring(640, 704);
  static final List<String> SECRETS = List.of(API_SECRET, YAML_SECRET, SEALED_SECRET, KEY_HEAD, KEY_MIDDLE,
      "PRIVATE KEY-----");

  @TempDir Path dir;
  Vertx vertx;
  SqliteConfigStore store;
  ControlPlane plane;
  ManagementServer server;
  final HttpClient http = HttpClient.newHttpClient();
  final List<String> responses = new ArrayList<>();
  final ListAppender<ILoggingEvent> logs = new ListAppender<>();
  ch.qos.logback.classic.Logger root;
  Level rootLevel;

  @BeforeEach
  void start() throws Exception {
    root = (ch.qos.logback.classic.Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
    rootLevel = root.getLevel();
    root.setLevel(Level.DEBUG);
    logs.start();
    root.addAppender(logs);
    store = SqliteConfigStore.open(dir, Map.of());
    AdminTokens.bootstrap(store, dir, TOKEN);
    plane = ControlPlane.over(store);
    vertx = Vertx.vertx();
    server = ManagementServer.start(vertx, "127.0.0.1", 0, plane).toCompletionStage().toCompletableFuture().get();
  }

  @AfterEach
  void stop() throws Exception {
    root.detachAppender(logs);
    root.setLevel(rootLevel);
    if (server != null) {
      server.close().toCompletionStage().toCompletableFuture().get();
      vertx.close().toCompletionStage().toCompletableFuture().get();
      store.close();
    }
  }

  HttpResponse<String> call(String method, String path, String body, String contentType, String accept) throws Exception {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.actualPort() + path))
        .header("Authorization", "Bearer " + TOKEN)
        .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
    if (contentType != null) {
      b.header("Content-Type", contentType);
    }
    if (accept != null) {
      b.header("Accept", accept);
    }
    HttpResponse<String> r = http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    responses.add(method + " " + path + " -> " + r.statusCode() + " " + r.headers().map() + "\n" + r.body());
    return r;
  }

  static String yaml(String sealedValue) {
    return """
        namedValues:
          - name: api-secret
            type: secret
            value: %s
          - name: yaml-secret
            type: secret
            value: %s
          - name: sealed-secret
            type: secret
            sealed: %s
          - name: region
            value: eu-west-1
          - name: from-env
            type: reference
            ref: env:SOME_TOKEN
        backends:
          - name: partner
            url: https://partner.example.test
            tls: {clientCertificate: leak}
        """.formatted(API_SECRET, YAML_SECRET, sealedValue);
  }

  @Test
  void secretsAppearNowhereButTheRevealAction() throws Exception {
    // in through the entity API
    HttpResponse<String> created = call("POST", "/api/v1/named-values",
        "{\"name\":\"api-secret\",\"type\":\"secret\",\"value\":\"" + API_SECRET + "\"}", "application/json", null);
    assertThat(created.statusCode()).as(created.body()).isEqualTo(201);
    assertThat(ConfigMapper.json().readTree(created.body()).get("secret").asBoolean()).isTrue();

    // sealed for this instance with its public key, as 'gatehouse seal' does
    HttpResponse<String> pem = call("GET", "/api/v1/seal/public-key", null, null, null);
    assertThat(pem.statusCode()).isEqualTo(200);
    String sealed = Sealing.seal(Sealing.parsePublicKey(pem.body()), SEALED_SECRET);

    // a certificate with its private key: PEM, then replaced by the same key in PKCS#12
    com.fasterxml.jackson.databind.node.ObjectNode upload = ConfigMapper.json().createObjectNode()
        .put("usage", "client").put("certificate", CERT.certPem()).put("privateKey", CERT.keyPem());
    HttpResponse<String> cert = call("PUT", "/api/v1/certificates/leak", upload.toString(), "application/json", null);
    assertThat(cert.statusCode()).as(cert.body()).isEqualTo(200);
    upload = ConfigMapper.json().createObjectNode().put("usage", "client").put("pkcs12", CERT.pkcs12("p12-pass"))
        .put("password", "p12-pass");
    assertThat(call("PUT", "/api/v1/certificates/leak", upload.toString(), "application/json", null).statusCode())
        .isEqualTo(200);
    call("GET", "/api/v1/certificates", null, null, null);
    call("GET", "/api/v1/certificates/leak", null, null, null);
    call("GET", "/api/v1/audit?limit=1000", null, null, null);
    call("GET", "/api/v1/audit/export", null, null, null);

    // in through whole-configuration YAML: plan first, then apply
    HttpResponse<String> plan = call("PUT", "/api/v1/config?dryRun=true", yaml(sealed), "application/yaml", null);
    assertThat(plan.statusCode()).as(plan.body()).isEqualTo(200);
    HttpResponse<String> applied = call("PUT", "/api/v1/config", yaml(sealed), "application/yaml", null);
    assertThat(applied.statusCode()).as(applied.body()).isEqualTo(200);
    long revision = ConfigMapper.json().readTree(applied.body()).get("revision").asLong();

    // every read route
    call("GET", "/api/v1/named-values", null, null, null);
    for (String name : List.of("api-secret", "yaml-secret", "sealed-secret", "from-env")) {
      HttpResponse<String> one = call("GET", "/api/v1/named-values/" + name, null, null, null);
      assertThat(one.statusCode()).isEqualTo(200);
      assertThat(one.body()).doesNotContain("\"value\"");
    }
    call("GET", "/api/v1/revisions", null, null, null);
    for (long i = 1; i <= revision; i++) {
      call("GET", "/api/v1/revisions/" + i, null, null, null);
      call("GET", "/api/v1/revisions/0/diff/" + i, null, null, null);
    }
    call("GET", "/api/v1/config", null, null, null);
    call("GET", "/api/v1/secrets/references", null, null, null);
    call("GET", "/api/v1/openapi.json", null, null, null);
    call("POST", "/api/v1/named-values", "{\"name\":\"bad\",\"type\":\"secret\",\"ref\":\"env:X\"}", "application/json", null);

    // export, then apply the export: nothing changes and the values survive
    HttpResponse<String> export = call("GET", "/api/v1/config", null, null, "application/yaml");
    assertThat(export.body()).contains("sealed: v1:").contains("type: secret").contains("clientCertificate: leak");
    HttpResponse<String> reapplied = call("PUT", "/api/v1/config", export.body(), "application/yaml", null);
    assertThat(ConfigMapper.json().readTree(reapplied.body()).get("changed").asBoolean()).as(reapplied.body()).isFalse();

    // nothing so far shows a secret
    for (String r : responses) {
      for (String s : SECRETS) {
        assertThat(r).as("a management API response").doesNotContain(s);
      }
    }

    // the reveal action is the one way to read a value back
    for (Map.Entry<String, String> e : Map.of("api-secret", API_SECRET, "yaml-secret", YAML_SECRET,
        "sealed-secret", SEALED_SECRET).entrySet()) {
      HttpResponse<String> revealed = call("POST", "/api/v1/named-values/" + e.getKey() + "/reveal", null, null, null);
      JsonNode body = ConfigMapper.json().readTree(revealed.body());
      assertThat(body.get("value").asText()).isEqualTo(e.getValue());
    }

    // the database files (main file, WAL, shared memory) hold no plain secret, while open and after close
    assertNoSecretInDatabaseFiles();
    server.close().toCompletionStage().toCompletableFuture().get();
    vertx.close().toCompletionStage().toCompletableFuture().get();
    store.close();
    server = null;
    assertNoSecretInDatabaseFiles();
    String stored = new String(Files.readAllBytes(dir.resolve(SqliteConfigStore.FILE_NAME)), StandardCharsets.ISO_8859_1);
    assertThat(stored).contains("{\"enc\":\"v1:");

    // nor does the log
    assertThat(logs.list).isNotEmpty();
    for (ILoggingEvent event : logs.list) {
      String line = event.getFormattedMessage()
          + (event.getThrowableProxy() == null ? "" : ThrowableProxyUtil.asString(event.getThrowableProxy()));
      for (String s : SECRETS) {
        assertThat(line).as("a log line").doesNotContain(s);
      }
    }

    // and a fresh process on the same data directory reads the secrets back
    try (SqliteConfigStore again = SqliteConfigStore.open(dir, Map.of())) {
      assertThat(again.current().config().namedValue("sealed-secret").orElseThrow().value()).isEqualTo(SEALED_SECRET);
    }
  }

  private void assertNoSecretInDatabaseFiles() throws Exception {
    try (var files = Files.list(dir)) {
      for (Path f : files.filter(p -> p.getFileName().toString().startsWith(SqliteConfigStore.FILE_NAME)).toList()) {
        String bytes = new String(Files.readAllBytes(f), StandardCharsets.ISO_8859_1);
        for (String s : SECRETS) {
          assertThat(bytes.contains(s)).as(f + " contains a plain secret").isFalse();
        }
      }
    }
  }
}
