package io.gatehouse.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;
import org.junit.jupiter.api.Test;

class ConfigLoaderTest {
  static final String VALID = """
      backends:
        - name: echo
          url: ${env:ECHO_URL}
      apis:
        - name: orders
          path: /orders
          backend: echo
          operations:
            - GET /items/{id}
            - POST /items
      products:
        - name: starter
          apis: [orders]
      subscriptions:
        - name: alice
          scope: product:starter
          primaryKey: ${env:ALICE_KEY}
      """;

  ConfigLoader loader = ConfigLoader.withEnvironment(Map.of("ECHO_URL", "http://127.0.0.1:9", "ALICE_KEY", "alice-key-0123456789"));

  ConfigProblem only(String yaml) {
    try {
      loader.parse(yaml, "g.yaml", null);
    } catch (ConfigException e) {
      assertThat(e.problems()).hasSize(1);
      return e.problems().get(0);
    }
    throw new AssertionError("expected the document to be refused");
  }

  @Test
  void expandsEnvironmentVariablesAndAppliesDefaults() {
    GatewayConfig c = loader.parse(VALID, "g.yaml", null);
    assertThat(c.backend("echo").orElseThrow().url()).isEqualTo("http://127.0.0.1:9");
    ApiDef api = c.api("orders").orElseThrow();
    assertThat(api.subscriptionRequired()).isTrue();
    assertThat(api.protocols()).containsExactly("http", "https");
    assertThat(api.operations()).containsExactly(OperationDef.parse("GET /items/{id}"), OperationDef.parse("POST /items"));
    assertThat(c.subscriptions().get(0).primaryKey()).isEqualTo("alice-key-0123456789");
  }

  @Test
  void readsWebSocketSettingsWithSizesAndDefaults() {
    GatewayConfig c = loader.parse(VALID.replace("backend: echo", "backend: echo\n    websocket: {idleTimeout: 30s, maxMessageSize: 1MiB}"),
        "g.yaml", null);
    ApiDef.WebSocket ws = c.api("orders").orElseThrow().websocket();
    assertThat(ws.idleTimeout()).isEqualTo(java.time.Duration.ofSeconds(30));
    assertThat(ws.maxMessageSize()).isEqualTo(1024L * 1024);
    ApiDef.WebSocket defaults = loader.parse(VALID.replace("backend: echo", "backend: echo\n    websocket: {}"), "g.yaml", null)
        .api("orders").orElseThrow().websocket();
    assertThat(defaults).isEqualTo(new ApiDef.WebSocket(java.time.Duration.ofMinutes(5), 65536L));
    assertThat(loader.parse(VALID, "g.yaml", null).api("orders").orElseThrow().websocket()).isNull();
  }

  @Test
  void refusesAWebSocketMessageLimitOutOfRange() {
    ConfigProblem p = only(VALID.replace("backend: echo", "backend: echo\n    websocket: {maxMessageSize: 32MiB}"));
    assertThat(p.field()).isEqualTo("apis[0].websocket.maxMessageSize");
    assertThat(p.message()).contains("33554432");
    ConfigProblem bad = only(VALID.replace("backend: echo", "backend: echo\n    websocket: {maxMessageSize: 12 parsecs}"));
    assertThat(bad.message()).contains("64KiB");
  }

  @Test
  void reportsMissingEnvironmentVariableWithLine() {
    ConfigProblem p = only(VALID.replace("${env:ECHO_URL}", "${env:NOPE}"));
    assertThat(p.line()).isEqualTo(3);
    assertThat(p.message()).contains("NOPE");
  }

  @Test
  void reportsUnknownBackendWithFileLineAndField() {
    ConfigProblem p = only(VALID.replace("backend: echo", "backend: ecko"));
    assertThat(p.source()).isEqualTo("g.yaml");
    assertThat(p.line()).isEqualTo(7);
    assertThat(p.field()).isEqualTo("apis[0].backend");
    assertThat(p.message()).contains("unknown backend 'ecko'").contains("[echo]");
  }

