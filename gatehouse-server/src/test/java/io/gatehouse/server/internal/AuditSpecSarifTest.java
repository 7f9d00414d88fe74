package io.gatehouse.server.internal;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.gatehouse.server.Main;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/** {@code audit-spec --format sarif} points each finding at the line of the document where its subject is written. */
class AuditSpecSarifTest {
  static final ObjectMapper JSON = new ObjectMapper();

  // line numbers matter: the assertions below name them
  static final String SPEC = """
      openapi: 3.0.3
      info: {title: t, version: "1"}
      servers:
        - url: https://api.example.com
        - url: http://api.example.com
      paths:
        /items:
          get:
            parameters:
              - {name: limit, in: query, schema: {type: integer, minimum: 1, maximum: 50}}
              - {name: api_key, in: query, schema: {type: string, maxLength: 64}}
            responses:
              "200": {description: ok}
          post:
            security: [{key: []}]
            requestBody:
              content:
                application/json:
                  schema: {$ref: "#/components/schemas/Item"}
            responses:
              "400": {description: bad}
      components:
        securitySchemes:
          key: {type: apiKey, in: header, name: X-Key}
        schemas:
          Item:
            type: object
            additionalProperties: false
            properties:
              name:
                type: string
              tags:
                type: array
                maxItems: 5
                items: {type: string, maxLength: 10}
      """;

  static final String SWAGGER = """
      swagger: "2.0"
      info: {title: t, version: "1"}
      host: api.example.com
      schemes: [http]
      paths:
        /orders/{id}:
          get:
            parameters:
              - {name: id, in: path, required: true, type: string}
            responses:
              "404": {description: missing}
      """;

  final StringWriter out = new StringWriter();

  JsonNode sarif(Path file) {
    CommandLine cli = new CommandLine(new Main());
    cli.setCaseInsensitiveEnumValuesAllowed(true);
    cli.setOut(new PrintWriter(out, true));
    cli.setErr(new PrintWriter(new StringWriter(), true));
    cli.execute("audit-spec", file.toString(), "--format", "sarif");
    try {
      return JSON.readTree(out.toString());
    } catch (Exception e) {
      throw new AssertionError(out.toString(), e);
    } finally {
      out.getBuffer().setLength(0);
    }
  }

  /** Each result as "rule resource" to its start line, checking the artifact location on the way. */
  static Map<String, Integer> lines(JsonNode sarif, String uri) {
    Map<String, Integer> lines = new TreeMap<>();
    for (JsonNode r : sarif.at("/runs/0/results")) {
      JsonNode physical = r.at("/locations/0/physicalLocation");
      assertThat(physical.at("/artifactLocation/uri").asText()).isEqualTo(uri);
      assertThat(physical.at("/artifactLocation/uriBaseId").asText()).isEqualTo("%SRCROOT%");
      lines.put(r.get("ruleId").asText() + " " + r.at("/locations/0/logicalLocations/0/fullyQualifiedName").asText(),
          physical.at("/region/startLine").asInt());
    }
    return lines;
  }

  @Test
  void eachFindingHasTheLineOfItsServerOperationParameterOrSchemaProperty() throws Exception {
    Path file = Path.of("target", "audit-spec-sarif", "api.yaml");
    Files.createDirectories(file.getParent());
    Files.writeString(file, SPEC);

    Map<String, Integer> lines = lines(sarif(file.toAbsolutePath()), "target/audit-spec-sarif/api.yaml");

    assertThat(lines).containsExactlyInAnyOrderEntriesOf(Map.of(
        "openapi.http-server servers http://api.example.com", 5,
        "openapi.operation-without-security GET /items", 8,
        "openapi.operation-without-4xx GET /items", 8,
        "openapi.sensitive-query-parameter GET /items query parameter 'api_key'", 11,
        // through the $ref, at the property of the schema that declares it
        "openapi.string-without-max-length POST /items request body (application/json).name", 30));
  }

  @Test
  void swaggerTwoFindingsPointAtTheSchemesAndTheOperation() throws Exception {
    Path file = Path.of("target", "audit-spec-sarif", "swagger.yaml");
    Files.createDirectories(file.getParent());
    Files.writeString(file, SWAGGER);

    Map<String, Integer> lines = lines(sarif(file), "target/audit-spec-sarif/swagger.yaml");

    assertThat(lines).containsExactlyInAnyOrderEntriesOf(Map.of(
        "openapi.http-server servers http://api.example.com/", 4, // built from schemes and host
        "openapi.operation-without-security GET /orders/{id}", 7,
        "openapi.string-without-max-length GET /orders/{id} path parameter 'id'", 9));
  }
}
