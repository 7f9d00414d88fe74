package io.gatehouse.control;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.gatehouse.model.ConfigMapper;
import io.gatehouse.model.GatewayConfig;
import io.vertx.core.Vertx;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Revision diffs, plans, rollback to revision 0 and applies scoped by tags, through the management API. */
class RevisionDiffApiTest {
  static final String TOKEN = "test-admin-token-0123456789abcdef";

  @TempDir Path dir;
  Vertx vertx;
  SqliteConfigStore store;
  ControlPlane plane;
  ManagementServer server;
  final HttpClient http = HttpClient.newHttpClient();

  @BeforeEach
  void start() throws Exception {
    store = SqliteConfigStore.open(dir);
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

  HttpResponse<String> call(String method, String path, String body) throws Exception {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.actualPort() + path))
        .header("Authorization", "Bearer " + TOKEN)
        .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
    if (body != null) {
      b.header("Content-Type", body.startsWith("{") ? "application/json" : "application/yaml");
    }
    return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
  }

  /** The {@code path} of each change (not the paths inside added values). */
  static java.util.List<String> paths(JsonNode changes) {
    java.util.List<String> out = new java.util.ArrayList<>();
    changes.forEach(c -> out.add(c.get("path").asText()));
    return out;
  }

  static JsonNode json(HttpResponse<String> r) throws Exception {
    return ConfigMapper.json().readTree(r.body());
  }

  static final String PLATFORM = """
      backends: [{name: echo, url: "http://127.0.0.1:9000", tags: [platform]}]
      apis:
        - name: pets
          path: /pets
          backend: echo
          tags: [platform]
          policies:
            inbound:
              - rate-limit: {calls: %d, period: 1m}
      products:
        - {name: gold, apis: [pets], tags: [platform]}
        - {name: silver, apis: [pets], tags: [platform]}
      namedValues: [{name: db, type: secret, value: %s, tags: [platform]}]
      """;

  @Test
  void revisionDiffListsFieldLevelChangesWithoutSecretsOrWholeObjects() throws Exception {
    assertThat(call("PUT", "/api/v1/config?message=first", PLATFORM.formatted(5, "hunter2-one")).statusCode()).isEqualTo(200);
    HttpResponse<String> second = call("PUT", "/api/v1/config", PLATFORM.formatted(10, "hunter2-two"));
    assertThat(second.statusCode()).as(second.body()).isEqualTo(200);
    assertThat(paths(json(second).get("plan")))
        .containsExactly("/apis/pets/policies/inbound/0/rate-limit/calls", "/namedValues/db/value");

    HttpResponse<String> diff = call("GET", "/api/v1/revisions/1/diff/2", null);
    assertThat(diff.statusCode()).isEqualTo(200);
    assertThat(diff.body()).doesNotContain("hunter2").doesNotContain("\"backend\":\"echo\"");
    JsonNode changes = json(diff).get("changes");
    assertThat(changes).hasSize(2);
    assertThat(changes.get(0).get("op").asText()).isEqualTo("replace");
    assertThat(changes.get(0).get("before").asInt()).isEqualTo(5);
    assertThat(changes.get(0).get("after").asInt()).isEqualTo(10);
    assertThat(changes.get(1).get("secret").asBoolean()).isTrue();
    assertThat(changes.get(1).has("before")).isFalse();
    assertThat(json(diff).get("summary").get("updated").asInt()).isEqualTo(2);
  }

  @Test
  void revisionZeroIsTheEmptyConfigurationForDiffAndRollbackAlike() throws Exception {
    call("PUT", "/api/v1/config", PLATFORM.formatted(5, "hunter2-one"));
    JsonNode fromZero = json(call("GET", "/api/v1/revisions/0/diff/1", null));
    assertThat(paths(fromZero.get("changes")))
        .containsExactly("/backends/echo", "/apis/pets", "/products/gold", "/products/silver", "/namedValues/db");
    assertThat(fromZero.toString()).doesNotContain("hunter2");

    HttpResponse<String> rolled = call("POST", "/api/v1/revisions/0/rollback", null);
    assertThat(rolled.statusCode()).as(rolled.body()).isEqualTo(200);
    assertThat(json(rolled).get("revision").asLong()).isEqualTo(2);
    assertThat(json(rolled).get("summary").get("deleted").asInt()).isEqualTo(5);
    assertThat(plane.config()).isEqualTo(GatewayConfig.EMPTY);
    assertThat(store.get(2).orElseThrow().info().message()).isEqualTo("rollback to revision 0");
    assertThat(json(call("GET", "/api/v1/revisions/0/diff/2", null)).get("changes")).isEmpty();

    HttpResponse<String> negative = call("POST", "/api/v1/revisions/-1/rollback", null);
    assertThat(negative.statusCode()).isEqualTo(400);
    assertThat(call("GET", "/api/v1/revisions/-1/diff/2", null).statusCode()).isEqualTo(400);
  }

  @Test
  void selectTagLeavesUntaggedEntitiesAloneAndDeletesTaggedOnesGoneFromTheFile() throws Exception {
    call("PUT", "/api/v1/config", PLATFORM.formatted(5, "hunter2-one"));
    HttpResponse<String> portal = call("POST", "/api/v1/subscriptions", "{\"name\":\"from-portal\",\"scope\":\"product:gold\"}");
    assertThat(portal.statusCode()).as(portal.body()).isEqualTo(201);
    HttpResponse<String> tagged = call("POST", "/api/v1/subscriptions",
        "{\"name\":\"platform-owned\",\"scope\":\"product:silver\",\"tags\":[\"platform\"]}");
    assertThat(tagged.statusCode()).as(tagged.body()).isEqualTo(201);
    assertThat(json(tagged).get("tags").toString()).as("entity views show tags").isEqualTo("[\"platform\"]");
    assertThat(json(call("GET", "/api/v1/named-values/db", null)).get("tags").toString()).isEqualTo("[\"platform\"]");

    String file = PLATFORM.formatted(5, "hunter2-one");
    HttpResponse<String> dry = call("PUT", "/api/v1/config?dryRun=true&selectTag=platform", file);
    assertThat(dry.statusCode()).as(dry.body()).isEqualTo(200);
    assertThat(paths(json(dry).get("plan"))).containsExactly("/subscriptions/platform-owned");

    HttpResponse<String> applied = call("PUT", "/api/v1/config?selectTag=platform", file);
    assertThat(applied.statusCode()).as(applied.body()).isEqualTo(200);
    assertThat(plane.config().subscription("from-portal")).isPresent();
    assertThat(plane.config().subscription("platform-owned")).isEmpty();

    HttpResponse<String> untagged = call("PUT", "/api/v1/config?selectTag=platform",
        file + "users: [{name: bob}]\n");
    assertThat(untagged.statusCode()).isEqualTo(400);
    assertThat(untagged.body()).contains("users[0].tags").contains("user 'bob' carries none of the selected tags (platform)");
    assertThat(call("PUT", "/api/v1/config?selectTag=a%20b", file).statusCode()).isEqualTo(400);

    HttpResponse<String> whole = call("PUT", "/api/v1/config", file);
    assertThat(paths(json(whole).get("plan"))).containsExactly("/subscriptions/from-portal");
  }

  @Test
  void aDryRunOfTheExportPlansNothingAndAGlobalPolicyChangeAloneIsARevision() throws Exception {
    call("PUT", "/api/v1/config", PLATFORM.formatted(5, "hunter2-one"));
    HttpRequest export = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.actualPort() + "/api/v1/config"))
        .header("Authorization", "Bearer " + TOKEN).header("Accept", "application/yaml").build();
    String exported = http.send(export, HttpResponse.BodyHandlers.ofString()).body();
    assertThat(exported).contains("sealed: v1:").doesNotContain("hunter2");
    HttpResponse<String> dry = call("PUT", "/api/v1/config?dryRun=true", exported);
    assertThat(dry.statusCode()).as(dry.body()).isEqualTo(200);
    assertThat(json(dry).get("plan")).as(dry.body()).isEmpty();

    HttpResponse<String> global = call("PUT", "/api/v1/config",
        exported + "policies:\n  inbound:\n    - rate-limit: {calls: 100, period: 1m}\n");
    assertThat(global.statusCode()).as(global.body()).isEqualTo(200);
    assertThat(json(global).get("changed").asBoolean()).isTrue();
    assertThat(paths(json(global).get("plan"))).containsExactly("/policies/inbound");
    assertThat(plane.revision().id()).isEqualTo(2);
  }
}
