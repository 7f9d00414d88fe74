package io.gatehouse.model;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class NamedValueDefTest {
  final ConfigLoader loader = ConfigLoader.withEnvironment(Map.of());

  @Test
  void readsTheThreeTypesAndWritesPlainWithoutAType() throws Exception {
    GatewayConfig c = loader.parse("""
        namedValues:
          - {name: a, value: one}
          - {name: b, type: secret, value: two}
          - {name: c, type: secret, sealed: "v1:abc"}
          - {name: d, type: reference, ref: "vault:secret/app#password"}
          - {name: e, type: reference, ref: "env:TOKEN"}
          - {name: f, type: reference, ref: "file:/run/secrets/x"}
        """, "g.yaml", null);
    assertThat(c.namedValues()).extracting(NamedValueDef::type)
        .containsExactly("plain", "secret", "secret", "reference", "reference", "reference");
    String yaml = ConfigMapper.yaml().writeValueAsString(c);
    assertThat(yaml).contains("- name: a\n  value: one").contains("type: secret");
    assertThat(c.namedValue("b").orElseThrow().toString()).doesNotContain("two");
  }

  @Test
  void reportsEachMisuseAtItsField() {
    GatewayConfig c = GatewayConfig.EMPTY.withNamedValues(List.of(
        new NamedValueDef("p", "plain", null, null, null),
        new NamedValueDef("s", "secret", "x", null, "v1:y"),
        new NamedValueDef("r", "reference", null, "http://nope", null),
        new NamedValueDef("t", "magic", "x", null, null)));
    assertThat(ConfigValidator.validate(c)).extracting(ConfigProblem::field)
        .containsExactly("namedValues[0].value", "namedValues[1]", "namedValues[2].ref", "namedValues[3].type");
  }
}
