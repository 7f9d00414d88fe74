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
  }

  private int node() {
    next.add(new HashMap<>());
    fail.add(0);
    out.add(null);
    return next.size() - 1;
  }

  /** The first phrase found in {@code text}, or null. */
  String find(String text) {
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
