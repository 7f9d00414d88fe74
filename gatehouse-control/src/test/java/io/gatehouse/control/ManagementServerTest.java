package io.gatehouse.control;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.gatehouse.model.ConfigMapper;
import io.gatehouse.model.SubscriptionKeys;
import io.vertx.core.Vertx;
import io.vertx.ext.web.Route;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ManagementServerTest {
  /** The store the tests run against: SQLite here, PostgreSQL in {@link PostgresManagementServerTest}. */
  TestStores.Kind kind() {
    return TestStores.Kind.SQLITE;
  }

  static final String TOKEN = "test-admin-token-0123456789abcdef";

  @TempDir Path dir;
  Vertx vertx;
  ControlStore store;
  ControlPlane plane;
  ManagementServer server;
  final HttpClient http = HttpClient.newHttpClient();

  @BeforeEach
  void start() throws Exception {
    store = TestStores.open(kind(), dir);
    AdminTokens.bootstrap(store, dir, TOKEN);
    plane = ControlPlane.over(store);
    vertx = Vertx.vertx();
    server = ManagementServer.start(vertx, "127.0.0.1", 0, plane).toCompletionStage().toCompletableFuture().get();
  }

  @AfterEach
  void stop() throws Exception {
    server.close().toCompletionStage().toCompletableFuture().get();
    vertx.close().toCompletionStage().toCompletableFuture().get();
    store.close();
  }

  record Res(int status, Map<String, java.util.List<String>> headers, String body) {
    JsonNode json() {
      try {
        return ConfigMapper.json().readTree(body);
      } catch (Exception e) {
        throw new AssertionError("not JSON: " + body, e);
      }
    }

    String header(String name) {
      return headers.entrySet().stream().filter(e -> e.getKey().equalsIgnoreCase(name))
          .map(e -> e.getValue().get(0)).findFirst().orElse(null);
    }
  }

  Res call(String method, String path, String body, String... headers) throws Exception {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.actualPort() + path))
        .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
    boolean auth = true;
    for (int i = 0; i < headers.length; i += 2) {
      if (headers[i].equals("Authorization")) {
        auth = false;
        if (headers[i + 1] == null) {
          continue;
        }
      }
      b.header(headers[i], headers[i + 1]);
    }
    if (auth) {
      b.header("Authorization", "Bearer " + TOKEN);
    }
    if (body != null && java.util.Arrays.stream(headers).noneMatch("Content-Type"::equals)) {
      b.header("Content-Type", "application/json");
    }
    HttpResponse<String> r = http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    return new Res(r.statusCode(), r.headers().map(), r.body());
  }

  Res get(String path) throws Exception {
    return call("GET", path, null);
  }

  Res post(String path, String body) throws Exception {
    return call("POST", path, body);
  }

  Res put(String path, String body) throws Exception {
    return call("PUT", path, body);
  }

  static void assertProblem(Res r, int status) {
    assertThat(r.status()).as(r.body()).isEqualTo(status);
    assertThat(r.header("Content-Type")).isEqualTo("application/problem+json");
    JsonNode p = r.json();
    assertThat(p.get("status").asInt()).isEqualTo(status);
    assertThat(p.get("title").asText()).isNotBlank();
    assertThat(p.get("requestId").asText()).isEqualTo(r.header("X-Request-Id"));
    assertThat(r.body()).doesNotContain("at io.").doesNotContain("Exception");
    assertThat(r.header("Server")).isNull();
  }

  @Test
  void rejectsMissingOrWrongToken() throws Exception {
    Res missing = call("GET", "/api/v1/apis", null, "Authorization", null);
    assertProblem(missing, 401);
    assertThat(missing.header("WWW-Authenticate")).startsWith("Bearer");
    assertProblem(call("GET", "/api/v1/apis", null, "Authorization", "Bearer wrong-token"), 401);
    assertProblem(call("GET", "/api/v1/apis", null, "Authorization", "Basic " + TOKEN), 401);
    assertProblem(call("GET", "/no/such/route", null, "Authorization", null), 401);
    assertProblem(call("GET", "/api/v1/openapi.json", null, "Authorization", null), 401);
    assertThat(get("/api/v1/apis").status()).isEqualTo(200);
  }

  @Test
  void echoesRequestIdAndAnswersUnknownRoutesWithProblems() throws Exception {
    Res r = call("GET", "/api/v1/nothing", null, "X-Request-Id", "abc-123");
    assertProblem(r, 404);
    assertThat(r.header("X-Request-Id")).isEqualTo("abc-123");
    assertProblem(call("PATCH", "/api/v1/apis", "{}"), 405);
    Res generated = call("GET", "/api/v1/apis", null, "X-Request-Id", "bad id with spaces");
    assertThat(generated.header("X-Request-Id")).isNotEqualTo("bad id with spaces").hasSizeGreaterThan(10);
  }

  @Test
  void createsReadsReplacesAndDeletesEveryKind() throws Exception {
    String[][] items = {
      {"backends", "b1", "{\"name\":\"b1\",\"url\":\"http://127.0.0.1:9000\"}", "{\"url\":\"http://127.0.0.1:9001\",\"timeout\":\"5s\"}", "timeout"},
      {"named-values", "nv1", "{\"name\":\"nv1\",\"value\":\"x\"}", "{\"value\":\"y\"}", "value"},
      {"apis", "a1", "{\"name\":\"a1\",\"path\":\"/a\",\"backend\":\"b1\"}", "{\"path\":\"/a2\",\"backend\":\"b1\",\"operations\":[\"GET /items/{id}\"]}", "operations"},
      {"products", "p1", "{\"name\":\"p1\",\"apis\":[\"a1\"]}", "{\"description\":\"gold\",\"apis\":[\"a1\"]}", "description"},
      {"users", "u1", "{\"name\":\"u1\",\"email\":\"u@example.com\"}", "{\"email\":\"v@example.com\",\"state\":\"blocked\"}", "email"},
      {"subscriptions", "s1", "{\"name\":\"s1\",\"scope\":\"product:p1\",\"owner\":\"u1\"}", "{\"scope\":\"api:a1\",\"owner\":\"u1\"}", "scope"},
    };
    long revision = 0;
    for (String[] it : items) {
      String base = "/api/v1/" + it[0];
      Res created = post(base, it[2]);
      assertThat(created.status()).as(it[0] + " " + created.body()).isEqualTo(201);
      assertThat(created.header("Location")).isEqualTo(base + "/" + it[1]);
      assertThat(Long.parseLong(created.header("Gatehouse-Revision"))).isEqualTo(++revision);
      assertProblem(post(base, it[2]), 409);
      assertThat(get(base).json().findValuesAsText("name")).contains(it[1]);
      assertThat(get(base + "/" + it[1]).json().get("name").asText()).isEqualTo(it[1]);
      Res replaced = put(base + "/" + it[1], it[3]);
      assertThat(replaced.status()).as(it[0] + " " + replaced.body()).isEqualTo(200);
      assertThat(replaced.json().has(it[4])).as(replaced.body()).isTrue();
      assertThat(get(base + "/" + it[1]).json().get(it[4]).toString())
          .isEqualTo(ConfigMapper.json().readTree(it[3]).get(it[4]).toString());
      revision++;
    }
    assertThat(plane.revision().id()).isEqualTo(revision);
    for (int i = items.length - 1; i >= 0; i--) {
      String one = "/api/v1/" + items[i][0] + "/" + items[i][1];
      assertThat(call("DELETE", one, null).status()).isEqualTo(204);
      assertProblem(get(one), 404);
      assertProblem(call("DELETE", one, null), 404);
    }
    assertThat(plane.config().normalized()).isEqualTo(io.gatehouse.model.GatewayConfig.EMPTY);
    assertThat(store.get(1).orElseThrow().info().author()).isEqualTo(AdminTokens.ADMIN);
  }

  @Test
  void refusesDeletingAReferencedBackend() throws Exception {
    post("/api/v1/backends", "{\"name\":\"b1\",\"url\":\"http://127.0.0.1:9000\"}");
    post("/api/v1/apis", "{\"name\":\"a1\",\"path\":\"/a\",\"backend\":\"b1\"}");
    Res r = call("DELETE", "/api/v1/backends/b1", null);
    assertProblem(r, 409);
    assertThat(r.json().get("problems").get(0).get("field").asText()).isEqualTo("apis[0].backend");
    assertThat(plane.config().backend("b1")).isPresent();
  }

  @Test
  void namesTheFieldOfABadBody() throws Exception {
    Res badDuration = post("/api/v1/backends", "{\"name\":\"b1\",\"url\":\"http://x\",\"timeout\":\"banana\"}");
    assertProblem(badDuration, 400);
    assertThat(badDuration.json().get("problems").get(0).get("field").asText()).isEqualTo("timeout");
    Res unknown = post("/api/v1/backends", "{\"name\":\"b1\",\"url\":\"http://x\",\"colour\":\"red\"}");
    assertProblem(unknown, 400);
    assertThat(unknown.json().get("problems").get(0).get("message").asText()).contains("colour");
    Res missing = post("/api/v1/backends", "{\"name\":\"b1\"}");
    assertProblem(missing, 400);
    assertThat(missing.json().get("detail").asText()).contains("url");
    Res invalid = post("/api/v1/apis", "{\"name\":\"a1\",\"path\":\"no-slash\",\"backend\":\"nope\"}");
    assertProblem(invalid, 400);
    assertThat(invalid.json().get("problems").findValuesAsText("field")).contains("apis[0].path", "apis[0].backend");
    assertProblem(post("/api/v1/backends", "{not json"), 400);
    assertProblem(post("/api/v1/backends", "[1]"), 400);
    post("/api/v1/backends", "{\"name\":\"b1\",\"url\":\"http://x\"}");
    Res renamed = put("/api/v1/backends/b1", "{\"name\":\"b2\",\"url\":\"http://x\"}");
    assertProblem(renamed, 400);
    assertThat(renamed.json().get("problems").get(0).get("field").asText()).isEqualTo("name");
    assertThat(plane.revision().id()).isEqualTo(1);
  }

  @Test
  void enforcesContentTypeAndBodyLimit() throws Exception {
    assertProblem(call("POST", "/api/v1/backends", "{}", "Content-Type", "text/plain"), 415);
    assertProblem(call("PUT", "/api/v1/config", "x: 1", "Content-Type", "text/plain"), 415);
    String big = "{\"name\":\"b\",\"url\":\"http://x/" + "a".repeat((int) ManagementServer.MAX_BODY_BYTES) + "\"}";
    assertProblem(post("/api/v1/backends", big), 413);
  }

  @Test
  void showsSubscriptionKeysOnceAndRegeneratesOneAtATime() throws Exception {
    Res created = post("/api/v1/subscriptions", "{\"name\":\"s1\",\"scope\":\"all\"}");
    assertThat(created.status()).isEqualTo(201);
    String primary = created.json().get("primaryKey").asText();
    String secondary = created.json().get("secondaryKey").asText();
    assertThat(primary).hasSize(32).isNotEqualTo(secondary);

    String shown = get("/api/v1/subscriptions/s1").body() + get("/api/v1/subscriptions").body();
    assertThat(shown).doesNotContain(primary).doesNotContain(secondary).doesNotContain("Key").doesNotContain("sha256");
    String config = get("/api/v1/config").body();
    var hasher = plane.store().secrets().keyHasher();
    assertThat(config).doesNotContain(primary).doesNotContain(SubscriptionKeys.hash(primary))
        .contains(hasher.hash(primary)).contains(hasher.hash(secondary));

    Res regenerated = post("/api/v1/subscriptions/s1/regenerate-primary-key", null);
    assertThat(regenerated.status()).isEqualTo(200);
    String newPrimary = regenerated.json().get("primaryKey").asText();
    assertThat(regenerated.json().has("secondaryKey")).isFalse();
    var sub = plane.config().subscription("s1").orElseThrow();
    assertThat(sub.primaryKeyHash()).isEqualTo(hasher.hash(newPrimary));
    assertThat(sub.secondaryKeyHash()).isEqualTo(hasher.hash(secondary));

    String newSecondary = post("/api/v1/subscriptions/s1/regenerate-secondary-key", null).json().get("secondaryKey").asText();
    sub = plane.config().subscription("s1").orElseThrow();
    assertThat(sub.primaryKeyHash()).isEqualTo(hasher.hash(newPrimary));
    assertThat(sub.secondaryKeyHash()).isEqualTo(hasher.hash(newSecondary));

    put("/api/v1/subscriptions/s1", "{\"scope\":\"all\",\"state\":\"suspended\"}");
    sub = plane.config().subscription("s1").orElseThrow();
    assertThat(sub.state()).isEqualTo("suspended");
    assertThat(sub.primaryKeyHash()).as("replace keeps keys").isEqualTo(hasher.hash(newPrimary));
    assertProblem(post("/api/v1/subscriptions/nope/regenerate-primary-key", null), 404);
  }

  @Test
  void listsDiffsAndRollsBackRevisions() throws Exception {
    post("/api/v1/backends", "{\"name\":\"b1\",\"url\":\"http://127.0.0.1:1\"}");
    put("/api/v1/backends/b1", "{\"url\":\"http://127.0.0.1:2\"}");
    post("/api/v1/users", "{\"name\":\"u1\"}");

    JsonNode list = get("/api/v1/revisions?limit=2").json();
    assertThat(list.get("current").asLong()).isEqualTo(3);
    assertThat(list.get("items").findValuesAsText("id")).containsExactly("3", "2");
    assertThat(get("/api/v1/revisions?offset=2").json().get("items").findValuesAsText("message"))
        .containsExactly("create backends/b1");
    assertProblem(get("/api/v1/revisions?limit=0"), 400);

    JsonNode one = get("/api/v1/revisions/2").json();
    assertThat(one.get("author").asText()).isEqualTo("admin");
    assertThat(one.get("source").asText()).isEqualTo("api");
    assertThat(one.get("config").get("backends").get(0).get("url").asText()).isEqualTo("http://127.0.0.1:2");
    assertProblem(get("/api/v1/revisions/99"), 404);
    assertProblem(get("/api/v1/revisions/abc"), 400);

    JsonNode diff = get("/api/v1/revisions/1/diff/3").json();
    assertThat(diff.get("changes").findValuesAsText("path")).containsExactly("/backends/b1/url", "/users/u1");
    assertThat(diff.get("summary").get("created").asInt()).isEqualTo(1);
    assertThat(diff.get("summary").get("updated").asInt()).isEqualTo(1);

    Res rolled = post("/api/v1/revisions/1/rollback", null);
    assertThat(rolled.status()).as(rolled.body()).isEqualTo(200);
    assertThat(rolled.json().get("revision").asLong()).isEqualTo(4);
    assertThat(rolled.json().get("changed").asBoolean()).isTrue();
    assertThat(rolled.json().get("plan")).hasSize(2);
    assertThat(plane.config()).isEqualTo(store.get(1).orElseThrow().config());
    assertThat(store.get(4).orElseThrow().info().source()).isEqualTo("rollback");
    Res again = post("/api/v1/revisions/1/rollback", null);
    assertThat(again.json().get("changed").asBoolean()).isFalse();
    assertThat(again.json().get("revision").asLong()).isEqualTo(4);
    assertProblem(post("/api/v1/revisions/77/rollback", null), 404);
  }

  @Test
  void readOnlyModeRefusesEveryChange() throws Exception {
    post("/api/v1/backends", "{\"name\":\"b1\",\"url\":\"http://127.0.0.1:1\"}");
    plane.setReadOnly("configuration is managed by file gatehouse.yaml");
    Res r = post("/api/v1/backends", "{\"name\":\"b2\",\"url\":\"http://127.0.0.1:1\"}");
    assertProblem(r, 409);
    assertThat(r.json().get("detail").asText()).isEqualTo("configuration is managed by file gatehouse.yaml");
    assertProblem(put("/api/v1/backends/b1", "{\"url\":\"http://127.0.0.1:2\"}"), 409);
    assertProblem(call("DELETE", "/api/v1/backends/b1", null), 409);
    assertProblem(post("/api/v1/revisions/1/rollback", null), 409);
    assertProblem(put("/api/v1/config", "{}"), 409);
    assertThat(put("/api/v1/config?dryRun=true", "{}").status()).isEqualTo(200);
    assertThat(get("/api/v1/backends").status()).isEqualTo(200);
    assertThat(plane.revision().id()).isEqualTo(1);
    assertThat(plane.apply(plane.config().withBackends(java.util.List.of()), "file", "reload").info().source())
        .isEqualTo("file");
  }

  @Test
  void appliesWholeConfigWithDryRunAndExportIsANoOp() throws Exception {
    String yaml = """
        backends:
          - name: b1
            url: http://127.0.0.1:9000
            timeout: 5s
        apis:
          - name: a1
            path: /a
            backend: b1
        subscriptions:
          - name: s1
            scope: api:a1
            primaryKey: 0123456789abcdef0123
        """;
    Res dry = call("PUT", "/api/v1/config?dryRun=true", yaml, "Content-Type", "application/yaml");
    assertThat(dry.status()).as(dry.body()).isEqualTo(200);
    assertThat(dry.json().get("dryRun").asBoolean()).isTrue();
    assertThat(dry.json().get("plan")).hasSize(3);
    assertThat(dry.json().get("revision").asLong()).isZero();
    assertThat(plane.revision().id()).isZero();

    Res applied = call("PUT", "/api/v1/config?message=first", yaml, "Content-Type", "application/yaml");
    assertThat(applied.json().get("changed").asBoolean()).isTrue();
    assertThat(applied.json().get("revision").asLong()).isEqualTo(1);
    assertThat(store.get(1).orElseThrow().info().message()).isEqualTo("first");
    assertThat(applied.body()).doesNotContain("0123456789abcdef0123");

    Res exportedYaml = call("GET", "/api/v1/config", null, "Accept", "application/yaml");
    assertThat(exportedYaml.header("Content-Type")).isEqualTo("application/yaml");
    assertThat(exportedYaml.body()).contains("primaryKeyHash").doesNotContain("0123456789abcdef0123");
    Res again = call("PUT", "/api/v1/config", exportedYaml.body(), "Content-Type", "application/yaml");
    assertThat(again.json().get("changed").asBoolean()).as(again.body()).isFalse();
    assertThat(again.json().get("plan")).isEmpty();
    Res exportedJson = get("/api/v1/config");
    assertThat(put("/api/v1/config", exportedJson.body()).json().get("changed").asBoolean()).isFalse();
    assertThat(plane.revision().id()).isEqualTo(1);

    Res invalid = put("/api/v1/config", "{\"apis\":[{\"name\":\"x\",\"path\":\"/x\",\"backend\":\"none\"}]}");
    assertProblem(invalid, 400);
    assertThat(invalid.json().get("problems").get(0).get("field").asText()).isEqualTo("apis[0].backend");
    Res fileRef = put("/api/v1/config", "{\"backends\":[{\"name\":\"b\",\"url\":\"http://x\"}],"
        + "\"apis\":[{\"name\":\"x\",\"path\":\"/x\",\"backend\":\"b\",\"openapi\":{\"file\":\"/etc/passwd\"}}]}");
    assertProblem(fileRef, 400);
    assertThat(fileRef.json().get("problems").get(0).get("field").asText()).isEqualTo("apis[0].openapi");
    Res env = call("PUT", "/api/v1/config", "namedValues:\n  - name: n\n    value: ${env:HOME}\n", "Content-Type", "application/yaml");
    assertProblem(env, 400);
  }

  @Test
  void openApiDocumentDescribesExactlyTheRegisteredRoutes() throws Exception {
    JsonNode doc = get("/api/v1/openapi.json").json();
    assertThat(doc.get("openapi").asText()).startsWith("3.1");
    Set<String> documented = new TreeSet<>();
    for (Iterator<Map.Entry<String, JsonNode>> paths = doc.get("paths").fields(); paths.hasNext(); ) {
      Map.Entry<String, JsonNode> path = paths.next();
      path.getValue().fieldNames().forEachRemaining(m -> documented.add(m.toUpperCase() + " " + path.getKey()));
    }
    Set<String> registered = new TreeSet<>();
    for (Route route : server.router().getRoutes()) {
      if (route.getPath() == null || route.getPath().startsWith("/healthz/")) {
        continue; // handlers of every request; the probes outside /api/v1, as /metrics
      }
      assertThat(route.methods()).as("route %s has a method", route.getPath()).isNotEmpty();
      String path = route.getPath().replaceAll(":([A-Za-z0-9_]+)", "{$1}");
      route.methods().forEach(m -> registered.add(m.name() + " " + path));
    }
    assertThat(registered).hasSizeGreaterThan(35);
    assertThat(documented).isEqualTo(registered);
  }

  @Test
  void listsApisFilteredByInventoryMetadata() throws Exception {
    post("/api/v1/backends", "{\"name\":\"b1\",\"url\":\"http://127.0.0.1:9000\"}");
    assertThat(post("/api/v1/apis", "{\"name\":\"pay\",\"path\":\"/pay\",\"backend\":\"b1\",\"inventory\":"
        + "{\"owner\":\"team-pay\",\"contact\":\"pay@example.com\",\"lifecycle\":\"production\","
        + "\"exposure\":\"external\",\"classification\":\"restricted\"}}").status()).isEqualTo(201);
    assertThat(post("/api/v1/apis", "{\"name\":\"ops\",\"path\":\"/ops\",\"backend\":\"b1\",\"inventory\":"
        + "{\"owner\":\"team-ops\",\"lifecycle\":\"production\",\"exposure\":\"internal\"}}").status())
        .isEqualTo(201);
    assertThat(post("/api/v1/apis", "{\"name\":\"bare\",\"path\":\"/bare\",\"backend\":\"b1\"}").status())
        .isEqualTo(201);
    assertThat(get("/api/v1/apis").json().findValuesAsText("name")).containsExactly("pay", "ops", "bare");
    assertThat(get("/api/v1/apis?lifecycle=production").json().findValuesAsText("name")).containsExactly("pay", "ops");
    Res external = get("/api/v1/apis?lifecycle=production&exposure=external");
    assertThat(external.json().findValuesAsText("name")).containsExactly("pay");
    assertThat(external.json().get(0).get("inventory").get("contact").asText()).isEqualTo("pay@example.com");
    assertThat(get("/api/v1/apis?owner=team-ops").json().findValuesAsText("name")).containsExactly("ops");
    assertThat(get("/api/v1/apis?classification=restricted").json().findValuesAsText("name")).containsExactly("pay");
    assertThat(get("/api/v1/apis?owner=nobody").json()).isEmpty();
    Res bad = get("/api/v1/apis?lifecycle=live");
    assertProblem(bad, 400);
    assertThat(bad.json().get("detail").asText())
        .isEqualTo("query parameter 'lifecycle': expected one of [design, development, testing, production, deprecated,"
            + " retired] but got 'live'");
    Res invalid = post("/api/v1/apis", "{\"name\":\"x\",\"path\":\"/x\",\"backend\":\"b1\","
        + "\"inventory\":{\"exposure\":\"public\"}}");
    assertProblem(invalid, 400);
    assertThat(invalid.body()).contains("inventory.exposure").contains("expected one of [internal, external]");
    JsonNode params = get("/api/v1/openapi.json").json().at("/paths/~1api~1v1~1apis/get/parameters");
    assertThat(params.findValuesAsText("name")).containsExactly("owner", "lifecycle", "exposure", "classification");
  }

  @Test
  void apiImportReturnsOpenApiAuditWarningsWithoutBlocking() throws Exception {
    post("/api/v1/backends", "{\"name\":\"b1\",\"url\":\"http://127.0.0.1:9000\"}");
    String doc = "openapi: 3.0.3\ninfo: {title: t, version: '1'}\npaths:\n  /items:\n    get:\n"
        + "      parameters:\n        - {name: q, in: query, schema: {type: string}}\n"
        + "      responses:\n        '200': {description: ok}\n";
    String body = ConfigMapper.json().writeValueAsString(Map.of("name", "imported", "path", "/imported", "backend", "b1",
        "openapi", Map.of("inline", doc)));
    Res created = post("/api/v1/apis", body);
    assertThat(created.status()).as(created.body()).isEqualTo(201);
    JsonNode warnings = created.json().get("warnings");
    assertThat(warnings.findValuesAsText("rule"))
        .contains("openapi.operation-without-security", "openapi.string-without-max-length");
    assertThat(created.json().get("operations").toString()).contains("GET /items");
    Res replaced = put("/api/v1/apis/imported", body);
    assertThat(replaced.status()).isEqualTo(200);
    assertThat(replaced.json().get("warnings").size()).isPositive();
    Res plain = post("/api/v1/apis", "{\"name\":\"plain\",\"path\":\"/plain\",\"backend\":\"b1\"}");
    assertThat(plain.json().has("warnings")).isFalse();
  }

  @Test
  void importsSelfAndMutuallyRecursiveSchemasAndStaysUp() throws Exception {
    post("/api/v1/backends", "{\"name\":\"b1\",\"url\":\"http://127.0.0.1:9000\"}");
    String doc = """
        openapi: 3.0.3
        info: {title: recursive, version: "1"}
        servers: [{url: "https://api.example.com/v1"}]
        paths:
          /trees:
            post:
              operationId: plantTree
              requestBody: {content: {application/json: {schema: {$ref: '#/components/schemas/Node'}}}}
              responses: {"201": {description: planted, content: {application/json: {schema: {$ref: '#/components/schemas/Node'}}}}}
          /people:
            post:
              operationId: addPerson
              requestBody: {content: {application/json: {schema: {$ref: '#/components/schemas/Person'}}}}
              responses: {"201": {description: added}}
        components:
          schemas:
            Node:
              type: object
              properties:
                name: {type: string}
                children: {type: array, maxItems: 10, items: {$ref: '#/components/schemas/Node'}}
            Person:
              type: object
              properties:
                employer: {$ref: '#/components/schemas/Company'}
            Company:
              type: object
              properties:
                staff: {type: array, maxItems: 10, items: {$ref: '#/components/schemas/Person'}}
        """;
    String body = ConfigMapper.json().writeValueAsString(Map.of("name", "recursive", "path", "/recursive", "backend", "b1",
        "operations", List.of(Map.of("operationId", "plantTree",
            "policies", Map.of("inbound", List.of(Map.of("set-header", Map.of("name", "X-Op", "value", "plant")))))),
        "openapi", Map.of("inline", doc)));
    Res created = post("/api/v1/apis", body);
    assertThat(created.status()).as(created.body()).isEqualTo(201);
    assertThat(created.json().get("operations").get(0).get("operation").asText()).isEqualTo("POST /v1/trees");
    assertThat(created.json().get("operations").toString()).contains("POST /v1/people");
    // The audit followed the recursive schema to its unbounded string, and stopped.
    assertThat(created.json().get("warnings").findValuesAsText("resource")).anyMatch(r -> r.contains("name"));
    assertThat(get("/api/v1/apis/recursive").status()).isEqualTo(200);

    Res unknownId = post("/api/v1/apis", body.replace("\"recursive\"", "\"other\"").replace("/recursive", "/other")
        .replace("\"operationId\":\"plantTree\"", "\"operationId\":\"plantTrees\""));
    assertProblem(unknownId, 400);
    assertThat(unknownId.body()).contains("operations[0]").contains("operationId 'plantTrees' is not in the API's OpenAPI document");
  }
}
