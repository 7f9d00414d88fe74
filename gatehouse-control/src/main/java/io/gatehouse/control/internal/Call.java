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
 */
public record Call(String principal, Map<String, String> pathParams, Map<String, String> query, String body, String accept) {

  /** The path parameter {@code name}. */
  public String path(String name) {
    return pathParams.get(name);
  }

  /** The query parameter {@code name}. */
  public Optional<String> query(String name) {
    return Optional.ofNullable(query.get(name));
  }
}
