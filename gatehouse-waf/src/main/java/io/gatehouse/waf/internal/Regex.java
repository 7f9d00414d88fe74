package io.gatehouse.waf.internal;

import java.util.ArrayList;
import java.util.List;

/**
 * An {@code @rx} pattern. A pattern RE2/J accepts has linear-time matching: it first runs on the
 * JDK's (faster) backtracking matcher under a step cap proportional to the input length, and when
 * the cap is hit the match is redone on RE2/J, so its cost stays linear in the input. A pattern
 * RE2/J refuses (look-around, back-references) runs on the backtracking matcher alone, reading
 * its input through a clock-checking view, so it stops at the request's time budget.
 */
abstract class Regex {
  /** Backtracking steps (character reads) allowed per input character before RE2/J takes over. */
  private static final int STEPS_PER_CHAR = 2000;
  private static final int BASE_STEPS = 20_000;

  static Regex compile(String pattern) {
    try {
      com.google.re2j.Pattern re2 = com.google.re2j.Pattern.compile(pattern, com.google.re2j.Pattern.DOTALL);
      java.util.regex.Pattern fast = null;
      if (!pattern.contains("(?P")) {
        try {
          fast = java.util.regex.Pattern.compile(forJdk(pattern), java.util.regex.Pattern.DOTALL);
        } catch (java.util.regex.PatternSyntaxException e) {
          fast = null;
        }
      }
      return new Linear(re2, fast).withPrefilter(pattern);
    } catch (com.google.re2j.PatternSyntaxException e) {
      try {
        return new Bounded(java.util.regex.Pattern.compile(forJdk(pattern), java.util.regex.Pattern.DOTALL))
            .withPrefilter(pattern);
      } catch (java.util.regex.PatternSyntaxException e2) {
        throw new IllegalArgumentException("invalid regular expression: " + e2.getDescription() + " in " + pattern);
      }
    }
  }

  /** The literals every match contains, checked before the matcher runs; null when none is known. */
  private Prefilter prefilter;

  final Regex withPrefilter(String pattern) {
    prefilter = Prefilter.of(pattern);
    return this;
  }

  /** Whether the pattern occurs in {@code value} (capturing its groups when {@code tx} wants them). */
  final boolean find(Tx tx, String value) {
    if (prefilter != null && !prefilter.mayMatch(value)) {
      return false;
    }
    return run(tx, value);
  }

  /** Whether the pattern has a prefilter (so that a {@link LiteralIndex} can take it). */
  final boolean hasPrefilter() {
    return prefilter != null;
  }

  /** The match itself, once the prefilter has let the value through. */
  abstract boolean run(Tx tx, String value);

  private static final java.util.Map<String, String> POSIX = java.util.Map.ofEntries(
      java.util.Map.entry("alpha", "\\p{Alpha}"), java.util.Map.entry("digit", "0-9"),
      java.util.Map.entry("alnum", "\\p{Alnum}"), java.util.Map.entry("space", "\\s\\x0b"),
      java.util.Map.entry("upper", "A-Z"), java.util.Map.entry("lower", "a-z"),
      java.util.Map.entry("punct", "\\p{Punct}"), java.util.Map.entry("xdigit", "0-9A-Fa-f"),
      java.util.Map.entry("word", "\\w"), java.util.Map.entry("cntrl", "\\p{Cntrl}"),
      java.util.Map.entry("print", "\\p{Print}"), java.util.Map.entry("graph", "\\p{Graph}"),
      java.util.Map.entry("blank", " \\t"));

