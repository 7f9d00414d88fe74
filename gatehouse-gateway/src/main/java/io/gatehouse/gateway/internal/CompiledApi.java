package io.gatehouse.gateway.internal;

import io.gatehouse.model.ApiDef;
import java.util.Set;

/** One API ready to serve: its definition, backend, operation matcher and accepted schemes. */
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
    Set<String> products) {

  String name() {
    return def.name();
  }
}
