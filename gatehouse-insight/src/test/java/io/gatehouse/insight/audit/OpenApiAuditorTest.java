package io.gatehouse.insight.audit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.gatehouse.insight.Finding;
import io.gatehouse.insight.Severity;
import java.util.List;
import org.junit.jupiter.api.Test;

class OpenApiAuditorTest {
  /** A spec with every good practice; {@code %s} is replaced by variations. */
  private static String spec(String servers, String security, String params, String body, String responses) {
    return """
        openapi: 3.0.3
        info: {title: t, version: '1'}
        servers: [%s]
        %s
        components:
          securitySchemes:
            key: {type: apiKey, in: header, name: X-Key}
        paths:
          /items:
            post:
              parameters: [%s]
              requestBody:
                content:
                  application/json:
                    schema: %s
              responses: %s
        """.formatted(servers, security, params, body, responses);
  }

  private static final String SERVERS = "{url: 'https://api.example.com'}";
  private static final String SECURITY = "security: [{key: []}]";
  private static final String PARAMS = "{name: q, in: query, schema: {type: string, maxLength: 20}}";
  private static final String BODY = "{type: object, additionalProperties: false, properties: {"
      + "name: {type: string, maxLength: 50}, tags: {type: array, maxItems: 5, items: {type: string, enum: [a, b]}},"
      + "qty: {type: integer, minimum: 1, maximum: 10}, when: {type: string, format: date}}}";
  private static final String RESPONSES = "{'200': {description: ok}, '400': {description: bad}}";

  private static List<String> rules(String doc) {
    return OpenApiAuditor.audit(doc).stream().map(Finding::rule).toList();
  }

  @Test
  void cleanSpecHasNoFindings() {
    assertThat(OpenApiAuditor.audit(spec(SERVERS, SECURITY, PARAMS, BODY, RESPONSES))).isEmpty();
  }

  @Test
  void flagsOperationsWithoutSecurity() {
    assertThat(rules(spec(SERVERS, "", PARAMS, BODY, RESPONSES))).containsExactly(OpenApiAuditor.NO_SECURITY);
    assertThat(rules(spec(SERVERS, "security: [{}]", PARAMS, BODY, RESPONSES))).containsExactly(OpenApiAuditor.NO_SECURITY);
  }

  @Test
  void flagsUnboundedStringsButNotEnumsOrDates() {
    assertThat(rules(spec(SERVERS, SECURITY, "{name: q, in: query, schema: {type: string}}", BODY, RESPONSES)))
        .containsExactly(OpenApiAuditor.STRING_UNBOUNDED);
    assertThat(rules(spec(SERVERS, SECURITY, "{name: q, in: query, schema: {type: string, pattern: '^[a-z]+$'}}", BODY, RESPONSES)))
        .isEmpty();
  }

  @Test
  void flagsArraysWithoutMaxItems() {
    String body = BODY.replace("maxItems: 5, ", "");
    assertThat(rules(spec(SERVERS, SECURITY, PARAMS, body, RESPONSES))).containsExactly(OpenApiAuditor.ARRAY_UNBOUNDED);
  }

  @Test
  void flagsNumbersWithoutRange() {
    String body = BODY.replace("minimum: 1, maximum: 10", "minimum: 1");
    assertThat(rules(spec(SERVERS, SECURITY, PARAMS, body, RESPONSES))).containsExactly(OpenApiAuditor.NUMBER_UNBOUNDED);
  }

  @Test
  void flagsBodiesAllowingAdditionalProperties() {
    String body = BODY.replace("additionalProperties: false, ", "");
    assertThat(rules(spec(SERVERS, SECURITY, PARAMS, body, RESPONSES)))
        .containsExactly(OpenApiAuditor.ADDITIONAL_PROPERTIES);
  }

  @Test
  void flagsOperationsWithout4xx() {
    assertThat(rules(spec(SERVERS, SECURITY, PARAMS, BODY, "{'200': {description: ok}}")))
        .containsExactly(OpenApiAuditor.NO_4XX);
  }

