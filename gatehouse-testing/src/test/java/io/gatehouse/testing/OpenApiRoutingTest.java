package io.gatehouse.testing;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * An imported OpenAPI description through the real gateway: the first server's path as base path,
 * parameters inside path segments routed and validated, operations named by operationId, a fragment
 * in a path key, recursive schemas validated.
 */
class OpenApiRoutingTest {
  @RegisterExtension static final GatehouseExtension GH = GatehouseExtension.create();

  static final String DOC = """
      openapi: 3.0.3
      info: {title: routes, version: "1"}
      servers:
        - url: "https://{region}.api.example.com/{basePath}"
          variables:
            region: {default: eu}
            basePath: {default: v1}
      paths:
        /ip/{ipv4}.txt:
          get:
            operationId: ipAsText
            parameters: [{name: ipv4, in: path, required: true, schema: {type: string, pattern: "^[0-9.]+$"}}]
            responses: {"200": {description: ok}}
        /ip/current.txt:
          get:
            operationId: currentIp
            responses: {"200": {description: ok}}
        /v{version}/{format}:
          get:
            parameters:
              - {name: version, in: path, required: true, schema: {type: integer, minimum: 1}}
              - {name: format, in: path, required: true, schema: {type: string, enum: [json, xml]}}
            responses: {"200": {description: ok}}
        /{year}/{month}.json:
          get:
            parameters:
              - {name: year, in: path, required: true, schema: {type: integer}}
              - {name: month, in: path, required: true, schema: {type: integer, minimum: 1, maximum: 12}}
            responses: {"200": {description: ok}}
        /projects/{resource}:getIamPolicy:
          post:
            parameters: [{name: resource, in: path, required: true, schema: {type: string, pattern: "^[a-z-]+$"}}]
            responses: {"200": {description: ok}}
        /tags/{resourceArn}#tagKeys:
          delete:
            operationId: untagResource
            parameters: [{name: resourceArn, in: path, required: true, schema: {type: string}}]
            responses: {"204": {description: gone}}
        /trees:
          post:
            requestBody:
              required: true
              content:
                application/json:
                  schema: {$ref: '#/components/schemas/Node'}
            responses: {"201": {description: planted}}
      components:
        schemas:
          Node:
            type: object
            required: [name]
            properties:
              name: {type: string}
              children: {type: array, items: {$ref: '#/components/schemas/Node'}}
      """;

  @BeforeAll
  static void api() {
    GH.apply("""
        backends:
          - name: echo
            url: ${env:UPSTREAM_URL}
        apis:
          - name: shop
            path: /shop
            backend: echo
            subscriptionRequired: false
            operations:
              - operationId: currentIp
                policies: {inbound: [{set-header: {name: X-Op, value: current}}]}
              - operation: GET /ip/{ipv4}.txt
                policies: {inbound: [{set-header: {name: X-Op, value: by-ip}}]}
              - operationId: untagResource
                policies: {inbound: [{set-header: {name: X-Op, value: untag}}]}
            openapi:
              inline: |
        %s
            policies:
              inbound:
                - validate-parameters: {}
                - validate-content: {}
          - name: mocked
            path: /mocked
            backend: echo
            subscriptionRequired: false
            openapi:
              inline: |
                openapi: 3.0.3
                info: {title: mocked, version: "1"}
                servers: [{url: "https://api.example.com/v2"}]
                paths:
                  /items/{id}.json:
                    get:
                      responses:
                        "200":
                          description: ok
                          content: {application/json: {schema: {$ref: '#/components/schemas/Item'}}}
                components:
                  schemas:
                    Item:
                      type: object
                      example: {id: 7, name: widget}
                      properties:
                        id: {type: integer}
                        parts: {type: array, items: {$ref: '#/components/schemas/Item'}}
            policies:
              inbound:
                - mock-response: {}
          - name: rewritten
            path: /rewritten
            backend: echo
            subscriptionRequired: false
            operations:
              - operation: GET /reports/{year}-{month}.csv
                policies: {inbound: [{rewrite-uri: {template: "/v2/reports/{year}/{month}"}}]}
        """.formatted(DOC.indent(8).stripTrailing()));
  }

  @Test
  void rewritesWithParametersTakenFromInsideASegment() throws Exception {
    assertThat(GH.get("/rewritten/reports/2026-12.csv").statusCode()).isEqualTo(200);
    assertThat(GH.upstream().take(5).path()).isEqualTo("/v2/reports/2026/12");
  }

