package io.gatehouse.control.analytics;

import static java.util.Objects.requireNonNull;

import io.gatehouse.control.analytics.AnalyticsStore.Grain;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Aggregates {@link TrafficSample}s in memory per minute and key and writes them to an
 * {@link AnalyticsStore} in batches on its own thread; answers analytics queries from the store.
 *
 * <p>{@link #record} is cheap and thread-safe (one lock, no I/O); the store is only touched by the
 * flush thread ({@code gatehouse-analytics}), every {@code flushEvery} and on {@link #close()},
 * which also applies the retention hourly.
 */
public final class Analytics implements AutoCloseable {
  /** The value that replaces a client beyond {@link #MAX_KEYS_PER_MINUTE}. */
  public static final String OTHER = "_other";
  /** Keys kept per minute before new clients are folded into {@link #OTHER}. */
  public static final int MAX_KEYS_PER_MINUTE = 5_000;
  /** The dimensions that rows are keyed and filtered by. */
  public static final List<String> DIMENSIONS = List.of("api", "operation", "product", "subscription", "status", "client",
      "node");
  /** The time dimensions a query may group by. */
  public static final List<String> TIME_DIMENSIONS = List.of("minute", "hour", "day");

  private static final Logger LOG = LoggerFactory.getLogger(Analytics.class);

  private final AnalyticsStore store;
  private final AnalyticsRetention retention;
  private final String node;
  private final Object lock = new Object();
  private final Object flushLock = new Object();
  private final ScheduledExecutorService flusher;
  private Map<Long, Map<AggregateKey, Aggregate>> pending = new HashMap<>();
  /** The map of {@code currentMinute} in {@code pending}, null after a flush: most samples fall in the minute of the one before. */
  private Map<AggregateKey, Aggregate> currentKeys;
  private long currentMinute;
  private long folded;

  private Analytics(AnalyticsStore store, AnalyticsRetention retention, ScheduledExecutorService flusher, String node) {
    this.store = store;
    this.node = requireNonNull(node, "node");
    this.retention = retention;
    this.flusher = flusher;
  }

  /** Analytics over {@code store}, flushing every {@code flushEvery} and purging by {@code retention}. */
  public static Analytics start(AnalyticsStore store, AnalyticsRetention retention, Duration flushEvery) {
    return start(store, retention, flushEvery, "");
  }

  /**
   * Analytics over {@code store} whose rows are keyed by {@code node} (this server's name in a
   * cluster: queries sum the rows of every node and may filter or group by node), flushing every
   * {@code flushEvery} and purging by {@code retention}.
   */
  public static Analytics start(AnalyticsStore store, AnalyticsRetention retention, Duration flushEvery, String node) {
    requireNonNull(store, "store");
    requireNonNull(retention, "retention");
    requireNonNull(flushEvery, "flushEvery");
    if (flushEvery.toMillis() < 1) {
      throw new IllegalArgumentException("expected a flush interval of at least 1 ms but got " + flushEvery);
    }
    ScheduledExecutorService flusher = Executors.newSingleThreadScheduledExecutor(r -> {
      Thread t = new Thread(r, "gatehouse-analytics");
      t.setDaemon(true);
      return t;
    });
    Analytics a = new Analytics(store, retention, flusher, node);
    flusher.scheduleWithFixedDelay(a::flushQuietly, flushEvery.toMillis(), flushEvery.toMillis(), TimeUnit.MILLISECONDS);
    flusher.scheduleWithFixedDelay(a::purgeQuietly, 1, 60, TimeUnit.MINUTES);
    return a;
  }

  /** Analytics over {@code store} that only flushes when asked ({@link #flush()}), for tests and tools. */
  public static Analytics manual(AnalyticsStore store, AnalyticsRetention retention) {
    return new Analytics(requireNonNull(store, "store"), requireNonNull(retention, "retention"), null, "");
  }

  /** Adds one request to its minute's aggregates. Thread-safe, never blocks on I/O. */
  public void record(TrafficSample s) {
    long minute = Grain.MINUTE.floor(s.timeMillis());
    AggregateKey key = new AggregateKey(s.api(), s.operation(), s.product(), s.subscription(), s.statusClass(), s.client(),
        node);
    synchronized (lock) {
      Map<AggregateKey, Aggregate> keys = currentKeys;
      if (keys == null || minute != currentMinute) { // a new minute, or the first sample since a flush
        keys = pending.computeIfAbsent(minute, m -> new HashMap<>());
        currentMinute = minute;
        currentKeys = keys;
      }
      Aggregate a = keys.get(key);
      if (a == null) {
        if (keys.size() >= MAX_KEYS_PER_MINUTE) {
          key = new AggregateKey(s.api(), s.operation(), s.product(), s.subscription(), s.statusClass(), OTHER, node);
          folded++;
        }
        a = keys.computeIfAbsent(key, k -> new Aggregate());
      }
      a.add(s);
    }
  }

  /** Requests whose client was folded into {@link #OTHER} so far. */
  public long folded() {
    synchronized (lock) {
      return folded;
    }
  }

  /** Writes everything recorded so far to the store (on the caller's thread). */
  public void flush() {
    synchronized (flushLock) {
      Map<Long, Map<AggregateKey, Aggregate>> batch;
      synchronized (lock) {
        if (pending.isEmpty()) {
          return;
        }
        batch = pending;
        pending = new HashMap<>();
        currentKeys = null;
      }
      store.merge(batch);
    }
  }

  private void flushQuietly() {
    try {
      flush();
    } catch (RuntimeException e) {
      LOG.warn("analytics flush failed; the batch is lost: {}", e.toString());
    }
  }

  private void purgeQuietly() {
    try {
      int n = store.purge(Instant.now(), retention);
      if (n > 0) {
        LOG.info("analytics retention removed {} rows", n);
      }
    } catch (RuntimeException e) {
      LOG.warn("analytics purge failed: {}", e.toString());
    }
  }

  /** The retention applied. */
  public AnalyticsRetention retention() {
    return retention;
  }

  /**
   * Answers {@code q} from the store, its range rounded outward to whole minutes: whole days from day rows, whole hours from hour rows, the
   * rest from minute rows (a time dimension in {@code groupBy} caps the grain used). Groups come
   * back ordered by their dimension values. Latency histograms are summed as raw bucket counts
   * without decoding each row into a histogram, and not read at all for a
   * {@link AnalyticsQuery#countsOnly() counts-only} query (whose rows then carry empty histograms).
   */
  public List<AnalyticsRow> query(AnalyticsQuery q) {
    requireNonNull(q, "q");
    Grain coarsest = Grain.DAY;
    Grain timeGroup = null;
    for (String g : q.groupBy()) {
      if (g.equals("minute")) {
        timeGroup = Grain.MINUTE;
      } else if (g.equals("hour")) {
        timeGroup = timeGroup == Grain.MINUTE ? timeGroup : Grain.HOUR;
      } else if (g.equals("day") && timeGroup == null) {
        timeGroup = Grain.DAY;
      }
    }
    if (timeGroup != null) {
      coarsest = timeGroup;
    }
    // rounded outward to whole minutes: every minute bucket overlapping [from, to) counts
    long from = Grain.MINUTE.floor(q.from().toEpochMilli());
    long to = Grain.MINUTE.ceil(q.to().toEpochMilli());
    Map<List<String>, Sum> groups = new HashMap<>();
    boolean latency = q.latency();
    List<String> groupBy = q.groupBy();
    List<String> dimensions = new ArrayList<>(groupBy);
    dimensions.removeAll(TIME_DIMENSIONS);
    if (from < to) {
      segments(from, to, coarsest, (grain, a, b) -> store.scanEncoded(grain, a, b, q.filters(), dimensions, latency,
          (bucket, key, requests, errors, bytesIn, bytesOut, histogram) -> {
            List<String> values = new ArrayList<>(groupBy.size());
            for (String g : groupBy) {
              values.add(timeValue(g, bucket, key));
            }
            Sum sum = groups.get(values);
            if (sum == null) {
              sum = new Sum(latency);
              groups.put(values, sum);
            }
            sum.requests += requests;
            sum.errors += errors;
            sum.bytesIn += bytesIn;
            sum.bytesOut += bytesOut;
            if (histogram != null) {
              sum.latency.addEncoded(histogram);
            }
          }));
    }
    List<Map.Entry<List<String>, Sum>> entries = new ArrayList<>(groups.entrySet());
    entries.sort((x, y) -> compare(x.getKey(), y.getKey()));
    List<AnalyticsRow> out = new ArrayList<>(entries.size());
    for (Map.Entry<List<String>, Sum> e : entries) {
      Map<String, String> group = new LinkedHashMap<>();
      for (int i = 0; i < groupBy.size(); i++) {
        group.put(groupBy.get(i), e.getKey().get(i));
      }
      Sum sum = e.getValue();
      out.add(new AnalyticsRow(group, Aggregate.of(sum.requests, sum.errors, sum.bytesIn, sum.bytesOut,
          sum.latency == null ? Aggregate.newHistogram() : sum.latency.toHistogram())));
    }
    return out;
  }

  /** The running totals of one group while a query scans rows. */
  private static final class Sum {
    long requests;
    long errors;
    long bytesIn;
    long bytesOut;
    final LatencyCounts latency;

    Sum(boolean latency) {
      this.latency = latency ? new LatencyCounts() : null;
    }
  }

  /** Calls, errors and bytes per subscription and UTC day over {@code [from, to)}; requests without a subscription are left out. */
  public List<AnalyticsRow> usage(Instant from, Instant to) {
    List<AnalyticsRow> rows = query(new AnalyticsQuery(from, to, List.of("day", "subscription"), Map.of()).countsOnly());
    rows.removeIf(r -> r.group().get("subscription").isEmpty());
    return rows;
  }

  private static String timeValue(String dimension, long bucket, AggregateKey key) {
    switch (dimension) {
      case "minute": return Instant.ofEpochMilli(Grain.MINUTE.floor(bucket)).toString();
      case "hour": return Instant.ofEpochMilli(Grain.HOUR.floor(bucket)).toString();
      case "day": return Instant.ofEpochMilli(Grain.DAY.floor(bucket)).toString();
      default: return key.get(dimension);
    }
  }

  private static int compare(List<String> a, List<String> b) {
    for (int i = 0; i < a.size(); i++) {
      int c = a.get(i).compareTo(b.get(i));
      if (c != 0) {
        return c;
      }
    }
    return 0;
  }

  interface SegmentSink {
    void scan(Grain grain, long from, long to);
  }

  /** Splits minute-aligned {@code [from, to)} into the coarsest aligned pieces allowed. */
  static void segments(long from, long to, Grain coarsest, SegmentSink sink) {
    if (from >= to) {
      return;
    }
    if (coarsest == Grain.MINUTE) {
      sink.scan(Grain.MINUTE, from, to);
      return;
    }
    Grain finer = coarsest == Grain.DAY ? Grain.HOUR : Grain.MINUTE;
    long a = coarsest.ceil(from);
    long b = coarsest.floor(to);
    if (a >= b) {
      segments(from, to, finer, sink);
      return;
    }
    segments(from, a, finer, sink);
    sink.scan(coarsest, a, b);
    segments(b, to, finer, sink);
  }

  /** Stops the flush thread, then writes what is pending. Does not close the store. */
  @Override
  public void close() {
    if (flusher != null) {
      flusher.shutdown();
      try {
        flusher.awaitTermination(10, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
    flushQuietly();
  }
}
