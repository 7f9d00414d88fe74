package io.gatehouse.gateway.internal.policy.builtin;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.gatehouse.gateway.internal.policy.MultiMapHeaders;
import io.vertx.core.MultiMap;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** The parsing and conversion helpers of the catalogue, without a gateway. */
class CatalogueHelpersTest {
  static final long HOUR = TimeUnit.HOURS.toNanos(1);

  @Test
  void maskPathsAcceptPointersAndSimplePaths() {
    assertThat(TransformPolicies.MaskData.parsePath("/a/0/b~1c")).containsExactly("a", "0", "b/c");
    assertThat(TransformPolicies.MaskData.parsePath("$.user.ssn")).containsExactly("user", "ssn");
    assertThat(TransformPolicies.MaskData.parsePath("items[*].card")).containsExactly("items", "*", "card");
    assertThat(TransformPolicies.MaskData.parsePath("$['odd name'][2]")).containsExactly("odd name", "2");
    assertThatThrownBy(() -> TransformPolicies.MaskData.parsePath("a..b")).hasMessageContaining("empty segment");
    assertThatThrownBy(() -> TransformPolicies.MaskData.parsePath("a[1")).hasMessageContaining("unclosed");
    assertThatThrownBy(() -> TransformPolicies.MaskData.parsePath("$")).hasMessageContaining("selects nothing");
  }

  @Test
  void timeToLiveFollowsResponseCacheControlUnderTheConfiguredBound() {
    assertThat(CachePolicies.CacheStore.ttl(headers(), HOUR)).isEqualTo(HOUR);
    assertThat(CachePolicies.CacheStore.ttl(headers("max-age=60"), HOUR)).isEqualTo(TimeUnit.SECONDS.toNanos(60));
    assertThat(CachePolicies.CacheStore.ttl(headers("max-age=60, s-maxage=10"), HOUR)).isEqualTo(TimeUnit.SECONDS.toNanos(10));
    assertThat(CachePolicies.CacheStore.ttl(headers("max-age=99999"), HOUR)).isEqualTo(HOUR);
    assertThat(CachePolicies.CacheStore.ttl(headers("public", "no-store"), HOUR)).isZero();
    assertThat(CachePolicies.CacheStore.ttl(headers("Private"), HOUR)).isZero();
    assertThat(CachePolicies.CacheStore.ttl(headers("max-age=abc"), HOUR)).isZero();
  }

  @Test
  void xmlNamesAreMadeValid() {
    assertThat(TransformPolicies.elementName("ok-name.1")).isEqualTo("ok-name.1");
    assertThat(TransformPolicies.elementName("1st")).isEqualTo("_1st");
    assertThat(TransformPolicies.elementName("a b<c")).isEqualTo("a_b_c");
    assertThat(TransformPolicies.elementName("xmlThing")).isEqualTo("_xmlThing");
    assertThat(TransformPolicies.elementName("")).isEqualTo("_");
  }

  @Test
  void xmlToJsonRefusesInternalEntityExpansion() {
    byte[] bomb = ("<?xml version=\"1.0\"?><!DOCTYPE r [<!ENTITY a \"aaaa\"><!ENTITY b \"&a;&a;\">]><r>&b;</r>")
        .getBytes(StandardCharsets.UTF_8);
    assertThatThrownBy(() -> TransformPolicies.XmlToJson.toJson(bomb)).isInstanceOf(TransformPolicies.BadBody.class);
    byte[] plain = "<r a=\"1\">x<c>y</c></r>".getBytes(StandardCharsets.UTF_8);
    assertThat(new String(TransformPolicies.XmlToJson.toJson(plain), StandardCharsets.UTF_8))
        .isEqualTo("{\"r\":{\"@a\":\"1\",\"c\":\"y\",\"#text\":\"x\"}}");
  }

  private static MultiMapHeaders headers(String... cacheControl) {
    MultiMap m = MultiMap.caseInsensitiveMultiMap();
    for (String v : List.of(cacheControl)) {
      m.add("Cache-Control", v);
    }
    return new MultiMapHeaders(m);
  }
}
