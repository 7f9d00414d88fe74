package io.gatehouse.gateway.internal.policy.builtin;

import static org.assertj.core.api.Assertions.assertThat;

import io.gatehouse.model.PolicyNames;
import io.gatehouse.policy.PolicyFactory;
import java.util.List;
import org.junit.jupiter.api.Test;

class BuiltinsTest {

  @Test
  void theGatewayBuildsExactlyThePoliciesTheSharedNamesDeclare() {
    List<String> built = Builtins.all().stream().map(PolicyFactory::name).toList();

    assertThat(built).doesNotHaveDuplicates();
    assertThat(built).containsExactlyInAnyOrderElementsOf(PolicyNames.BUILTIN);
  }
}
