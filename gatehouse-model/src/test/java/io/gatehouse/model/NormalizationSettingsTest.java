package io.gatehouse.model;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import org.junit.jupiter.api.Test;

class NormalizationSettingsTest {
  static final String YAML = """
      settings:
        allowUnderscoresInHeaders: true
      backends:
        - name: echo
          url: http://127.0.0.1:9
      apis:
        - name: files
          path: /files
          backend: echo
          allowEncodedSlashes: true
        - name: plain
          path: /plain
          backend: echo
      """;

  ConfigLoader loader = ConfigLoader.withEnvironment(Map.of());

  @Test
  void readsEncodedSlashAndUnderscoreSettingsDefaultingToRefuse() {
    GatewayConfig c = loader.parse(YAML, "g.yaml", null);
    assertThat(c.api("files").orElseThrow().allowEncodedSlashes()).isTrue();
    assertThat(c.api("plain").orElseThrow().allowEncodedSlashes()).isFalse();
    assertThat(c.settings().allowUnderscoresInHeaders()).isTrue();
    assertThat(GatewaySettings.DEFAULTS.allowUnderscoresInHeaders()).isFalse();
  }

  @Test
  void roundTripsAndOmitsTheDefaults() throws Exception {
    GatewayConfig c = loader.parse(YAML, "g.yaml", null);
    String written = ConfigMapper.yaml().writeValueAsString(c);
    assertThat(written).containsOnlyOnce("allowEncodedSlashes: true").contains("allowUnderscoresInHeaders: true");
    assertThat(loader.parse(written, "again.yaml", null)).isEqualTo(c);
    GatewayConfig plain = loader.parse(YAML.replace("allowUnderscoresInHeaders: true", "maxBodySize: 10")
        .replace("allowEncodedSlashes: true", "protocols: [http]"), "g.yaml", null);
    String out = ConfigMapper.yaml().writeValueAsString(plain);
    assertThat(out).doesNotContain("allowEncodedSlashes").doesNotContain("allowUnderscoresInHeaders");
  }

  @Test
  void refusesHostsAndPathsNoNormalizedRequestCouldMatch() {
    String bad = YAML.replace("path: /files", "path: /fil%65s")
        .replace("path: /plain\n", "path: /plain\n    hosts: [\"a.example,b\", a.example, A.Example.]\n"
            + "    operations: [\"GET /a/../b\", \"GET /x;y\", \"GET /ok%20/{id}\"]\n");
    org.assertj.core.api.Assertions.assertThatThrownBy(() -> loader.parse(bad, "g.yaml", null))
        .isInstanceOfSatisfying(ConfigException.class, e -> assertThat(e.problems())
            .as(e.problems().toString()).extracting(ConfigProblem::field)
            .contains("apis[0].path", "apis[1].hosts[0]", "apis[1].path", "apis[1].operations[0]",
                "apis[1].operations[1]")
            .doesNotContain("apis[1].operations[2]"));
  }
}
