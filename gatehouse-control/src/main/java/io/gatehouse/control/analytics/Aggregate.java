package io.gatehouse.control.analytics;

import static java.util.Objects.requireNonNull;

import org.HdrHistogram.Histogram;

/**
 * Mutable totals of one key over one time bucket: counts, bytes and a latency histogram in
 * microseconds that merges exactly with others. Not thread-safe.
 */
public final class Aggregate {
  /** Largest latency tracked (one hour, in microseconds); larger values are clamped. */
  public static final long MAX_MICROS = 3_600_000_000L;

  long requests;
  long errors;
  long bytesIn;
  long bytesOut;
  final Histogram latency;

  /** An empty aggregate. */
  public Aggregate() {
    this(newHistogram());
  }

  Aggregate(Histogram latency) {
    this.latency = latency;
  }

  /** A fresh latency histogram: microseconds, 2 significant digits, auto-resizing. */
  public static Histogram newHistogram() {
    Histogram h = new Histogram(2);
    h.setAutoResize(true);
    return h;
  }

  /** An aggregate with these totals; {@code latency} is taken, not copied. */
  public static Aggregate of(long requests, long errors, long bytesIn, long bytesOut, Histogram latency) {
    Aggregate a = new Aggregate(requireNonNull(latency, "latency"));
    a.requests = requests;
    a.errors = errors;
    a.bytesIn = bytesIn;
    a.bytesOut = bytesOut;
    return a;
  }

  /** Adds one request. */
  public void add(TrafficSample s) {
    requests++;
    if (s.isError()) {
      errors++;
    }
    bytesIn += s.bytesIn();
    bytesOut += s.bytesOut();
    latency.recordValue(Math.max(0, Math.min(MAX_MICROS, s.latencyMicros())));
  }

  /** Adds {@code other}'s totals and latencies to this one. */
  public void merge(Aggregate other) {
    requests += other.requests;
    errors += other.errors;
    bytesIn += other.bytesIn;
    bytesOut += other.bytesOut;
    latency.add(other.latency);
  }

  public long requests() {
    return requests;
  }

  public long errors() {
    return errors;
  }

  public long bytesIn() {
    return bytesIn;
  }

  public long bytesOut() {
    return bytesOut;
  }

  /** The latency histogram (microseconds). */
  public Histogram latency() {
    return latency;
  }

  /** The latency histogram in HdrHistogram's V2 encoding, as stored and as gateway nodes report it. */
  public byte[] encodedLatency() {
    return JdbcAnalyticsStore.encode(latency());
  }

  /**
   * Totals with a latency histogram in HdrHistogram's V2 encoding.
   *
   * @throws IllegalStateException when {@code latency} is not such a histogram
   */
  public static Aggregate decoded(long requests, long errors, long bytesIn, long bytesOut, byte[] latency) {
    return of(requests, errors, bytesIn, bytesOut, JdbcAnalyticsStore.decode(latency));
  }
}
