package io.gatehouse.insight.discovery;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.gatehouse.insight.sensitive.SensitiveType;
import io.gatehouse.model.OperationDef;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class DiscoveryTest {
  private static final Instant T0 = Instant.parse("2024-05-01T00:00:00Z");

  @Test
  void templatesVariableSegments() {
    assertThat(PathNormalizer.template("/users/123/orders/6f1c2b9e-3d4a-4c5b-9e8f-0a1b2c3d4e5f"))
        .isEqualTo("/users/{int}/orders/{uuid}");
    assertThat(PathNormalizer.template("/reports/2024-05-01/a@b.example.com"))
        .isEqualTo("/reports/{date}/{email}");
    assertThat(PathNormalizer.template("/blobs/5f2b9c0aa1e3/tokens/dGhpc0lzQVRva2VuMTIz?x=1"))
        .isEqualTo("/blobs/{hex}/tokens/{token}");
    assertThat(PathNormalizer.template("/v1/user-settings/deadbeef/profile"))
        .isEqualTo("/v1/user-settings/deadbeef/profile"); // no digit: a word, not an id
    assertThat(PathNormalizer.template("/docs/getting-started-with-the-api")).isEqualTo("/docs/getting-started-with-the-api");
  }

  private static Observation obs(String method, String path, int status, boolean auth, Set<String> params, Instant t) {
    return new Observation("shop", method, path, status, auth, params, Set.of("name"),
        Set.of(SensitiveType.EMAIL), Set.of(), t, null);
  }

  @Test
  void aggregatesObservationsPerTemplate() {
    EndpointInventory inv = new EndpointInventory(10, 10);
    inv.record(obs("GET", "/items/1", 200, true, Set.of("expand"), T0));
    inv.record(obs("GET", "/items/2", 404, false, Set.of(), T0.plusSeconds(60)));
    List<ObservedEndpoint> eps = inv.endpoints("shop");
    assertThat(eps).hasSize(1);
    ObservedEndpoint e = eps.get(0);
    assertThat(e.template()).isEqualTo("/items/{int}");
    assertThat(e.calls()).isEqualTo(2);
    assertThat(e.statusCounts()).containsEntry(200, 1L).containsEntry(404, 1L);
    assertThat(e.authenticatedCalls()).isEqualTo(1);
    assertThat(e.anonymousCalls()).isEqualTo(1);
    assertThat(e.firstSeen()).isEqualTo(T0);
    assertThat(e.lastSeen()).isEqualTo(T0.plusSeconds(60));
    assertThat(e.sensitiveInRequests()).containsExactly(SensitiveType.EMAIL);
    assertThat(e.sensitiveInResponses()).isEmpty();
  }

  @Test
  void recordsSensitiveTypesPerDirectionUnderTheDeclaredTemplateWithoutCountingCalls() throws Exception {
    EndpointInventory inv = new EndpointInventory(10, 10);
    inv.record(new Observation("shop", "GET", "/users/42", 200, false, Set.of(), Set.of(), Set.of(), Set.of(), T0,
        "/users/{id}"));
    inv.recordSensitive("shop", "GET", "/users/{id}", Set.of(), Set.of(SensitiveType.PAYMENT_CARD), T0);
    inv.recordSensitive("shop", "get", "/users/{id}", Set.of(SensitiveType.EMAIL), Set.of(SensitiveType.IBAN), T0);
    List<ObservedEndpoint> eps = inv.endpoints("shop");
    assertThat(eps).hasSize(1);
    ObservedEndpoint e = eps.get(0);
    assertThat(e.template()).isEqualTo("/users/{id}");
    assertThat(e.calls()).isEqualTo(1);
    assertThat(e.sensitiveInRequests()).containsExactly(SensitiveType.EMAIL);
    assertThat(e.sensitiveInResponses()).containsExactly(SensitiveType.PAYMENT_CARD, SensitiveType.IBAN);
    assertThat(io.gatehouse.model.ConfigMapper.json().writeValueAsString(e))
        .contains("\"sensitiveInResponses\":[\"payment-card\",\"iban\"]");
    assertThat(inv.exportOpenApi("shop")).contains("\"payment-card\"");
  }

  @Test
  void boundsMemoryAndCountsWhatWasDropped() {
    EndpointInventory inv = new EndpointInventory(2, 1);
    inv.record(obs("GET", "/a", 200, true, Set.of("p1"), T0));
    inv.record(obs("GET", "/a", 200, true, Set.of("p2"), T0));
    inv.record(obs("GET", "/b", 200, true, Set.of(), T0));
    inv.record(obs("GET", "/c", 200, true, Set.of(), T0));
    assertThat(inv.endpoints("shop")).hasSize(2);
    assertThat(inv.droppedEndpoints()).isEqualTo(1);
    assertThat(inv.endpoints("shop").get(0).droppedNames()).isEqualTo(1);
  }

  @Test
  void reportsShadowUnusedAndUndocumented() {
    EndpointInventory inv = new EndpointInventory(10, 10);
    inv.record(obs("GET", "/items/7", 200, true, Set.of("expand", "debug"), T0));
    inv.record(obs("DELETE", "/admin/cache", 204, false, Set.of(), T0));
    OperationDef getItem = OperationDef.parse("GET /items/{id}");
    OperationDef listOrders = OperationDef.parse("GET /orders");
    DiscoveryReport r = inv.compare("shop", List.of(getItem, listOrders),
        Map.of(getItem, Set.of("expand")), T0.plus(Duration.ofDays(1)), Duration.ofDays(30));
    assertThat(r.shadow()).extracting(ObservedEndpoint::template).containsExactly("/admin/cache");
    assertThat(r.unused()).containsExactly(listOrders);
    assertThat(r.undocumentedParameters()).containsEntry("GET /items/{int}", Set.of("debug"));

    DiscoveryReport later = inv.compare("shop", List.of(getItem), Map.of(), T0.plus(Duration.ofDays(40)),
        Duration.ofDays(30));
    assertThat(later.unused()).containsExactly(getItem);
  }

  @Test
  void exportsObservedTrafficAsOpenApi31() throws Exception {
    EndpointInventory inv = new EndpointInventory(10, 10);
    inv.record(obs("GET", "/items/7", 200, true, Set.of("expand"), T0));
    JsonNode doc = new ObjectMapper().readTree(inv.exportOpenApi("shop"));
    assertThat(doc.path("openapi").asText()).isEqualTo("3.1.0");
    JsonNode op = doc.path("paths").path("/items/{int1}").path("get");
    assertThat(op.path("parameters").get(0).path("in").asText()).isEqualTo("path");
    assertThat(op.path("parameters").get(0).path("schema").path("type").asText()).isEqualTo("integer");
    assertThat(op.path("parameters").get(1).path("name").asText()).isEqualTo("expand");
    assertThat(op.path("responses").has("200")).isTrue();
    assertThat(op.path("x-gatehouse-observed").path("calls").asLong()).isEqualTo(1);
  }

  @Test
  void declaredTemplatesWithParametersInsideSegmentsCoverTheirObservedPaths() {
    assertThat(EndpointInventory.matches("/ip/{ipv4}.txt", "/ip/current.txt")).isTrue();
    assertThat(EndpointInventory.matches("/v{version}/{format}", "/v2/json")).isTrue();
    assertThat(EndpointInventory.matches("/v1/{resource}:getIamPolicy", "/v1/projects:getIamPolicy")).isTrue();
    assertThat(EndpointInventory.matches("/ip/{ipv4}.txt", "/ip/current.json")).isFalse();
    assertThat(EndpointInventory.matches("/ip/{ipv4}.txt", "/ip/{int}")).isFalse();
  }
}
