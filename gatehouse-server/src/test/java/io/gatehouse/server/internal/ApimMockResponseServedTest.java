package io.gatehouse.server.internal;

import static org.assertj.core.api.Assertions.assertThat;

import io.gatehouse.model.apim.ApimPolicyImport;
import io.gatehouse.testing.GatehouseExtension;
import java.net.http.HttpResponse;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** An imported APIM {@code mock-response} served by a real gateway: the example body and content type reach the client. */
class ApimMockResponseServedTest {
  @RegisterExtension static final GatehouseExtension GH = GatehouseExtension.create();

  @Test
  void importedMockResponseAnswersWithTheOperationsExampleBodyAndContentType() throws Exception {
    ApimPolicyImport.Result r = ApimPolicyImport.convert("""
        <policies>
          <inbound>
            <base />
            <mock-response status-code="200" content-type="application/problem+json" />
          </inbound>
        </policies>
        """);
    assertThat(r.unconverted()).isEmpty();
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
                openapi: 3.0.3
                info: {title: orders, version: "1"}
                paths:
                  /items/{id}:
                    get:
                      responses:
                        "404": {description: missing}
                        "200":
                          description: ok
                          content:
                            application/json:
                              example: {id: 1, name: first}
                            application/problem+json:
                              example: {title: mocked, status: 200}
            policies:
        %s
        """.formatted(r.yaml().indent(6).stripTrailing()));
    HttpResponse<String> got = GH.get("/orders/items/7");
    assertThat(got.statusCode()).isEqualTo(200);
    assertThat(got.headers().firstValue("Content-Type")).hasValue("application/problem+json");
    assertThat(got.body()).isEqualTo("{\"title\":\"mocked\",\"status\":200}");
    assertThat(GH.upstream().drain()).isEmpty();
  }
}
