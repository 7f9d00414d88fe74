package io.gatehouse.gateway.internal;

import static org.assertj.core.api.Assertions.assertThat;

import io.gatehouse.gateway.internal.policy.Pipeline;
import io.gatehouse.gateway.internal.policy.PolicyTable;
import io.gatehouse.model.ConfigLoader;
import io.gatehouse.model.GatewayConfig;
import io.gatehouse.policy.PolicyScope;
import java.util.Map;
import org.junit.jupiter.api.Test;

class SnapshotPoliciesTest {
  static GatewayConfig load(String yaml) {
    return ConfigLoader.withEnvironment(Map.of()).parse(yaml, "test.yaml", null);
  }

  static final String TWO_APIS = """
      backends:
        - name: b
          url: http://127.0.0.1:1
      apis:
        - name: plain
          path: /plain
          backend: b
        - name: guarded
          path: /guarded
          backend: b
          operations:
            - GET /x
            - operation: POST /x
              policies:
                inbound:
                  - base
                  - set-method: {method: PUT}
          policies:
            inbound:
              - rate-limit: {calls: 5, period: 10s}
      """;

  @Test
  void apiWithoutPoliciesGetsTheSharedEmptyTableSoTheHotPathAllocatesNothing() {
    Snapshot snap = Snapshot.compile(load(TWO_APIS), 1, new io.gatehouse.gateway.internal.upstream.Upstreams());
    CompiledApi plain = snap.route(null, "/plain/a");
    assertThat(plain.policies()).isSameAs(PolicyTable.NONE);
    assertThat(plain.policies().select("", null)).isNull();
  }

  @Test
  void compilesOnePipelinePerOperationSharingTheApiScopeInstances() {
    Snapshot snap = Snapshot.compile(load(TWO_APIS), 1, new io.gatehouse.gateway.internal.upstream.Upstreams());
    CompiledApi guarded = snap.route(null, "/guarded/x");
    Pipeline get = guarded.policies().select("GET /x", null);
    Pipeline post = guarded.policies().select("POST /x", null);
    assertThat(get.down).hasSize(1);
    assertThat(post.down).hasSize(2);
    assertThat(post.down[0]).isSameAs(get.down[0]);
    assertThat(post.down[1].location).isEqualTo("apis[1].operations[1].policies.inbound[1].set-method");
    assertThat(get.down[0].sync).isNotNull();
  }

  @Test
  void eachStepCarriesTheTypedScopeItWasConfiguredInAndItsLabel() {
    String yaml = TWO_APIS.replace("apis:\n", """
        policies:
          inbound:
            - set-header: {name: X-Global, value: g}
        products:
          - name: gold
            apis: [guarded]
            policies:
              inbound:
                - base
                - set-header: {name: X-Product, value: p}
        apis:
        """);
    Snapshot snap = Snapshot.compile(load(yaml), 1, new io.gatehouse.gateway.internal.upstream.Upstreams());
    Pipeline post = snap.route(null, "/guarded/x").policies().select("POST /x", "gold");

    assertThat(post.down).extracting(s -> s.scope).containsExactly(PolicyScope.GLOBAL, PolicyScope.product("gold"),
        PolicyScope.api("guarded"), PolicyScope.operation("POST /x"));
    assertThat(post.down).extracting(s -> s.label).containsExactly("set-header@global", "set-header@product:gold",
        "rate-limit@api:guarded", "set-method@operation:POST /x");
  }
}
