package io.gatehouse.gateway.internal.policy;

import io.gatehouse.policy.Policy;
import io.gatehouse.policy.PolicyFactory;

/**
 * A custom {@link PolicyFactory} as the engine runs it: its configuration bound to the factory's
 * record by {@link ConfigBinder}, the scope handed over as a typed value.
 */
final class PluginPolicyFactory<C extends Record> implements BuiltinPolicyFactory {
  private final PolicyFactory<C> factory;

  PluginPolicyFactory(PolicyFactory<C> factory) {
    this.factory = factory;
  }

  @Override
  public String name() {
    return factory.name();
  }

  /** The factory's class, for messages. */
  String implementation() {
    return factory.getClass().getName();
  }

  @Override
  public Policy create(PolicyConfig config, Section section, PolicyCompiler compiler) {
    C bound = ConfigBinder.bind(config, factory.configType());
    return factory.create(bound, compiler == null ? io.gatehouse.policy.PolicyScope.GLOBAL : compiler.policyScope());
  }
}
