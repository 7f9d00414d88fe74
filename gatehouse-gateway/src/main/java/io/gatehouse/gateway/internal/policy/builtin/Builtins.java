package io.gatehouse.gateway.internal.policy.builtin;

import io.gatehouse.policy.PolicyFactory;
import java.util.List;

/** The policy catalogue shipped with the gateway; names follow Azure API Management's. */
public final class Builtins {
  private Builtins() {}

  /** Every built-in factory. */
  public static List<PolicyFactory> all() {
    return List.of(
        new HeaderPolicies.SetHeader(),
        new HeaderPolicies.CheckHeader(),
        new AccessPolicies.IpFilter(),
        new AccessPolicies.Cors(),
        new RateLimits.RateLimitByKey(),
        new RateLimits.RateLimit(),
        new RateLimits.LimitConcurrency(),
        new Quotas.Quota(),
        new Quotas.QuotaByKey(),
        new FlowPolicies.ReturnResponse(),
        new FlowPolicies.SetStatus(),
        new FlowPolicies.Choose(),
        new FlowPolicies.SetVariable(),
        new RewritePolicies.RewriteUri(),
        new RewritePolicies.SetMethod(),
        new RewritePolicies.SetQueryParameter(),
        new BodyPolicies.SetBody(),
        new BodyPolicies.FindAndReplace());
  }
}
