package io.gatehouse.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
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
}
