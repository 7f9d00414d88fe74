package io.gatehouse.gateway.internal.policy.builtin;

import io.gatehouse.gateway.internal.policy.BuiltinPolicyFactory;
import io.gatehouse.gateway.internal.policy.GatewayContext;
import io.gatehouse.gateway.internal.policy.Section;
import io.gatehouse.policy.PolicyConfigException;
import io.gatehouse.policy.PolicyContext;

/** Shared helpers of the built-in factories. */
abstract class Base implements BuiltinPolicyFactory {
  private final String name;

  Base(String name) {
    this.name = name;
  }

  @Override
  public final String name() {
    return name;
  }

  static void requestSectionsOnly(String policy, Section section) {
    if (section.onResponse()) {
      throw new PolicyConfigException("", "'" + policy + "' acts on the request and may appear in inbound or backend only, not in "
          + section.key());
    }
  }

  static void responseSectionsOnly(String policy, Section section) {
    if (!section.onResponse()) {
      throw new PolicyConfigException("", "'" + policy + "' acts on the response and may appear in outbound or on-error only, not in "
          + section.key());
    }
  }

  static GatewayContext gw(PolicyContext ctx) {
    return (GatewayContext) ctx;
  }
}
