package io.gatehouse.insight.injection.internal;

/**
 * Tells, in one pass over a text, which of up to 32 {@link MarkerSet}s have at least one marker in
 * it, so that the detectors skip the scans of the sets that cannot match. Markers are indexed by
 * their first three characters (two for two-character markers). Immutable and thread-safe.
 */
final class MarkerGroup {
  private static final int TABLE = 4096;

  private final MarkerSet[] sets;
  /**
   * Per trigram hash: pairs of (trigram {@code a << 16 | b << 8 | c}, candidate
   * {@code set << 16 | marker}).
   */
  private final int[][] byTrigram = new int[TABLE][];
  /** Two-character markers, as {@code set << 16 | marker}. */
  private final int[] shortMarkers;

  MarkerGroup(MarkerSet... sets) {
    if (sets.length > 32) {
      throw new IllegalArgumentException("at most 32 marker sets but got " + sets.length);
    }
    this.sets = sets.clone();
    int[] shorts = new int[0];
    for (int g = 0; g < sets.length; g++) {
      for (int m = 0; m < sets[g].size(); m++) {
        String k = sets[g].marker(m);
        int code = g << 16 | m;
        if (k.length() == 2) {
          shorts = java.util.Arrays.copyOf(shorts, shorts.length + 1);
          shorts[shorts.length - 1] = code;
          continue;
        }
        int h = hash(k.charAt(0), k.charAt(1), k.charAt(2));
        int[] old = byTrigram[h];
        int[] now = old == null ? new int[2] : java.util.Arrays.copyOf(old, old.length + 2);
        now[now.length - 2] = key(k.charAt(0), k.charAt(1), k.charAt(2));
        now[now.length - 1] = code;
        byTrigram[h] = now;
      }
    }
    this.shortMarkers = shorts;
  }

  private static int key(char a, char b, char c) {
    return a << 16 | (b & 0xff) << 8 | (c & 0xff);
  }

  private static int hash(char a, char b, char c) {
    return ((a * 31 + b) * 31 + c) & (TABLE - 1);
  }

  /** Bit {@code g} is set when {@code s} contains a marker of the {@code g}-th set. */
  int present(String s) {
    int found = 0;
    for (int code : shortMarkers) {
      if (s.contains(sets[code >>> 16].marker(code & 0xffff))) {
        found |= 1 << (code >>> 16);
      }
    }
    int n = s.length() - 2;
    for (int i = 0; i < n; i++) {
      char a = s.charAt(i);
      char b = s.charAt(i + 1);
      char c = s.charAt(i + 2);
      int[] cands = byTrigram[hash(a, b, c)];
      if (cands == null) {
        continue;
      }
      int key = key(a, b, c);
      for (int j = 0; j < cands.length; j += 2) {
        int code = cands[j + 1];
        int bit = 1 << (code >>> 16);
        if (cands[j] == key && (found & bit) == 0
            && s.startsWith(sets[code >>> 16].marker(code & 0xffff), i)) {
          found |= bit;
        }
      }
    }
    return found;
  }
}