  @Test
  void flagsPlainHttpServers() {
    assertThat(rules(spec("{url: 'http://api.example.com'}", SECURITY, PARAMS, BODY, RESPONSES)))
        .containsExactly(OpenApiAuditor.HTTP_SERVER);
    assertThat(rules(spec("{url: 'http://localhost:8080'}", SECURITY, PARAMS, BODY, RESPONSES))).isEmpty();
  }

  @Test
  void flagsCredentialsAndPersonalDataInQuery() {
    List<Finding> f = OpenApiAuditor.audit(spec(SERVERS, SECURITY,
        "{name: api_key, in: query, schema: {type: string, maxLength: 40}}, {name: email, in: query, schema: {type: string, format: email}}",
        BODY, RESPONSES));
    assertThat(f).extracting(Finding::rule).containsExactly(OpenApiAuditor.SENSITIVE_QUERY, OpenApiAuditor.SENSITIVE_QUERY);
    assertThat(f).extracting(Finding::severity).containsExactly(Severity.HIGH, Severity.MEDIUM);
    assertThat(f.get(0).owasp()).startsWith("API2:2023");
  }

  @Test
  void readsSwagger2AndOpenApi31() {
    String swagger = """
        {"swagger": "2.0", "info": {"title": "t", "version": "1"}, "host": "api.example.com",
         "schemes": ["http"], "paths": {"/a": {"get": {"responses": {"200": {"description": "ok"}}}}}}
        """;
    assertThat(rules(swagger)).contains(OpenApiAuditor.NO_SECURITY, OpenApiAuditor.NO_4XX, OpenApiAuditor.HTTP_SERVER);
    String v31 = """
        openapi: 3.1.0
        info: {title: t, version: '1'}
        paths:
          /a:
            get:
              parameters: [{name: n, in: query, schema: {type: [integer, 'null']}}]
              responses: {'200': {description: ok}}
        """;
    assertThat(rules(v31)).contains(OpenApiAuditor.NUMBER_UNBOUNDED);
  }

  @Test
  void rejectsDocumentsThatAreNotOpenApi() {
    assertThatThrownBy(() -> OpenApiAuditor.audit("hello: world")).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("OpenAPI");
  }

  @Test
  void auditsSelfAndMutuallyRecursiveSchemasThroughTheirReferences() {
    String doc = """
        openapi: 3.0.3
        info: {title: t, version: "1"}
        servers: [{url: "https://api.example.com"}]
        security: [{key: []}]
        paths:
          /trees:
            post:
              requestBody: {content: {application/json: {schema: {$ref: '#/components/schemas/Node'}}}}
              responses: {"201": {description: ok}, "400": {description: bad}}
          /people:
            post:
              requestBody: {content: {application/json: {schema: {$ref: '#/components/schemas/Person'}}}}
              responses: {"201": {description: ok}, "400": {description: bad}}
        components:
          securitySchemes: {key: {type: apiKey, in: header, name: X-Key}}
          schemas:
            Node:
              type: object
              additionalProperties: false
              properties:
                children: {type: array, maxItems: 5, items: {$ref: '#/components/schemas/Node'}}
                label: {type: string}
            Person:
              type: object
              additionalProperties: false
              properties:
                employer: {$ref: '#/components/schemas/Company'}
            Company:
              type: object
              additionalProperties: false
              properties:
                staff: {type: array, items: {$ref: '#/components/schemas/Person'}}
        """;
    List<Finding> findings = OpenApiAuditor.audit(doc);
    assertThat(findings).extracting(Finding::rule)
        .containsExactlyInAnyOrder(OpenApiAuditor.STRING_UNBOUNDED, OpenApiAuditor.ARRAY_UNBOUNDED);
    assertThat(findings).extracting(Finding::resource).anyMatch(r -> r.contains("label"))
        .anyMatch(r -> r.contains("employer.staff"));
  }

  @Test
  void refusesExternalReferencesInsteadOfFetchingThem() {
    String doc = "openapi: 3.0.3\ninfo: {title: t, version: '1'}\npaths:\n  /a:\n    get:\n"
        + "      parameters: [{name: q, in: query, schema: {$ref: 'http://127.0.0.1:9/schema.yaml'}}]\n"
        + "      responses: {'200': {description: ok}}\n";
    assertThatThrownBy(() -> OpenApiAuditor.audit(doc)).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("points outside the document");
  }
}
