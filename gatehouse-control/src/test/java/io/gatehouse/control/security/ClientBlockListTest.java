package io.gatehouse.control.security;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.gatehouse.control.ControlStore;
import io.gatehouse.control.TestStores;
import io.gatehouse.testing.Await;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Blocked clients shared through one PostgreSQL database by two servers' block lists. */
class ClientBlockListTest {
  @TempDir Path dir;

  /** A clock tests move by hand. */
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

  @Test
  void aBlockMadeThroughOneServerIsEnforcedByTheOtherWithinASecondAndSoIsItsLifting() {
    try (ControlStore a = TestStores.open(TestStores.Kind.POSTGRESQL, dir, Map.of());
        ControlStore b = TestStores.open(TestStores.Kind.POSTGRESQL, dir, Map.of());
        ClientBlockList onA = new ClientBlockList(a.jdbi(), Clock.systemUTC()).follow(ClientBlockList.REFRESH);
        ClientBlockList onB = new ClientBlockList(b.jdbi(), Clock.systemUTC()).follow(ClientBlockList.REFRESH)) {
      AtomicInteger changesOnB = new AtomicInteger();
      onB.onChange(changesOnB::incrementAndGet);
      onA.block("ip:203.0.113.7", Instant.now().plus(Duration.ofMinutes(5)), "operator", "alice");
      assertThat(onA.isBlocked("203.0.113.7", null)).as("at once where it was made").isTrue();
      long t0 = System.nanoTime();
      Await.until("B enforces the block", () -> onB.isBlocked("203.0.113.7", null));
      long blockedMs = (System.nanoTime() - t0) / 1_000_000;
      assertThat(onB.isBlocked("203.0.113.8", null)).isFalse();
      assertThat(onB.active()).containsOnlyKeys("ip:203.0.113.7");
      assertThat(onB.active().get("ip:203.0.113.7").createdBy()).isEqualTo("alice");
      assertThat(changesOnB.get()).isEqualTo(1);

      onB.block("subscription:alice", Instant.now().plus(Duration.ofMinutes(5)), "auto:brute-force", "threat-engine");
      Await.until("A enforces the subscription block", () -> onA.isBlocked("198.51.100.1", "alice"));
      assertThat(onA.isBlocked("198.51.100.1", "bob")).isFalse();

      assertThat(onB.unblock("ip:203.0.113.7")).isTrue();
      assertThat(onB.unblock("ip:203.0.113.7")).as("nothing left to lift").isFalse();
      t0 = System.nanoTime();
      Await.until("A lifts the block", () -> !onA.isBlocked("203.0.113.7", null));
      long liftedMs = (System.nanoTime() - t0) / 1_000_000;
      System.out.printf("client block made on A -> enforced on B: %d ms; lifted on B -> lifted on A: %d ms"
          + " (refresh every %d ms)%n", blockedMs, liftedMs, ClientBlockList.REFRESH.toMillis());
    }
  }

  @Test
  void aBlockEndsAtItsTimeOnEveryServerAndIsThenDeleted() {
    MovableClock clock = new MovableClock();
    try (ControlStore a = TestStores.open(TestStores.Kind.POSTGRESQL, dir, Map.of());
        ControlStore b = TestStores.open(TestStores.Kind.POSTGRESQL, dir, Map.of())) {
      ClientBlockList onA = new ClientBlockList(a.jdbi(), clock);
      ClientBlockList onB = new ClientBlockList(b.jdbi(), clock);
      onA.block("ip:203.0.113.9", clock.instant().plusSeconds(60), "operator", "alice");
      onB.refresh();
      assertThat(onB.isBlocked("203.0.113.9", null)).isTrue();
      clock.now.set(clock.instant().plusSeconds(60));
      assertThat(onB.isBlocked("203.0.113.9", null)).as("ended, before any refresh").isFalse();
      assertThat(onA.isBlocked("203.0.113.9", null)).isFalse();
      assertThat(onB.active()).isEmpty();
      onB.refresh();
      long rows = a.jdbi().withHandle(h -> h.createQuery("SELECT count(*) FROM client_blocks").mapTo(Long.class).one());
      assertThat(rows).as("the expired row is deleted").isZero();
    }
  }

  @Test
  void refusesIdentitiesThatAreNotAnAddressOrASubscription() {
    try (ControlStore a = TestStores.open(TestStores.Kind.SQLITE, dir, Map.of())) {
      ClientBlockList list = new ClientBlockList(a.jdbi(), Clock.systemUTC());
      for (String bad : new String[] {"203.0.113.7", "ip:", "ip:evil host", "user:alice", "subscription:"}) {
        assertThatThrownBy(() -> list.block(bad, Instant.now().plusSeconds(5), "operator", "alice"))
            .as(bad).isInstanceOf(IllegalArgumentException.class);
      }
      assertThat(list.active()).isEmpty();
    }
  }
}
