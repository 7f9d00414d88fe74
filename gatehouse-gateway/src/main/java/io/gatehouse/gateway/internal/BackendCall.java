package io.gatehouse.gateway.internal;

import io.gatehouse.gateway.internal.upstream.Upstream;
import io.vertx.core.MultiMap;

/**
 * One call of a routed request to its backend, shared by every try of it (retries, the
 * stale-connection retry) and by the WebSocket relay: the request, the upstream, the headers and
 * target to send, and the policy exchange to answer to ({@code null} without policies).
 *
 * @param context the routed request
 * @param upstream the backend's runtime (members, breaker, retry budget, clients)
 * @param headers the headers to forward (the gateway's forwarding fields included)
 * @param pathAndQuery the request target below the member's base path
 * @param hasBody whether the client's body streams to the backend
 * @param exchange the policy exchange the answer goes to, or {@code null}
 */
record BackendCall(RequestContext context, Upstream upstream, MultiMap headers, String pathAndQuery, boolean hasBody,
    PolicyExchange exchange) {}
