package io.gatehouse.waf;

import static java.util.Objects.requireNonNull;

import java.util.List;
import java.util.Map;

/**
 * One HTTP request as the engine inspects it: the request line as received, the headers in
 * order (names as sent, repeats kept) and the body bytes buffered so far (empty when none).
 *
 * @param method the request method, e.g. {@code POST}
 * @param uri the request target as received, e.g. {@code /search?q=1}
 * @param protocol the protocol of the request line, e.g. {@code HTTP/1.1}
 * @param headers the request headers in order
 * @param body the request body (or the inspected prefix of it)
 * @param remoteAddress the client address, e.g. {@code 192.0.2.1}
 */
public record WafRequest(String method, String uri, String protocol,
    List<Map.Entry<String, String>> headers, byte[] body, String remoteAddress) {

  /** Checks that every part is present and copies the header list. */
  public WafRequest {
    requireNonNull(method, "method");
    requireNonNull(uri, "uri");
    requireNonNull(protocol, "protocol");
    headers = List.copyOf(requireNonNull(headers, "headers"));
    requireNonNull(body, "body");
    requireNonNull(remoteAddress, "remoteAddress");
  }
}
