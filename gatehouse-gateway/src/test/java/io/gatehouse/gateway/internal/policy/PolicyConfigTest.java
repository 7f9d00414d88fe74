package io.gatehouse.gateway.internal.policy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.gatehouse.policy.PolicyConfigException;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

class PolicyConfigTest {

  @Test
  void readsAFieldInKebabCaseAndInCamelCaseAlike() {
    PolicyConfig kebab = PolicyConfig.of(Map.of("clock-skew", "5s", "max-token-bytes", 100));
    PolicyConfig camel = PolicyConfig.of(Map.of("clockSkew", "5s", "maxTokenBytes", 100));
    for (PolicyConfig c : new PolicyConfig[] {kebab, camel}) {
      assertThat(c.duration("clockSkew", Duration.ZERO)).isEqualTo(Duration.ofSeconds(5));
      assertThat(c.number("max-token-bytes", 0, 0, 1000)).isEqualTo(100);
      c.done();
    }
  }

  @Test
  void refusesAFieldGivenInBothSpellings() {
    Map<String, Object> both = new LinkedHashMap<>();
    both.put("clock-skew", "5s");
    both.put("clockSkew", "10s");
    assertThatThrownBy(() -> PolicyConfig.of(both))
        .isInstanceOf(PolicyConfigException.class)
        .hasMessageContaining("given twice, as 'clock-skew' and 'clockSkew'");
  }

  @Test
  void namesAnUnknownFieldAsTheConfigurationSpelledIt() {
    PolicyConfig c = PolicyConfig.of(Map.of("clockSkew", "5s", "jwksUrll", "x"));
    c.duration("clock-skew", Duration.ZERO);
    assertThatThrownBy(c::done)
        .isInstanceOf(PolicyConfigException.class)
        .hasMessageContaining("unknown field 'jwksUrll'");
  }
}
