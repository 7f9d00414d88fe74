package io.gatehouse.waf.internal;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The literals every match of a regular expression must contain, as an AND/OR condition, checked
 * with one multi-literal scan of the value before the pattern runs: when {@link #mayMatch} says
 * no, the pattern provably cannot match, so skipping it never changes a verdict.
 *
 * <p>The condition is an over-approximation of the pattern's language: literals are compared
 * ASCII case-insensitively (whatever the pattern's flags), characters outside ASCII are never part
 * of a literal, and any construct the extractor does not know makes it give up for the whole
 * pattern ({@link #of} returns null). Look-arounds and anchors count as empty, back-references
 * and large classes as unknown.
 */
final class Prefilter {
  /** Largest set of alternative strings tracked exactly before it becomes a condition. */
  private static final int SET_LIMIT = 256;
  private static final int MAX_LITERALS = 4096;
  /** The POSIX class names both matchers read the same way. */
  private static final Set<String> POSIX = Set.of("alpha", "digit", "alnum", "space", "upper", "lower",
      "punct", "xdigit", "word", "cntrl", "print", "graph", "blank");

  /**
   * Characters a "plain" value never holds: ASCII punctuation other than {@code - . _ , : / @ +},
   * control characters other than tab, CR and LF, and everything outside ASCII. Most benign values
   * are plain, and for them the pattern's optional punctuation-led parts (evasion characters,
   * quotes, {@code $var} insertions) match nothing, which leaves far stronger literals.
   */
  private static final boolean[] SPECIAL = new boolean[128];

  static {
    for (int c = 0; c < 128; c++) {
      SPECIAL[c] = c < 0x20 ? c != '\t' && c != '\n' && c != '\r'
          : c == 0x7f || !Character.isLetterOrDigit(c) && " -._,:/@+".indexOf(c) < 0;
    }
  }

  /** The condition for any value, or null when it is always true. */
  private final Filter general;
  /** The condition for plain values, or null when it is always true. */
  private final Filter plain;

  private Prefilter(Filter general, Filter plain) {
    this.general = general;
    this.plain = plain;
  }

  /** The prefilter of a pattern, or null when it has no required literal (or is not understood). */
  static Prefilter of(String pattern) {
    Filter general = Filter.of(pattern, false);
    Filter plain = Filter.of(pattern, true);
    return general == null && plain == null ? null : new Prefilter(general, plain);
  }

  static boolean special(char c) {
    return c >= 0x80 || SPECIAL[c];
  }

  /**
   * The condition of {@code pattern} for any value ({@code plain} false) or for plain values, with
   * fresh literal nodes not yet numbered; null when it always holds (no filter), exactly when
   * {@link #of} keeps no filter of that kind.
   */
  static Cond condition(String pattern, boolean plain) {
    Filter f = Filter.of(pattern, plain);
    return f == null ? null : Filter.parse(pattern, plain);
  }

  /** False when the pattern cannot match {@code value}. */
  boolean mayMatch(String value) {
    for (int i = 0, n = value.length(); i < n; i++) {
      if (special(value.charAt(i))) {
        return general == null || general.mayMatch(value);
      }
    }
    return plain == null || plain.mayMatch(value);
  }

  /** The conditions in readable form (for tests): the general one, then the one for plain values. */
  @Override
  public String toString() {
    return (general == null ? "TRUE" : general.cond.toString()) + " / plain: "
        + (plain == null ? "TRUE" : plain.cond.toString());
  }

  /** One condition with its literal scanner. */
  private static final class Filter {
    private final Cond cond;
    private final Scanner scanner;
    private final boolean anyLiteral;

    private Filter(Cond cond, List<String> literals) {
      this.cond = cond;
      seal(cond, literals.size());
      this.scanner = new Scanner(literals);
      this.anyLiteral = cond instanceof Lit || cond instanceof Or o && o.parts.stream().allMatch(p -> p instanceof Lit);
    }

    static Filter of(String pattern, boolean plain) {
      Cond c = parse(pattern, plain);
      if (c == null) {
        return null;
      }
      Map<String, Integer> index = new HashMap<>();
      c.collect(index);
      if (index.size() > MAX_LITERALS) {
        return null;
      }
      List<String> literals = new ArrayList<>(index.size());
      for (int i = 0; i < index.size(); i++) {
        literals.add(null);
      }
      index.forEach((str, i) -> literals.set(i, str));
      return new Filter(c, literals);
    }

    /** The pattern's condition (fresh nodes), or null when it is TRUE or not understood. */
    static Cond parse(String pattern, boolean plain) {
      Info info;
      try {
        Parser p = new Parser(pattern, plain);
        info = p.alternation();
        if (p.pos != pattern.length()) {
          return null;
        }
      } catch (GiveUp e) {
        return null;
      }
      Cond c = info.cond();
      return c == TRUE ? null : c;
    }

    boolean mayMatch(String value) {
      if (cond == FALSE) {
        return false;
      }
      if (anyLiteral) {
        return scanner.findAny(value);
      }
      long[] found = scanner.found(value);
      for (long w : found) {
        if (w != 0) {
          return cond.holds(found);
        }
      }
      // every condition but TRUE (which has no filter) needs at least one literal
      return false;
    }
  }

  /** Case-folds one character for literal comparison (RE2 folds the Kelvin sign and long s to ASCII). */
  static int fold(char c) {
    if (c >= 'A' && c <= 'Z') {
      return c + 32;
    }
    if (c == '\u212a') {
      return 'k';
    }
    if (c == '\u017f') {
      return 's';
    }
    return c < 0x80 ? c : -1;
  }

  // ---- conditions

  abstract static class Cond {
    abstract boolean holds(long[] found);

    /** Numbers this condition's literals in {@code index} (shared by the conditions of one scanner). */
    abstract void collect(Map<String, Integer> index);

    /** Adds the ids of this condition's literals (once collected) to {@code ids}. */
    void literalIds(java.util.BitSet ids) {}

    boolean isFalse() {
      return this == FALSE;
    }
  }

  private static final Cond TRUE = new Cond() {
    @Override
    boolean holds(long[] found) {
      return true;
    }

    @Override
    void collect(Map<String, Integer> index) {}

    @Override
    public String toString() {
      return "TRUE";
    }
  };

  private static final Cond FALSE = new Cond() {
    @Override
    boolean holds(long[] found) {
      return false;
    }

    @Override
    void collect(Map<String, Integer> index) {}

    @Override
    public String toString() {
      return "FALSE";
    }
  };

  private static final class Lit extends Cond {
    final String s;
    int id;

    Lit(String s) {
      this.s = s;
    }

    @Override
    boolean holds(long[] found) {
      return (found[id >>> 6] & (1L << id)) != 0;
    }

    @Override
    void collect(Map<String, Integer> index) {
      id = index.computeIfAbsent(s, k -> index.size());
    }

    @Override
    void literalIds(java.util.BitSet ids) {
      ids.set(id);
    }

    @Override
    public String toString() {
      return "'" + s + "'";
    }
  }

  private static final class And extends Cond {
    final List<Cond> parts;

    And(List<Cond> parts) {
      this.parts = parts;
    }

    @Override
    boolean holds(long[] found) {
      for (Cond c : parts) {
        if (!c.holds(found)) {
          return false;
        }
      }
      return true;
    }

    @Override
    void collect(Map<String, Integer> index) {
      parts.forEach(p -> p.collect(index));
    }

    @Override
    void literalIds(java.util.BitSet ids) {
      parts.forEach(p -> p.literalIds(ids));
    }

    @Override
    public String toString() {
      return "AND" + parts;
    }
  }

  private static final class Or extends Cond {
    final List<Cond> parts;
    /**
     * The literal alternatives as a sparse bit mask (the words that have a bit, and their bits: one
     * AND test per word), the others in {@link #rest}.
     */
    private int[] maskWords;
    private long[] maskBits;
    private Cond[] rest;

    Or(List<Cond> parts) {
      this.parts = parts;
    }

    @Override
    boolean holds(long[] found) {
      for (int i = 0; i < maskWords.length; i++) {
        if ((found[maskWords[i]] & maskBits[i]) != 0) {
          return true;
        }
      }
      for (Cond c : rest) {
        if (c.holds(found)) {
          return true;
        }
      }
      return false;
    }

    @Override
    void collect(Map<String, Integer> index) {
      parts.forEach(p -> p.collect(index));
    }

    @Override
    void literalIds(java.util.BitSet ids) {
      parts.forEach(p -> p.literalIds(ids));
    }

    /** Builds the mask once every literal has its id. */
    void seal(int literals) {
      long[] mask = new long[(literals + 63) / 64];
      List<Cond> others = new ArrayList<>();
      for (Cond c : parts) {
        if (c instanceof Lit l) {
          mask[l.id >>> 6] |= 1L << l.id;
        } else {
          others.add(c);
          Prefilter.seal(c, literals);
        }
      }
      int n = 0;
      for (long w : mask) {
        n += w != 0 ? 1 : 0;
      }
      maskWords = new int[n];
      maskBits = new long[n];
      for (int w = 0, i = 0; w < mask.length; w++) {
        if (mask[w] != 0) {
          maskWords[i] = w;
          maskBits[i++] = mask[w];
        }
      }
      rest = others.toArray(new Cond[0]);
    }

    @Override
    public String toString() {
      return "OR" + parts;
    }
  }

  /** Prepares a collected condition for {@link Cond#holds} over {@code literals} literal ids. */
  static void seal(Cond c, int literals) {
    if (c instanceof Or o) {
      o.seal(literals);
    } else if (c instanceof And a) {
      a.parts.forEach(p -> seal(p, literals));
    }
  }

  private static Cond and(Cond a, Cond b) {
    if (a == FALSE || b == FALSE) {
      return FALSE;
    }
    if (a == TRUE) {
      return b;
    }
    if (b == TRUE) {
      return a;
    }
    List<Cond> parts = new ArrayList<>();
    for (Cond c : List.of(a, b)) {
      if (c instanceof And x) {
        parts.addAll(x.parts);
      } else {
        parts.add(c);
      }
    }
    return new And(parts);
  }

  private static Cond or(List<Cond> alternatives) {
    List<Cond> parts = new ArrayList<>();
    for (Cond c : alternatives) {
      if (c == TRUE) {
        return TRUE;
      }
      if (c == FALSE) {
        continue;
      }
      if (c instanceof Or x) {
        parts.addAll(x.parts);
      } else {
        parts.add(c);
      }
    }
    return parts.isEmpty() ? FALSE : parts.size() == 1 ? parts.get(0) : new Or(parts);
  }

  private static Cond anyOf(Set<String> strings) {
    List<Cond> parts = new ArrayList<>();
    for (String s : strings) {
      if (s.isEmpty()) {
        return TRUE;
      }
      parts.add(new Lit(s));
    }
    return or(parts);
  }

  // ---- what a sub-pattern tells: its exact (folded) strings when few, else a condition

  private record Info(Set<String> exact, Cond match) {
    static final Info EMPTY = new Info(Set.of(""), null);
    static final Info UNKNOWN = new Info(null, TRUE);
    /** Matches nothing (a plain value holds none of its characters). */
    static final Info NOTHING = new Info(Set.of(), null);

    boolean nothing() {
      return exact != null ? exact.isEmpty() : match == FALSE;
    }

    Cond cond() {
      return exact != null ? anyOf(exact) : match;
    }
  }

  private static Info concat(List<Info> items) {
    for (Info it : items) {
      if (it.nothing()) {
        return Info.NOTHING;
      }
    }
    Cond acc = TRUE;
    boolean exact = true;
    Set<String> cur = Set.of("");
    for (Info it : items) {
      if (it.exact() != null && (long) cur.size() * it.exact().size() <= SET_LIMIT) {
        Set<String> next = new LinkedHashSet<>();
        for (String a : cur) {
          for (String b : it.exact()) {
            next.add(a + b);
          }
        }
        cur = next;
        continue;
      }
      acc = and(acc, anyOf(cur));
      exact = false;
      if (it.exact() != null) {
        cur = it.exact();
      } else {
        acc = and(acc, it.match());
        cur = Set.of("");
      }
    }
    if (exact) {
      return new Info(cur, null);
    }
    return new Info(null, and(acc, anyOf(cur)));
  }

  private static Info alternate(List<Info> all) {
    List<Info> alternatives = all.stream().filter(a -> !a.nothing()).toList();
    if (alternatives.isEmpty()) {
      return Info.NOTHING;
    }
    Set<String> union = new LinkedHashSet<>();
    for (Info a : alternatives) {
      if (a.exact() == null) {
        union = null;
        break;
      }
      union.addAll(a.exact());
      if (union.size() > SET_LIMIT) {
        union = null;
        break;
      }
    }
    if (union != null) {
      return new Info(union, null);
    }
    List<Cond> conds = new ArrayList<>();
    for (Info a : alternatives) {
      conds.add(a.cond());
    }
    return new Info(null, or(conds));
  }

  private static Info repeat(Info x, int min, int max) {
    if (x.nothing()) {
      return min == 0 ? Info.EMPTY : Info.NOTHING;
    }
    if (min == 0) {
      if (max == 1 && x.exact() != null && x.exact().size() < SET_LIMIT) {
        Set<String> s = new LinkedHashSet<>(x.exact());
        s.add("");
        return new Info(s, null);
      }
      return Info.UNKNOWN;
    }
    if (max == 1) {
      return x;
    }
    return new Info(null, x.cond());
  }

  private static final class GiveUp extends RuntimeException {
    private static final long serialVersionUID = 1L;

    GiveUp() {
      super(null, null, false, false);
    }
  }

  /** A recursive-descent reader of the PCRE/RE2 syntax CRS patterns use; unknown syntax gives up. */
  private static final class Parser {
    private final String p;
    private final boolean plain;
    int pos;

    Parser(String p, boolean plain) {
      this.p = p;
      this.plain = plain;
    }

    private boolean more() {
      return pos < p.length();
    }

    Info alternation() {
      List<Info> alts = new ArrayList<>();
      alts.add(sequence());
      while (more() && p.charAt(pos) == '|') {
        pos++;
        alts.add(sequence());
      }
      return alts.size() == 1 ? alts.get(0) : alternate(alts);
    }

    private Info sequence() {
      List<Info> items = new ArrayList<>();
      while (more() && p.charAt(pos) != '|' && p.charAt(pos) != ')') {
        Info atom = atom();
        items.add(quantified(atom));
      }
      return concat(items);
    }

    private Info quantified(Info atom) {
      if (!more()) {
        return atom;
      }
      char c = p.charAt(pos);
      int min;
      int max;
      if (c == '*') {
        min = 0;
        max = Integer.MAX_VALUE;
        pos++;
      } else if (c == '+') {
        min = 1;
        max = Integer.MAX_VALUE;
        pos++;
      } else if (c == '?') {
        min = 0;
        max = 1;
        pos++;
      } else if (c == '{') {
        int close = p.indexOf('}', pos);
        if (close < 0) {
          throw new GiveUp();
        }
        String body = p.substring(pos + 1, close);
        if (!body.matches("\\d{1,4}(,\\d{0,4})?")) {
          throw new GiveUp();
        }
        int comma = body.indexOf(',');
        min = Integer.parseInt(comma < 0 ? body : body.substring(0, comma));
        max = comma < 0 ? min : comma == body.length() - 1 ? Integer.MAX_VALUE : Integer.parseInt(body.substring(comma + 1));
        pos = close + 1;
      } else {
        return atom;
      }
      if (more() && (p.charAt(pos) == '?' || p.charAt(pos) == '+')) {
        pos++;
      }
      if (more() && "*+?{".indexOf(p.charAt(pos)) >= 0) {
        throw new GiveUp();
      }
      return repeat(atom, min, max);
    }

    private Info atom() {
      char c = p.charAt(pos++);
      switch (c) {
        case '(' -> {
          return group();
        }
        case '[' -> {
          return charClass();
        }
        case '.' -> {
          return Info.UNKNOWN;
        }
        case '^', '$' -> {
          return Info.EMPTY;
        }
        case '\\' -> {
          return escape();
        }
        case '*', '+', '?', '{', ')', '|' -> throw new GiveUp();
        default -> {
          return single(c);
        }
      }
    }

    private Info single(int c) {
      if (plain && (c >= Character.MAX_VALUE || special((char) c))) {
        return Info.NOTHING;
      }
      int f = c < Character.MAX_VALUE ? fold((char) c) : -1;
      return f < 0 ? Info.UNKNOWN : new Info(Set.of(String.valueOf((char) f)), null);
    }

    private Info group() {
      boolean lookaround = false;
      if (p.startsWith("?", pos)) {
        if (p.startsWith("?:", pos) || p.startsWith("?>", pos)) {
          pos += 2;
        } else if (p.startsWith("?=", pos) || p.startsWith("?!", pos)) {
          pos += 2;
          lookaround = true;
        } else if (p.startsWith("?<=", pos) || p.startsWith("?<!", pos)) {
          pos += 3;
          lookaround = true;
        } else if (p.startsWith("?P<", pos) || p.startsWith("?<", pos)) {
          int close = p.indexOf('>', pos);
          if (close < 0) {
            throw new GiveUp();
          }
          pos = close + 1;
        } else {
          // inline flags: (?i) or (?i:...)
          int i = pos + 1;
          while (i < p.length() && "imsxU-".indexOf(p.charAt(i)) >= 0) {
            i++;
          }
          if (i >= p.length() || i == pos + 1 || p.substring(pos + 1, i).indexOf('x') >= 0) {
            throw new GiveUp();
          }
          if (p.charAt(i) == ')') {
            pos = i + 1;
            return Info.EMPTY;
          }
          if (p.charAt(i) != ':') {
            throw new GiveUp();
          }
          pos = i + 1;
        }
      }
      Info inner = alternation();
      if (!more() || p.charAt(pos) != ')') {
        throw new GiveUp();
      }
      pos++;
      return lookaround ? Info.EMPTY : inner;
    }

    private Info escape() {
      if (!more()) {
        throw new GiveUp();
      }
      char c = p.charAt(pos++);
      switch (c) {
        case 'b', 'B', 'A', 'z', 'Z', 'G' -> {
          return Info.EMPTY;
        }
        case 'd', 'D', 'w', 'W', 's', 'S', 'h', 'H', 'v', 'V', 'R', 'N', 'X' -> {
          return Info.UNKNOWN;
        }
        case 'p', 'P' -> {
          if (more() && p.charAt(pos) == '{') {
            int close = p.indexOf('}', pos);
            if (close < 0) {
              throw new GiveUp();
            }
            pos = close + 1;
          } else {
            pos++;
          }
          return Info.UNKNOWN;
        }
        case 'x' -> {
          return single(hexEscape());
        }
        case 'n' -> {
          return single('\n');
        }
        case 'r' -> {
          return single('\r');
        }
        case 't' -> {
          return single('\t');
        }
        case 'f' -> {
          return single('\f');
        }
        case 'e' -> {
          return single(0x1b);
        }
        case 'a' -> {
          return single(7);
        }
        default -> {
          if (Character.isLetterOrDigit(c)) {
            // back-references, octal, \Q, \k, \c ...: not understood
            if (c >= '1' && c <= '9' && !(more() && Character.isDigit(p.charAt(pos)))) {
              return Info.UNKNOWN;
            }
            throw new GiveUp();
          }
          return single(c);
        }
      }
    }

    private int hexEscape() {
      if (more() && p.charAt(pos) == '{') {
        int close = p.indexOf('}', pos);
        if (close < 0) {
          throw new GiveUp();
        }
        String h = p.substring(pos + 1, close);
        pos = close + 1;
        try {
          return Integer.parseInt(h, 16);
        } catch (NumberFormatException e) {
          throw new GiveUp();
        }
      }
      if (pos + 2 > p.length()) {
        throw new GiveUp();
      }
      int hi = Transforms.hex(p.charAt(pos));
      int lo = Transforms.hex(p.charAt(pos + 1));
      if (hi < 0 || lo < 0) {
        throw new GiveUp();
      }
      pos += 2;
      return hi * 16 + lo;
    }

    /** A bracket class: its (folded) characters when few and all ASCII, else unknown. */
    private Info charClass() {
      boolean negated = false;
      if (more() && p.charAt(pos) == '^') {
        negated = true;
        pos++;
      }
      Set<Integer> chars = new LinkedHashSet<>();
      boolean unknown = negated;
      boolean first = true;
      while (true) {
        if (!more()) {
          throw new GiveUp();
        }
        char c = p.charAt(pos);
        if (c == ']' && !first) {
          pos++;
          break;
        }
        first = false;
        if (c == '[' && p.startsWith("[:", pos)) {
          int end = p.indexOf(":]", pos + 2);
          if (end < 0 || !POSIX.contains(p.substring(pos + 2, end))) {
            throw new GiveUp();
          }
          pos = end + 2;
          unknown = true;
          continue;
        }
        int lo = classChar();
        if (lo == -2) {
          unknown = true;
          continue;
        }
        int hi = lo;
        if (more() && p.charAt(pos) == '-' && pos + 1 < p.length() && p.charAt(pos + 1) != ']') {
          pos++;
          hi = classChar();
          if (hi == -2 || hi < lo) {
            throw new GiveUp();
          }
        }
        if (hi - lo > 16) {
          unknown = true;
          continue;
        }
        for (int x = lo; x <= hi; x++) {
          if (plain && (x >= Character.MAX_VALUE || special((char) x))) {
            continue;
          }
          int f = x < Character.MAX_VALUE ? fold((char) x) : -1;
          if (f < 0) {
            unknown = true;
          } else {
            chars.add(f);
          }
        }
      }
      if (unknown || chars.size() > 8) {
        return Info.UNKNOWN;
      }
      if (chars.isEmpty()) {
        return Info.NOTHING;
      }
      Set<String> s = new LinkedHashSet<>();
      chars.forEach(x -> s.add(String.valueOf((char) x.intValue())));
      return new Info(s, null);
    }

    /** One class member: a character code, or -2 for a class escape such as \d. */
    private int classChar() {
      char c = p.charAt(pos++);
      if (c != '\\') {
        return c;
      }
      if (!more()) {
        throw new GiveUp();
      }
      char e = p.charAt(pos++);
      switch (e) {
        case 'd', 'D', 'w', 'W', 's', 'S', 'h', 'H', 'v', 'V' -> {
          return -2;
        }
        case 'p', 'P' -> {
          if (more() && p.charAt(pos) == '{') {
            int close = p.indexOf('}', pos);
            if (close < 0) {
              throw new GiveUp();
            }
            pos = close + 1;
          } else {
            pos++;
          }
          return -2;
        }
        case 'x' -> {
          return hexEscape();
        }
        case 'n' -> {
          return '\n';
        }
        case 'r' -> {
          return '\r';
        }
        case 't' -> {
          return '\t';
        }
        case 'f' -> {
          return '\f';
        }
        case 'e' -> {
          return 0x1b;
        }
        case 'a' -> {
          return 7;
        }
        default -> {
          if (Character.isLetterOrDigit(e)) {
            throw new GiveUp();
          }
          return e;
        }
      }
    }
  }

  // ---- multi-literal scan (Aho-Corasick over the folded ASCII alphabet)

  static final class Scanner {
    /** Character class of each folded ASCII character (0: appears in no literal). */
    private final int[] classOf = new int[128];
    private final int classes;
    /** {@link #classOf} of the folded form of each character below 256 (the byte strings' range). */
    private final int[] byteClass = new int[256];
    /** delta[state * classes + class]: the next state, failure links resolved. */
    private final int[] delta;
    /** Literal ids ending at each state (own and by failure links), or null. */
    private final int[][] outputs;
    private final int words;

    Scanner(List<String> literals) {
      int n = 1;
      for (String l : literals) {
        for (int i = 0; i < l.length(); i++) {
          char c = l.charAt(i);
          if (classOf[c] == 0) {
            classOf[c] = n++;
          }
        }
      }
      classes = n;
      for (int c = 0; c < 256; c++) {
        int f = fold((char) c);
        byteClass[c] = f < 0 ? 0 : classOf[f];
      }
      words = (literals.size() + 63) / 64;
      List<int[]> go = new ArrayList<>();
      List<List<Integer>> out = new ArrayList<>();
      go.add(new int[classes]);
      out.add(new ArrayList<>());
      for (int id = 0; id < literals.size(); id++) {
        String l = literals.get(id);
        int s = 0;
        for (int i = 0; i < l.length(); i++) {
          int k = classOf[l.charAt(i)];
          if (go.get(s)[k] == 0) {
            go.get(s)[k] = go.size();
            go.add(new int[classes]);
            out.add(new ArrayList<>());
          }
          s = go.get(s)[k];
        }
        out.get(s).add(id);
      }
      int states = go.size();
      int[] failure = new int[states];
      delta = new int[states * classes];
      java.util.ArrayDeque<Integer> queue = new java.util.ArrayDeque<>();
      for (int k = 0; k < classes; k++) {
        int t = go.get(0)[k];
        delta[k] = t;
        if (t != 0) {
          queue.add(t);
        }
      }
      while (!queue.isEmpty()) {
        int s = queue.poll();
        out.get(s).addAll(out.get(failure[s]));
        for (int k = 0; k < classes; k++) {
          int t = go.get(s)[k];
          if (t != 0) {
            failure[t] = delta[failure[s] * classes + k];
            delta[s * classes + k] = t;
            queue.add(t);
          } else {
            delta[s * classes + k] = delta[failure[s] * classes + k];
          }
        }
      }
      outputs = new int[states][];
      for (int s = 0; s < states; s++) {
        if (!out.get(s).isEmpty()) {
          outputs[s] = out.get(s).stream().mapToInt(Integer::intValue).toArray();
        }
      }
    }

    private int step(int s, char c) {
      if (c < 256) {
        return delta[s * classes + byteClass[c]];
      }
      int f = fold(c);
      return delta[s * classes + (f < 0 ? 0 : classOf[f])];
    }

    boolean findAny(String v) {
      int s = 0;
      for (int i = 0, n = v.length(); i < n; i++) {
        s = step(s, v.charAt(i));
        if (outputs[s] != null) {
          return true;
        }
      }
      return false;
    }

    /**
     * Sets in {@code found} the bit of every literal {@code v} contains, appending each newly set
     * id to {@code ids} (from {@code count}); returns the new count. Ids already set stay set.
     */
    int scan(String v, long[] found, int[] ids, int count) {
      int s = 0;
      for (int i = 0, n = v.length(); i < n; i++) {
        s = step(s, v.charAt(i));
        int[] o = outputs[s];
        if (o != null) {
          for (int id : o) {
            long bit = 1L << id;
            if ((found[id >>> 6] & bit) == 0) {
              found[id >>> 6] |= bit;
              ids[count++] = id;
            }
          }
        }
      }
      return count;
    }

    long[] found(String v) {
      long[] found = new long[words];
      int s = 0;
      for (int i = 0, n = v.length(); i < n; i++) {
        s = step(s, v.charAt(i));
        int[] o = outputs[s];
        if (o != null) {
          for (int id : o) {
            found[id >>> 6] |= 1L << id;
          }
        }
      }
      return found;
    }
  }
}
