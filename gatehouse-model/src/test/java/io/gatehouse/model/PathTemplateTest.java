package io.gatehouse.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class PathTemplateTest {

  @Test
  void matchesParametersInsideSegmentsAndExtractsThem() {
    assertThat(PathTemplate.parse("/ip/{ipv4}.txt").parameters("/ip/1.2.3.4.txt")).isEqualTo(Map.of("ipv4", "1.2.3.4"));
    assertThat(PathTemplate.parse("/v{version}/{format}").parameters("/v2/json"))
        .isEqualTo(Map.of("version", "2", "format", "json"));
    assertThat(PathTemplate.parse("/{year}/{month}.json").parameters("/2026/12.json"))
        .isEqualTo(Map.of("year", "2026", "month", "12"));
    assertThat(PathTemplate.parse("/v1/{resource}:getIamPolicy").parameters("/v1/projects:getIamPolicy"))
        .isEqualTo(Map.of("resource", "projects"));
    assertThat(PathTemplate.parse("/{year}-{month}-{day}.csv").parameters("/2026-12-07.csv"))
        .isEqualTo(Map.of("year", "2026", "month", "12", "day", "07"));
    // Each parameter takes at least one character; literals must be present.
    assertThat(PathTemplate.parse("/ip/{ipv4}.txt").matches("/ip/.txt")).isFalse();
    assertThat(PathTemplate.parse("/ip/{ipv4}.txt").matches("/ip/1.2.3.4.json")).isFalse();
    assertThat(PathTemplate.parse("/v{version}/{format}").matches("/x2/json")).isFalse();
    assertThat(PathTemplate.parse("/{a}-{b}").matches("/ab")).isFalse();
    assertThat(PathTemplate.parse("/{a}-{b}").matches("/a-")).isFalse();
    assertThat(PathTemplate.parse("/{a}-{b}").parameters("/a--b")).isEqualTo(Map.of("a", "a", "b", "-b"));
    // Literal text is compared without the segment's ';' parameters, as literal segments are.
    assertThat(PathTemplate.parse("/ip/{ipv4}.txt").parameters("/ip/1.2.3.4.txt;x=1")).isEqualTo(Map.of("ipv4", "1.2.3.4"));
    assertThat(PathTemplate.parse("/files/*").matches("/files/a/b")).isTrue();
    assertThat(PathTemplate.parse("/files/{id}").matches("/files/")).isFalse();
  }

  @Test
  void ordersLiteralSegmentsBeforeMixedBeforeBareParameters() {
    List<PathTemplate> templates = new ArrayList<>();
    for (String t : List.of("/*", "/{year}/{month}", "/{year}/{month}.json", "/2026/{month}.json", "/2026/12.json",
        "/{year}/x{month}.json")) {
      templates.add(PathTemplate.parse(t));
    }
    templates.sort(PathTemplate::compareSpecificity);
    assertThat(templates).extracting(PathTemplate::text).containsExactly(
        "/2026/12.json", "/2026/{month}.json", "/{year}/x{month}.json", "/{year}/{month}.json", "/{year}/{month}", "/*");
  }

  @Test
  void refusesAmbiguousOrMalformedTemplatesNamingTheProblem() {
    assertThatThrownBy(() -> PathTemplate.parse("/{a}{b}")).hasMessageContaining("adjacent");
    assertThatThrownBy(() -> PathTemplate.parse("/ip/{ipv4.txt")).hasMessageContaining("unbalanced '{'");
    assertThatThrownBy(() -> PathTemplate.parse("/ip/ipv4}.txt")).hasMessageContaining("unbalanced '}'");
    assertThatThrownBy(() -> PathTemplate.parse("/a/{}")).hasMessageContaining("empty parameter name");
    assertThatThrownBy(() -> PathTemplate.parse("/{id}/x{id}")).hasMessageContaining("{id} appears twice");
    assertThatThrownBy(() -> PathTemplate.parse("/*/a")).hasMessageContaining("'*' may only be the last segment");
    assertThatThrownBy(() -> PathTemplate.parse("a")).hasMessageContaining("starting with '/'");
  }
}
