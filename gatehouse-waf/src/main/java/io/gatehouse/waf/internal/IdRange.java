package io.gatehouse.waf.internal;

import java.util.function.Predicate;

/** Rule id selectors: {@code 942100} or {@code 942100-942199}. */
final class IdRange {
  private IdRange() {}

  static Predicate<Long> parse(String text) {
    String t = text.trim();
    try {
      int dash = t.indexOf('-', 1);
      if (dash > 0) {
        long lo = Long.parseLong(t.substring(0, dash).trim());
        long hi = Long.parseLong(t.substring(dash + 1).trim());
        return id -> id >= lo && id <= hi;
      }
      long one = Long.parseLong(t);
      return id -> id == one;
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("'" + text + "' is not a rule id or id range (e.g. 942100 or 942100-942199)");
    }
  }
}
