package io.gatehouse.waf.internal;

import java.util.ArrayList;
import java.util.List;

/**
 * An {@code @rx} pattern: compiled to RE2/J (linear time) when it can take the pattern, otherwise
 * to a backtracking matcher that reads its input through a clock-checking view, so a pattern
 * that backtracks catastrophically stops at the request's time budget.
 */
abstract class Regex {
  static Regex compile(String pattern) {
    try {
      return new Linear(com.google.re2j.Pattern.compile(pattern, com.google.re2j.Pattern.DOTALL));
    } catch (com.google.re2j.PatternSyntaxException e) {
      try {
        return new Bounded(java.util.regex.Pattern.compile(pattern, java.util.regex.Pattern.DOTALL));
      } catch (java.util.regex.PatternSyntaxException e2) {
        throw new IllegalArgumentException("invalid regular expression: " + e2.getDescription() + " in " + pattern);
      }
    }
  }

  abstract boolean find(Tx tx, String value);

  /** True for patterns that run on the backtracking matcher. */
  abstract boolean bounded();

  private static final class Linear extends Regex {
    private final com.google.re2j.Pattern p;

    Linear(com.google.re2j.Pattern p) {
      this.p = p;
    }

    @Override
    boolean find(Tx tx, String value) {
      com.google.re2j.Matcher m = p.matcher(value);
      if (!m.find()) {
        return false;
      }
      if (tx.wantsCapture()) {
        List<String> groups = new ArrayList<>();
        for (int g = 0; g <= Math.min(9, m.groupCount()); g++) {
          groups.add(m.group(g) == null ? "" : m.group(g));
        }
        tx.captured(groups);
      }
      return true;
    }

    @Override
    boolean bounded() {
      return false;
    }
  }

  private static final class Bounded extends Regex {
    private final java.util.regex.Pattern p;

    Bounded(java.util.regex.Pattern p) {
      this.p = p;
    }

    @Override
    boolean find(Tx tx, String value) {
      java.util.regex.Matcher m = p.matcher(new Clocked(value, tx.deadline()));
      if (!m.find()) {
        return false;
      }
      if (tx.wantsCapture()) {
        List<String> groups = new ArrayList<>();
        for (int g = 0; g <= Math.min(9, m.groupCount()); g++) {
          groups.add(m.group(g) == null ? "" : m.group(g));
        }
        tx.captured(groups);
      }
      return true;
    }

    @Override
    boolean bounded() {
      return true;
    }
  }

  /** A view of a string that throws {@link BudgetExceeded} once the deadline has passed. */
  private static final class Clocked implements CharSequence {
    private final String s;
    private final long deadline;
    private int reads;

    Clocked(String s, long deadline) {
      this.s = s;
      this.deadline = deadline;
    }

    @Override
    public char charAt(int index) {
      if ((++reads & 0x3ff) == 0 && System.nanoTime() - deadline > 0) {
        throw new BudgetExceeded();
      }
      return s.charAt(index);
    }

    @Override
    public int length() {
      return s.length();
    }

    @Override
    public CharSequence subSequence(int start, int end) {
      return new Clocked(s.substring(start, end), deadline);
    }

    @Override
    public String toString() {
      return s;
    }
  }

  /** Thrown when a request's inspection time budget runs out. */
  static final class BudgetExceeded extends RuntimeException {
    private static final long serialVersionUID = 1L;

    BudgetExceeded() {
      super("inspection time budget exceeded", null, false, false);
    }
  }
}