  @Test
  void reportsUnknownFieldWithExpectedOnes() {
    ConfigProblem p = only(VALID.replace("    path: /orders", "    path: /orders\n    colour: red"));
    assertThat(p.line()).isEqualTo(7);
    assertThat(p.field()).isEqualTo("apis[0].colour");
    assertThat(p.message()).contains("unknown field 'colour'").contains("path");
  }

  @Test
  void reportsMissingRequiredFieldAtItsObject() {
    ConfigProblem p = only(VALID.replace("    path: /orders\n", ""));
    assertThat(p.line()).isEqualTo(5);
    assertThat(p.message()).isEqualTo("missing required field 'path'");
  }

  @Test
  void reportsMalformedOperation() {
    ConfigProblem p = only(VALID.replace("GET /items/{id}", "GET items"));
    assertThat(p.line()).isEqualTo(9);
    assertThat(p.field()).isEqualTo("apis[0].operations[0]");
    assertThat(p.message()).contains("METHOD /path");
  }

  @Test
  void reportsWrongTypeAndBadYaml() {
    assertThat(only(VALID.replace("subscriptions:", "subscriptions: 5\nx:")).message()).isNotBlank();
    ConfigProblem p = only("apis: [\n  {name: a\n");
    assertThat(p.message()).startsWith("not valid YAML");
    assertThat(p.line()).isGreaterThan(0);
  }

  @Test
  void refusesDuplicateKeysInYamlWithTheirLine() {
    ConfigProblem p = only(VALID.replace("    path: /orders\n", "    path: /orders\n    path: /shop\n"));
    assertThat(p.source()).isEqualTo("g.yaml");
    assertThat(p.line()).isEqualTo(7);
    assertThat(p.field()).isEqualTo("apis[0].path");
    assertThat(p.message()).contains("duplicate key 'path'");
    assertThat(p.toString()).startsWith("g.yaml:7:");
  }

  @Test
  void refusesDuplicateKeysInJsonFiles() {
    ConfigProblem p = only("{\"backends\": [],\n \"backends\": [{\"name\": \"x\", \"url\": \"http://h/\"}]}");
    assertThat(p.line()).isEqualTo(2);
    assertThat(p.field()).isEqualTo("backends");
    assertThat(p.message()).contains("duplicate key 'backends'");
  }

  @Test
  void typeAndSyntaxProblemsNameNoJavaInternals() {
    ConfigProblem list = only(VALID.replace("    path: /orders", "    path: [/orders]"));
    assertThat(list.field()).isEqualTo("apis[0].path");
    assertThat(list.message()).isEqualTo("expected a string but got a list");
    for (ConfigProblem p : java.util.List.of(list, only("apis: " + "[".repeat(1200)), only("settings: {maxBodySize: {a: 1}}"), only("apis: 5"),
        only("backends: [{name: b, url: http://h/, timeout: [1]}]"))) {
      assertThat(p.toString()).doesNotContain("java.", "com.fasterxml", "io.gatehouse", "Def", "JsonToken",
          "StreamReadConstraints", "`");
    }
  }

  @Test
  void refusesUserInfoInBackendUrlsWithoutShowingIt() {
    ConfigProblem p = only(VALID.replace("url: ${env:ECHO_URL}", "url: http://svc:hunter2-secret@127.0.0.1:9/"));
    assertThat(p.field()).isEqualTo("backends[0].url");
    assertThat(p.line()).isEqualTo(3);
    assertThat(p.message()).contains("user-info").contains("credentials").contains("http://***@127.0.0.1:9/")
        .doesNotContain("hunter2");
  }

  @Test
  void collectsSeveralSemanticProblems() {
    String bad = VALID.replace("scope: product:starter", "scope: product:nope").replace("path: /orders", "path: orders");
    assertThatThrownBy(() -> loader.parse(bad, "g.yaml", null))
        .isInstanceOf(ConfigException.class)
        .satisfies(e -> assertThat(((ConfigException) e).problems()).hasSize(2))
        .hasMessageContaining("g.yaml:6: apis[0].path")
        .hasMessageContaining("unknown product 'nope'");
  }

  @Test
  void refusesDuplicateNamesAndRoutes() {
    String dup = VALID.replace("products:", """
          - name: orders2
            path: /orders
            backend: echo
        products:""");
    assertThat(only(dup).message()).contains("already used by API 'orders'");
  }

