package io.gatehouse.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;
import org.junit.jupiter.api.Test;

class InventoryDefTest {
  static final String YAML = """
      backends:
        - name: echo
          url: http://127.0.0.1:9
      apis:
        - name: orders
          path: /orders
          backend: echo
          inventory:
            owner: team-orders
            contact: orders@example.com
            lifecycle: production
            exposure: external
            classification: confidential
        - name: plain
          path: /plain
          backend: echo
      """;

  ConfigLoader loader = ConfigLoader.withEnvironment(Map.of());

  @Test
  void readsInventoryMetadataAndDefaultsToEmpty() {
    GatewayConfig c = loader.parse(YAML, "g.yaml", null);
    assertThat(c.api("orders").orElseThrow().inventory())
        .isEqualTo(new InventoryDef("team-orders", "orders@example.com", "production", "external", "confidential"));
    assertThat(c.api("plain").orElseThrow().inventory()).isEqualTo(InventoryDef.EMPTY);
  }

  @Test
  void roundTripsThroughYamlAndOmitsEmptyInventory() throws Exception {
    GatewayConfig c = loader.parse(YAML, "g.yaml", null);
    String written = ConfigMapper.yaml().writeValueAsString(c);
    assertThat(written).contains("lifecycle: production").containsOnlyOnce("inventory:");
    assertThat(loader.parse(written, "again.yaml", null)).isEqualTo(c);
    String json = ConfigMapper.json().writeValueAsString(c.api("plain").orElseThrow());
    assertThat(json).doesNotContain("inventory");
  }

  @Test
  void refusesUnknownLifecycleExposureAndClassificationNamingTheAllowedValues() {
    String bad = YAML.replace("lifecycle: production", "lifecycle: live")
        .replace("exposure: external", "exposure: public")
        .replace("classification: confidential", "classification: secret");
    assertThatThrownBy(() -> loader.parse(bad, "g.yaml", null))
        .isInstanceOfSatisfying(ConfigException.class, e -> assertThat(e.problems())
            .extracting(ConfigProblem::field, ConfigProblem::message)
            .contains(
                org.assertj.core.groups.Tuple.tuple("apis[0].inventory.lifecycle",
                    "expected one of [design, development, testing, production, deprecated, retired] but got 'live'"),
                org.assertj.core.groups.Tuple.tuple("apis[0].inventory.exposure",
                    "expected one of [internal, external] but got 'public'"),
                org.assertj.core.groups.Tuple.tuple("apis[0].inventory.classification",
                    "expected one of [public, internal, confidential, restricted] but got 'secret'")));
  }

  @Test
  void refusesUnknownInventoryField() {
    assertThatThrownBy(() -> loader.parse(YAML.replace("owner: team-orders", "team: orders"), "g.yaml", null))
        .isInstanceOf(ConfigException.class).hasMessageContaining("team");
  }
}
