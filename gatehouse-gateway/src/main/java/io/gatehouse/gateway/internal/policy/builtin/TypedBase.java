package io.gatehouse.gateway.internal.policy.builtin;

import io.gatehouse.gateway.internal.policy.ConfigBinder;
import io.gatehouse.gateway.internal.policy.PolicyCompiler;
import io.gatehouse.gateway.internal.policy.PolicyConfig;
import io.gatehouse.gateway.internal.policy.Section;
import io.gatehouse.policy.Policy;

/**
 * A built-in policy whose configuration is bound to its record {@code C} by the same
 * {@link ConfigBinder} as a custom policy's: the record declares the fields, their types and
 * defaults; the factory receives it typed.
 *
 * @param <C> the configuration record
 */
abstract class TypedBase<C extends Record> extends Base {
  private final Class<C> type;

  TypedBase(String name, Class<C> type) {
    super(name);
    this.type = type;
  }

  @Override
  public final Policy create(PolicyConfig config, Section section, PolicyCompiler compiler) {
    return create(ConfigBinder.bind(config, type), section, compiler);
  }

  /** Creates the policy configured with {@code config} for {@code section}. */
  abstract Policy create(C config, Section section, PolicyCompiler compiler);
}
