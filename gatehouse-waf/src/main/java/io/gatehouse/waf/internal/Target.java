package io.gatehouse.waf.internal;

import com.google.re2j.Pattern;
import java.util.Locale;

/**
 * One variable reference of a rule: {@code ARGS}, {@code ARGS:id}, {@code ARGS:/^x/}, {@code
 * &ARGS} (count) or {@code !ARGS:id} (exclusion).
 */
final class Target {
  final String collection;
  final String key;
  final Pattern keyPattern;
  final boolean count;
  final boolean exclusion;

  private Target(String collection, String key, Pattern keyPattern, boolean count, boolean exclusion) {
    this.collection = collection;
    this.key = key;
    this.keyPattern = keyPattern;
    this.count = count;
    this.exclusion = exclusion;
  }

  static Target parse(String text) {
    String t = text.trim();
    boolean exclusion = false;
    boolean count = false;
    if (t.startsWith("!")) {
      exclusion = true;
      t = t.substring(1);
    }
    if (t.startsWith("&")) {
      count = true;
      t = t.substring(1);
    }
    int colon = t.indexOf(':');
    String name = (colon < 0 ? t : t.substring(0, colon)).trim().toUpperCase(Locale.ROOT);
    if (name.isEmpty()) {
      throw new IllegalArgumentException("empty variable name in '" + text + "'");
    }
    if (!Variables.known(name)) {
      throw new IllegalArgumentException("unknown variable " + name);
    }
    if (colon < 0) {
      return new Target(name, null, null, count, exclusion);
    }
    String sel = t.substring(colon + 1);
    if (sel.length() >= 2 && sel.startsWith("'") && sel.endsWith("'")) {
      sel = sel.substring(1, sel.length() - 1);
    }
    if (name.equals("XML")) {
      return new Target(name, sel, null, count, exclusion);
    }
    if (sel.length() >= 2 && sel.startsWith("/") && sel.endsWith("/")) {
      Pattern p = Pattern.compile(sel.substring(1, sel.length() - 1), Pattern.CASE_INSENSITIVE | Pattern.DOTALL);
      return new Target(name, null, p, count, exclusion);
    }
    return new Target(name, sel.toLowerCase(Locale.ROOT), null, count, exclusion);
  }

  /** True when this (selector) reference covers the element {@code key} of {@code collection}. */
  boolean covers(String coll, String elementKey) {
    if (!collection.equals(coll)) {
      return false;
    }
    if (key == null && keyPattern == null) {
      return true;
    }
    if (elementKey == null) {
      return false;
    }
    if (keyPattern != null) {
      return keyPattern.matcher(elementKey).find();
    }
    return key.equalsIgnoreCase(elementKey);
  }

  /** Splits a variable list on {@code |}, keeping {@code |} inside {@code /regex/} selectors and quotes. */
  static java.util.List<Target> parseList(String text) {
    java.util.List<Target> out = new java.util.ArrayList<>();
    StringBuilder cur = new StringBuilder();
    boolean inRegex = false;
    boolean inQuote = false;
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      if (c == '\'' && !inRegex) {
        inQuote = !inQuote;
      } else if (c == '/' && !inQuote) {
        if (inRegex) {
          if (i > 0 && text.charAt(i - 1) != '\\' || i == 0) {
            inRegex = false;
          }
        } else if (i > 0 && (text.charAt(i - 1) == ':' || text.charAt(i - 1) == '\'')) {
          inRegex = true;
        }
      } else if (c == '|' && !inRegex && !inQuote) {
        out.add(parse(cur.toString()));
        cur.setLength(0);
        continue;
      }
      cur.append(c);
    }
    if (cur.length() > 0) {
      out.add(parse(cur.toString()));
    }
    return out;
  }

  @Override
  public String toString() {
    return (exclusion ? "!" : "") + (count ? "&" : "") + collection
        + (key != null ? ":" + key : keyPattern != null ? ":/" + keyPattern.pattern() + "/" : "");
  }
}
