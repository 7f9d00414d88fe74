package io.gatehouse.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class PoliciesModelTest {
  static final String YAML = """
      policies:
        inbound:
          - set-header: {name: X-Global, value: g}
      backends:
        - name: b
          url: http://127.0.0.1:1
      apis:
        - name: a
          path: /a
          backend: b
          policies:
            inbound:
              - base
              - rate-limit: {calls: 5, period: 10s}
            on-error:
              - set-status: {code: 503}
          operations:
            - GET /plain
            - operation: POST /items
              policies:
                outbound:
                  - set-header: {name: X-Op, value: o}
      products:
        - name: p
          apis: [a]
          policies:
            inbound:
              - cors: {allowed-origins: ["https://x.example"]}
      """;

  GatewayConfig load(String yaml) {
    return ConfigLoader.withEnvironment(Map.of()).parse(yaml, "test.yaml", null);
  }

  @Test
  void readsPoliciesAtEveryScope() {
    GatewayConfig c = load(YAML);
    assertThat(c.policies().inbound()).containsExactly(Map.of("set-header", Map.of("name", "X-Global", "value", "g")));
    ApiDef api = c.apis().get(0);
    assertThat(api.policies().inbound()).hasSize(2).first().isEqualTo("base");
    assertThat(api.policies().onError()).hasSize(1);
    assertThat(api.operations().get(0).policies().isEmpty()).isTrue();
    assertThat(api.operations().get(1).toString()).isEqualTo("POST /items");
    assertThat(api.operations().get(1).policies().outbound()).hasSize(1);
    assertThat(c.products().get(0).policies().inbound()).hasSize(1);
  }

  @Test
  void exportsShortOperationFormWithoutPoliciesAndRoundTrips() throws Exception {
    GatewayConfig c = load(YAML);
    String out = ConfigMapper.yaml().writeValueAsString(c);
    assertThat(out).contains("- GET /plain").contains("operation: POST /items").contains("on-error:");
    assertThat(out).doesNotContain("policies: {}");
    assertThat(load(out)).isEqualTo(c);
    String plain = ConfigMapper.yaml().writeValueAsString(GatewayConfig.EMPTY.withApis(
        List.of(ApiDef.of("x", "/x", "b").withOperations(List.of(OperationDef.parse("GET /y"))))));
    assertThat(plain).doesNotContain("policies");
  }

  @Test
  void rejectsUnknownFieldInOperationObject() {
    assertThatThrownBy(() -> load("""
        apis:
          - name: a
            path: /a
            backend: b
            operations:
              - operation: GET /x
                polices: {}
        """)).isInstanceOf(ConfigException.class).hasMessageContaining("polices");
  }
}
