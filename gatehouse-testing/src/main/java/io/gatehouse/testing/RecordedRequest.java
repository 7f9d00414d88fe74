package io.gatehouse.testing;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;

/**
 * A request as the mock upstream received it.
 *
 * @param method the method
 * @param uri the request target as received (path and query)
 * @param headers header fields in arrival order, names as sent
 * @param body the body bytes
 */
public record RecordedRequest(String method, String uri, List<Map.Entry<String, String>> headers, byte[] body) {

  /** The first value of header {@code name} (any case), or {@code null}. */
  public String header(String name) {
    for (Map.Entry<String, String> h : headers) {
      if (h.getKey().equalsIgnoreCase(name)) {
        return h.getValue();
      }
    }
    return null;
  }

  /** The path part of the URI. */
  public String path() {
    int q = uri.indexOf('?');
    return q < 0 ? uri : uri.substring(0, q);
  }

  /** The body as UTF-8 text. */
  public String bodyText() {
    return new String(body, StandardCharsets.UTF_8);
  }
}
