package io.gatehouse.model;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ConfigDiffTest {
  ConfigLoader loader = ConfigLoader.withEnvironment(Map.of());

  @Test
  void listsCreatedUpdatedAndDeletedEntities() {
    GatewayConfig a = loader.parse("""
        backends: [{name: a, url: "http://a"}, {name: b, url: "http://b"}]
        """, "a", null);
    GatewayConfig b = loader.parse("""
        backends: [{name: a, url: "http://a2"}, {name: c, url: "http://c"}]
        """, "b", null);
    ConfigDiff d = ConfigDiff.between(a, b);
    assertThat(d.changes()).extracting(c -> c.kind() + "/" + c.name() + ":" + c.action())
        .containsExactly("backends/a:UPDATED", "backends/c:CREATED", "backends/b:DELETED");
    assertThat(d.render()).contains("1 created, 1 updated, 1 deleted");
  }

  @Test
  void aChangedSuppressionIsInThePlanAndRoundTripsThroughYaml() throws Exception {
    GatewayConfig a = loader.parse("apis: []\n", "a", null);
    GatewayConfig b = loader.parse("advisor: {suppress: [{rule: subscription.scope-all, reason: one tenant}]}\n", "b", null);
    assertThat(ConfigDiff.between(a, b).changes()).extracting(c -> c.kind() + "/" + c.name() + ":" + c.action())
        .containsExactly("advisor/advisor:UPDATED");
    String yaml = ConfigMapper.yaml().writeValueAsString(b);
    assertThat(loader.parse(yaml, "again", null)).isEqualTo(b);
    assertThat(ConfigMapper.yaml().writeValueAsString(a)).doesNotContain("advisor");
  }

  @Test
  void plainKeyAndItsHashAreTheSameConfiguration() {
    SubscriptionDef plain = new SubscriptionDef("s", "all", null, null, null, "key-0123456789abcdef", null, null, null);
    GatewayConfig withPlain = GatewayConfig.EMPTY.withSubscriptions(List.of(plain));
    GatewayConfig exported = withPlain.normalized();
    assertThat(exported.subscriptions().get(0).primaryKey()).isNull();
    assertThat(exported.subscriptions().get(0).primaryKeyHash()).isEqualTo(SubscriptionKeys.hash("key-0123456789abcdef"));
    assertThat(ConfigDiff.between(withPlain, exported).isEmpty()).isTrue();
  }

  @Test
  void exportedYamlReadsBackToAnEqualConfiguration() throws Exception {
    GatewayConfig c = loader.parse("""
        backends: [{name: e, url: "http://e:81/base", timeout: 5s}]
        apis: [{name: x, path: /x, backend: e, operations: ["GET /a/{id}", "POST /a"], hosts: [api.example]}]
        products: [{name: p, apis: [x], approvalRequired: true}]
        subscriptions: [{name: s, scope: "api:x", primaryKey: abcdefghijklmnop1234, expiresAt: "2030-01-01T00:00:00Z"}]
        namedValues: [{name: n, value: "v"}]
        users: [{name: u, email: u@example.com}]
        """, "c", null).normalized();
    String yaml = ConfigMapper.yaml().writeValueAsString(c);
    GatewayConfig back = loader.parse(yaml, "export", null);
    assertThat(back).isEqualTo(c);
    assertThat(yaml).doesNotContain("abcdefghijklmnop1234");
  }
}
