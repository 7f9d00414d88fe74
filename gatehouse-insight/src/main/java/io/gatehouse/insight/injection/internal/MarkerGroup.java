package io.gatehouse.insight.injection.internal;

/**
 * Tells, in one pass over a text, which of up to 32 {@link MarkerSet}s have at least one marker in
 * it, so that the detectors skip the scans of the sets that cannot match. Markers are indexed by
 * their first four characters; the few shorter ones are looked up one by one. Immutable and
 * thread-safe.
 */
final class MarkerGroup {
  private static final int BITS = 12;

  private final MarkerSet[] sets;
  /**
   * Per hash of four characters: pairs of (the four characters' low bytes, candidate
   * {@code set << 16 | marker}).
   */
  private final int[][] byQuadgram = new int[1 << BITS][];
  /** Markers of two or three characters, as {@code set << 16 | marker}. */
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
        if (k.length() < 4) {
          shorts = java.util.Arrays.copyOf(shorts, shorts.length + 1);
          shorts[shorts.length - 1] = code;
          continue;
        }
        int key = 0;
        for (int i = 0; i < 4; i++) {
          key = key << 8 | (k.charAt(i) & 0xff);
        }
        int h = hash(key);
        int[] old = byQuadgram[h];
        int[] now = old == null ? new int[2] : java.util.Arrays.copyOf(old, old.length + 2);
        now[now.length - 2] = key;
        now[now.length - 1] = code;
        byQuadgram[h] = now;
      }
    }
    this.shortMarkers = shorts;
  }

  private static int hash(int key) {
    return (key * 0x9E3779B1) >>> (32 - BITS);
  }

  /** Bit {@code g} is set when {@code s} contains a marker of the {@code g}-th set. */
  int present(String s) {
    int found = 0;
    for (int code : shortMarkers) {
      if (s.contains(sets[code >>> 16].marker(code & 0xffff))) {
        found |= 1 << (code >>> 16);
      }
    }
    int n = s.length();
    int key = 0;
    for (int i = 0; i < n; i++) {
      // the low bytes of the four characters ending at i; wider characters may collide, which
      // startsWith sorts out
      key = key << 8 | (s.charAt(i) & 0xff);
      if (i < 3) {
        continue;
      }
      int[] cands = byQuadgram[hash(key)];
      if (cands == null) {
        continue;
      }
      for (int j = 0; j < cands.length; j += 2) {
        int code = cands[j + 1];
        int bit = 1 << (code >>> 16);
        if (cands[j] == key && (found & bit) == 0
            && s.startsWith(sets[code >>> 16].marker(code & 0xffff), i - 3)) {
          found |= bit;
        }
      }
    }
    return found;
  }
}
