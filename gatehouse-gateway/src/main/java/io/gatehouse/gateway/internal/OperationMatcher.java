package io.gatehouse.gateway.internal;

import io.gatehouse.model.OperationDef;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * Matches a method and a path below an API's prefix against the API's operation templates;
 * compiled once per snapshot. The path is a {@link RequestPath} value (normalized, no dot
 * segments); a literal template segment ignores the request segment's {@code ;} parameters
 * ({@code admin;x=1} is {@code admin}, as servlet containers read it), and {@code %2F}, where an
 * API allows it, is part of a segment.
 */
final class OperationMatcher {
  private final Template[] templates;

  private record Template(String method, String[] segments, boolean tail, String name) {}

  /** The outcome of a match: the operation, or why none matched. */
  record Match(String operation, Set<String> allowedMethods) {
    boolean found() {
      return operation != null;
    }
  }

  static final Match ANY = new Match("", Set.of());

  private OperationMatcher(Template[] templates) {
    this.templates = templates;
  }

  static OperationMatcher compile(List<OperationDef> operations) {
    List<Template> out = new ArrayList<>();
    for (OperationDef op : operations) {
      String path = op.path();
      String[] segs = path.equals("/") ? new String[0] : path.substring(1).split("/", -1);
      boolean tail = segs.length > 0 && segs[segs.length - 1].equals("*");
      if (tail) {
        String[] cut = new String[segs.length - 1];
        System.arraycopy(segs, 0, cut, 0, cut.length);
        segs = cut;
      }
      for (int i = 0; i < segs.length; i++) {
        if (segs[i].startsWith("{")) {
          segs[i] = null;
        }
      }
      out.add(new Template(op.method(), segs, tail, op.toString()));
    }
    // Literal segments win over parameters: sort by specificity so the first match is the best.
    out.sort((a, b) -> compareSpecificity(b, a));
    return new OperationMatcher(out.toArray(new Template[0]));
  }

  boolean isEmpty() {
    return templates.length == 0;
  }

  Match match(String method, String path) {
    Set<String> allowed = null;
    for (Template t : templates) {
      if (!pathMatches(t, path)) {
        continue;
      }
      if (t.method.equals(method) || t.method.equals("*")
          || (method.equals("HEAD") && t.method.equals("GET"))) {
        return new Match(t.name, Set.of());
      }
      if (allowed == null) {
        allowed = new LinkedHashSet<>();
      }
      allowed.add(t.method);
    }
    return new Match(null, allowed == null ? Set.of() : allowed);
  }

  private static boolean pathMatches(Template t, String path) {
    int pos = 1; // skip the leading '/'
    int len = path.length();
    String[] segs = t.segments;
    if (segs.length == 0) {
      return t.tail || len <= 1;
    }
    for (int i = 0; i < segs.length; i++) {
      if (pos > len) {
        return false;
      }
      int end = path.indexOf('/', pos);
      if (end < 0) {
        end = len;
      }
      String seg = segs[i];
      if (seg == null) {
        if (end == pos) {
          return false; // a parameter matches a non-empty segment
        }
      } else {
        int params = path.indexOf(';', pos);
        int nameEnd = params >= 0 && params < end ? params : end;
        if (nameEnd - pos != seg.length() || !path.regionMatches(pos, seg, 0, seg.length())) {
          return false;
        }
      }
      pos = end + 1;
    }
    return t.tail || pos >= len + 1;
  }

  private static int compareSpecificity(Template a, Template b) {
    int literalsA = 0;
    int literalsB = 0;
    for (String s : a.segments) {
      literalsA += s == null ? 0 : 1;
    }
    for (String s : b.segments) {
      literalsB += s == null ? 0 : 1;
    }
    if (a.tail != b.tail) {
      return a.tail ? -1 : 1;
    }
    if (a.segments.length != b.segments.length) {
      return Integer.compare(a.segments.length, b.segments.length);
    }
    return Integer.compare(literalsA, literalsB);
  }
}
