package io.gatehouse.control.analytics;

import java.nio.ByteBuffer;
import java.util.Arrays;
import org.HdrHistogram.Histogram;

/**
 * A sum of latency histograms kept as raw bucket counts: {@link #addEncoded} adds a histogram in
 * HdrHistogram's V2 encoding (as stored by {@link JdbcAnalyticsStore}) straight into the counts,
 * without building a {@link Histogram} per row, and {@link #toHistogram} turns the sum into one
 * histogram at the end. The sum is exact: a bucket's count is the sum of that bucket's counts.
 * Not thread-safe.
 */
final class LatencyCounts {
  private static final int V2_COOKIE_BASE = 0x1c849303;
  private static final int HEADER_BYTES = 40;
  /** The layout of {@link Aggregate#newHistogram()}: 2 significant digits, lowest discernible value 1. */
  private static final int DIGITS = 2;
  private static final int SUB_BUCKET_HALF_COUNT_MAGNITUDE = subBucketHalfCountMagnitude(DIGITS);
  private static final int SUB_BUCKET_HALF_COUNT = 1 << SUB_BUCKET_HALF_COUNT_MAGNITUDE;

  private long[] counts = new long[0];
  private int length; // 1 + the highest index with a count
  private Histogram other; // rows in another layout (never written by this version), added the slow way
  private byte[] single; // the only histogram added so far, kept encoded: a one-row sum is decoded once, at the end
  private boolean empty = true;

  /** Adds the histogram encoded in {@code bytes} (kept by reference until a second one comes). */
  void addEncoded(byte[] bytes) {
    if (empty) {
      empty = false;
      single = bytes;
      return;
    }
    if (single != null) {
      byte[] first = single;
      single = null;
      sum(first);
    }
    sum(bytes);
  }

  private void sum(byte[] bytes) {
    ByteBuffer b = ByteBuffer.wrap(bytes);
    if (bytes.length < HEADER_BYTES || (b.getInt(0) & ~0xf0) != V2_COOKIE_BASE || b.getInt(8) != 0
        || b.getInt(12) != DIGITS || b.getLong(16) != 1) {
      addSlowly(bytes);
      return;
    }
    int payload = b.getInt(4);
    int end = HEADER_BYTES + payload;
    if (payload < 0 || end > bytes.length) {
      throw new IllegalStateException("corrupt latency histogram: payload of " + payload + " bytes in "
          + bytes.length + " bytes");
    }
    // room for every bucket up to the histogram's highest trackable value, so that the array grows
    // at most once per row
    long highest = b.getLong(24);
    if (highest > 0 && highest <= Long.MAX_VALUE / 2) {
      ensure(countsIndex(highest) + 1);
    }
    int pos = HEADER_BYTES;
    int index = 0;
    while (pos < end) {
      // zig-zag LEB128 (at most 9 bytes, the 9th carrying 8 bits), as HdrHistogram's ZigZagEncoding
      long v = bytes[pos++];
      long value = v & 0x7F;
      int shift = 7;
      while ((v & 0x80) != 0 && shift < 56) {
        v = bytes[pos++];
        value |= (v & 0x7F) << shift;
        shift += 7;
      }
      if ((v & 0x80) != 0) {
        v = bytes[pos++];
        value |= v << 56;
      }
      long count = (value >>> 1) ^ -(value & 1);
      if (count < 0) {
        index += (int) -count; // a run of empty buckets
      } else {
        if (count > 0) {
          if (index >= counts.length) {
            ensure(Math.max(index + 1, counts.length * 2));
          }
          counts[index] += count;
          if (index >= length) {
            length = index + 1;
          }
        }
        index++;
      }
    }
  }

  private void ensure(int size) {
    if (size > counts.length) {
      counts = Arrays.copyOf(counts, size);
    }
  }

  private void addSlowly(byte[] bytes) {
    Histogram h = JdbcAnalyticsStore.decode(bytes);
    if (other == null) {
      other = Aggregate.newHistogram();
    }
    other.add(h);
  }

  /** The sum as a histogram in the layout of {@link Aggregate#newHistogram()}. */
  Histogram toHistogram() {
    if (single != null) {
      return JdbcAnalyticsStore.decode(single);
    }
    Histogram h = length == 0 ? Aggregate.newHistogram() : new Histogram(Math.max(2, valueFromIndex(length - 1) * 2), DIGITS);
    h.setAutoResize(true);
    for (int i = 0; i < length; i++) {
      if (counts[i] != 0) {
        h.recordValueWithCount(valueFromIndex(i), counts[i]);
      }
    }
    if (other != null) {
      h.add(other);
    }
    return h;
  }

  /** The lowest value counted at bucket index {@code index} (HdrHistogram's layout, unit magnitude 0). */
  static long valueFromIndex(int index) {
    int bucketIndex = (index >> SUB_BUCKET_HALF_COUNT_MAGNITUDE) - 1;
    int subBucketIndex = (index & (SUB_BUCKET_HALF_COUNT - 1)) + SUB_BUCKET_HALF_COUNT;
    if (bucketIndex < 0) {
      subBucketIndex -= SUB_BUCKET_HALF_COUNT;
      bucketIndex = 0;
    }
    return (long) subBucketIndex << bucketIndex;
  }

  /** The bucket index counting {@code value} (HdrHistogram's {@code countsArrayIndex}, unit magnitude 0). */
  static int countsIndex(long value) {
    long subBucketMask = (2L << SUB_BUCKET_HALF_COUNT_MAGNITUDE) - 1;
    int bucketIndex = 63 - Long.numberOfLeadingZeros(value | subBucketMask) - SUB_BUCKET_HALF_COUNT_MAGNITUDE;
    int subBucketIndex = (int) (value >>> bucketIndex);
    return ((bucketIndex + 1) << SUB_BUCKET_HALF_COUNT_MAGNITUDE) + (subBucketIndex - SUB_BUCKET_HALF_COUNT);
  }

  private static int subBucketHalfCountMagnitude(int digits) {
    long largestValueWithSingleUnitResolution = 2 * (long) Math.pow(10, digits);
    int subBucketCountMagnitude = (int) Math.ceil(Math.log(largestValueWithSingleUnitResolution) / Math.log(2));
    return Math.max(subBucketCountMagnitude, 1) - 1;
  }
}
