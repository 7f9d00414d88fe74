package io.gatehouse.gateway.internal.policy.builtin;

import static org.assertj.core.api.Assertions.assertThat;

import io.gatehouse.model.PolicyNames;
import io.gatehouse.gateway.internal.policy.BuiltinPolicyFactory;
import java.util.List;
import org.junit.jupiter.api.Test;

class BuiltinsTest {

  @Test
  void theGatewayBuildsExactlyThePoliciesTheSharedNamesDeclare() {
    List<String> built = Builtins.all().stream().map(BuiltinPolicyFactory::name).toList();

    assertThat(built).doesNotHaveDuplicates();
    assertThat(built).containsExactlyInAnyOrderElementsOf(PolicyNames.BUILTIN);
  }
}
