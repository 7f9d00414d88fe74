package io.gatehouse.control.security;

import static org.assertj.core.api.Assertions.assertThat;

import io.gatehouse.control.ControlStore;
import io.gatehouse.control.TestStores;
import io.gatehouse.insight.discovery.EndpointInventory;
import io.gatehouse.insight.discovery.ObservedEndpoint;
import io.gatehouse.insight.sensitive.SensitiveType;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** Discovery observations shared by two servers' nodes through one database, on SQLite and PostgreSQL. */
class DiscoveredEndpointsTest {
  @TempDir Path dir;

  static ObservedEndpoint endpoint(String template, long calls, Instant first, Instant last, Set<String> params) {
    return new ObservedEndpoint("shop", "GET", template, first, last, calls, Map.of(200, calls - 1, 404, 1L), calls, 0,
        params, Set.of("name"), Set.of(SensitiveType.EMAIL), Set.of(), 0);
  }

  @ParameterizedTest
  @EnumSource(TestStores.Kind.class)
  void eachNodeReadsTheOtherNodesObservationsAsTheyWerePublishedAndOnlyChangesAreWritten(TestStores.Kind kind) {
    Instant t = Instant.parse("2026-12-01T10:00:00Z");
    try (ControlStore store = TestStores.open(kind, dir, Map.of())) {
      DiscoveredEndpoints a = new DiscoveredEndpoints(store.jdbi(), "a:8080", Clock.systemUTC());
      DiscoveredEndpoints b = new DiscoveredEndpoints(store.jdbi(), "b:8080", Clock.systemUTC());
      ObservedEndpoint onA = endpoint("/items/{int}", 3, t, t.plusSeconds(5), Set.of("page"));
      ObservedEndpoint onB = endpoint("/items/{int}", 2, t.minusSeconds(60), t.plusSeconds(1), Set.of("size"));
      ObservedEndpoint onlyOnB = endpoint("/reports", 4, t, t, Set.of());
      assertThat(a.publish(List.of(onA))).isEqualTo(1);
      assertThat(b.publish(List.of(onB, onlyOnB))).isEqualTo(2);
      assertThat(a.publish(List.of(onA))).as("unchanged: nothing written").isZero();

      assertThat(a.others("shop")).containsExactlyInAnyOrder(onB, onlyOnB); // read back whole
      assertThat(b.others("shop")).containsExactly(onA);
      assertThat(a.others("billing")).isEmpty();

      ObservedEndpoint later = endpoint("/items/{int}", 5, t, t.plusSeconds(30), Set.of("page"));
      assertThat(a.publish(List.of(later))).isEqualTo(1);
      assertThat(b.others("shop")).containsExactly(later);

      List<ObservedEndpoint> merged = EndpointInventory.merge(
          List.of(onB, onlyOnB, b.others("shop").get(0)));
      assertThat(merged).hasSize(2);
      ObservedEndpoint items = merged.get(0);
      assertThat(items.template()).isEqualTo("/items/{int}");
      assertThat(items.calls()).isEqualTo(7);
      assertThat(items.firstSeen()).isEqualTo(t.minusSeconds(60));
      assertThat(items.lastSeen()).isEqualTo(t.plusSeconds(30));
      assertThat(items.statusCounts()).isEqualTo(Map.of(200, 5L, 404, 2L));
      assertThat(items.queryParameters()).containsExactlyInAnyOrder("page", "size");
    }
  }
}
