package io.gatehouse.testing.redis;

import static org.assertj.core.api.Assertions.assertThat;

import io.gatehouse.gateway.RedisOptions;
import io.gatehouse.gateway.internal.counters.SharedCounterStore;
import io.gatehouse.gateway.internal.counters.redis.RedisCounterStore;
import io.gatehouse.testing.Await;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** Concurrency leases and node liveness of {@link RedisCounterStore} against a real Redis. */
class RedisCounterStoreLeaseTest {

  private static SharedCounterStore.Lease acquire(SharedCounterStore store) throws Exception {
    return store.acquire("apis[t].policies.inbound[0]|limit-concurrency", 1).toCompletableFuture()
        .get(10, TimeUnit.SECONDS);
  }

  @Test
  void keepsTheLeasesOfALiveNodeAndFreesThoseOfANodeThatStoppedRenewing() throws Exception {
    try (RedisServer redis = RedisServer.start()) {
      RedisOptions options = RedisOptions.parse(redis.uri(), Map.of()).withTimeout(Duration.ofSeconds(5));
      Duration lease = Duration.ofSeconds(2);
      try (RedisCounterStore survivor = RedisCounterStore.connect(options, lease)) {
        RedisCounterStore dying = RedisCounterStore.connect(options, lease);
        Await.until("two live nodes", () -> survivor.liveNodes() == 2);
        assertThat(acquire(dying)).as("the only lease, taken by the node that will die").isNotNull();

        // renewed while its node lives: three lease lengths later it is still held
        long end = System.nanoTime() + lease.multipliedBy(3).toNanos();
        while (System.nanoTime() < end) {
          assertThat(acquire(survivor)).as("a second lease while the first is renewed").isNull();
          Thread.sleep(100);
        }

        dying.close(); // stops heartbeats and renewals without returning its lease, as a crash would
        Await.until("the survivor counts itself alone", () -> survivor.liveNodes() == 1);
        Await.until("the dead node's lease expired", () -> {
          try {
            return acquire(survivor) != null;
          } catch (Exception e) {
            throw new AssertionError(e);
          }
        });
      }
    }
  }
}
