package io.gatehouse.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class TagSelectionTest {
  ConfigLoader loader = ConfigLoader.withEnvironment(Map.of());

  @Test
  void replacesTaggedEntitiesAndKeepsTheOthers() {
    GatewayConfig current = loader.parse("""
        backends: [{name: echo, url: "http://127.0.0.1:9000", tags: [platform]}]
        apis: [{name: pets, path: /pets, backend: echo, tags: [platform]}]
        products: [{name: gold, apis: [pets], tags: [platform]}, {name: silver, apis: [pets], tags: [platform]}]
        subscriptions:
          - {name: from-portal, scope: "product:gold"}
          - {name: platform-owned, scope: "product:silver", tags: [platform]}
        """, "current", null);
    GatewayConfig file = loader.parse("""
        backends: [{name: echo, url: "http://127.0.0.1:9001", tags: [platform]}]
        apis: [{name: pets, path: /pets, backend: echo, tags: [platform]}]
        products: [{name: gold, apis: [pets], tags: [platform]}]
        """, "file", null);
    GatewayConfig merged = TagSelection.apply(current, file, Set.of("platform"));
    assertThat(merged.backends().get(0).url()).isEqualTo("http://127.0.0.1:9001");
    assertThat(merged.products()).extracting(ProductDef::name).containsExactly("gold");
    assertThat(merged.subscriptions()).extracting(SubscriptionDef::name).containsExactly("from-portal");
  }

  @Test
  void refusesFileEntitiesWithoutASelectedTagAndUntaggedNameClashes() {
    GatewayConfig current = GatewayConfig.EMPTY.withUsers(java.util.List.of(new UserDef("alice", null, null)));
    GatewayConfig file = loader.parse("""
        backends: [{name: echo, url: "http://127.0.0.1:9000"}]
        users: [{name: alice, tags: [platform]}]
        settings: {backendTimeout: 5s}
        """, "file", null);
    assertThatThrownBy(() -> TagSelection.apply(current, file, Set.of("platform")))
        .isInstanceOfSatisfying(ConfigException.class, e -> assertThat(e.problems()).extracting(ConfigProblem::toString)
            .anySatisfy(p -> assertThat(p).contains("backends[0].tags")
                .contains("backend 'echo' carries none of the selected tags (platform)"))
            .anySatisfy(p -> assertThat(p).contains("users[0].name").contains("already exists without"))
            .anySatisfy(p -> assertThat(p).contains("settings carry no tags")));
  }

  @Test
  void refusesMalformedTags() {
    assertThatThrownBy(() -> loader.parse("users: [{name: u, tags: ['a,b']}]", "f", null))
        .isInstanceOfSatisfying(ConfigException.class, e -> assertThat(e.problems().get(0).toString())
            .contains("users[0].tags[0]").contains("'a,b'"));
  }
}