  @Test
  void parsesDurationsAndInstants() {
    GatewayConfig c = loader.parse(VALID + """
        settings:
          backendTimeout: 1500ms
        """ + "", "g.yaml", null);
    assertThat(c.settings().backendTimeout().toMillis()).isEqualTo(1500);
    assertThat(only(VALID + "settings:\n  backendTimeout: soon\n").message()).contains("500ms, 30s");
  }

  @Test
  void keepingPlaceholdersNeedsNoEnvironmentAndLeavesTheValuesAsWritten() {
    GatewayConfig config = ConfigLoader.keepingPlaceholders().parse(VALID, "g.yaml", null);
    assertThat(config.backends().get(0).url()).isEqualTo("${env:ECHO_URL}");
    assertThat(config.subscriptions().get(0).primaryKey()).isEqualTo("${env:ALICE_KEY}");
    assertThatThrownBy(() -> ConfigLoader.withEnvironment(Map.of()).parse(VALID, "g.yaml", null))
        .isInstanceOf(ConfigException.class).hasMessageContaining("environment variable ECHO_URL is not set");
  }

  @Test
  void keepingPlaceholdersStillReportsProblemsElsewhere() {
    String bad = VALID.replace("path: /orders", "path: orders");
    assertThatThrownBy(() -> ConfigLoader.keepingPlaceholders().parse(bad, "g.yaml", null))
        .isInstanceOf(ConfigException.class)
        .satisfies(e -> assertThat(((ConfigException) e).problems()).singleElement()
            .hasToString("g.yaml:6: apis[0].path: expected a path starting with '/' but got 'orders'"));
  }

  @Test
  void addedCheckRunsOnceTheModelAcceptsAndItsProblemsAreLocated() {
    java.util.List<GatewayConfig> seen = new java.util.ArrayList<>();
    ConfigLoader checked = loader.withCheck(c -> {
      seen.add(c);
      return java.util.List.of(ConfigProblem.at("apis[0].operations[1]", "refused by the check"));
    });
    assertThatThrownBy(() -> checked.parse(VALID, "g.yaml", null))
        .isInstanceOf(ConfigException.class).hasMessage("g.yaml:10: apis[0].operations[1]: refused by the check");
    assertThat(seen).hasSize(1);
    assertThatThrownBy(() -> checked.parse(VALID.replace("backend: echo", "backend: none"), "g.yaml", null))
        .hasMessageContaining("unknown backend 'none'").hasMessageNotContaining("refused by the check");
    assertThat(seen).hasSize(1);
  }

  @Test
  void syntaxErrorsAreToldFromInvalidConfigurations() {
    assertThatThrownBy(() -> loader.parse("apis: [\n  {name: x\n", "g.yaml", null))
        .isInstanceOfSatisfying(ConfigException.class, e -> assertThat(e.unreadable()).isTrue());
    assertThatThrownBy(() -> loader.parse("apis: 3\n", "g.yaml", null))
        .isInstanceOfSatisfying(ConfigException.class, e -> assertThat(e.unreadable()).isFalse());
  }

  @Test
  void suppressionNeedsARuleAndAReason() {
    String base = VALID + "advisor:\n  suppress:\n";
    assertThat(only(base + "    - {rule: api.no-authentication, api: orders}\n"))
        .hasToString("g.yaml:20: advisor.suppress[0].reason: missing required field 'reason': say why the finding is"
            + " accepted, for example 'public by design'");
    assertThat(only(base + "    - {reason: public}\n").field()).isEqualTo("advisor.suppress[0].rule");
    assertThat(only(base + "    - {rule: api.no-authentication, api: nope, reason: public}\n").message())
        .isEqualTo("unknown API 'nope'; expected one of [orders]");
    GatewayConfig ok = loader.parse(base + "    - {rule: api.no-authentication, api: orders, reason: public}\n", "g.yaml", null);
    assertThat(ok.advisor().suppress()).containsExactly(
        new AdvisorDef.Suppression("api.no-authentication", "orders", "public"));
  }
}
