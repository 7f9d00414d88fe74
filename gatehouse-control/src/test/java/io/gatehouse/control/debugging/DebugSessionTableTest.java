package io.gatehouse.control.debugging;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.gatehouse.control.ControlStore;
import io.gatehouse.control.TestStores;
import io.gatehouse.model.ConfigMapper;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.api.io.TempDir;

/** Debug sessions and their traces in the database shared by servers, on SQLite and PostgreSQL. */
class DebugSessionTableTest {
  @TempDir Path dir;

  static final class MovableClock extends Clock {
    final AtomicReference<Instant> now = new AtomicReference<>(Instant.now());

    @Override
    public java.time.ZoneId getZone() {
      return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(java.time.ZoneId zone) {
      return this;
    }

    @Override
    public Instant instant() {
      return now.get();
    }
  }

  static ObjectNode trace(String requestId) {
    return ConfigMapper.json().createObjectNode().put("requestId", requestId).put("status", 200);
  }

  @ParameterizedTest
  @EnumSource(TestStores.Kind.class)
  void aSessionIsStoredByItsTokenHashOnlyAndItsTracesAreListedWithTheirNodeNewestKept(TestStores.Kind kind) {
    try (ControlStore store = TestStores.open(kind, dir, Map.of());
        DebugSessionTable table = new DebugSessionTable(store.jdbi(), Clock.systemUTC())) {
      DebugSessionTable.Opened opened = table.open("orders", Duration.ofMinutes(5));
      assertThat(opened.toString()).doesNotContain(opened.token());
      assertThat(table.active()).singleElement().satisfies(s -> {
        assertThat(s.id()).isEqualTo(opened.id());
        assertThat(s.tokenHash()).isEqualTo(DebugSessionTable.hash(opened.token())).isNotEqualTo(opened.token());
        assertThat(s.api()).isEqualTo("orders");
      });
      List<String> stored = store.jdbi().withHandle(h -> h.createQuery(
          "SELECT id || ' ' || token_hash || ' ' || api FROM debug_sessions").mapTo(String.class).list());
      assertThat(String.join("\n", stored)).as("the token is never stored").doesNotContain(opened.token());

      assertThat(table.record(opened.id(), "node-a", trace("r0"))).isTrue();
      assertThat(table.record(opened.id(), "node-a", trace("r0"))).as("sent again: filed once").isFalse();
      assertThat(table.traces(opened.id()).orElseThrow()).hasSize(1);
      assertThat(table.record("0123456789abcdef", "node-a", trace("stray"))).as("no such session").isFalse();
      for (int i = 1; i <= DebugSessionTable.CAPACITY + 4; i++) {
        table.record(opened.id(), i % 2 == 0 ? "node-a" : "node-b", trace("r" + i));
      }
      List<ObjectNode> traces = table.traces(opened.id()).orElseThrow();
      assertThat(traces).hasSize(DebugSessionTable.CAPACITY);
      assertThat(traces.get(0).get("requestId").asText()).as("the oldest went first").isEqualTo("r5");
      assertThat(traces.get(traces.size() - 1).get("requestId").asText())
          .isEqualTo("r" + (DebugSessionTable.CAPACITY + 4));
      assertThat(traces.get(0).get("node").asText()).isEqualTo("node-b");
      assertThat(table.traces("0123456789abcdef")).isEmpty();
    }
  }

  @ParameterizedTest
  @EnumSource(TestStores.Kind.class)
  void anExpiredSessionIsNoLongerLiveTakesNoTraceAndIsDeletedWithItsTraces(TestStores.Kind kind) {
    MovableClock clock = new MovableClock();
    try (ControlStore store = TestStores.open(kind, dir, Map.of());
        DebugSessionTable table = new DebugSessionTable(store.jdbi(), clock)) {
      DebugSessionTable.Opened opened = table.open("orders", Duration.ofSeconds(60));
      assertThat(table.record(opened.id(), "node-a", trace("r1"))).isTrue();
      clock.now.set(clock.instant().plusSeconds(60));
      assertThat(table.active()).as("ended, before any refresh").isEmpty();
      assertThat(table.record(opened.id(), "node-a", trace("r2"))).isFalse();
      assertThat(table.traces(opened.id())).isEmpty();
      table.refresh();
      long rows = store.jdbi().withHandle(h -> h.createQuery(
          "SELECT (SELECT count(*) FROM debug_sessions) + (SELECT count(*) FROM debug_traces)").mapTo(Long.class).one());
      assertThat(rows).as("the session and its traces are deleted").isZero();
    }
  }

  @org.junit.jupiter.api.Test
  void aSessionOpenedThroughOneServerIsKnownToAnotherFollowingTheSameDatabase() {
    TestStores.Kind kind = TestStores.Kind.POSTGRESQL;
    try (ControlStore a = TestStores.open(kind, dir, Map.of());
        ControlStore b = TestStores.open(kind, dir, Map.of());
        DebugSessionTable onA = new DebugSessionTable(a.jdbi(), Clock.systemUTC());
        DebugSessionTable onB = new DebugSessionTable(b.jdbi(), Clock.systemUTC()).follow(DebugSessionTable.REFRESH)) {
      DebugSessionTable.Opened opened = onA.open("orders", Duration.ofMinutes(5));
      io.gatehouse.testing.Await.until("B knows the session", () -> !onB.active().isEmpty());
      assertThat(onB.active().get(0).tokenHash()).isEqualTo(DebugSessionTable.hash(opened.token()));
      assertThat(onB.record(opened.id(), "node-b", trace("r1"))).isTrue();
      assertThat(onA.traces(opened.id()).orElseThrow()).singleElement()
          .satisfies(t -> assertThat(t.get("node").asText()).isEqualTo("node-b"));
    }
  }
}
