package io.gatehouse.insight.injection.internal;

/**
 * Finds any of a fixed set of ASCII markers in a text in one pass, indexing the markers by their
 * first two characters. Immutable and thread-safe.
 */
final class MarkerSet {
  private final String[] markers;
  private final int[][] byBigram = new int[128 * 128][];

  MarkerSet(String... markers) {
    this.markers = markers.clone();
    for (int m = 0; m < markers.length; m++) {
      String k = markers[m];
      if (k.length() < 2 || k.charAt(0) >= 128 || k.charAt(1) >= 128) {
        throw new IllegalArgumentException("marker must be ASCII with 2+ characters: '" + k + "'");
      }
      int b = k.charAt(0) * 128 + k.charAt(1);
      int[] old = byBigram[b];
      int[] now = old == null ? new int[1] : java.util.Arrays.copyOf(old, old.length + 1);
      now[now.length - 1] = m;
      byBigram[b] = now;
    }
  }

  int size() {
    return markers.length;
  }

  String marker(int index) {
    return markers[index];
  }

  /** Returns {@code position << 16 | markerIndex} of the first match at or after {@code from}, or -1. */
  long find(String s, int from) {
    int n = s.length() - 1;
    for (int i = Math.max(0, from); i < n; i++) {
      char a = s.charAt(i);
      char b = s.charAt(i + 1);
      if (a >= 128 || b >= 128) {
        continue;
      }
      int[] cands = byBigram[a * 128 + b];
      if (cands == null) {
        continue;
      }
      for (int m : cands) {
        if (s.startsWith(markers[m], i)) {
          return ((long) i << 16) | m;
        }
      }
    }
    return -1;
  }

  static int position(long match) {
    return (int) (match >>> 16);
  }

  static int index(long match) {
    return (int) (match & 0xffff);
  }
}
