package io.gatehouse.insight.injection;

import static java.util.Objects.requireNonNull;

import java.util.List;
import java.util.Map;

/**
 * The parts of an HTTP request the {@link InjectionDetector} inspects, as they arrived on the wire
 * (path and query still percent-encoded).
 *
 * @param method request method
 * @param path raw path, without the query string
 * @param rawQuery raw query string without {@code ?}, or {@code null}
 * @param headers header names and values in arrival order
 * @param contentType the {@code Content-Type} value, or {@code null}
 * @param body the (already buffered, size-limited) body text, or {@code null}
 */
public record InspectedRequest(
    String method,
    String path,
    String rawQuery,
    List<Map.Entry<String, String>> headers,
    String contentType,
    String body) {
  public InspectedRequest {
    requireNonNull(method, "method");
    requireNonNull(path, "path");
    headers = headers == null ? List.of() : headers;
  }
}
