package io.gatehouse.waf.internal;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.BitSet;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The {@link Prefilter} conditions of a program's {@code @rx} patterns, combined: one
 * Aho-Corasick scan of a value ({@link #scan}) finds the literals of every pattern at once,
 * whichever transformation chain the patterns read the value through, and {@link #select} then
 * names exactly the patterns of one chain whose own prefilter would let the value through. A
 * chain's patterns are its members, numbered from 0.
 *
 * <p>Immutable and shared; the per-thread {@link Scratch} holds the working bit sets.
 */
final class LiteralIndex {
  /** No member selected (shared, never written). */
  static final long[] NONE = new long[0];

  /**
   * The literals (ids) one value holds, grouped by chain (chain c's are {@code ids[starts[c]]} to
   * {@code ids[starts[c + 1] - 1]}; null starts when there is none), and whether the value holds a
   * character that is not plain.
   */
  record Found(int[] ids, int[] starts, boolean special) {}

  private static final Found NONE_PLAIN = new Found(new int[0], null, false);
  private static final Found NONE_SPECIAL = new Found(new int[0], null, true);
  /** The chain of each literal id. */
  private final int[] chainOf;

  private final Prefilter.Scanner scanner;
  private final int literals;
  private final Members[] chains;

  /** One chain's members: their conditions and which literals lead to them. */
  private static final class Members {
    int size;
    int words;
    /** Per member: the condition for values with special characters / plain values; null = always. */
    Prefilter.Cond[] general;
    Prefilter.Cond[] plain;
    /** Members whose general (plain) condition always holds. */
    long[] generalAlways;
    long[] plainAlways;
    boolean anyGeneralAlways;
    boolean anyPlainAlways;
    /** Where this chain's literal ids start in the scanner's id space, and how many it has. */
    int base;
    int literals;
    /** Per literal (chain-local id): the members whose condition names it. */
    int[][] generalPostings;
    int[][] plainPostings;
  }

  /** Scratch space of one thread's selections (an index is shared by all requests). */
  static final class Scratch {
    long[] found = new long[0];
    int[] ids = new int[0];
    long[] tried = new long[0];
    int[] triedIds = new int[0];
  }

  /**
   * @param patternsByChain per chain number, the members' patterns in member order (each has a
   *     {@link Prefilter})
   */
  LiteralIndex(List<List<String>> patternsByChain) {
    // each chain numbers its own literals, from its base in the scanner's id space
    List<String> all = new ArrayList<>();
    chains = new Members[patternsByChain.size()];
    for (int c = 0; c < chains.length; c++) {
      List<String> patterns = patternsByChain.get(c);
      Members m = new Members();
      m.size = patterns.size();
      m.words = (m.size + 63) / 64;
      m.general = new Prefilter.Cond[m.size];
      m.plain = new Prefilter.Cond[m.size];
      Map<String, Integer> index = new HashMap<>();
      for (int k = 0; k < m.size; k++) {
        m.general[k] = Prefilter.condition(patterns.get(k), false);
        m.plain[k] = Prefilter.condition(patterns.get(k), true);
        if (m.general[k] != null) {
          m.general[k].collect(index);
        }
        if (m.plain[k] != null) {
          m.plain[k].collect(index);
        }
      }
      m.base = all.size();
      m.literals = index.size();
      for (int i = 0; i < m.literals; i++) {
        all.add(null);
      }
      index.forEach((str, i) -> all.set(m.base + i, str));
      m.generalAlways = new long[m.words];
      m.plainAlways = new long[m.words];
      m.generalPostings = postings(m.general, m.generalAlways, m.literals);
      m.plainPostings = postings(m.plain, m.plainAlways, m.literals);
      m.anyGeneralAlways = nonEmpty(m.generalAlways);
      m.anyPlainAlways = nonEmpty(m.plainAlways);
      chains[c] = m;
    }
    literals = all.size();
    scanner = new Prefilter.Scanner(all);
    chainOf = new int[literals];
    for (int c = 0; c < chains.length; c++) {
      java.util.Arrays.fill(chainOf, chains[c].base, chains[c].base + chains[c].literals, c);
    }
  }

  private static int[][] postings(Prefilter.Cond[] conds, long[] always, int literals) {
    List<List<Integer>> lists = new ArrayList<>();
    for (int i = 0; i < literals; i++) {
      lists.add(new ArrayList<>());
    }
    for (int k = 0; k < conds.length; k++) {
      Prefilter.Cond c = conds[k];
      if (c == null) {
        always[k >>> 6] |= 1L << k;
        continue;
      }
      Prefilter.seal(c, literals);
      BitSet ids = new BitSet();
      c.literalIds(ids);
      for (int id = ids.nextSetBit(0); id >= 0; id = ids.nextSetBit(id + 1)) {
        lists.get(id).add(k);
      }
    }
    int[][] out = new int[literals][];
    for (int i = 0; i < literals; i++) {
      out[i] = lists.get(i).stream().mapToInt(Integer::intValue).toArray();
    }
    return out;
  }

  private static boolean nonEmpty(long[] bits) {
    for (long w : bits) {
      if (w != 0) {
        return true;
      }
    }
    return false;
  }

  /** The number of member patterns of chain {@code chain}. */
  int size(int chain) {
    return chains[chain].size;
  }

  /** The literals of all members of all chains that {@code value} contains (one scan). */
  Found scan(String value, Scratch s) {
    boolean special = false;
    for (int i = 0, n = value.length(); i < n; i++) {
      if (Prefilter.special(value.charAt(i))) {
        special = true;
        break;
      }
    }
    int words = (literals + 63) / 64;
    if (s.found.length < words) {
      s.found = new long[words];
    }
    if (s.ids.length < literals) {
      s.ids = new int[literals];
    }
    int count = literals == 0 ? 0 : scanner.scan(value, s.found, s.ids, 0);
    if (count == 0) {
      return special ? NONE_SPECIAL : NONE_PLAIN;
    }
    for (int k = 0; k < count; k++) {
      s.found[s.ids[k] >>> 6] = 0;
    }
    // grouped by chain (a counting sort: the ids of one chain form one range)
    int[] starts = new int[chains.length + 1];
    for (int k = 0; k < count; k++) {
      starts[chainOf[s.ids[k]] + 1]++;
    }
    for (int c = 0; c < chains.length; c++) {
      starts[c + 1] += starts[c];
    }
    int[] ids = new int[count];
    int[] next = Arrays.copyOf(starts, chains.length);
    for (int k = 0; k < count; k++) {
      int id = s.ids[k];
      ids[next[chainOf[id]]++] = id;
    }
    return new Found(ids, starts, special);
  }

  /**
   * The members of chain {@code chain} whose prefilter lets through the value that {@code found}
   * was scanned from, as a bit set over member numbers ({@link #NONE} when there is none):
   * exactly the patterns for which {@link Prefilter#mayMatch} is true.
   */
  long[] select(int chain, Found found, Scratch s) {
    Members m = chains[chain];
    boolean special = found.special();
    boolean anyAlways = special ? m.anyGeneralAlways : m.anyPlainAlways;
    int[] ids = found.ids();
    int from = found.starts() == null ? 0 : found.starts()[chain];
    int to = found.starts() == null ? 0 : found.starts()[chain + 1];
    if (from == to && !anyAlways) {
      return NONE;
    }
    if (from == to) {
      // shared: selections are never written
      return special ? m.generalAlways : m.plainAlways;
    }
    // the selection depends on the chain's literals found and the kind of value only, and benign
    // traffic repeats few such sets: remember them (up to a bound) for every request
    int[] set = Arrays.copyOfRange(ids, from, to);
    for (int i = 1; i < set.length; i++) {
      // insertion sort: a few ids, so that equal sets found in different orders share an entry
      int v = set[i];
      int j = i - 1;
      while (j >= 0 && set[j] > v) {
        set[j + 1] = set[j];
        j--;
      }
      set[j + 1] = v;
    }
    SetKey key = new SetKey(chain, special, set);
    long[] known = memo.get(key);
    if (known != null) {
      return known;
    }
    long[] out = computeSelect(m, special, ids, from, to, s);
    if (memo.size() < MEMO_LIMIT) {
      memo.put(key, out);
    }
    return out;
  }

  /** At most this many literal sets are remembered (each a few dozen bytes). */
  private static final int MEMO_LIMIT = 50_000;
  private final java.util.concurrent.ConcurrentHashMap<SetKey, long[]> memo = new java.util.concurrent.ConcurrentHashMap<>();

  /** A chain's literals found in a value (sorted ids), and whether the value is special. */
  private static final class SetKey {
    final int chain;
    final boolean special;
    final int[] ids;
    final int hash;

    SetKey(int chain, boolean special, int[] ids) {
      this.chain = chain;
      this.special = special;
      this.ids = ids;
      this.hash = (Arrays.hashCode(ids) * 31 + chain) * 2 + (special ? 1 : 0);
    }

    @Override
    public boolean equals(Object o) {
      return o instanceof SetKey k && k.hash == hash && k.chain == chain && k.special == special
          && Arrays.equals(k.ids, ids);
    }

    @Override
    public int hashCode() {
      return hash;
    }
  }

  private long[] computeSelect(Members m, boolean special, int[] ids, int from, int to, Scratch s) {
    boolean anyAlways = special ? m.anyGeneralAlways : m.anyPlainAlways;
    long[] out = anyAlways ? (special ? m.generalAlways : m.plainAlways).clone() : null;
    int words = (m.literals + 63) / 64;
    if (s.found.length < words) {
      s.found = new long[words];
    }
    if (s.tried.length < m.words) {
      s.tried = new long[m.words];
    }
    if (s.triedIds.length < m.size) {
      s.triedIds = new int[m.size];
    }
    for (int i = from; i < to; i++) {
      int id = ids[i] - m.base;
      s.found[id >>> 6] |= 1L << id;
    }
    Prefilter.Cond[] conds = special ? m.general : m.plain;
    int[][] postings = special ? m.generalPostings : m.plainPostings;
    int tried = 0;
    for (int i = from; i < to; i++) {
      for (int k : postings[ids[i] - m.base]) {
        long bit = 1L << k;
        if ((s.tried[k >>> 6] & bit) != 0) {
          continue;
        }
        s.tried[k >>> 6] |= bit;
        s.triedIds[tried++] = k;
        if (conds[k].holds(s.found)) {
          if (out == null) {
            out = new long[m.words];
          }
          out[k >>> 6] |= bit;
        }
      }
    }
    for (int i = from; i < to; i++) {
      s.found[(ids[i] - m.base) >>> 6] = 0;
    }
    for (int k = 0; k < tried; k++) {
      s.tried[s.triedIds[k] >>> 6] = 0;
    }
    return out == null ? NONE : out;
  }

  /** Whether member {@code m} is in a selection {@link #select} returned. */
  static boolean selected(long[] selection, int m) {
    return (m >>> 6) < selection.length && (selection[m >>> 6] & (1L << m)) != 0;
  }

  /** Adds selection {@code b} to {@code into} (selections of chain {@code chain}), returning the result. */
  long[] or(int chain, long[] into, long[] b) {
    if (b.length == 0) {
      return into;
    }
    if (into.length == 0) {
      into = new long[chains[chain].words];
    }
    for (int w = 0; w < b.length; w++) {
      into[w] |= b[w];
    }
    return into;
  }
}
