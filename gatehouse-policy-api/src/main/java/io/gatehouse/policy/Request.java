package io.gatehouse.policy;

/**
 * The request as the pipeline will forward it: method, path (relative to the API's prefix),
 * query, headers and body are all changeable by inbound policies.
 */
public interface Request {

  /** The HTTP method, upper case. */
  String method();

  /** Replaces the method forwarded to the backend. */
  void method(String method);

  /** The path below the API's prefix, starting with {@code /}, without the query. */
  String path();

  /** Replaces the path forwarded to the backend. */
  void path(String path);

  /** The raw query string without {@code ?}, or {@code null} when there is none. */
  String query();

  /** Replaces the raw query string; {@code null} removes it. */
  void query(String query);

  /** The request's header fields. */
  Headers headers();

  /** The request body. */
  Body body();

  /** Replaces the request body. */
  void body(Body body);
}
