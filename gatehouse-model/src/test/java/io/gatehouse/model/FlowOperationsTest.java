package io.gatehouse.model;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import org.junit.jupiter.api.Test;

/** Operations written as a one-line flow list with {@code {param}} templates. */
class FlowOperationsTest {

  @Test
  void readsFlowListOfOperationsWithPathParameters() {
    GatewayConfig config = ConfigLoader.withEnvironment(Map.of()).parse("""
        backends:
          - name: echo
            url: http://127.0.0.1:1
        apis:
          - name: orders
            path: /orders
            backend: echo
            operations: [GET /items/{id}, 'POST /items', "DELETE /items/{id}/tags/{tag}"]  # comment
          - name: other
            path: /other
            backend: echo
            operations: [GET /a]
        """, "test.yaml", null);
    assertThat(config.apis().get(0).operations()).extracting(OperationDef::toString)
        .containsExactly("GET /items/{id}", "POST /items", "DELETE /items/{id}/tags/{tag}");
    assertThat(config.apis().get(1).operations()).extracting(OperationDef::toString).containsExactly("GET /a");
  }
}
