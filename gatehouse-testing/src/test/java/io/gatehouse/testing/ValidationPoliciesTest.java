package io.gatehouse.testing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.gatehouse.model.ConfigException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.function.Consumer;
import io.vertx.core.http.HttpServerRequest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The OpenAPI validation policies through the real gateway. */
class ValidationPoliciesTest {
  @RegisterExtension static final GatehouseExtension GH = GatehouseExtension.create();

  static final String DOC = """
      openapi: 3.0.3
      info: {title: orders, version: "1"}
      paths:
        /items/{id}:
          parameters:
            - {name: id, in: path, required: true, schema: {type: integer, minimum: 1}}
          get:
            parameters:
              - {name: verbose, in: query, schema: {type: boolean}}
              - {name: fields, in: query, schema: {type: array, items: {type: string, enum: [name, price]}}}
              - {name: X-Tenant, in: header, required: true, schema: {type: string, pattern: "^[a-z]+$"}}
            responses:
              "200":
                description: ok
                headers:
                  X-Version: {required: true, schema: {type: integer}}
                content:
                  application/json:
                    schema: {$ref: '#/components/schemas/Item'}
              "404": {description: missing}
        /items:
          post:
            requestBody:
              required: true
              content:
                application/json:
                  schema: {$ref: '#/components/schemas/NewItem'}
            responses:
              "201": {description: created}
      components:
        schemas:
          NewItem:
            type: object
            required: [name, price]
            additionalProperties: false
            properties:
              name: {type: string, minLength: 1}
              price: {type: number, minimum: 0}
              tags: {type: array, items: {$ref: '#/components/schemas/Tag'}}
          Tag: {type: string, maxLength: 8}
          Item:
            type: object
            required: [id, name]
            properties:
              id: {type: integer}
              name: {type: string}
      """;

  static void api(String policies) {
    GH.apply("""
        backends:
          - name: echo
            url: ${env:UPSTREAM_URL}
        apis:
          - name: orders
            path: /orders
            backend: echo
            subscriptionRequired: false
            openapi:
              inline: |
        %s
            policies:
        %s
        """.formatted(DOC.indent(8).stripTrailing(), policies.indent(6).stripTrailing()));
  }

  static HttpResponse<String> post(String path, String contentType, String body) throws Exception {
    HttpRequest.Builder b = GH.request(path).POST(HttpRequest.BodyPublishers.ofString(body));
    if (contentType != null) {
      b.header("Content-Type", contentType);
    }
    return GH.send(b.build());
  }

  static void respond(int status, Consumer<HttpServerRequest> extra, String json) {
    GH.upstream().respondWith(req -> {
      extra.accept(req);
      req.response().setStatusCode(status).putHeader("Content-Type", "application/json").end(json);
    });
  }

  // ------------------------------------------------------------------ validate-content

  @Test
  void validateContentPassesAValidBodyAndRefusesBadOnesWithTheirLocation() throws Exception {
    api("""
        inbound:
          - validate-content: {maxSize: 256}
        """);
    HttpResponse<String> ok = post("/orders/items", "application/json", "{\"name\":\"pen\",\"price\":2.5,\"tags\":[\"office\"]}");
    assertThat(ok.statusCode()).isEqualTo(200);
    assertThat(GH.upstream().take(5).bodyText()).contains("\"pen\"");

    HttpResponse<String> bad = post("/orders/items", "application/json; charset=utf-8", "{\"name\":\"pen\",\"price\":-1}");
    assertThat(bad.statusCode()).isEqualTo(400);
    assertThat(bad.headers().firstValue("Content-Type")).hasValue("application/problem+json");
    assertThat(bad.body()).contains("\"pointer\":\"/price\"").contains("\"in\":\"body\"");
    assertThat(post("/orders/items", "application/json", "{\"name\":\"pen\",\"price\":1,\"tags\":[\"far-too-long\"]}").body())
        .contains("\"pointer\":\"/tags/0\"");
    assertThat(post("/orders/items", "application/json", "{\"price\":1}").statusCode()).isEqualTo(400);
    assertThat(post("/orders/items", "application/json", "{\"name\":\"a\",\"price\":1,\"admin\":true}").statusCode()).isEqualTo(400);
    assertThat(post("/orders/items", "application/json", "{\"name\":\"a\",\"price\":1,\"name\":\"b\"}").body()).contains("malformed JSON");
    assertThat(post("/orders/items", "application/json", "{\"name\":").statusCode()).isEqualTo(400);
    assertThat(post("/orders/items", "text/plain", "name=pen").statusCode()).isEqualTo(415);
    assertThat(post("/orders/items", null, "{\"name\":\"pen\",\"price\":1}").statusCode()).isEqualTo(415);
    assertThat(post("/orders/items", "application/json", "").statusCode()).isEqualTo(400);
    assertThat(post("/orders/items", "application/json", "{\"name\":\"" + "x".repeat(300) + "\",\"price\":1}").statusCode())
        .isEqualTo(413);
    assertThat(GH.upstream().drain()).isEmpty();
  }

