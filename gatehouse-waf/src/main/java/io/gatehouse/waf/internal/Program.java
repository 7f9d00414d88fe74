package io.gatehouse.waf.internal;

import io.gatehouse.waf.WafRequest;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * A loaded rule set split by phase (markers appear in every phase), immutable and shared by all
 * requests; {@link #inspect} runs one request through it.
 */
public final class Program {
  private final List<List<Rule>> phases = new ArrayList<>();
  private final boolean blocking;
  private final boolean enabled;
  private final long budgetNanos;
  private final int ruleCount;

  /**
   * @param rules parsed rules in order
   * @param mode {@code On} (block), {@code DetectionOnly} or {@code Off}
   * @param budgetNanos the inspection time budget per request
   */
  public Program(List<Rule> rules, String mode, long budgetNanos) {
    for (int p = 0; p <= 5; p++) {
      phases.add(new ArrayList<>());
    }
    int count = 0;
    // one node per distinct transformation chain prefix, so that a request caches results per prefix
    Map<List<String>, Transforms.Chain> chains = new HashMap<>();
    for (Rule r : rules) {
      for (Rule link = r; link != null; link = link.next) {
        Transforms.Chain c = null;
        List<String> names = new ArrayList<>();
        for (Transforms.Transform t : link.transforms) {
          names.add(t.name());
          Transforms.Chain prefix = c;
          c = chains.computeIfAbsent(List.copyOf(names), k -> new Transforms.Chain(prefix, t));
        }
        link.chain = c;
      }
    }
    for (Rule r : rules) {
      if (r.isMarker()) {
        for (int p = 1; p <= 5; p++) {
          phases.get(p).add(r);
        }
      } else {
        phases.get(r.phase).add(r);
        count++;
      }
    }
    this.ruleCount = count;
    this.blocking = mode.equalsIgnoreCase("On");
    this.enabled = !mode.equalsIgnoreCase("Off");
    this.budgetNanos = budgetNanos;
  }

  public int ruleCount() {
    return ruleCount;
  }

  List<Rule> phase(int p) {
    return phases.get(p);
  }

  boolean blocking() {
    return blocking;
  }

  /** A transaction for one request. */
  public Tx begin(WafRequest request) {
    return new Tx(this, request);
  }

  boolean enabled() {
    return enabled;
  }

  long budgetNanos() {
    return budgetNanos;
  }
}
