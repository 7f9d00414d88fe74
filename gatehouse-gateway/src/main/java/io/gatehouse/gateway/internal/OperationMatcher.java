package io.gatehouse.gateway.internal;

import io.gatehouse.model.OperationDef;
import io.gatehouse.model.PathTemplate;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * Matches a method and a path below an API's prefix against the API's operation templates;
 * compiled once per snapshot. The path is a {@link RequestPath} value (normalized, no dot
 * segments); a literal template segment ignores the request segment's {@code ;} parameters
 * ({@code admin;x=1} is {@code admin}, as servlet containers read it), and {@code %2F}, where an
 * API allows it, is part of a segment. Templates may put parameters inside a segment
 * ({@code /ip/{ipv4}.txt}); the most specific template wins, in the order of
 * {@link PathTemplate#compareSpecificity}.
 */
final class OperationMatcher {
  private final Template[] templates;

  private record Template(String method, PathTemplate path, String name) {}

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
      out.add(new Template(op.method(), PathTemplate.parse(op.path()), op.toString()));
    }
    // The most specific template first (PathTemplate#compareSpecificity), so the first match is the best.
    out.sort((a, b) -> PathTemplate.compareSpecificity(a.path, b.path));
    return new OperationMatcher(out.toArray(new Template[0]));
  }

  boolean isEmpty() {
    return templates.length == 0;
  }

  Match match(String method, String path) {
    Set<String> allowed = null;
    for (Template t : templates) {
      if (!t.path.matches(path)) {
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
}
