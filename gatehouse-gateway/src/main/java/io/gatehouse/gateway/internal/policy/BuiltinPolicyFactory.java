package io.gatehouse.gateway.internal.policy;

import io.gatehouse.policy.Policy;

/**
 * How the engine creates a policy: the gateway's own policies implement it directly (they also
 * learn the section they are configured in, so {@code set-header} knows whether it acts on the
 * request or the response, and compile expressions and state through the {@link PolicyCompiler});
 * custom {@link io.gatehouse.policy.PolicyFactory} instances are adapted to it with their
 * configuration bound to their record.
 */
public interface BuiltinPolicyFactory {

  /** The policy's name as written in configuration, for example {@code set-header}. */
  String name();

  /**
   * Creates the policy for {@code section} (a {@link io.gatehouse.policy.SyncPolicy} when it never
   * waits for I/O); throws {@code PolicyConfigException} naming a field.
   */
  Policy create(PolicyConfig config, Section section, PolicyCompiler compiler);
}