  @Test
  void validateContentInDetectModeLetsTheRequestThroughAndRecordsIt() throws Exception {
    api("""
        inbound:
          - validate-content: {action: detect, unspecifiedContentType: detect}
          - set-header:
              name: X-Violations
              expression: "'validation-violations' in variables ? string(size(variables['validation-violations'])) + ' ' + variables['validation-violations'][0]['pointer'] : 'none'"
        """);
    assertThat(post("/orders/items", "application/json", "{\"name\":\"pen\",\"price\":-1}").statusCode()).isEqualTo(200);
    assertThat(GH.upstream().take(5).header("X-Violations")).isEqualTo("1 /price");
    assertThat(post("/orders/items", "application/json", "{\"name\":\"pen\",\"price\":1}").statusCode()).isEqualTo(200);
    assertThat(GH.upstream().take(5).header("X-Violations")).isEqualTo("none");
  }

  @Test
  void validateContentOnResponsesRefusesABodyOutsideTheContract() throws Exception {
    api("""
        outbound:
          - validate-content: {}
        """);
    respond(200, r -> { }, "{\"id\":7,\"name\":\"pen\"}");
    assertThat(GH.get("/orders/items/7").statusCode()).isEqualTo(200);
    respond(200, r -> { }, "{\"name\":\"pen\"}");
    HttpResponse<String> bad = GH.get("/orders/items/7");
    assertThat(bad.statusCode()).isEqualTo(502);
    assertThat(bad.body()).contains("\"in\":\"body\"").doesNotContain("\"name\":\"pen\"");
  }

  // ------------------------------------------------------------------ validate-parameters

  @Test
  void validateParametersChecksPathQueryAndHeaderParameters() throws Exception {
    api("""
        inbound:
          - validate-parameters: {unspecifiedParameters: prevent}
        """);
    assertThat(GH.get("/orders/items/7?verbose=true&fields=name,price", "X-Tenant", "acme").statusCode()).isEqualTo(200);
    assertThat(GH.get("/orders/items/7?fields=name&fields=price", "X-Tenant", "acme").statusCode()).isEqualTo(200);
    assertThat(GH.upstream().drain()).hasSize(2);
    HttpResponse<String> notInt = GH.get("/orders/items/abc", "X-Tenant", "acme");
    assertThat(notInt.statusCode()).isEqualTo(400);
    assertThat(notInt.body()).contains("\"in\":\"path\"").contains("\"name\":\"id\"");
    assertThat(GH.get("/orders/items/0", "X-Tenant", "acme").statusCode()).isEqualTo(400);
    assertThat(GH.get("/orders/items/7").body()).contains("\"name\":\"X-Tenant\"").contains("missing");
    assertThat(GH.get("/orders/items/7", "X-Tenant", "ACME!").statusCode()).isEqualTo(400);
    assertThat(GH.get("/orders/items/7?verbose=maybe", "X-Tenant", "acme").body()).contains("\"name\":\"verbose\"");
    assertThat(GH.get("/orders/items/7?fields=colour", "X-Tenant", "acme").statusCode()).isEqualTo(400);
    assertThat(GH.get("/orders/items/7?debug=1", "X-Tenant", "acme").body()).contains("\"name\":\"debug\"").contains("undeclared");
    assertThat(GH.upstream().drain()).isEmpty();
  }

