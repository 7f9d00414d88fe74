package io.gatehouse.gateway.internal;

import io.gatehouse.gateway.internal.upstream.Upstream;

/** A backend ready to forward to: its name and its runtime (members, breaker, client). */
record CompiledBackend(String name, Upstream upstream) {}
