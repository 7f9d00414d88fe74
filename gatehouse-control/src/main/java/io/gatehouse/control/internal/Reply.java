package io.gatehouse.control.internal;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A handler's answer: status, headers and a body that is either a value written as JSON or text
 * with its own content type.
 *
 * @param status HTTP status
 * @param headers extra response headers
 * @param json a value written as JSON, or {@code null}
 * @param text a body written as is, or {@code null}
 * @param contentType the content type of {@code text}
 */
public record Reply(int status, Map<String, String> headers, Object json, String text, String contentType) {

  /** A JSON reply. */
  public static Reply json(int status, Object body) {
    return new Reply(status, new LinkedHashMap<>(), body, null, null);
  }

  /** A text reply. */
  public static Reply text(int status, String text, String contentType) {
    return new Reply(status, new LinkedHashMap<>(), null, text, contentType);
  }

  /** An empty reply. */
  public static Reply empty(int status) {
    return new Reply(status, new LinkedHashMap<>(), null, null, null);
  }

  /** This reply with header {@code name} set. */
  public Reply header(String name, String value) {
    headers.put(name, value);
    return this;
  }
}
