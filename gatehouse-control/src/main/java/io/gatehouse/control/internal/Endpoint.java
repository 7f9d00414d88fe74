package io.gatehouse.control.internal;

import io.vertx.core.http.HttpMethod;
import java.util.List;
import java.util.function.Function;
import java.util.function.Predicate;

/**
 * One route of the management API: registered on the router and described in the OpenAPI
 * document from the same record, so that the two cannot disagree.
 *
 * @param method HTTP method
 * @param path Vert.x path, parameters written {@code :name}
 * @param tag OpenAPI tag (the resource kind)
 * @param summary one line for the document
 * @param body what the request body must be
 * @param status the success status
 * @param queryParams names of query parameters, for the document
 * @param mutates whether this call changes configuration (refused when read-only)
 * @param handler the work, run on a worker thread
 * @param permission what the caller must hold ({@code resource:action}, or {@code public} /
 *     {@code authenticated}); {@code null} means undeclared, and such a route is denied to everyone
 */
public record Endpoint(
    HttpMethod method,
    String path,
    String tag,
    String summary,
    Body body,
    int status,
    List<String> queryParams,
    Predicate<Call> mutates,
    Function<Call, Reply> handler,
    String permission) {

  /** A route with no declared permission: denied to everyone until it declares one. */
  public Endpoint(HttpMethod method, String path, String tag, String summary, Body body, int status,
      List<String> queryParams, Predicate<Call> mutates, Function<Call, Reply> handler) {
    this(method, path, tag, summary, body, status, queryParams, mutates, handler, null);
  }

  /** The kind of request body a route takes. */
  public enum Body {
    /** No body is read. */
    NONE,
    /** A JSON object ({@code application/json}). */
    JSON,
    /** A whole configuration as JSON or YAML. */
    CONFIG
  }

  /** The path as OpenAPI writes it: {@code /apis/{name}}. */
  public String openApiPath() {
    return path.replaceAll(":([A-Za-z0-9_]+)", "{$1}");
  }

  /** The path parameter names in order. */
  public List<String> pathParams() {
    return java.util.Arrays.stream(path.split("/")).filter(s -> s.startsWith(":")).map(s -> s.substring(1)).toList();
  }
}