  @Test
  void validateParametersInDetectModeLetsTheRequestThrough() throws Exception {
    api("""
        inbound:
          - validate-parameters: {action: detect}
        """);
    assertThat(GH.get("/orders/items/abc?debug=1").statusCode()).isEqualTo(200);
    assertThat(GH.upstream().drain()).hasSize(1);
  }

  // ------------------------------------------------------------------ validate-status-code, validate-headers

  @Test
  void validateStatusCodeRefusesUndeclaredStatuses() throws Exception {
    api("""
        outbound:
          - validate-status-code: {}
        """);
    respond(404, r -> { }, "{}");
    assertThat(GH.get("/orders/items/7").statusCode()).isEqualTo(404);
    respond(500, r -> { }, "{\"trace\":\"secret stack\"}");
    HttpResponse<String> bad = GH.get("/orders/items/7");
    assertThat(bad.statusCode()).isEqualTo(502);
    assertThat(bad.body()).contains("\"in\":\"status\"").doesNotContain("secret stack");
    api("""
        outbound:
          - validate-status-code: {action: detect}
        """);
    assertThat(GH.get("/orders/items/7").statusCode()).isEqualTo(500);
  }

  @Test
  void validateHeadersChecksDeclaredAndUndeclaredResponseHeaders() throws Exception {
    api("""
        outbound:
          - validate-headers: {unspecifiedHeaders: prevent, ignoredHeaders: [X-Trace]}
        """);
    respond(200, r -> r.response().putHeader("X-Version", "3").putHeader("X-Trace", "t"), "{\"id\":1,\"name\":\"a\"}");
    assertThat(GH.get("/orders/items/7").statusCode()).isEqualTo(200);
    respond(200, r -> { }, "{\"id\":1,\"name\":\"a\"}");
    assertThat(GH.get("/orders/items/7").body()).contains("\"name\":\"X-Version\"").contains("missing");
    respond(200, r -> r.response().putHeader("X-Version", "three"), "{}");
    assertThat(GH.get("/orders/items/7").statusCode()).isEqualTo(502);
    respond(200, r -> r.response().putHeader("X-Version", "3").putHeader("X-Debug", "internal"), "{}");
    HttpResponse<String> undeclared = GH.get("/orders/items/7");
    assertThat(undeclared.statusCode()).isEqualTo(502);
    assertThat(undeclared.headers().firstValue("X-Debug")).isEmpty();
  }

  // ------------------------------------------------------------------ configuration

  @Test
  void refusesValidationWithoutAnOpenApiDocument() {
    assertThatThrownBy(() -> GH.apply("""
        backends:
          - name: echo
            url: ${env:UPSTREAM_URL}
        policies:
          inbound:
            - validate-content: {}
        apis:
          - name: orders
            path: /orders
            backend: echo
        """)).isInstanceOf(ConfigException.class)
        .hasMessageContaining("policies.inbound[0].validate-content").hasMessageContaining("not globally");
    assertThatThrownBy(() -> GH.apply("""
        backends:
          - name: echo
            url: ${env:UPSTREAM_URL}
        apis:
          - name: orders
            path: /orders
            backend: echo
            policies:
              inbound:
                - validate-parameters: {}
        """)).isInstanceOf(ConfigException.class)
        .hasMessageContaining("apis[0].policies.inbound[0].validate-parameters").hasMessageContaining("has no 'openapi'");
    assertThatThrownBy(() -> api("""
        inbound:
          - validate-content: {action: block}
        """)).isInstanceOf(ConfigException.class)
        .hasMessageContaining("validate-content.action").hasMessageContaining("expected one of [prevent, detect]");
  }
}
