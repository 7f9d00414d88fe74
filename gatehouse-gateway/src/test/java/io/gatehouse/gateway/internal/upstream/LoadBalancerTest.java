package io.gatehouse.gateway.internal.upstream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.gatehouse.model.BackendDef;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class LoadBalancerTest {
  private static Member member(String host, int weight) {
    return new Member("http://" + host + ":80", weight, 0);
  }

  private static List<String> picks(LoadBalancer lb, Member[] candidates, int n) {
    List<String> out = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      out.add(lb.choose(candidates, candidates.length).host());
    }
    return out;
  }

  @Test
  void everyConfiguredAlgorithmNameHasAStrategy() {
    assertThat(LoadBalancer.BY_NAME.keySet()).containsExactlyInAnyOrderElementsOf(BackendDef.ALGORITHMS);
    assertThatThrownBy(() -> LoadBalancer.of("random")).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("random");
  }

  @Test
  void roundRobinTakesEachCandidateInTurn() {
    Member[] c = {member("a", 1), member("b", 1), member("c", 1)};

    assertThat(picks(LoadBalancer.of("round-robin"), c, 6)).containsExactly("a", "b", "c", "a", "b", "c");
  }

  @Test
  void roundRobinChoosesOnlyAmongTheCandidatesCounted() {
    Member[] c = {member("a", 1), member("b", 1), member("c", 1)};
    LoadBalancer lb = LoadBalancer.of("round-robin");

    for (int i = 0; i < 10; i++) {
      assertThat(lb.choose(c, 2).host()).isIn("a", "b");
    }
  }

  @Test
  void weightedSharesRequestsByWeightInterleaved() {
    Member[] c = {member("a", 3), member("b", 1)};

    assertThat(picks(LoadBalancer.of("weighted"), c, 8)).containsExactly("a", "a", "b", "a", "a", "a", "b", "a");
  }

  @Test
  void leastRequestsPrefersTheMemberWithFewestInFlight() {
    Member a = member("a", 1);
    Member b = member("b", 1);
    Member c = member("c", 1);
    a.outstanding = 4;
    b.outstanding = 1;
    c.outstanding = 2;
    LoadBalancer lb = LoadBalancer.of("least-requests");

    assertThat(picks(lb, new Member[] {a, b, c}, 3)).containsOnly("b");
  }

  @Test
  void leastRequestsRotatesAmongTies() {
    Member[] c = {member("a", 1), member("b", 1), member("c", 1)};

    assertThat(picks(LoadBalancer.of("least-requests"), c, 3)).containsExactlyInAnyOrder("a", "b", "c");
  }
}
