package io.gatehouse.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class OpenApiImporterTest {
  static final String OAS30 = """
      openapi: 3.0.3
      info: {title: t, version: "1"}
      paths:
        /pets:
          get: {responses: {"200": {description: ok}}}
          post: {responses: {"201": {description: ok}}}
        /pets/{petId}:
          get: {parameters: [{name: petId, in: path, required: true, schema: {type: string}}], responses: {"200": {description: ok}}}
      """;
  static final String OAS31 = OAS30.replace("3.0.3", "3.1.0");
  static final String SWAGGER2 = """
      swagger: "2.0"
      info: {title: t, version: "1"}
      paths:
        /users/{id}:
          delete: {parameters: [{name: id, in: path, required: true, type: string}], responses: {"204": {description: gone}}}
      """;

  OpenApiImporter importer = new OpenApiImporter();

  @Test
  void refusesExternalReferencesWithoutFetchingThem() throws Exception {
    java.util.concurrent.atomic.AtomicInteger fetches = new java.util.concurrent.atomic.AtomicInteger();
    com.sun.net.httpserver.HttpServer server =
        com.sun.net.httpserver.HttpServer.create(new java.net.InetSocketAddress("127.0.0.1", 0), 0);
    server.createContext("/", ex -> {
      fetches.incrementAndGet();
      byte[] body = "type: string\n".getBytes(java.nio.charset.StandardCharsets.UTF_8);
      ex.sendResponseHeaders(200, body.length);
      ex.getResponseBody().write(body);
      ex.close();
    });
    server.start();
    try {
      String url = "http://127.0.0.1:" + server.getAddress().getPort() + "/schema.yaml";
      String doc = "openapi: 3.0.3\ninfo: {title: t, version: '1'}\npaths:\n  /a:\n    get:\n"
          + "      parameters: [{name: q, in: query, schema: {$ref: '" + url + "'}}]\n"
          + "      responses: {'200': {description: ok}}\n";
      assertThatThrownBy(() -> new OpenApiImporter().operations(doc))
          .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("$ref '" + url + "' points outside");
      assertThatThrownBy(() -> new OpenApiImporter().operations(doc.replace(url, "/etc/passwd")))
          .hasMessageContaining("points outside");
      // The same document loaded as configuration sent over the network is refused as a problem.
      String config = "backends: [{name: b, url: 'http://127.0.0.1:9'}]\napis:\n  - name: a\n    path: /a\n"
          + "    backend: b\n    openapi:\n      inline: |\n" + doc.indent(8);
      assertThatThrownBy(() -> ConfigLoader.withEnvironment(Map.of()).inlineDocumentsOnly()
          .parse(config, "api", Path.of("."))).isInstanceOf(ConfigException.class).hasMessageContaining("points outside");
      assertThat(fetches).as("nothing was fetched").hasValue(0);
    } finally {
      server.stop(0);
    }
  }

  @Test
  void importsOpenApi30And31AndSwagger2() {
    assertThat(importer.operations(OAS30)).extracting(OperationDef::toString)
        .containsExactlyInAnyOrder("GET /pets", "POST /pets", "GET /pets/{petId}");
    assertThat(importer.operations(OAS31)).hasSize(3);
    assertThat(importer.operations(SWAGGER2)).extracting(OperationDef::toString).containsExactly("DELETE /users/{id}");
  }

  @Test
  void resolvesFileSourceIntoInlineTextWhenLoading(@TempDir Path dir) throws Exception {
    Files.writeString(dir.resolve("pets.yaml"), OAS30);
    Path cfg = dir.resolve("g.yaml");
    Files.writeString(cfg, """
        backends: [{name: b, url: "http://b"}]
        apis: [{name: pets, path: /pets, backend: b, openapi: {file: pets.yaml}}]
        """);
    GatewayConfig c = ConfigLoader.withEnvironment(Map.of()).load(cfg);
    ApiDef api = c.api("pets").orElseThrow();
    assertThat(api.openapi().inline()).isEqualTo(OAS30);
    assertThat(api.openapi().file()).isNull();
    assertThat(api.operations()).hasSize(3);
  }

  @Test
  void refusesSomethingThatIsNotOpenApi() {
    assertThatThrownBy(() -> importer.operations("hello: world")).hasMessageContaining("not an OpenAPI");
    assertThatThrownBy(() -> ConfigLoader.withEnvironment(Map.of()).parse("""
        backends: [{name: b, url: "http://b"}]
        apis: [{name: pets, path: /pets, backend: b, openapi: {inline: "nope: 1"}}]
        """, "g", null)).isInstanceOf(ConfigException.class).hasMessageContaining("apis[0].openapi");
  }

  static String resource(String name) throws Exception {
    try (var in = OpenApiImporterTest.class.getResourceAsStream("/openapi/" + name)) {
      return new String(in.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
    }
  }

  @Test
  void importsTheFirstServersPathAsBasePathWithVariableDefaults() throws Exception {
    assertThat(importer.operations(resource("routes.yaml"))).extracting(OperationDef::toString).contains(
        "GET /v1/ip/{ipv4}.txt", "GET /v1/ip/current.txt", "GET /v1/v{version}/{format}", "GET /v1/{year}/{month}.json",
        "POST /v1/projects/{resource}:getIamPolicy");
    assertThat(importer.operations(OAS30.replace("paths:", "servers: [{url: 'https://api.example.com/v2/'}]\npaths:")))
        .extracting(OperationDef::toString).contains("GET /v2/pets");
    assertThat(importer.operations(OAS30.replace("paths:", "servers: [{url: /relative}]\npaths:")))
        .extracting(OperationDef::toString).contains("GET /relative/pets");
    assertThat(importer.operations(OAS30.replace("paths:", "servers: [{url: 'https://api.example.com'}]\npaths:")))
        .extracting(OperationDef::toString).contains("GET /pets");
    assertThat(importer.operations(SWAGGER2.replace("paths:", "basePath: /api\npaths:")))
        .extracting(OperationDef::toString).containsExactly("DELETE /api/users/{id}");
    assertThatThrownBy(() -> importer.operations(OAS30.replace("paths:", "servers: [{url: 'https://x/{base}'}]\npaths:")))
        .hasMessageContaining("cannot import the OpenAPI document: servers[0].url 'https://x/{base}' uses the variable {base} without a default");
  }

  @Test
  void importsTemplatesInsideSegmentsAndDropsFragmentsFromRoutes() throws Exception {
    List<OperationDef> ops = importer.operations(resource("routes.yaml"));
    assertThat(ops).extracting(OperationDef::toString).contains("GET /v1/tags/{resourceArn}", "DELETE /v1/tags/{resourceArn}");
    assertThat(ops).filteredOn(op -> "untagResource".equals(op.operationId()))
        .extracting(OperationDef::toString).containsExactly("DELETE /v1/tags/{resourceArn}");
    // The configuration they make is valid.
    GatewayConfig c = ConfigLoader.withEnvironment(Map.of()).parse(config(resource("routes.yaml"), ""), "g", null);
    assertThat(c.apis().get(0).operations()).hasSize(7);
  }

  @Test
  void namesOperationsByOperationIdAndByTheDocumentsOwnPath() throws Exception {
    String operations = """
        operations:
          - operationId: currentIp
            policies: {inbound: [{set-header: {name: X-Op, value: current}}]}
          - operation: GET /ip/{ipv4}.txt
            policies: {inbound: [{set-header: {name: X-Op, value: ip}}]}
          - operation: GET /v1/{year}/{month}.json
            policies: {inbound: [{set-header: {name: X-Op, value: month}}]}
          - GET /health
        """;
    GatewayConfig c = ConfigLoader.withEnvironment(Map.of()).parse(config(resource("routes.yaml"), operations), "g", null);
    List<OperationDef> ops = c.apis().get(0).operations();
    assertThat(ops.subList(0, 4)).extracting(OperationDef::toString).containsExactly(
        "GET /v1/ip/current.txt", "GET /v1/ip/{ipv4}.txt", "GET /v1/{year}/{month}.json", "GET /health");
    assertThat(ops.subList(0, 3)).allSatisfy(op -> assertThat(op.policies().isEmpty()).isFalse());
    assertThat(ops.get(0).operationId()).isEqualTo("currentIp");
    assertThat(ops).hasSize(8);
    // Written back by method and path; reading that back finds the same operations.
    String written = ConfigMapper.yaml().writeValueAsString(c);
    assertThat(written).contains("- operation: GET /v1/ip/current.txt").doesNotContain("- operationId: currentIp");
  }

  @Test
  void refusesAnOperationIdTheDocumentDoesNotDeclare() throws Exception {
    String operations = """
        operations:
          - operationId: currentIP
            policies: {inbound: [{set-header: {name: X-Op, value: current}}]}
        """;
    assertThatThrownBy(() -> ConfigLoader.withEnvironment(Map.of()).parse(config(resource("routes.yaml"), operations), "g", null))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("apis[0].operations[0]: operationId 'currentIP' is not in the API's OpenAPI document; expected one of [currentIp,");
    assertThatThrownBy(() -> ConfigLoader.withEnvironment(Map.of()).parse("""
        backends: [{name: b, url: "http://b"}]
        apis: [{name: a, path: /a, backend: b, operations: [{operationId: getPet}]}]
        """, "g", null)).hasMessageContaining("operationId 'getPet' names an operation of the API's OpenAPI document, but the API has no 'openapi'");
  }

  @Test
  void importsSelfAndMutuallyRecursiveSchemasKeepingThemAsReferences() throws Exception {
    String doc = resource("recursive.yaml");
    assertThat(importer.operations(doc)).extracting(OperationDef::toString).containsExactly("POST /trees", "POST /people");
    io.swagger.v3.oas.models.OpenAPI api = importer.parse(doc);
    assertThat(((io.swagger.v3.oas.models.media.Schema<?>) api.getComponents().getSchemas().get("Node").getProperties().get("children")).getItems().get$ref())
        .isEqualTo("#/components/schemas/Node");
    assertThat(api.getPaths().get("/people").getPost().getRequestBody().getContent().get("application/json").getSchema().get$ref())
        .isEqualTo("#/components/schemas/Person");
  }

  @Test
  void turnsAParserStackOverflowIntoARefusal() throws Exception {
    // 900 nested schemas: within the reading limits, too deep for the parser on a small stack.
    String nested = "{\"type\":\"object\",\"properties\":{\"a\":".repeat(450) + "{\"type\":\"string\"}" + "}}".repeat(450);
    String doc = "{\"openapi\":\"3.0.3\",\"info\":{\"title\":\"t\",\"version\":\"1\"},\"paths\":{},"
        + "\"components\":{\"schemas\":{\"Deep\":" + nested + "}}}";
    java.util.concurrent.atomic.AtomicReference<Throwable> thrown = new java.util.concurrent.atomic.AtomicReference<>();
    Thread t = new Thread(null, () -> {
      try {
        importer.parse(doc);
      } catch (Throwable e) {
        thrown.set(e);
      }
    }, "small-stack", 64 * 1024);
    t.start();
    t.join();
    assertThat(thrown.get()).isInstanceOf(IllegalArgumentException.class)
        .hasMessage("not an OpenAPI 3.x or Swagger 2.0 document: its structure is nested or recursive too deeply to read");
  }

  @Test
  void readsJsonAsJsonEvenWhereItIsNotValidYaml() {
    // "\/" is a JSON escape that YAML 1.1 does not know; a tab before a value is fine in JSON.
    String doc = "{\"openapi\":\"3.0.3\",\"info\":{\"title\":\"a\\/b\",\"version\":\"1\"},\"paths\":{\"/pets\":{\"get\":"
        + "{\"responses\":{\"200\":{\"description\":\t\"ok\"}}}}}}";
    assertThat(importer.operations(doc)).extracting(OperationDef::toString).containsExactly("GET /pets");
  }

  @Test
  void importsDescriptionsLargerThanTheYamlParsersDefaultLimit() {
    StringBuilder json = new StringBuilder("{\"openapi\":\"3.0.3\",\"info\":{\"title\":\"big\",\"version\":\"1\"},\"paths\":{");
    StringBuilder yaml = new StringBuilder("openapi: 3.0.3\ninfo: {title: big, version: '1'}\npaths:\n");
    String description = "x".repeat(400);
    for (int i = 0; i < 10_000; i++) {
      json.append(i == 0 ? "" : ",").append("\"/items").append(i).append("\":{\"get\":{\"description\":\"")
          .append(description).append("\",\"responses\":{\"200\":{\"description\":\"ok\"}}}}");
      yaml.append("  /items").append(i).append(":\n    get:\n      description: ").append(description)
          .append("\n      responses: {'200': {description: ok}}\n");
    }
    json.append("}}");
    assertThat(json.length()).isGreaterThan(4 * 1024 * 1024);
    assertThat(yaml.length()).isGreaterThan(4 * 1024 * 1024);
    assertThat(importer.operations(json.toString())).hasSize(10_000);
    assertThat(importer.operations(yaml.toString())).hasSize(10_000);
  }

  @Test
  void loadsAConfigurationCarryingALargeDescriptionInline() {
    StringBuilder doc = new StringBuilder("openapi: 3.0.3\ninfo: {title: big, version: '1'}\npaths:\n");
    for (int i = 0; i < 10_000; i++) {
      doc.append("  /items").append(i).append(":\n    get:\n      description: ").append("x".repeat(400))
          .append("\n      responses: {'200': {description: ok}}\n");
    }
    String config = config(doc.toString(), "");
    assertThat(config.length()).isGreaterThan(4 * 1024 * 1024);
    assertThat(ConfigLoader.withEnvironment(Map.of()).parse(config, "g", null).apis().get(0).operations()).hasSize(10_000);
  }

  @Test
  void refusesADescriptionLargerThanTheLimitSayingSo(@TempDir Path dir) throws Exception {
    String huge = "openapi: 3.0.3\ninfo: {title: t, version: '1'}\npaths: {}\n#" + "x".repeat(OpenApiImporter.MAX_DOCUMENT_SIZE);
    assertThatThrownBy(() -> importer.operations(huge)).hasMessageContaining("larger than the 64 MB limit");
    Files.writeString(dir.resolve("huge.yaml"), huge);
    Files.writeString(dir.resolve("g.yaml"), "backends: [{name: b, url: 'http://b'}]\n"
        + "apis: [{name: a, path: /a, backend: b, openapi: {file: huge.yaml}}]\n");
    assertThatThrownBy(() -> ConfigLoader.withEnvironment(Map.of()).load(dir.resolve("g.yaml")))
        .hasMessageContaining("apis[0].openapi: file 'huge.yaml': the document has 67108921 bytes (64.0 MB), larger than the 64 MB limit")
        .hasMessageNotContaining("expected one of 'file'");
  }

  @Test
  void namesTheLineAndColumnOfMalformedJsonAndYaml() {
    assertThatThrownBy(() -> importer.operations("{\"openapi\": \"3.0.3\",\n  \"info\": {,}\n}"))
        .hasMessageStartingWith("not an OpenAPI 3.x or Swagger 2.0 document: line 2, column 12: not valid JSON");
    assertThatThrownBy(() -> importer.operations("openapi: 3.0.3\ninfo: [\n"))
        .hasMessageContaining("not valid YAML");
    assertThatThrownBy(() -> importer.operations("openapi: 4.0.0\ninfo: {}\n"))
        .hasMessageContaining("expected 'openapi: 3.0.x' or '3.1.x', or 'swagger: \"2.0\"' but got openapi: '4.0.0'");
  }

  static String config(String doc, String operations) {
    return """
        backends: [{name: b, url: "http://b"}]
        apis:
          - name: a
            path: /a
            backend: b
        %s
            openapi:
              inline: |
        %s
        """.formatted(operations.indent(4).stripTrailing(), doc.indent(8).stripTrailing());
  }
}
