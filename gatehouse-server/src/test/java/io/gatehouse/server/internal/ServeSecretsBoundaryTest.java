package io.gatehouse.server.internal;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.gatehouse.testing.MockUpstream;
import io.gatehouse.testing.RecordedRequest;
import io.vertx.core.Vertx;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * The secrets trust boundary through a whole running server: which files and environment variables
 * references may read, who may reveal a value, where a secret may be substituted, and that
 * neither errors nor reader-visible output carry secret values or key hashes.
 */
class ServeSecretsBoundaryTest {
  static final String OWNER = "boundary-owner-token-0123456789abcdef";
  static final String SECRET = "SUPERSECRETVALUE123";
  static final String REFERENCED = "REFERENCED-VALUE-7f3e9a1c55";
  static final ObjectMapper JSON = new ObjectMapper();

  @TempDir Path dir;
  Path data;
  Path allowed;
  Vertx vertx;
  MockUpstream upstream;
  ServeCommand.Running running;
  final HttpClient http = HttpClient.newHttpClient();

  @BeforeEach
  void start() throws Exception {
    vertx = Vertx.vertx();
    upstream = MockUpstream.start(vertx).toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    data = dir.resolve("data");
    allowed = Files.createDirectories(dir.resolve("secrets"));
    Files.writeString(allowed.resolve("partner-token"), REFERENCED + "\n");
    ServeCommand cmd = new ServeCommand();
    new CommandLine(cmd).parseArgs("--data", data.toString(), "--gateway-host", "127.0.0.1", "--gateway-port", "0",
        "--allowed-backend-networks", String.join(",", io.gatehouse.testing.GatehouseExtension.LOOPBACK_BACKENDS),
        "--management-port", "0", "--portal-port", "0", "--drain-period", "0s", "--no-access-log", "--reference-refresh", "PT1H",
        "--reference-allow", "file:" + allowed + "/,env:GATEHOUSE_*,file:" + data);
    Files.createDirectories(data);
    try (io.gatehouse.control.SqliteConfigStore store = io.gatehouse.control.SqliteConfigStore.open(data)) {
      io.gatehouse.control.AdminTokens.bootstrap(store, data, OWNER);
    }
    running = cmd.start(null, new PrintStream(new ByteArrayOutputStream()));
    // the owner sets up a secret, a backend and a plain API
    ok(call(OWNER, "POST", "/api/v1/named-values", "{\"name\":\"value\",\"type\":\"secret\",\"value\":\"" + SECRET + "\"}"));
    ok(call(OWNER, "POST", "/api/v1/backends", "{\"name\":\"echo\",\"url\":\"" + upstream.url() + "\"}"));
  }

  @AfterEach
  void stop() throws Exception {
    running.close();
    vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
  }

  // ---- finding 1: references and reveal ----

  @Test
  void adminCannotReadServerFilesOrEnvironmentThroughReferences() throws Exception {
    String admin = token("admin");
    Path link = Files.createSymbolicLink(allowed.resolve("innocent"), data.resolve("admin-token"));
    List<String> refs = List.of("file:" + data.resolve("admin-token"), "file:" + data.resolve("master.key"),
        "file:/etc/passwd", "env:HOME", "env:GATEHOUSE_ADMIN_TOKEN", "file:" + allowed + "/../data/admin-token",
        "file:" + link);
    for (String ref : refs) {
      HttpResponse<String> r = call(admin, "POST", "/api/v1/named-values",
          "{\"name\":\"tok\",\"type\":\"reference\",\"ref\":\"" + ref + "\"}");
      assertThat(r.statusCode()).as(ref + ": " + r.body()).isEqualTo(400);
      assertThat(r.body()).as(ref).contains("--reference-allow").contains(ref).doesNotContain(OWNER);
    }
    // the same through PUT /config
    HttpResponse<String> put = call(admin, "PUT", "/api/v1/config",
        "{\"namedValues\":[{\"name\":\"tok\",\"type\":\"reference\",\"ref\":\"env:HOME\"}]}");
    assertThat(put.statusCode()).as(put.body()).isEqualTo(400);
    assertThat(put.body()).contains("env:HOME").contains("--reference-allow");
    // a listed file is fine
    ok(call(admin, "POST", "/api/v1/named-values",
        "{\"name\":\"partner\",\"type\":\"reference\",\"ref\":\"file:" + allowed.resolve("partner-token") + "\"}"));
  }

