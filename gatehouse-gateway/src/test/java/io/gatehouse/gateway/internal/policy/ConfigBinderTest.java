package io.gatehouse.gateway.internal.policy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.gatehouse.policy.PolicyConfigException;
import io.gatehouse.policy.Required;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ConfigBinderTest {
  enum Mode { BLOCK, DETECT_ONLY }

  record Limit(@Required String key, int calls) {}

  record Settings(@Required String name, int count, long big, boolean on, Boolean maybe, Duration window,
      Mode mode, List<String> tags, List<Limit> limits, Map<String, Object> extra, Limit first) {
    Settings {
      if (count < 0) {
        throw new PolicyConfigException("count", "must not be negative");
      }
      tags = tags == null ? List.of() : tags;
    }
  }

  private static Settings bind(Map<String, Object> map) {
    PolicyConfig c = PolicyConfig.of(map);
    Settings s = ConfigBinder.bind(c, Settings.class);
    c.done();
    return s;
  }

  private static String fieldOf(Map<String, Object> map) {
    try {
      bind(map);
    } catch (PolicyConfigException e) {
      return e.field() + ": " + e.getMessage();
    }
    throw new AssertionError("accepted " + map);
  }

  @Test
  void bindsEveryComponentTypeFromParsedYaml() {
    Settings s = bind(Map.of("name", "n", "count", 3, "big", "12345678901", "on", true, "window", "5m",
        "mode", "detect-only", "tags", "one", "limits", List.of(Map.of("key", "a", "calls", 2)),
        "extra", Map.of("x", List.of(1)), "first", Map.of("key", "k")));

    assertThat(s).isEqualTo(new Settings("n", 3, 12345678901L, true, null, Duration.ofMinutes(5), Mode.DETECT_ONLY,
        List.of("one"), List.of(new Limit("a", 2)), Map.of("x", List.of(1)), new Limit("k", 0)));
  }

  @Test
  void readsKebabCaseAndCamelCaseSpellingsOfAComponent() {
    record Skew(Duration clockSkew) {}
    PolicyConfig kebab = PolicyConfig.of(Map.of("clock-skew", "10s"));
    PolicyConfig camel = PolicyConfig.of(Map.of("clockSkew", "10s"));

    assertThat(ConfigBinder.bind(kebab, Skew.class).clockSkew()).isEqualTo(Duration.ofSeconds(10));
    assertThat(ConfigBinder.bind(camel, Skew.class).clockSkew()).isEqualTo(Duration.ofSeconds(10));
  }

  @Test
  void absentComponentsAreNullOrZeroAndTheRecordGivesDefaults() {
    Settings s = bind(Map.of("name", "n"));

    assertThat(s.count()).isZero();
    assertThat(s.on()).isFalse();
    assertThat(s.maybe()).isNull();
    assertThat(s.tags()).isEmpty();
  }

  @Test
  void namesTheFieldOfEveryProblem() {
    assertThat(fieldOf(Map.of())).isEqualTo("name: is required");
    assertThat(fieldOf(Map.of("name", ""))).isEqualTo("name: is required");
    assertThat(fieldOf(Map.of("name", "n", "count", "many"))).isEqualTo("count: expected a whole number but got 'many'");
    assertThat(fieldOf(Map.of("name", "n", "count", -1))).isEqualTo("count: must not be negative");
    assertThat(fieldOf(Map.of("name", "n", "on", "yes"))).isEqualTo("on: expected true or false but got 'yes'");
    assertThat(fieldOf(Map.of("name", "n", "window", "soon")))
        .isEqualTo("window: expected a duration such as 10s, 5m or 1h but got 'soon'");
    assertThat(fieldOf(Map.of("name", "n", "mode", "loud")))
        .isEqualTo("mode: expected one of [block, detect-only] but got 'loud'");
    assertThat(fieldOf(Map.of("name", "n", "limits", List.of(Map.of("key", "a"), Map.of("calls", 1)))))
        .isEqualTo("limits[1].key: is required");
    assertThat(fieldOf(Map.of("name", "n", "first", Map.of("key", "k", "colour", "red"))))
        .startsWith("first.colour: unknown field 'colour'");
    assertThat(fieldOf(Map.of("name", "n", "tags", List.of(Map.of())))).isEqualTo("tags[0]: expected a string but got a map");
    assertThat(fieldOf(Map.of("name", "n", "count", 1L << 40)))
        .isEqualTo("count: expected a number from -2147483648 to 2147483647 but got 1099511627776");
  }

  @Test
  void refusesFieldsTheRecordDoesNotDeclare() {
    assertThat(fieldOf(Map.of("name", "n", "colour", "red"))).startsWith("colour: unknown field 'colour'");
  }
}
