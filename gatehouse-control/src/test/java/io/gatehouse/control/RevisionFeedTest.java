package io.gatehouse.control;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.gatehouse.model.BackendDef;
import io.gatehouse.model.GatewayConfig;
import io.gatehouse.testing.Await;
import io.gatehouse.testing.postgres.PostgresServer;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Two servers' control planes over one PostgreSQL database, each fed the other's commits. */
class RevisionFeedTest {
  @TempDir Path dir;

  static GatewayConfig withBackend(String url) {
    return GatewayConfig.EMPTY.withBackends(List.of(BackendDef.of("b", url)));
  }

  /** How many times each revision was announced to a plane's listeners. */
  static Map<Long, AtomicInteger> announcements(ControlPlane plane) {
    Map<Long, AtomicInteger> seen = new ConcurrentHashMap<>();
    plane.onChange(rev -> seen.computeIfAbsent(rev.id(), id -> new AtomicInteger()).incrementAndGet());
    return seen;
  }

  static long awaitRevision(ControlPlane plane, long id) {
    long start = System.nanoTime();
    Await.until("revision " + id + " served by the other plane", () -> plane.revision().id() >= id);
    return (System.nanoTime() - start) / 1_000;
  }

  @Test
  void servesARevisionCommittedThroughAnotherServerAndAnnouncesEachRevisionOnce() {
    DatabaseUrl url = TestStores.url(dir);
    try (PostgresConfigStore a = PostgresConfigStore.open(url, dir, Map.of());
        PostgresConfigStore b = PostgresConfigStore.open(url, dir, Map.of())) {
      ControlPlane pa = ControlPlane.over(a);
      ControlPlane pb = ControlPlane.over(b);
      Map<Long, AtomicInteger> seenByA = announcements(pa);
      Map<Long, AtomicInteger> seenByB = announcements(pb);
      // a long check interval: what arrives within the deadline came by notice
      try (RevisionFeed fa = RevisionFeed.start(a, pa, Duration.ofMinutes(5));
          RevisionFeed fb = RevisionFeed.start(b, pb, Duration.ofMinutes(5))) {
        // warm-up: once B serves revision 1, its feed has run LISTEN and its first check
        awaitRevision(pb, pa.apply(withBackend("http://192.0.2.1"), "alice", "change 1").id());
        Map<Long, Long> announcedAt = new ConcurrentHashMap<>();
        pb.onChange(rev -> announcedAt.put(rev.id(), System.nanoTime()));
        for (int i = 2; i <= 5; i++) {
          Revision r = pa.apply(withBackend("http://192.0.2." + i), "alice", "change " + i);
          long committed = System.nanoTime();
          awaitRevision(pb, r.id());
          System.out.printf("revision %d committed through A announced on B %.2f ms after A's commit returned%n",
              r.id(), (announcedAt.get(r.id()) - committed) / 1e6);
          assertThat(pb.config()).isEqualTo(pa.config());
        }
        Revision own = pb.apply(withBackend("http://192.0.2.100"), "bob", "through B");
        Revision last = pa.apply(withBackend("http://192.0.2.101"), "alice", "after B's own");
        awaitRevision(pb, last.id());
        awaitRevision(pa, own.id());
        assertThat(seenByB.keySet()).containsExactlyInAnyOrder(1L, 2L, 3L, 4L, 5L, 6L, 7L);
        assertThat(seenByB.values()).as("each revision once on B, its own included").allMatch(n -> n.get() == 1);
        assertThat(seenByA.values()).as("each revision once on A").allMatch(n -> n.get() == 1);
        assertThat(pa.adopt(b.get(6).orElseThrow())).as("an older revision is never re-applied").isFalse();
      }
    }
  }

  @Test
  void keepsTheLastRevisionWhilePostgresqlIsKilledAndCatchesUpWhenItIsBack() {
    try (PostgresServer pg = PostgresServer.start()) {
      DatabaseUrl url = DatabaseUrl.parse(pg.url(pg.createDatabase()), Map.of());
      try (PostgresConfigStore a = PostgresConfigStore.open(url, dir, Map.of());
          PostgresConfigStore b = PostgresConfigStore.open(url, dir, Map.of())) {
        ControlPlane pa = ControlPlane.over(a);
        ControlPlane pb = ControlPlane.over(b);
        Map<Long, AtomicInteger> seenByB = announcements(pb);
        try (RevisionFeed fb = RevisionFeed.start(b, pb, Duration.ofSeconds(2))) {
          Revision first = pa.apply(withBackend("http://192.0.2.1"), "alice", "before the crash");
          awaitRevision(pb, first.id());

          pg.kill();
          assertThatThrownBy(() -> pa.apply(withBackend("http://192.0.2.2"), "alice", "refused"))
              .as("a write while the database is down fails").isInstanceOf(RuntimeException.class);
          assertThat(pb.revision().id()).as("B keeps serving its revision").isEqualTo(first.id());
          assertThat(pa.revision().id()).isEqualTo(first.id());

          pg.startAgain();
          long restarted = System.nanoTime();
          Revision after = retried(() -> pa.apply(withBackend("http://192.0.2.3"), "alice", "after the restart"));
          long micros = awaitRevision(pb, after.id());
          System.out.printf("after the restart, revision %d served by B %.1f ms after its commit (%.1f ms after the"
              + " restart)%n", after.id(), micros / 1000.0, (System.nanoTime() - restarted) / 1e6);
          assertThat(after.id()).as("nothing refused was stored").isEqualTo(first.id() + 1);
          assertThat(pb.config()).isEqualTo(pa.config());
          assertThat(seenByB.values()).allMatch(n -> n.get() == 1);
        }
      }
    }
  }

  @Test
  void updatesTheLatestStoredRevisionNotAStaleOneWhenAnotherServerCommittedMeanwhile() {
    DatabaseUrl url = TestStores.url(dir);
    try (PostgresConfigStore a = PostgresConfigStore.open(url, dir, Map.of());
        PostgresConfigStore b = PostgresConfigStore.open(url, dir, Map.of())) {
      ControlPlane pa = ControlPlane.over(a);
      ControlPlane pb = ControlPlane.over(b); // no feed: B has not seen A's commit when it updates
      Map<Long, AtomicInteger> seenByB = announcements(pb);
      pa.apply(withBackend("http://192.0.2.1"), "alice", "through A");
      Revision r = pb.update(c -> c.withBackends(java.util.stream.Stream.concat(c.backends().stream(),
          java.util.stream.Stream.of(BackendDef.of("c", "http://192.0.2.2"))).toList()), "bob", "through B");
      assertThat(r.config().backends()).extracting(BackendDef::name).containsExactly("b", "c");
      assertThat(seenByB.keySet()).containsExactly(1L, 2L);
    }
  }

  private static Revision retried(java.util.function.Supplier<Revision> write) {
    RuntimeException last = null;
    long deadline = System.nanoTime() + Await.DEADLINE.toNanos();
    while (System.nanoTime() < deadline) {
      try {
        return write.get();
      } catch (RuntimeException e) { // the pool may still hand out a connection from before the crash
        last = e;
        java.util.concurrent.locks.LockSupport.parkNanos(100_000_000L); // back off between attempts
      }
    }
    throw new AssertionError("the write kept failing after the restart", last);
  }
}
