package io.gatehouse.gateway.internal;

import io.gatehouse.gateway.internal.policy.PolicyTable;
import io.gatehouse.model.ApiDef;
import java.util.Set;

/** One API ready to serve: its definition, backend, operation matcher, accepted schemes and policies. */
record CompiledApi(
    ApiDef def,
    String prefix,
    CompiledBackend backend,
    OperationMatcher operations,
    boolean http,
    boolean https,
    boolean subscriptionRequired,
    String keyHeader,
    String keyQuery,
    Set<String> products,
    PolicyTable policies) {

  String name() {
    return def.name();
  }
}