  @Test
  void configurationThroughTheApiNamesNoServerFileAndNoEnvironmentVariable() throws Exception {
    String admin = token("admin");
    HttpResponse<String> r = call(admin, "POST", "/api/v1/backends", "{\"name\":\"b2\",\"url\":\"https://127.0.0.1:1\","
        + "\"tls\":{\"caFile\":\"" + data.resolve("master.key") + "\"}}");
    assertThat(r.statusCode()).as(r.body()).isEqualTo(400);
    assertThat(r.body()).contains("tls.caFile").contains("--reference-allow");
    r = call(admin, "POST", "/api/v1/backends", "{\"name\":\"b3\",\"url\":\"https://127.0.0.1:1\","
        + "\"tls\":{\"caFile\":\"/etc/passwd\"}}");
    assertThat(r.statusCode()).as(r.body()).isEqualTo(400);
    assertThat(r.body()).contains("--reference-allow").doesNotContain("root:");

    String publisher = token("api-publisher");
    r = call(publisher, "POST", "/api/v1/apis", api("mtls",
        "\"inbound\":[{\"validate-client-certificate\":{\"crl-file\":\"/etc/passwd\"}}]"));
    assertThat(r.statusCode()).as(r.body()).isEqualTo(400);
    assertThat(r.body()).contains("crl-file").contains("--reference-allow");
    // a waf policy's rule globs make the server read (and quote, on a parse error) the files they match
    r = call(publisher, "POST", "/api/v1/apis", api("waf",
        "\"inbound\":[{\"waf\":{\"rules\":[\"" + data + "/*\"]}}]"));
    assertThat(r.statusCode()).as(r.body()).isEqualTo(400);
    assertThat(r.body()).contains("rules[0]").contains("--reference-allow");
    r = call(publisher, "POST", "/api/v1/apis", api("waf2",
        "\"inbound\":[{\"waf\":{\"custom-rules\":[\"SecRule ARGS \\\"@pmFromFile /etc/passwd\\\" \\\"id:1,deny\\\"\"]}}]"));
    assertThat(r.statusCode()).as(r.body()).isEqualTo(400);
    assertThat(r.body()).contains("custom-rules[0]").doesNotContain("root:");

    // ${env:} in a configuration sent to the management API reads nothing of the server's environment
    JsonNode config = JSON.readTree(call(OWNER, "GET", "/api/v1/config", null).body());
    ((com.fasterxml.jackson.databind.node.ObjectNode) config).set("namedValues",
        JSON.readTree("[{\"name\":\"home\",\"value\":\"${env:HOME}\"}]"));
    r = call(OWNER, "PUT", "/api/v1/config", config.toString());
    assertThat(r.statusCode()).as(r.body()).isEqualTo(400);
    String home = System.getenv("HOME");
    if (home != null && home.length() > 1) {
      assertThat(r.body()).doesNotContain(home);
    }
  }

  @Test
  void onlyOwnersRevealAndEveryRevealIsAudited() throws Exception {
    String admin = token("admin");
    ok(call(OWNER, "POST", "/api/v1/named-values",
        "{\"name\":\"partner\",\"type\":\"reference\",\"ref\":\"file:" + allowed.resolve("partner-token") + "\"}"));
    HttpResponse<String> refused = call(admin, "POST", "/api/v1/named-values/value/reveal", null);
    assertThat(refused.statusCode()).as(refused.body()).isEqualTo(403);
    assertThat(refused.body()).contains("secrets:reveal").doesNotContain(SECRET);
    assertThat(call(admin, "POST", "/api/v1/named-values/partner/reveal", null).statusCode()).isEqualTo(403);

    HttpResponse<String> revealed = call(OWNER, "POST", "/api/v1/named-values/partner/reveal", null);
    assertThat(revealed.statusCode()).as(revealed.body()).isEqualTo(200);
    assertThat(JSON.readTree(revealed.body()).get("value").asText()).isEqualTo(REFERENCED);

    JsonNode audit = JSON.readTree(call(OWNER, "GET", "/api/v1/audit?entity="
        + URLEncoder.encode("named-values/partner", StandardCharsets.UTF_8), null).body());
    List<String> results = new ArrayList<>();
    audit.path("items").forEach(r -> results.add(r.path("roles").asText() + " " + r.path("result").asText()));
    assertThat(results).as(audit.toString()).contains("admin denied", "owner success");
    assertThat(audit.toString()).doesNotContain(REFERENCED);
  }

  // ---- finding 2: where secrets may be substituted, and errors ----

