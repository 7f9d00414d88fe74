package io.gatehouse.gateway.events;

import static java.util.Objects.requireNonNull;

import java.time.Instant;

/**
 * What happened to one gateway request, produced exactly once after the request completed
 * (answered by the backend, rejected by the gateway, or aborted by either side).
 *
 * <p>Strings that do not apply are empty ({@code api}, {@code operation} for unrouted requests) or
 * {@code null} where marked nullable. Latencies are in nanoseconds; byte counts are body bytes.
 *
 * @param time when the gateway received the request head
 * @param requestId the request id sent back as {@code X-Request-Id}
 * @param traceId the W3C trace id from {@code traceparent}, or {@code null} without a valid one
 * @param clientIp the address of the connected peer (not {@code X-Forwarded-For}), or empty
 * @param method the request method
 * @param host the requested host name, lower case, or empty
 * @param path the request path, without the query
 * @param query the raw query, without the API's subscription key parameter; nullable. Parameter
 *     values may be sensitive: consumers that store or print it must redact them.
 * @param api the API name from configuration, empty when no API matched
 * @param operation the operation name from configuration, empty when none matched
 * @param product the product of the subscription used, nullable
 * @param subscription the subscription used, nullable
 * @param user the subscription's owner, nullable
 * @param status the response status sent, or 0 when no response head was sent
 * @param backendStatus the backend's response status, nullable when no backend answered
 * @param totalNanos time from request head to response end (or abort)
 * @param backendNanos time from issuing the backend request to its response head; 0 without one
 * @param bytesIn request body bytes read from the client
 * @param bytesOut response body bytes written to the client
 * @param cacheStatus the response cache's verdict, nullable (no cache yet)
 * @param rejectedBy the policy or stage that answered instead of the backend, such as
 *     {@code subscription-key} or {@code backend}; nullable when the backend answered
 * @param error the problem type of a gateway-made error or abort, such as
 *     {@code subscription-key-missing} or {@code client-aborted}; nullable
 * @param userAgent the {@code User-Agent} header, nullable
 * @param protocol {@code HTTP/1.0}, {@code HTTP/1.1} or {@code HTTP/2}
 * @param webSocket for a proxied WebSocket connection, its session record (the event then stands
 *     for the whole connection and is produced when it closes); {@code null} for a plain request
 * @param waf the web application firewall's verdict when a {@code waf} policy inspected the
 *     request, else {@code null}
 */
public record TrafficEvent(
    Instant time,
    String requestId,
    String traceId,
    String clientIp,
    String method,
    String host,
    String path,
    String query,
    String api,
    String operation,
    String product,
    String subscription,
    String user,
    int status,
    Integer backendStatus,
    long totalNanos,
    long backendNanos,
    long bytesIn,
    long bytesOut,
    String cacheStatus,
    String rejectedBy,
    String error,
    String userAgent,
    String protocol,
    WebSocketSession webSocket,
    WafOutcome waf) {

  public TrafficEvent {
    requireNonNull(time, "time");
    requireNonNull(requestId, "requestId");
    requireNonNull(clientIp, "clientIp");
    requireNonNull(method, "method");
    requireNonNull(host, "host");
    requireNonNull(path, "path");
    requireNonNull(api, "api");
    requireNonNull(operation, "operation");
    requireNonNull(protocol, "protocol");
  }

  /** A plain request's event (no WebSocket session). */
  public TrafficEvent(Instant time, String requestId, String traceId, String clientIp, String method,
      String host, String path, String query, String api, String operation, String product,
      String subscription, String user, int status, Integer backendStatus, long totalNanos,
      long backendNanos, long bytesIn, long bytesOut, String cacheStatus, String rejectedBy,
      String error, String userAgent, String protocol) {
    this(time, requestId, traceId, clientIp, method, host, path, query, api, operation, product,
        subscription, user, status, backendStatus, totalNanos, backendNanos, bytesIn, bytesOut,
        cacheStatus, rejectedBy, error, userAgent, protocol, null, null);
  }

  /** {@code "2xx"} etc. for the response status, {@code "none"} when no response was sent. */
  public String statusClass() {
    return statusClass(status);
  }

  /** {@code "1xx"} to {@code "5xx"} for {@code status}, {@code "none"} for anything else. */
  public static String statusClass(int status) {
    switch (status / 100) {
      case 1: return "1xx";
      case 2: return "2xx";
      case 3: return "3xx";
      case 4: return "4xx";
      case 5: return "5xx";
      default: return "none";
    }
  }
}
