package io.gatehouse.insight.injection.internal;

/**
 * Tells, in one pass over a text, which of up to 32 {@link MarkerSet}s have at least one marker in
 * it, so that the detectors skip the scans of the sets that cannot match. Markers are indexed by
 * their first three characters (two for two-character markers). Immutable and thread-safe.
 */
final class MarkerGroup {
  private static final int TABLE = 4096;

  private final MarkerSet[] sets;
  /** Per trigram hash: the candidates as {@code set << 16 | marker}. */
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
        int[] now = old == null ? new int[1] : java.util.Arrays.copyOf(old, old.length + 1);
        now[now.length - 1] = code;
        byTrigram[h] = now;
      }
    }
    this.shortMarkers = shorts;
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
      int[] cands = byTrigram[hash(s.charAt(i), s.charAt(i + 1), s.charAt(i + 2))];
      if (cands == null) {
        continue;
      }
      for (int code : cands) {
        int bit = 1 << (code >>> 16);
        if ((found & bit) == 0 && s.startsWith(sets[code >>> 16].marker(code & 0xffff), i)) {
          found |= bit;
        }
      }
    }
    return found;
  }
}
