package io.gatehouse.gateway.internal.policy;

import io.gatehouse.policy.PolicyFactory;
import java.util.Map;

/**
 * A factory for a policy shipped with the gateway: it also learns the section it is configured
 * in (so {@code set-header} knows whether it acts on the request or the response) and compiles its
 * expressions with the snapshot's {@link Expressions}.
 */
public interface BuiltinPolicyFactory extends PolicyFactory {

  /** Creates the policy for {@code section}; throws {@code PolicyConfigException} naming a field. */
  Object create(PolicyConfig config, Section section, PolicyCompiler compiler);

  @Override
  default Object create(Map<String, Object> config) {
    return create(PolicyConfig.of(config), Section.INBOUND, null);
  }
}
