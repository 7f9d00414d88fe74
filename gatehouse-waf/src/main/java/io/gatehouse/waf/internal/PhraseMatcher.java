package io.gatehouse.waf.internal;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** Case-insensitive multi-phrase search (Aho-Corasick) for {@code @pm} and {@code @pmFromFile}. */
final class PhraseMatcher {
  private final List<Map<Character, Integer>> next = new ArrayList<>();
  private final List<Integer> fail = new ArrayList<>();
  private final List<String> out = new ArrayList<>();
  /**
   * The automaton as a dense table over the classes of the characters its phrases use (all below
   * 256, else null and {@link #find} walks the maps): {@code delta[state * classes + class]}.
   */
  private int[] delta;
  private int[] classOf;
  private int classes;
  private String[] outputs;

  PhraseMatcher(List<String> phrases) {
    node();
    for (String p : phrases) {
      String lp = Transforms.lower(p);
      if (lp.isEmpty()) {
        continue;
      }
      int s = 0;
      for (int i = 0; i < lp.length(); i++) {
        Integer t = next.get(s).get(lp.charAt(i));
        if (t == null) {
          t = node();
          next.get(s).put(lp.charAt(i), t);
        }
        s = t;
      }
      if (out.get(s) == null) {
        out.set(s, p);
      }
    }
    java.util.ArrayDeque<Integer> queue = new java.util.ArrayDeque<>();
    for (int t : next.get(0).values()) {
      fail.set(t, 0);
      queue.add(t);
    }
    while (!queue.isEmpty()) {
      int s = queue.poll();
      for (Map.Entry<Character, Integer> e : next.get(s).entrySet()) {
        int t = e.getValue();
        queue.add(t);
        int f = fail.get(s);
        while (f != 0 && !next.get(f).containsKey(e.getKey())) {
          f = fail.get(f);
        }
        Integer g = next.get(f).get(e.getKey());
        fail.set(t, g != null && g != t ? g : 0);
        if (out.get(t) == null && out.get(fail.get(t)) != null) {
          out.set(t, out.get(fail.get(t)));
        }
      }
    }
    dense();
  }

  /** Builds {@link #delta} from the trie and its failure links (states in breadth-first order). */
  private void dense() {
    int[] cls = new int[256];
    int n = 1;
    for (Map<Character, Integer> m : next) {
      for (char c : m.keySet()) {
        if (c >= 256) {
          return;
        }
        if (cls[c] == 0) {
          cls[c] = n++;
        }
      }
    }
    int states = next.size();
    int[] d = new int[states * n];
    char[] byClass = new char[n];
    for (int c = 0; c < 256; c++) {
      if (cls[c] != 0) {
        byClass[cls[c]] = (char) c;
      }
    }
    java.util.ArrayDeque<Integer> queue = new java.util.ArrayDeque<>();
    queue.add(0);
    boolean[] seen = new boolean[states];
    seen[0] = true;
    while (!queue.isEmpty()) {
      int s = queue.poll();
      for (int k = 1; k < n; k++) {
        Integer t = next.get(s).get(byClass[k]);
        if (t != null) {
          d[s * n + k] = t;
          if (!seen[t]) {
            seen[t] = true;
            queue.add(t);
          }
        } else {
          d[s * n + k] = s == 0 ? 0 : d[fail.get(s) * n + k];
        }
      }
    }
    outputs = out.toArray(new String[0]);
    classOf = cls;
    classes = n;
    delta = d;
  }

  private int node() {
    next.add(new HashMap<>());
    fail.add(0);
    out.add(null);
    return next.size() - 1;
  }

  /** The first phrase found in {@code text}, or null. */
  String find(String text) {
    if (delta != null) {
      int s = 0;
      for (int i = 0, n = text.length(); i < n; i++) {
        char c = text.charAt(i);
        if (c >= 'A' && c <= 'Z') {
          c = (char) (c + 32);
        }
        s = delta[s * classes + (c < 256 ? classOf[c] : 0)];
        String o = outputs[s];
        if (o != null) {
          return o;
        }
      }
      return null;
    }
    int s = 0;
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      if (c >= 'A' && c <= 'Z') {
        c = (char) (c + 32);
      }
      while (s != 0 && !next.get(s).containsKey(c)) {
        s = fail.get(s);
      }
      Integer t = next.get(s).get(c);
      s = t == null ? 0 : t;
      if (out.get(s) != null) {
        return out.get(s);
      }
    }
    return null;
  }
}