  @Test
  void publisherCannotServeASecretFromAPolicy() throws Exception {
    String publisher = token("api-publisher");
    HttpResponse<String> r = call(publisher, "POST", "/api/v1/apis", api("leak",
        "\"inbound\":[{\"return-response\":{\"status\":200,\"body\":\"secret=${nv:value}\"}}]"));
    assertThat(r.statusCode()).as(r.body()).isEqualTo(403);
    assertThat(r.body()).contains("${nv:value}").contains("return-response.body").contains("secrets:reveal")
        .doesNotContain(SECRET);
    assertThat(gateway("/leak/x").body()).doesNotContain(SECRET);

    // hidden in a choose branch, or copied through an outbound header: the same
    r = call(publisher, "POST", "/api/v1/apis", api("leak2", "\"outbound\":[{\"choose\":{\"when\":[{\"condition\":"
        + "\"true\",\"policies\":[{\"set-header\":{\"name\":\"X-Leak\",\"value\":\"${nv:value}\"}}]}]}}]"));
    assertThat(r.statusCode()).as(r.body()).isEqualTo(403);
    assertThat(r.body()).contains("${nv:value}").doesNotContain(SECRET);

    // an admin (no secrets:reveal) through PUT /config: the same
    String admin = token("admin");
    JsonNode config = JSON.readTree(call(OWNER, "GET", "/api/v1/config", null).body());
    ((com.fasterxml.jackson.databind.node.ObjectNode) config).set("apis", JSON.readTree("[" + api("leak3",
        "\"inbound\":[{\"return-response\":{\"body\":\"${nv:value}\"}}]") + "]"));
    r = call(admin, "PUT", "/api/v1/config", config.toString());
    assertThat(r.statusCode()).as(r.body()).isEqualTo(403);
    assertThat(r.body()).contains("${nv:value}").doesNotContain(SECRET);
  }

  @Test
  void publisherMaySendASecretToTheBackendInAHeader() throws Exception {
    String publisher = token("api-publisher");
    ok(call(publisher, "POST", "/api/v1/apis", api("orders",
        "\"inbound\":[{\"set-header\":{\"name\":\"X-Api-Key\",\"value\":\"${nv:value}\"}}]")));
    HttpResponse<String> g = gateway("/orders/items");
    assertThat(g.statusCode()).isEqualTo(200);
    RecordedRequest seen = upstream.take(5);
    assertThat(seen.header("X-Api-Key")).isEqualTo(SECRET);

    // an owner may place a secret anywhere; others can still edit around that placement
    ok(call(OWNER, "PUT", "/api/v1/apis/orders", api("orders",
        "\"inbound\":[{\"set-header\":{\"name\":\"X-Api-Key\",\"value\":\"${nv:value}\"}}],"
            + "\"outbound\":[{\"set-header\":{\"name\":\"X-Echo\",\"value\":\"${nv:value}\"}}]")));
    ok(call(publisher, "PUT", "/api/v1/apis/orders", api("orders",
        "\"inbound\":[{\"set-header\":{\"name\":\"X-Other\",\"value\":\"plain\"}},"
            + "{\"set-header\":{\"name\":\"X-Api-Key\",\"value\":\"${nv:value}\"}}],"
            + "\"outbound\":[{\"set-header\":{\"name\":\"X-Echo\",\"value\":\"${nv:value}\"}}]")));
  }

  @Test
  void validationErrorsNameTheVariableNeverItsValue() throws Exception {
    HttpResponse<String> r = call(OWNER, "POST", "/api/v1/apis", api("limited",
        "\"inbound\":[{\"rate-limit\":{\"calls\":\"${nv:value}\",\"period\":\"60s\"}}]"));
    assertThat(r.statusCode()).as(r.body()).isEqualTo(400);
    assertThat(r.body()).contains("${nv:value}").doesNotContain(SECRET);

    // a reference read from a file, through a product's ip-filter
    ok(call(OWNER, "POST", "/api/v1/named-values",
        "{\"name\":\"mk\",\"type\":\"reference\",\"ref\":\"file:" + allowed.resolve("partner-token") + "\"}"));
    ok(call(OWNER, "POST", "/api/v1/apis", api("plain", "")));
    r = call(OWNER, "POST", "/api/v1/products", "{\"name\":\"gold\",\"apis\":[\"plain\"],"
        + "\"policies\":{\"inbound\":[{\"ip-filter\":{\"allow\":[\"${nv:mk}\"]}}]}}");
    assertThat(r.statusCode()).as(r.body()).isEqualTo(400);
    assertThat(r.body()).contains("${nv:mk}").doesNotContain(REFERENCED);
  }

  // ---- finding 13: subscription keys ----

