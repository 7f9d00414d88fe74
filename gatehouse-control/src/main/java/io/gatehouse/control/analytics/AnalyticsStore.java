package io.gatehouse.control.analytics;

import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * Durable per-minute traffic aggregates with hour and day rollups: {@link #merge} adds minute
 * buckets (and the same totals to their hour and day), {@link #scan} reads one grain, and
 * {@link #purge} applies the retention. Implementations are thread-safe.
 */
public interface AnalyticsStore extends AutoCloseable {

  /** The time grains stored. */
  enum Grain {
    MINUTE(60_000L), HOUR(3_600_000L), DAY(86_400_000L);

    private final long millis;

    Grain(long millis) {
      this.millis = millis;
    }

    /** The bucket length in milliseconds. */
    public long millis() {
      return millis;
    }

    /** The start of the bucket containing {@code epochMillis}. */
    public long floor(long epochMillis) {
      return Math.floorDiv(epochMillis, millis) * millis;
    }

    /** The first bucket start at or after {@code epochMillis}. */
    public long ceil(long epochMillis) {
      return -Math.floorDiv(-epochMillis, millis) * millis;
    }
  }

  /** One stored row: a grain's bucket start, its key and totals. */
  record Row(Grain grain, long bucket, AggregateKey key, Aggregate totals) {}

  /**
   * Adds {@code minutes} (minute bucket start → key → totals) to the minute rows and rolls the same
   * totals into the hour and day rows, in one transaction.
   */
  void merge(Map<Long, Map<AggregateKey, Aggregate>> minutes);

  /**
   * Like {@link #merge}, for a batch that {@code node} reports and may send again (its answer lost):
   * every key is stored under {@code node} (whatever node the keys name), and each minute of the
   * batch is added at most once per {@code (node, minute, batch)}; returns how many minutes were left
   * out because they had been added before.
   */
  int mergeOnce(String node, String batch, Map<Long, Map<AggregateKey, Aggregate>> minutes);

  /**
   * Every row of {@code grain} with {@code fromMillis <= bucket < toMillis} whose dimensions equal
   * {@code filters} (dimension name → value), handed to {@code sink} one by one.
   */
  default void scan(Grain grain, long fromMillis, long toMillis, Map<String, String> filters,
      java.util.function.Consumer<Row> sink) {
    scanEncoded(grain, fromMillis, toMillis, filters, Analytics.DIMENSIONS, true, (bucket, key, requests, errors, bytesIn, bytesOut, latency) ->
        sink.accept(new Row(grain, bucket, key,
            Aggregate.of(requests, errors, bytesIn, bytesOut, JdbcAnalyticsStore.decode(latency)))));
  }

  /** Receives stored rows with their latency histogram still encoded. */
  @FunctionalInterface
  interface EncodedRowSink {
    /**
     * One row: bucket start, key, totals, and the latency histogram in HdrHistogram's V2 encoding
     * ({@code null} when the scan was asked for counts only).
     */
    void accept(long bucket, AggregateKey key, long requests, long errors, long bytesIn, long bytesOut, byte[] latency);
  }

  /**
   * Like {@link #scan} without decoding histograms: {@code sink} gets the encoded latency histogram
   * when {@code latency} is true and {@code null} otherwise (then the histograms are not even read),
   * and keys carrying only {@code dimensions} (names from {@link Analytics#DIMENSIONS}; the other
   * dimensions come back as empty strings and are not read).
   */
  void scanEncoded(Grain grain, long fromMillis, long toMillis, Map<String, String> filters,
      java.util.Collection<String> dimensions, boolean latency, EncodedRowSink sink);

  /** Deletes the rows older than the retention allows at {@code now}; returns how many. */
  int purge(Instant now, AnalyticsRetention retention);

  /** Every row of a grain in a range, for tests. */
  default List<Row> rows(Grain grain, long fromMillis, long toMillis) {
    List<Row> out = new java.util.ArrayList<>();
    scan(grain, fromMillis, toMillis, Map.of(), out::add);
    return out;
  }

  @Override
  void close();
}
