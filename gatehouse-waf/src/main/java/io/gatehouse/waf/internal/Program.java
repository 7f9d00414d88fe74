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
  /** The number of rules and chain links ({@link Rule#seq} is below it). */
  private final int ruleSlots;
  /** Per chain id (0: no transformation): the chain. */
  private final Transforms.Chain[] chains;
  /** Per chain id: the values the chain leaves unchanged but for ASCII case. */
  private final Transforms.Inert[] inert;
  /** The prefilters of the indexed {@code @rx} patterns, members grouped by chain id. */
  private final LiteralIndex index;
  /** Per group: its chain id and the collections its targets read. */
  private final int[] groupChain;
  private final String[][] groupCollections;
  private final ThreadLocal<LiteralIndex.Scratch> scratch = ThreadLocal.withInitial(LiteralIndex.Scratch::new);

  /** Collections whose values change while a phase runs, or that are not stored request values. */
  private static final java.util.Set<String> DYNAMIC = java.util.Set.of("TX", "MATCHED_VARS",
      "MATCHED_VARS_NAMES", "MATCHED_VAR", "MATCHED_VAR_NAME");

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
    List<Transforms.Chain> byId = new ArrayList<>();
    byId.add(null);
    // per chain id: the indexed @rx patterns read through it
    List<List<String>> members = new ArrayList<>();
    members.add(new ArrayList<>());
    Map<String, Integer> groups = new HashMap<>();
    List<Integer> gChain = new ArrayList<>();
    List<String[]> gColls = new ArrayList<>();
    int seq = 0;
    for (Rule r : rules) {
      for (Rule link = r; link != null; link = link.next) {
        link.seq = seq++;
        Transforms.Chain c = null;
        List<String> names = new ArrayList<>();
        // the chain after each step (0: the value as it is), for multiMatch
        int[] steps = new int[link.transforms.size() + 1];
        for (Transforms.Transform t : link.transforms) {
          names.add(t.name());
          Transforms.Chain prefix = c;
          c = chains.computeIfAbsent(List.copyOf(names), k -> {
            Transforms.Chain n = new Transforms.Chain(prefix, t, byId.size());
            byId.add(n);
            members.add(new ArrayList<>());
            return n;
          });
          steps[names.size()] = c.id();
        }
        link.chain = c;
        if (link.operator instanceof Operators.Rx rx && rx.regex().hasPrefilter() && !link.negated
            && link.multiMatch && !link.unconditional) {
          // the regex runs on the value after every step: the index decides each step's value
          link.multiChains = steps;
          link.multiMembers = new int[steps.length];
          for (int k = 0; k < steps.length; k++) {
            List<String> m = members.get(steps[k]);
            link.multiMembers[k] = m.size();
            m.add(rx.pattern());
          }
        }
        link.chainId = c == null ? 0 : c.id();
        if (link.operator instanceof Operators.Rx rx && rx.regex().hasPrefilter() && !link.negated
            && !link.multiMatch && !link.unconditional) {
          List<String> m = members.get(link.chainId);
          link.member = m.size();
          m.add(rx.pattern());
          java.util.TreeSet<String> colls = new java.util.TreeSet<>();
          boolean fixed = !link.targets.isEmpty();
          for (Target t : link.targets) {
            fixed &= !t.count && !DYNAMIC.contains(t.collection);
            colls.add(t.collection);
          }
          if (fixed) {
            String key = link.chainId + ":" + String.join("|", colls);
            int chainId = link.chainId;
            link.group = groups.computeIfAbsent(key, k -> {
              gChain.add(chainId);
              gColls.add(colls.toArray(new String[0]));
              return gChain.size() - 1;
            });
          }
        }
      }
    }
    this.ruleSlots = seq;
    this.chains = byId.toArray(new Transforms.Chain[0]);
    this.inert = new Transforms.Inert[this.chains.length];
    inert[0] = Transforms.Inert.ALWAYS;
    for (int id = 1; id < this.chains.length; id++) {
      Transforms.Chain c = this.chains[id];
      // a prefix has a lower id than its extensions
      inert[id] = inert[c.prefix() == null ? 0 : c.prefix().id()].and(c.last().inert());
    }
    this.index = new LiteralIndex(members);
    this.groupChain = gChain.stream().mapToInt(Integer::intValue).toArray();
    this.groupCollections = gColls.toArray(new String[0][]);
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
    for (List<Rule> list : phases) {
      for (int i = 0; i < list.size(); i++) {
        Rule r = list.get(i);
        if (!r.isMarker() && r.skipAfter != null) {
          int j = i + 1;
          while (j < list.size() && !skipTarget(list.get(j), r.skipAfter)) {
            j++;
          }
          r.resumeAt = j + 1;
        }
      }
    }
    this.blocking = mode.equalsIgnoreCase("On");
    this.enabled = !mode.equalsIgnoreCase("Off");
    this.budgetNanos = budgetNanos;
  }

  private static boolean skipTarget(Rule r, String name) {
    if (r.isMarker()) {
      return r.marker.equals(name);
    }
    return Long.toString(r.id).equals(name);
  }

  int ruleSlots() {
    return ruleSlots;
  }

  int chainCount() {
    return chains.length;
  }

  Transforms.Chain chain(int id) {
    return chains[id];
  }

  Transforms.Inert inert(int chainId) {
    return inert[chainId];
  }

  LiteralIndex index() {
    return index;
  }

  int groupCount() {
    return groupChain.length;
  }

  int groupChain(int group) {
    return groupChain[group];
  }

  String[] groupCollections(int group) {
    return groupCollections[group];
  }

  LiteralIndex.Scratch scratch() {
    return scratch.get();
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