  @Test
  void mocksTheExampleOfTheOperationRoutedUnderTheBasePath() throws Exception {
    HttpResponse<String> mocked = GH.get("/mocked/v2/items/3.json");
    assertThat(mocked.statusCode()).isEqualTo(200);
    assertThat(mocked.headers().firstValue("X-Mock")).hasValue("true");
    assertThat(mocked.body()).contains("\"name\":\"widget\"");
    assertThat(GH.upstream().drain()).isEmpty();
  }

  @Test
  void routesBelowTheFirstServersPathAndNothingElse() throws Exception {
    assertThat(GH.get("/shop/v1/ip/current.txt").statusCode()).isEqualTo(200);
    assertThat(GH.upstream().take(5).path()).isEqualTo("/v1/ip/current.txt");
    HttpResponse<String> outside = GH.get("/shop/ip/current.txt");
    assertThat(outside.statusCode()).isEqualTo(404);
    assertThat(outside.body()).contains("no operation");
    assertThat(GH.upstream().drain()).isEmpty();
  }

  @Test
  void literalSegmentsWinOverTemplatedOnesAndOperationIdsNameOperations() throws Exception {
    assertThat(GH.get("/shop/v1/ip/current.txt").statusCode()).isEqualTo(200);
    assertThat(GH.upstream().take(5).header("X-Op")).isEqualTo("current");
    assertThat(GH.get("/shop/v1/ip/10.0.0.1.txt").statusCode()).isEqualTo(200);
    assertThat(GH.upstream().take(5).header("X-Op")).isEqualTo("by-ip");
    HttpResponse<String> deleted = GH.send(GH.request("/shop/v1/tags/arn:aws:x").DELETE().build());
    assertThat(deleted.statusCode()).isEqualTo(200);
    assertThat(GH.upstream().take(5).header("X-Op")).isEqualTo("untag");
  }

  @Test
  void validatesParametersTakenFromInsideSegments() throws Exception {
    assertThat(GH.get("/shop/v1/v2/json").statusCode()).isEqualTo(200);
    assertThat(GH.get("/shop/v1/2026/12.json").statusCode()).isEqualTo(200);
    assertThat(GH.send(GH.request("/shop/v1/projects/my-project:getIamPolicy")
        .POST(HttpRequest.BodyPublishers.noBody()).build()).statusCode()).isEqualTo(200);
    assertThat(GH.upstream().drain()).hasSize(3);

    HttpResponse<String> badIp = GH.get("/shop/v1/ip/abc.txt");
    assertThat(badIp.statusCode()).isEqualTo(400);
    assertThat(badIp.body()).contains("\"in\":\"path\"").contains("\"name\":\"ipv4\"");
    assertThat(GH.get("/shop/v1/v0/json").body()).contains("\"name\":\"version\"");
    assertThat(GH.get("/shop/v1/v2/yaml").body()).contains("\"name\":\"format\"");
    assertThat(GH.get("/shop/v1/2026/13.json").body()).contains("\"name\":\"month\"");
    assertThat(GH.send(GH.request("/shop/v1/projects/My_Project:getIamPolicy")
        .POST(HttpRequest.BodyPublishers.noBody()).build()).body()).contains("\"name\":\"resource\"");
    // Not the template's shape at all: no operation.
    assertThat(GH.get("/shop/v1/ip/.txt").statusCode()).isEqualTo(404);
    assertThat(GH.upstream().drain()).isEmpty();
  }

  @Test
  void validatesBodiesAgainstARecursiveSchema() throws Exception {
    String ok = "{\"name\":\"oak\",\"children\":[{\"name\":\"branch\",\"children\":[{\"name\":\"twig\"}]}]}";
    assertThat(GH.send(GH.request("/shop/v1/trees").header("Content-Type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString(ok)).build()).statusCode()).isEqualTo(200);
    assertThat(GH.upstream().take(5).bodyText()).contains("twig");
    String bad = "{\"name\":\"oak\",\"children\":[{\"name\":\"branch\",\"children\":[{\"leaves\":3}]}]}";
    HttpResponse<String> refused = GH.send(GH.request("/shop/v1/trees").header("Content-Type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString(bad)).build());
    assertThat(refused.statusCode()).isEqualTo(400);
    assertThat(refused.body()).contains("/children/0/children/0");
    assertThat(GH.upstream().drain()).isEmpty();
  }
}
