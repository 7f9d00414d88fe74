package io.gatehouse.gateway.internal.policy.builtin;

import io.gatehouse.gateway.internal.policy.BuiltinPolicyFactory;
import java.util.List;

/** The policy catalogue shipped with the gateway; names follow Azure API Management's. */
public final class Builtins {
  private Builtins() {}

  /** Every built-in factory. */
  public static List<BuiltinPolicyFactory> all() {
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
        new BodyPolicies.FindAndReplace(),
        // validate-jwt and the OpenAPI validation policies
        new JwtPolicies.ValidateJwt(),
        new ClientCertificates.ValidateClientCertificate(),
        new ValidationPolicies.ValidateContent(),
        new ValidationPolicies.ValidateParameters(),
        new ValidationPolicies.ValidateHeaders(),
        new ValidationPolicies.ValidateStatusCode(),
        // catalogue part 2: caching, transformation, routing, diagnostics
        new CachePolicies.CacheLookup(),
        new CachePolicies.CacheStore(),
        new CachePolicies.CacheLookupValue(),
        new CachePolicies.CacheStoreValue(),
        new CachePolicies.CacheRemoveValue(),
        new TransformPolicies.JsonToXml(),
        new TransformPolicies.XmlToJson(),
        new TransformPolicies.MaskData(),
        new TransformPolicies.MockResponse(),
        new RoutingPolicies.SetBackendService(),
        new RoutingPolicies.ForwardRequest(),
        new RoutingPolicies.Retry(),
        new RoutingPolicies.SendRequest(),
        new DiagnosticPolicies.Trace(),
        new DiagnosticPolicies.EmitMetric(),
        // runtime protection

        new InjectionProtection(),
        new WebApplicationFirewall());
  }
}
