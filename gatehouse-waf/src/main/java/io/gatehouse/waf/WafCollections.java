package io.gatehouse.waf;

import io.gatehouse.waf.internal.CollectionStore;
import java.time.Duration;
import java.util.Objects;
import java.util.function.LongSupplier;

/**
 * The persistent collections ({@code IP}, {@code SESSION}, {@code USER}, {@code GLOBAL}, {@code
 * RESOURCE}) that rules open with {@code initcol}, {@code setsid} or {@code setuid}, kept in memory
 * and shared by every transaction begun with them; bounded in records, variables and time.
 *
 * <p>A record disappears when it has not been used for the timeout, and the least recently used
 * record is evicted when the store is full; a variable disappears when its {@code expirevar}
 * delay has passed. Updates ({@code setvar:ip.n=+1}) are atomic, so concurrent requests count
 * exactly. Thread-safe.
 */
public final class WafCollections {
  /** Records kept unless configured otherwise. */
  public static final int DEFAULT_MAX_RECORDS = 10_000;
  /** Time after its last use that a record is kept unless configured otherwise (ModSecurity's default). */
  public static final Duration DEFAULT_TIMEOUT = Duration.ofHours(1);

  private final CollectionStore store;

  private WafCollections(CollectionStore store) {
    this.store = store;
  }

  /** An in-memory store with the default bounds on the system's monotonic clock. */
  public static WafCollections inMemory() {
    return inMemory(DEFAULT_MAX_RECORDS, DEFAULT_TIMEOUT, () -> System.nanoTime() / 1_000_000);
  }

  /**
   * An in-memory store of at most {@code maxRecords} records (at least 1), each kept {@code
   * timeout} (positive) after its last use, on the monotonic clock {@code nowMillis}.
   */
  public static WafCollections inMemory(int maxRecords, Duration timeout, LongSupplier nowMillis) {
    Objects.requireNonNull(timeout, "timeout");
    return new WafCollections(new CollectionStore(maxRecords, timeout.toMillis(), Objects.requireNonNull(nowMillis, "nowMillis")));
  }

  /** How many records the store holds. */
  public int size() {
    return store.size();
  }

  /** How many records were evicted because the store was full. */
  public long evicted() {
    return store.evicted();
  }

  CollectionStore store() {
    return store;
  }
}
