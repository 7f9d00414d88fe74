package io.gatehouse.control.internal;

import java.util.Map;
import java.util.Optional;

/**
 * What a handler needs from a request, copied off the event loop's objects so that it can run on
 * a worker thread.
 *
 * @param principal the authenticated token name (the author of changes)
 * @param pathParams decoded path parameters
 * @param query the first value of each query parameter
 * @param body the request body, or {@code null} when the route reads none
 * @param accept the {@code Accept} header, or {@code null}
 * @param who the authenticated principal, or {@code null} on public routes
 * @param clientIp the client's address
 * @param requestId the request id
 * @param ifMatch the {@code If-Match} header, or {@code null}
 */
public record Call(String principal, Map<String, String> pathParams, Map<String, String> query, String body, String accept,
    io.gatehouse.control.security.Principal who, String clientIp, String requestId, String ifMatch) {

  /** A call without principal details. */
  public Call(String principal, Map<String, String> pathParams, Map<String, String> query, String body, String accept) {
    this(principal, pathParams, query, body, accept, null, "", "", null);
  }

  /** The path parameter {@code name}. */
  public String path(String name) {
    return pathParams.get(name);
  }

  /** The query parameter {@code name}. */
  public Optional<String> query(String name) {
    return Optional.ofNullable(query.get(name));
  }
}
