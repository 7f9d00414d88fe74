package io.gatehouse.model;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ConfigDiffTest {
  ConfigLoader loader = ConfigLoader.withEnvironment(Map.of());

  static final String BASE = """
      backends: [{name: echo, url: "http://127.0.0.1:9000"}]
      apis:
        - name: pets
          path: /pets
          backend: echo
          hosts: [a.example]
          policies:
            inbound:
              - set-header: {name: X-Team, value: pets}
              - rate-limit: {calls: %d, period: 1m}
      %s
      products: [{name: gold, apis: [pets]}]
      """;

  GatewayConfig config(int calls, String extra) {
    return loader.parse(BASE.formatted(calls, extra), "test", null);
  }

  @Test
  void plansChangesAsJsonPointersOneLinePerField() {
    GatewayConfig before = config(5, "");
    GatewayConfig after = loader.parse("""
        backends: [{name: echo, url: "http://127.0.0.1:9000"}]
        apis:
          - name: pets
            path: /pets
            backend: echo
            hosts: [a.example, b.example]
            policies:
              inbound:
                - set-header: {name: X-Team, value: pets}
                - rate-limit: {calls: 10, period: 1m}
          - name: orders
            path: /orders
            backend: echo
        """, "test", null);
    ConfigDiff d = ConfigDiff.between(before, after);
    assertThat(d.render()).isEqualTo("""
          + /apis/pets/hosts/1: "b.example"
          ~ /apis/pets/policies/inbound/1/rate-limit/calls: 5 -> 10
          + /apis/orders
          - /products/gold
        """);
    assertThat(d.summary()).isEqualTo(new ConfigDiff.Summary(1, 1, 1));
    assertThat(d.summary().toString()).isEqualTo("1 created, 1 updated, 1 deleted");
    ConfigDiff.Change calls = d.changes().get(1);
    assertThat(calls.op()).isEqualTo(ConfigDiff.Op.REPLACE);
    assertThat(calls.before().asInt()).isEqualTo(5);
    assertThat(calls.after().asInt()).isEqualTo(10);
  }

  @Test
  void insertingAListItemIsOneAdditionNotAShiftOfEveryItem() {
    GatewayConfig before = config(5, "");
    GatewayConfig after = loader.parse(BASE.formatted(5, "").replace(
        "      inbound:\n", "      inbound:\n        - rate-limit: {calls: 1, period: 1s}\n"),
        "test", null);
    assertThat(ConfigDiff.between(before, after).render())
        .isEqualTo("  + /apis/pets/policies/inbound/0: {\"rate-limit\":{\"calls\":1,\"period\":\"1s\"}}\n");
  }

  @Test
  void neverShowsASecretValueOnlyThatItChanged() throws Exception {
    GatewayConfig before = config(5, """
        namedValues: [{name: db, type: secret, value: hunter2-old}, {name: region, value: eu}]
        subscriptions: [{name: s, scope: all, primaryKey: key-0123456789abcdef-old}]
        """).withBackends(List.of(BackendDef.of("echo", "http://127.0.0.1:9000").withCredentials(
            new BackendDef.Credentials(new BackendDef.Basic("svc", "literal-password-old"), null, null, null))));
    GatewayConfig after = config(5, """
        namedValues: [{name: db, type: secret, value: hunter2-new}, {name: region, value: us}]
        subscriptions: [{name: s, scope: all, primaryKey: key-0123456789abcdef-new}]
        """).withBackends(List.of(BackendDef.of("echo", "http://127.0.0.1:9000").withCredentials(
            new BackendDef.Credentials(new BackendDef.Basic("svc", "literal-password-new"), null, null, null))));
    after = after.withApis(List.of(after.apis().get(0).withPolicies(new PoliciesDef(
        List.of(Map.of("set-header", Map.of("name", "Authorization", "value", "Bearer literal-token"))),
        null, null, null))));
    ConfigDiff d = ConfigDiff.between(before, after);
    String json = ConfigMapper.json().writeValueAsString(d);
    String text = d.render();
    for (String secret : List.of("hunter2", "key-0123456789abcdef", "literal-password", "literal-token",
        SubscriptionKeys.hash("key-0123456789abcdef-new"), "KeyHash")) {
      assertThat(json).doesNotContain(secret);
      assertThat(text).doesNotContain(secret);
    }
    assertThat(text)
        .contains("~ /namedValues/db/value: (secret changed)")
        .contains("~ /namedValues/region/value: \"eu\" -> \"us\"")
        .contains("~ /subscriptions/s/keys: (secret changed)")
        .contains("~ /backends/echo/credentials/basic/password: (secret changed)")
        .contains("~ /apis/pets/policies/inbound/0/set-header/name: \"X-Team\" -> \"Authorization\"")
        .contains("~ /apis/pets/policies/inbound/0/set-header/value: (secret changed)");
    JsonNode tree = ConfigMapper.json().valueToTree(d);
    assertThat(tree.path("changes").findValues("secret")).allMatch(JsonNode::asBoolean);
  }

  @Test
  void aSecretInAnAddedEntityShowsAsAPlaceholderAndReferencesStayVisible() throws Exception {
    GatewayConfig before = config(5, "namedValues: [{name: token, type: secret, value: abc}]");
    GatewayConfig after = before.withBackends(List.of(BackendDef.of("echo", "http://127.0.0.1:9000"),
        BackendDef.of("other", "http://127.0.0.1:9001").withCredentials(new BackendDef.Credentials(
            null, new BackendDef.Parameter("X-Key", "${nv:token}"), new BackendDef.Parameter("key", "inline-secret-value"),
            null))));
    String json = ConfigMapper.json().writeValueAsString(ConfigDiff.between(before, after));
    assertThat(json).doesNotContain("inline-secret-value").contains("\"(secret)\"").contains("${nv:token}");
  }

  @Test
  void showsInlineOpenApiTextAsAUnifiedDiffOfItsLines() {
    StringBuilder doc = new StringBuilder("openapi: 3.0.0\ninfo: {title: pets, version: '1'}\npaths:\n");
    for (int i = 0; i < 10; i++) {
      doc.append("  /p").append(i).append(":\n    get: {responses: {'200': {description: ok}}}\n");
    }
    String before = doc.toString();
    String after = before.replace("  /p5:\n", "  /p5-renamed:\n");
    ApiDef api = ApiDef.of("pets", "/pets", "echo");
    GatewayConfig a = GatewayConfig.EMPTY.withApis(List.of(api.withOpenapi(OpenApiSource.inline(before))));
    GatewayConfig b = GatewayConfig.EMPTY.withApis(List.of(api.withOpenapi(OpenApiSource.inline(after))));
    ConfigDiff d = ConfigDiff.between(a, b);
    assertThat(d.changes()).hasSize(1);
    ConfigDiff.Change c = d.changes().get(0);
    assertThat(c.path()).isEqualTo("/apis/pets/openapi/inline");
    assertThat(c.before()).isNull();
    assertThat(c.after()).isNull();
    assertThat(c.diff()).containsExactly(
        "@@ -11,7 +11,7 @@",
        "     get: {responses: {'200': {description: ok}}}",
        "   /p4:",
        "     get: {responses: {'200': {description: ok}}}",
        "-  /p5:",
        "+  /p5-renamed:",
        "     get: {responses: {'200': {description: ok}}}",
        "   /p6:",
        "     get: {responses: {'200': {description: ok}}}");
    assertThat(d.render()).startsWith("  ~ /apis/pets/openapi/inline:\n      @@ -11,7 +11,7 @@\n           get: {responses: {'200': {description: ok}}}\n");
  }

  @Test
  void namesWithSlashesAreEscapedInPointers() {
    GatewayConfig a = GatewayConfig.EMPTY;
    GatewayConfig b = GatewayConfig.EMPTY.withUsers(List.of(new UserDef("a/b~c", null, null)));
    assertThat(ConfigDiff.between(a, b).changes().get(0).path()).isEqualTo("/users/a~1b~0c");
    assertThat(ConfigDiff.between(a, b).changes().get(0).tokens()).containsExactly("users", "a/b~c");
  }

  @Test
  void readsBackFromItsJson() throws Exception {
    ConfigDiff d = ConfigDiff.between(config(5, ""), config(7, ""));
    String json = ConfigMapper.json().writeValueAsString(d);
    assertThat(json).contains("\"op\":\"replace\"").contains("\"path\":\"/apis/pets/policies/inbound/1/rate-limit/calls\"");
    assertThat(ConfigMapper.json().readValue(json, ConfigDiff.class)).isEqualTo(d);
  }

  @Test
  void aChangedSuppressionIsInThePlanAndRoundTripsThroughYaml() throws Exception {
    GatewayConfig a = loader.parse("apis: []\n", "a", null);
    GatewayConfig b = loader.parse("advisor: {suppress: [{rule: subscription.scope-all, reason: one tenant}]}\n", "b", null);
    assertThat(ConfigDiff.between(a, b).changes()).extracting(c -> c.op() + " " + c.path())
        .singleElement().asString().startsWith("ADD /advisor");
    String yaml = ConfigMapper.yaml().writeValueAsString(b);
    assertThat(loader.parse(yaml, "again", null)).isEqualTo(b);
    assertThat(ConfigMapper.yaml().writeValueAsString(a)).doesNotContain("advisor");
  }

  @Test
  void plainKeyAndItsHashAreTheSameConfiguration() {
    SubscriptionDef plain = new SubscriptionDef("s", "all", null, null, null, "key-0123456789abcdef", null, null, null);
    GatewayConfig withPlain = GatewayConfig.EMPTY.withSubscriptions(List.of(plain));
    GatewayConfig exported = withPlain.normalized();
    assertThat(exported.subscriptions().get(0).primaryKey()).isNull();
    assertThat(exported.subscriptions().get(0).primaryKeyHash()).isEqualTo(SubscriptionKeys.hash("key-0123456789abcdef"));
    assertThat(ConfigDiff.between(withPlain, exported).isEmpty()).isTrue();
  }

  @Test
  void exportedYamlReadsBackToAnEqualConfiguration() throws Exception {
    GatewayConfig c = loader.parse("""
        backends: [{name: e, url: "http://e:81/base", timeout: 5s, tags: [platform]}]
        apis: [{name: x, path: /x, backend: e, operations: ["GET /a/{id}", "POST /a"], hosts: [api.example], tags: [platform, team-a]}]
        products: [{name: p, apis: [x], approvalRequired: true, tags: [platform]}]
        subscriptions: [{name: s, scope: "api:x", primaryKey: abcdefghijklmnop1234, expiresAt: "2030-01-01T00:00:00Z", tags: [t]}]
        namedValues: [{name: n, value: "v", tags: [t]}]
        users: [{name: u, email: u@example.com, tags: [t]}]
        """, "c", null).normalized();
    String yaml = ConfigMapper.yaml().writeValueAsString(c);
    GatewayConfig back = loader.parse(yaml, "export", null);
    assertThat(back).isEqualTo(c);
    assertThat(back.apis().get(0).tags()).containsExactly("platform", "team-a");
    assertThat(back.subscriptions().get(0).tags()).containsExactly("t");
    assertThat(yaml).doesNotContain("abcdefghijklmnop1234");
  }
}
