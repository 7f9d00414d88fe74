package io.gatehouse.policy;

import java.util.concurrent.CompletionStage;

/**
 * Everything a policy sees of one request: the request to forward, who is calling, where it was
 * routed, and typed attributes that policies share.
 *
 * <p>Threading: a context belongs to one request and is used from that request's event loop only.
 */
public interface PolicyContext {

  /** The request as it will be forwarded. */
  Request request();

  /** A unique id for this request, also sent to the backend and client as {@code X-Request-Id}. */
  String requestId();

  /** The client's IP address, after trusted-proxy resolution. */
  String clientIp();

  /** The name of the API the request was routed to. */
  String apiName();

  /** The matched operation as {@code METHOD /template}, or {@code null} when the API has none. */
  String operation();

  /** The value of {@code key}, or {@code null} when unset. */
  <T> T get(AttributeKey<T> key);

  /** Sets {@code key} to {@code value}; {@code null} removes it. */
  <T> void set(AttributeKey<T> key, T value);

  /**
   * Builds a response to short-circuit the pipeline with: {@code status} and a body; the gateway
   * adds the request id.
   */
  Response respond(int status, String contentType, byte[] body);

  /**
   * Builds an RFC 9457 problem response ({@code application/problem+json}) with the request id.
   */
  Response problem(int status, String title, String detail);

  /** Wraps an immediate result; completed stages are cached for common outcomes. */
  CompletionStage<Response> completed(Response response);
}