  @Test
  void chosenSubscriptionKeysAreStoredKeyedAndNoReaderSeesAHash() throws Exception {
    String chosen = "acme-corp-2024-key";
    String unkeyed = io.gatehouse.model.SubscriptionKeys.hash(chosen).substring(7);
    ok(call(OWNER, "POST", "/api/v1/apis", "{\"name\":\"paid\",\"path\":\"/paid\",\"backend\":\"echo\"}"));
    ok(call(OWNER, "POST", "/api/v1/subscriptions",
        "{\"name\":\"acme\",\"scope\":\"api:paid\",\"primaryKey\":\"" + chosen + "\"}"));
    HttpResponse<String> tooShort = call(OWNER, "POST", "/api/v1/subscriptions",
        "{\"name\":\"short\",\"scope\":\"api:paid\",\"primaryKey\":\"acme-2024\"}");
    assertThat(tooShort.statusCode()).as("keys are still checked before hashing").isEqualTo(400);
    assertThat(keyed("/paid/x", chosen).statusCode()).isEqualTo(200);

    String reader = token("reader");
    String admin = token("admin");
    long revision = JSON.readTree(call(OWNER, "GET", "/api/v1/revisions", null).body()).get("current").asLong();
    for (String who : List.of(reader, admin)) {
      for (String path : List.of("/api/v1/config", "/api/v1/subscriptions", "/api/v1/subscriptions/acme",
          "/api/v1/revisions/" + revision, "/api/v1/revisions/0/diff/" + revision)) {
        HttpResponse<String> r = call(who, "GET", path, null);
        assertThat(r.statusCode()).as(path).isEqualTo(200);
        assertThat(r.body()).as(path).doesNotContain("sha256:").doesNotContain("KeyHash").doesNotContain(unkeyed);
      }
    }
    // the owner's export carries the keyed hash only; the database holds no unkeyed digest
    String owners = call(OWNER, "GET", "/api/v1/config", null).body();
    assertThat(owners).contains("hmac-sha256:").doesNotContain(unkeyed).doesNotContain("\"sha256:");
    for (String file : List.of("gatehouse.db", "gatehouse.db-wal")) {
      Path f = data.resolve(file);
      if (Files.exists(f)) {
        assertThat(new String(Files.readAllBytes(f), StandardCharsets.ISO_8859_1)).as(file).doesNotContain(unkeyed);
      }
    }
    // a keyless export applied back keeps the keys
    HttpResponse<String> put = call(admin, "PUT", "/api/v1/config", call(admin, "GET", "/api/v1/config", null).body());
    assertThat(put.statusCode()).as(put.body()).isEqualTo(200);
    assertThat(JSON.readTree(put.body()).get("changed").asBoolean()).isFalse();
    assertThat(keyed("/paid/x", chosen).statusCode()).isEqualTo(200);
    assertThat(keyed("/paid/x", "acme-corp-2025-key").statusCode()).isEqualTo(401);
  }

  @Test
  void unkeyedHashesFromOlderExportsAreMigratedAndKeepWorking() throws Exception {
    String key = "legacy-key-0042";
    ok(call(OWNER, "POST", "/api/v1/apis", "{\"name\":\"paid\",\"path\":\"/paid\",\"backend\":\"echo\"}"));
    ok(call(OWNER, "POST", "/api/v1/subscriptions", "{\"name\":\"old\",\"scope\":\"all\",\"primaryKeyHash\":\""
        + io.gatehouse.model.SubscriptionKeys.hash(key) + "\"}"));
    assertThat(call(OWNER, "GET", "/api/v1/config", null).body()).contains("hmac-sha256:").doesNotContain("\"sha256:");
    assertThat(keyed("/paid/x", key).statusCode()).isEqualTo(200);
  }

  HttpResponse<String> keyed(String path, String key) throws Exception {
    return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + running.gateway().port() + path))
        .header("Subscription-Key", key).build(), HttpResponse.BodyHandlers.ofString());
  }

  // ---- helpers ----

  static String api(String name, String policies) {
    return "{\"name\":\"" + name + "\",\"path\":\"/" + name + "\",\"backend\":\"echo\",\"subscriptionRequired\":false"
        + (policies.isEmpty() ? "" : ",\"policies\":{" + policies + "}") + "}";
  }

  String token(String role) throws Exception {
    HttpResponse<String> r = call(OWNER, "POST", "/api/v1/tokens", "{\"name\":\"t-" + role + "\",\"roles\":[\"" + role + "\"]}");
    ok(r);
    return JSON.readTree(r.body()).get("token").asText();
  }

  static void ok(HttpResponse<String> r) {
    assertThat(r.statusCode()).as(r.body()).isBetween(200, 299);
  }

  HttpResponse<String> call(String token, String method, String path, String body) throws Exception {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + running.management().actualPort() + path))
        .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body))
        .header("Authorization", "Bearer " + token);
    if (body != null) {
      b.header("Content-Type", "application/json");
    }
    return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
  }

  HttpResponse<String> gateway(String path) throws Exception {
    return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + running.gateway().port() + path)).build(),
        HttpResponse.BodyHandlers.ofString());
  }
}
