package io.gatehouse.testing.browser;

import static java.util.Objects.requireNonNull;

import java.util.List;

/**
 * One axe-core rule a page violates: the rule id, its impact ({@code minor}, {@code moderate},
 * {@code serious} or {@code critical}), the rule's help text and the CSS selectors of the offending
 * nodes.
 */
public record AxeViolation(String id, String impact, String help, List<String> targets) {
  public AxeViolation {
    requireNonNull(id, "id");
    impact = impact == null ? "unknown" : impact;
    help = help == null ? "" : help;
    targets = targets == null ? List.of() : List.copyOf(targets);
  }

  @Override
  public String toString() {
    return id + " (" + impact + "): " + help + " at " + targets;
  }
}
