package io.gatehouse.waf;

import static java.util.Objects.requireNonNull;

import java.util.List;
import java.util.Map;

/**
 * One HTTP response as the engine inspects it in phases 3 (headers) and 4 (body).
 *
 * @param status the status code
 * @param protocol the protocol, e.g. {@code HTTP/1.1}
 * @param headers the response headers in order
 * @param body the response body (or the inspected prefix of it)
 */
public record WafResponse(int status, String protocol, List<Map.Entry<String, String>> headers, byte[] body) {

  /** Checks that every part is present and copies the header list. */
  public WafResponse {
    requireNonNull(protocol, "protocol");
    headers = List.copyOf(requireNonNull(headers, "headers"));
    requireNonNull(body, "body");
  }
}
