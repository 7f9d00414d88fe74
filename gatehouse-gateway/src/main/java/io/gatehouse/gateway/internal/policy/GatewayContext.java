package io.gatehouse.gateway.internal.policy;

import io.gatehouse.policy.AttributeKey;
import io.gatehouse.policy.PolicyContext;
import io.gatehouse.policy.Response;
import java.util.Map;

/**
 * What built-in policies and expressions see beyond the public {@link PolicyContext}: the current
 * response, variables, subscription and product, and a hook run when the exchange ends.
 */
public interface GatewayContext extends PolicyContext {
  /** Claims of a validated JWT, set by a token-validating policy; read by {@code jwt.claims}. */
  AttributeKey<Map> JWT_CLAIMS = AttributeKey.of("jwt.claims", Map.class);

  /** The response in the outbound and on-error sections; {@code null} before there is one. */
  Response response();

  /** The exchange's variables, created on first use; mutable. */
  Map<String, Object> variables();

  /** The subscription's name, or the empty string when the request carries no key. */
  String subscriptionName();

  /** The product the subscription is scoped to, or the empty string. */
  String productName();

  /** Why the exchange failed, in the on-error section; otherwise {@code null}. */
  Throwable error();

  /** Runs {@code action} once when the exchange ends, whichever way it ends (at once when it has ended). */
  void onEnd(Runnable action);

  /** Records {@code user} (a verified token's subject) as the traffic event's user. */
  void user(String user);

  /**
   * Runs {@code action} once when the response has been written to the client or the client left,
   * with the body bytes read from the client plus those written to it.
   */
  void onComplete(java.util.function.LongConsumer action);

  /**
   * The certificate chain the client presented on a TLS connection (leaf first), or an empty array
   * without TLS or without a certificate.
   */
  java.security.cert.X509Certificate[] clientCertificates();

  /**
   * The debug trace of this exchange when a debug session records it, else {@code null} (the
   * common case: callers check for null and do nothing more).
   */
  default io.gatehouse.gateway.debug.DebugSessions.Recorder debugTrace() {
    return null;
  }

  /**
   * The request-target exactly as the client sent it on the request line (origin form such as
   * {@code /t/items?id=1}, or absolute form such as {@code http://host/x}), before routing strips the
   * API's path and before any policy rewrites the path or query; for HTTP/2, the {@code :path}.
   */
  String requestTarget();

  /** The protocol of the request as received: {@code HTTP/1.0}, {@code HTTP/1.1} or {@code HTTP/2.0}. */
  String protocol();

  /** A new, empty response with {@code status}. */
  Response newResponse(int status);

  // ---- routing, caching and call-out hooks (policy catalogue, part 2)

  /**
   * Records the web application firewall's verdict on the traffic event (the last one recorded
   * wins: the response phases' verdict covers the request's too).
   */
  void waf(io.gatehouse.gateway.events.WafOutcome outcome);

  /** Records the response cache's verdict ({@code HIT}, {@code MISS}, {@code BYPASS}) on the traffic event. */
  void cacheStatus(String status);

  /**
   * Sends the request to {@code backend}, a handle from {@link PolicyCompiler#backendNamed} or
   * {@link PolicyCompiler#backendAt}, instead of the API's backend.
   */
  void backend(Object backend);

  /** Overrides the time the backend has to answer for this request; 0 keeps the backend's. */
  void forwardTimeout(long millis);

  /**
   * Opens a call-out request (absolute URI set) with the gateway's client, only to an address the
   * outbound guard allows (else fails with {@code RefusedDestinationException}); never blocks.
   */
  io.vertx.core.Future<io.vertx.core.http.HttpClientRequest> callOut(io.vertx.core.http.RequestOptions options);

  /**
   * Reads {@code body} into memory when it has at most {@code maxBytes}; completes with
   * {@code null} when it is larger, in which case the body still reaches the client intact.
   */
  java.util.concurrent.CompletionStage<byte[]> bufferUpTo(io.gatehouse.policy.Body body, int maxBytes);
}
