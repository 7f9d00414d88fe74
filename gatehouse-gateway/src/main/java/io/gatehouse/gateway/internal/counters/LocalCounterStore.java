package io.gatehouse.gateway.internal.counters;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A {@link CounterStore} answering from memory (each counter updated under its own lock, so
 * concurrent increments are exact), with an optional {@link Persistence} to which what was counted
 * since the last batch is added, in batches, by one background thread every {@code flushMillis},
 * and on close.
 *
 * <p>When the persistence is shared by several servers (a PostgreSQL table), each batch also reads
 * back the stored counts, which include the other servers' batches: each counter then holds the
 * stored count plus what this server counted since. Servers therefore see each other's counts
 * within about one flush interval; within it, each admits against the count it has.
 *
 * <p>Counts changed after the last batch are lost if the process dies without {@link #close()}.
 */
public final class LocalCounterStore implements CounterStore {
  private static final Logger LOG = LoggerFactory.getLogger(LocalCounterStore.class);

  /** Where counters are kept between runs. */
  public interface Persistence {
    /** Every stored counter whose window ends after {@code now}. */
    List<Snapshot> load(long now) throws Exception;

    /**
     * Adds the count of each of {@code deltas} to the stored count of its key and window (creating
     * it), forgets windows ended before {@code now}, and returns the stored counters whose window
     * ends after {@code now}: all of them when other servers write the same storage, or none when
     * this store is its only writer (its memory already holds every count).
     */
    List<Snapshot> add(List<Snapshot> deltas, long now) throws Exception;

    /** Releases the storage. */
    void close() throws Exception;
  }

  /** One counter's state as persisted. */
  public record Snapshot(String key, long start, long end, long count) {}

  private static final class Counter {
    final String key;
    final long start;
    final long end;
    long count;
    long stored; // the stored count as last read back; count - stored was counted here since
    long sending; // what the batch in flight adds to the stored count
    boolean dirty;

    Counter(String key, long start, long end) {
      this.key = key;
      this.start = start;
      this.end = end;
    }
  }

  private record Id(String key, long start) {}

  private final Map<Id, Counter> counters = new ConcurrentHashMap<>();
  private final ConcurrentLinkedQueue<Counter> dirty = new ConcurrentLinkedQueue<>();
  private final Persistence persistence;
  private final ScheduledExecutorService flusher;
  private volatile boolean closed;

  LocalCounterStore(Persistence persistence, long flushMillis) {
    this.persistence = persistence;
    if (persistence == null) {
      flusher = null;
      return;
    }
    try {
      for (Snapshot s : persistence.load(System.currentTimeMillis())) {
        Counter c = new Counter(s.key(), s.start(), s.end());
        c.count = s.count();
        c.stored = s.count();
        counters.put(new Id(s.key(), s.start()), c);
      }
    } catch (Exception e) {
      throw new IllegalStateException("cannot read stored counters: " + e.getMessage(), e);
    }
    flusher = Executors.newSingleThreadScheduledExecutor(r -> {
      Thread t = new Thread(r, "gatehouse-counters");
      t.setDaemon(true);
      return t;
    });
    flusher.scheduleWithFixedDelay(this::flushQuietly, flushMillis, flushMillis, TimeUnit.MILLISECONDS);
  }

  /** A store persisted by {@code persistence}, flushing changed counters every {@code flushMillis} (at least 1). */
  public static LocalCounterStore persistent(Persistence persistence, long flushMillis) {
    Objects.requireNonNull(persistence, "persistence");
    if (flushMillis < 1) {
      throw new IllegalArgumentException("flushMillis must be at least 1 but was " + flushMillis);
    }
    return new LocalCounterStore(persistence, flushMillis);
  }

  @Override
  public long addIfWithin(String key, long start, long end, long delta, long limit) {
    Counter c = counter(key, start, end);
    synchronized (c) {
      if (c.count + delta > limit) {
        return -1;
      }
      c.count += delta;
      markDirty(c);
      return c.count;
    }
  }

  @Override
  public long add(String key, long start, long end, long delta) {
    Counter c = counter(key, start, end);
    synchronized (c) {
      c.count += delta;
      markDirty(c);
      return c.count;
    }
  }

  @Override
  public long get(String key, long start) {
    Counter c = counters.get(new Id(key, start));
    if (c == null) {
      return 0;
    }
    synchronized (c) {
      return c.count;
    }
  }

  private Counter counter(String key, long start, long end) {
    Objects.requireNonNull(key, "key");
    return counters.computeIfAbsent(new Id(key, start), id -> new Counter(key, start, end));
  }

  private void markDirty(Counter c) {
    if (persistence != null && !c.dirty) {
      c.dirty = true;
      dirty.add(c);
    }
  }

  /** Writes every changed counter now and forgets ended windows; a no-op without persistence. */
  public synchronized void flush() throws Exception {
    long now = System.currentTimeMillis();
    counters.values().removeIf(c -> c.end <= now);
    if (persistence == null) {
      return;
    }
    List<Snapshot> batch = new ArrayList<>();
    List<Counter> sent = new ArrayList<>();
    for (Counter c; (c = dirty.poll()) != null; ) {
      synchronized (c) {
        c.dirty = false;
        c.sending = c.count - c.stored;
        if (c.sending != 0) {
          batch.add(new Snapshot(c.key, c.start, c.end, c.sending));
          sent.add(c);
        }
      }
    }
    List<Snapshot> stored;
    try {
      stored = persistence.add(batch, now);
    } catch (Exception e) {
      for (Counter c : sent) { // nothing was added: send it again next time
        synchronized (c) {
          c.sending = 0;
          markDirty(c);
        }
      }
      throw e;
    }
    for (Counter c : sent) { // added: part of the stored count from now on
      synchronized (c) {
        c.stored += c.sending;
        c.sending = 0;
      }
    }
    for (Snapshot s : stored) { // the stored counts, with the other servers' batches
      if (s.end() <= now) {
        continue;
      }
      Counter c = counter(s.key(), s.start(), s.end());
      synchronized (c) {
        c.count = s.count() + (c.count - c.stored);
        c.stored = s.count();
      }
    }
  }

  private void flushQuietly() {
    try {
      flush();
    } catch (Exception e) {
      LOG.warn("cannot persist counters (will retry): {}", e.toString());
    }
  }

  @Override
  public synchronized void close() {
    if (closed) {
      return;
    }
    closed = true;
    if (flusher != null) {
      flusher.shutdownNow();
      flushQuietly();
      try {
        persistence.close();
      } catch (Exception e) {
        LOG.warn("closing counter storage: {}", e.toString());
      }
    }
  }
}