  /**
   * A PCRE pattern in the JDK's dialect: inside a character class PCRE reads {@code [} and
   * {@code &&} literally (the JDK would nest or intersect classes), and {@code [:name:]} is a
   * POSIX class.
   */
  static String forJdk(String p) {
    StringBuilder out = new StringBuilder(p.length() + 8);
    boolean inClass = false;
    int n = p.length();
    for (int i = 0; i < n; i++) {
      char c = p.charAt(i);
      if (c == '\\') {
        out.append(c);
        if (i + 1 < n) {
          out.append(p.charAt(++i));
        }
        continue;
      }
      if (!inClass) {
        out.append(c);
        if (c == '[') {
          inClass = true;
          if (i + 1 < n && p.charAt(i + 1) == '^') {
            out.append('^');
            i++;
          }
          if (i + 1 < n && p.charAt(i + 1) == ']') {
            out.append("\\]");
            i++;
          }
        }
        continue;
      }
      if (c == ']') {
        inClass = false;
        out.append(c);
      } else if (c == '[') {
        int end = p.startsWith("[:", i) ? p.indexOf(":]", i + 2) : -1;
        String posix = end > 0 ? POSIX.get(p.substring(i + 2, end)) : null;
        if (posix != null) {
          out.append(posix);
          i = end + 1;
        } else {
          out.append("\\[");
        }
      } else if (c == '&') {
        out.append("\\&");
      } else {
        out.append(c);
      }
    }
    return out.toString();
  }

  /** Whether the pattern occurs in {@code value} (no captures, no time budget: short config-side values). */
  boolean findPlain(String value) {
    return find(null, value);
  }

  /** True for patterns that run on the backtracking matcher. */
  abstract boolean bounded();

  private static final class Linear extends Regex {
    private final com.google.re2j.Pattern p;
    private final java.util.regex.Pattern fast;

    Linear(com.google.re2j.Pattern p, java.util.regex.Pattern fast) {
      this.p = p;
      this.fast = fast;
    }

    @Override
    boolean run(Tx tx, String value) {
      if (fast != null) {
        try {
          java.util.regex.Matcher m = fast.matcher(new Capped(value, BASE_STEPS + (long) STEPS_PER_CHAR * value.length()));
          if (!m.find()) {
            return false;
          }
          capture(tx, m.groupCount(), m::group);
          return true;
        } catch (StepCap e) {
          // too much backtracking: the linear-time matcher decides
        }
      }
      com.google.re2j.Matcher m = p.matcher(value);
      if (!m.find()) {
        return false;
      }
      capture(tx, m.groupCount(), m::group);
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
    boolean run(Tx tx, String value) {
      java.util.regex.Matcher m = p.matcher(new Clocked(value, tx == null ? System.nanoTime() + 100_000_000L : tx.deadline()));
      if (!m.find()) {
        return false;
      }
      capture(tx, m.groupCount(), m::group);
      return true;
    }

    @Override
    boolean bounded() {
      return true;
    }
  }

  /** Hands groups 0 to 9 of a match to {@code tx} when a rule captures (an absent group as ""). */
  private static void capture(Tx tx, int groupCount, java.util.function.IntFunction<String> group) {
    if (tx == null || !tx.wantsCapture()) {
      return;
    }
    List<String> groups = new ArrayList<>();
    for (int g = 0; g <= Math.min(9, groupCount); g++) {
      String value = group.apply(g);
      groups.add(value == null ? "" : value);
    }
    tx.captured(groups);
  }

  /** A view of a string that throws {@link StepCap} after a number of character reads. */
  private static final class Capped implements CharSequence {
    private final String s;
    private long left;

    Capped(String s, long steps) {
      this.s = s;
      this.left = steps;
    }

    @Override
    public char charAt(int index) {
      if (--left < 0) {
        throw StepCap.INSTANCE;
      }
      return s.charAt(index);
    }

    @Override
    public int length() {
      return s.length();
    }

    @Override
    public CharSequence subSequence(int start, int end) {
      return s.substring(start, end);
    }

    @Override
    public String toString() {
      return s;
    }
  }

  private static final class StepCap extends RuntimeException {
    private static final long serialVersionUID = 1L;
    static final StepCap INSTANCE = new StepCap();

    private StepCap() {
      super("step cap", null, false, false);
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
