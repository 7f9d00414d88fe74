package io.gatehouse.model;

import static java.util.Objects.requireNonNull;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A parsed operation path template that matches normalized request paths and extracts their
 * parameters; immutable and thread-safe, matching allocates nothing.
 *
 * <p>A segment is a literal ({@code items}), a parameter ({@code {id}}: any non-empty segment), or
 * literals and parameters mixed ({@code {ipv4}.txt}, {@code v{version}}, {@code {resource}:getIamPolicy},
 * {@code {year}-{month}.json}): the literals must appear as written and each parameter takes at least
 * one character; where one segment has several parameters, each but the last takes the shortest text
 * before the literal that follows it. Two parameters must be separated by a literal. A final
 * segment {@code *} matches the rest of the path (zero or more segments).
 *
 * <p>Literal text is compared with the request segment's {@code ;} parameters removed
 * ({@code admin;x=1} is {@code admin}), so matrix parameters cannot dodge an operation's policies; a
 * segment that is one parameter alone takes the whole request segment.
 *
 * <p>Precedence ({@link #compareSpecificity}): templates without a final {@code *} come first; then,
 * comparing segment by segment from the left, at the first segment where two templates differ in
 * kind a literal beats literals mixed with parameters, which beat a parameter alone, and between
 * two mixed segments the one with more literal characters wins; then more segments win.
 */
public final class PathTemplate {
  private static final Segment[] NONE = new Segment[0];

  private final String text;
  private final Segment[] segments;
  private final boolean tail;

  /**
   * One segment: {@code literals.length == names.length + 1}; a plain literal has no names; a
   * parameter alone has two empty literals and one name.
   */
  private record Segment(String[] literals, String[] names, int literalChars) {
    boolean literal() {
      return names.length == 0;
    }

    boolean bare() {
      return names.length == 1 && literals[0].isEmpty() && literals[1].isEmpty();
    }

    int rank() {
      return literal() ? 2 : bare() ? 0 : 1;
    }
  }

  private PathTemplate(String text, Segment[] segments, boolean tail) {
    this.text = text;
    this.segments = segments;
    this.tail = tail;
  }

  /**
   * Parses {@code template}.
   *
   * @throws IllegalArgumentException naming the segment when the template does not start with
   *     {@code /}, has an unbalanced or empty brace, two adjacent parameters, a parameter named twice or
   *     a {@code *} that is not the whole last segment
   */
  public static PathTemplate parse(String template) {
    requireNonNull(template, "template");
    if (!template.startsWith("/")) {
      throw new IllegalArgumentException("expected a path starting with '/' but got '" + template + "'");
    }
    String[] raw = template.equals("/") ? new String[0] : template.substring(1).split("/", -1);
    boolean tail = raw.length > 0 && raw[raw.length - 1].equals("*");
    int count = tail ? raw.length - 1 : raw.length;
    Segment[] segs = count == 0 ? NONE : new Segment[count];
    Set<String> names = new HashSet<>();
    for (int i = 0; i < count; i++) {
      segs[i] = segment(raw[i], template, names);
    }
    return new PathTemplate(template, segs, tail);
  }

  private static Segment segment(String seg, String template, Set<String> seen) {
    if (seg.equals("*")) {
      throw new IllegalArgumentException("'*' may only be the last segment of '" + template + "'");
    }
    List<String> literals = new ArrayList<>();
    List<String> names = new ArrayList<>();
    StringBuilder lit = new StringBuilder();
    int chars = 0;
    for (int i = 0; i < seg.length(); i++) {
      char c = seg.charAt(i);
      if (c == '}') {
        throw new IllegalArgumentException("unbalanced '}' in segment '" + seg + "' of '" + template
            + "'; expected '{name}'");
      }
      if (c != '{') {
        lit.append(c);
        continue;
      }
      int close = seg.indexOf('}', i + 1);
      int nested = seg.indexOf('{', i + 1);
      if (close < 0 || (nested >= 0 && nested < close)) {
        throw new IllegalArgumentException("unbalanced '{' in segment '" + seg + "' of '" + template
            + "'; expected '{name}'");
      }
      String name = seg.substring(i + 1, close);
      if (name.isEmpty()) {
        throw new IllegalArgumentException("empty parameter name '{}' in '" + template + "'; expected '{name}'");
      }
      if (!names.isEmpty() && lit.length() == 0) {
        throw new IllegalArgumentException("parameters {" + names.get(names.size() - 1) + "} and {" + name
            + "} are adjacent in '" + template + "'; a literal must separate them");
      }
      if (!seen.add(name)) {
        throw new IllegalArgumentException("parameter {" + name + "} appears twice in '" + template + "'");
      }
      chars += lit.length();
      literals.add(lit.toString());
      lit.setLength(0);
      names.add(name);
      i = close;
    }
    chars += lit.length();
    literals.add(lit.toString());
    return new Segment(literals.toArray(new String[0]), names.toArray(new String[0]), chars);
  }

  /** The template as written. */
  public String text() {
    return text;
  }

  /** The parameter names, in order of appearance. */
  public List<String> parameterNames() {
    List<String> out = new ArrayList<>();
    for (Segment s : segments) {
      out.addAll(List.of(s.names));
    }
    return out;
  }

  /** Whether {@code path} (normalized, starting with {@code /}, without the query) matches. */
  public boolean matches(String path) {
    return match(path, null);
  }

  /**
   * The parameters of {@code path} by name, as they appear in the path (not decoded); empty when
   * it does not match.
   */
  public Map<String, String> parameters(String path) {
    Map<String, String> out = new LinkedHashMap<>();
    if (!match(path, out)) {
      out.clear();
    }
    return out;
  }

  private boolean match(String path, Map<String, String> out) {
    int len = path.length();
    if (segments.length == 0) {
      return tail || len <= 1;
    }
    int pos = 1; // skip the leading '/'
    for (Segment seg : segments) {
      if (pos > len) {
        return false;
      }
      int end = path.indexOf('/', pos);
      if (end < 0) {
        end = len;
      }
      if (seg.bare()) {
        if (end == pos) {
          return false; // a parameter matches a non-empty segment
        }
        if (out != null) {
          out.put(seg.names[0], path.substring(pos, end));
        }
      } else {
        int semi = path.indexOf(';', pos);
        int nameEnd = semi >= 0 && semi < end ? semi : end;
        if (seg.literal()) {
          String lit = seg.literals[0];
          if (nameEnd - pos != lit.length() || !path.regionMatches(pos, lit, 0, lit.length())) {
            return false;
          }
        } else if (!mixed(seg, path, pos, nameEnd, out)) {
          return false;
        }
      }
      pos = end + 1;
    }
    return tail || pos >= len + 1;
  }

  private static boolean mixed(Segment seg, String path, int from, int to, Map<String, String> out) {
    String[] lits = seg.literals;
    int n = seg.names.length;
    if (to - from < seg.literalChars + n) {
      return false;
    }
    String first = lits[0];
    String last = lits[n];
    if (!path.regionMatches(from, first, 0, first.length())
        || !path.regionMatches(to - last.length(), last, 0, last.length())) {
      return false;
    }
    int cur = from + first.length();
    int limit = to - last.length();
    for (int i = 1; i < n; i++) {
      String lit = lits[i];
      int at = indexOf(path, lit, cur + 1, limit - 1);
      if (at < 0) {
        return false;
      }
      if (out != null) {
        out.put(seg.names[i - 1], path.substring(cur, at));
      }
      cur = at + lit.length();
    }
    if (cur >= limit) {
      return false;
    }
    if (out != null) {
      out.put(seg.names[n - 1], path.substring(cur, limit));
    }
    return true;
  }

  /** The first index ≥ {@code from} where {@code lit} starts and ends at or before {@code end}, or -1. */
  private static int indexOf(String path, String lit, int from, int end) {
    for (int i = from; i + lit.length() <= end; i++) {
      if (path.regionMatches(i, lit, 0, lit.length())) {
        return i;
      }
    }
    return -1;
  }

  /**
   * Orders {@code a} before {@code b} (negative) when {@code a} is the more specific template, by the
   * precedence in the class description; 0 when neither is.
   */
  public static int compareSpecificity(PathTemplate a, PathTemplate b) {
    if (a.tail != b.tail) {
      return a.tail ? 1 : -1;
    }
    int n = Math.min(a.segments.length, b.segments.length);
    for (int i = 0; i < n; i++) {
      Segment x = a.segments[i];
      Segment y = b.segments[i];
      if (x.rank() != y.rank()) {
        return Integer.compare(y.rank(), x.rank());
      }
      if (x.rank() == 1 && x.literalChars != y.literalChars) {
        return Integer.compare(y.literalChars, x.literalChars);
      }
    }
    return Integer.compare(b.segments.length, a.segments.length);
  }

  @Override
  public String toString() {
    return text;
  }
}
