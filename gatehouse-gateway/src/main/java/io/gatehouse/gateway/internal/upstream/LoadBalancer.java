package io.gatehouse.gateway.internal.upstream;

import java.util.Map;
import java.util.function.Supplier;

/**
 * Chooses which member of a backend's pool takes the next request, among the candidates the
 * {@link Upstream} found available at the best priority; one instance per upstream, called under
 * that upstream's lock (so an implementation may keep unsynchronized state).
 */
interface LoadBalancer {

  /** Returns one of {@code candidates[0..count)}; {@code count} is at least 1. */
  Member choose(Member[] candidates, int count);

  /** The strategies by their configuration name ({@code loadBalancing} of a backend). */
  Map<String, Supplier<LoadBalancer>> BY_NAME = Map.of(
      "round-robin", RoundRobin::new,
      "weighted", Weighted::new,
      "least-requests", LeastRequests::new);

  /** A new balancer for {@code algorithm}, one of {@link io.gatehouse.model.BackendDef#ALGORITHMS}. */
  static LoadBalancer of(String algorithm) {
    Supplier<LoadBalancer> s = BY_NAME.get(algorithm);
    if (s == null) {
      throw new IllegalArgumentException("unknown load-balancing algorithm '" + algorithm + "'; expected one of "
          + io.gatehouse.model.BackendDef.ALGORITHMS);
    }
    return s.get();
  }

  /** Each candidate in turn. */
  final class RoundRobin implements LoadBalancer {
    private int next;

    @Override
    public Member choose(Member[] candidates, int count) {
      return candidates[(next++ & Integer.MAX_VALUE) % count];
    }
  }

  /**
   * Candidates in proportion to their weights, interleaved (nginx's smooth weighted round-robin:
   * weights 3 and 1 give a, a, b, a rather than a, a, a, b).
   */
  final class Weighted implements LoadBalancer {
    @Override
    public Member choose(Member[] candidates, int count) {
      long total = 0;
      Member chosen = null;
      for (int i = 0; i < count; i++) {
        Member m = candidates[i];
        m.currentWeight += m.weight;
        total += m.weight;
        if (chosen == null || m.currentWeight > chosen.currentWeight) {
          chosen = m;
        }
      }
      chosen.currentWeight -= total;
      return chosen;
    }
  }

  /**
   * The candidate with the fewest requests in flight; ties go to each candidate in turn (the scan
   * starts one further along every time).
   */
  final class LeastRequests implements LoadBalancer {
    private int start;

    @Override
    public Member choose(Member[] candidates, int count) {
      int from = (start++ & Integer.MAX_VALUE) % count;
      Member chosen = null;
      for (int i = 0; i < count; i++) {
        Member m = candidates[(from + i) % count];
        if (chosen == null || m.outstanding < chosen.outstanding) {
          chosen = m;
        }
      }
      return chosen;
    }
  }
}
