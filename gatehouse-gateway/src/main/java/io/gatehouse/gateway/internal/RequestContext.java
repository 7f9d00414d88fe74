package io.gatehouse.gateway.internal;

import io.gatehouse.gateway.internal.events.Exchange;
import io.gatehouse.policy.AttributeKey;
import io.vertx.core.http.HttpServerRequest;
import java.util.HashMap;
import java.util.Map;

/**
 * The state of one routed gateway request, created once the request has an API and passed whole
 * to the stages after routing (policies, forward, WebSocket relay, response): the client's
 * request, the snapshot it was routed with, the API, operation and grant, the traffic event (which
 * holds the request id and timing), and typed attributes that policies share.
 *
 * <p>Threading: used from the request's event loop only.
 */
final class RequestContext {
  private final HttpServerRequest request;
  private final Snapshot snapshot;
  private final CompiledApi api;
  private final Exchange event;
  private final boolean upgrade;
  private final HostName host;
  private final String rest;
  private final String query;
  private final String operation;
  private final Grant grant;
  private Map<AttributeKey<?>, Object> attributes;

  RequestContext(HttpServerRequest request, Snapshot snapshot, CompiledApi api, Exchange event, boolean upgrade,
      HostName host, String rest, String query, String operation, Grant grant) {
    this.request = request;
    this.snapshot = snapshot;
    this.api = api;
    this.event = event;
    this.upgrade = upgrade;
    this.host = host;
    this.rest = rest;
    this.query = query;
    this.operation = operation;
    this.grant = grant;
  }

  /** The client's request. */
  HttpServerRequest request() {
    return request;
  }

  /** The configuration snapshot the request was routed with; used for its whole life. */
  Snapshot snapshot() {
    return snapshot;
  }

  /** The API the request was routed to. */
  CompiledApi api() {
    return api;
  }

  /** The traffic event: request id, timing, what happened; emitted when the response ends. */
  Exchange event() {
    return event;
  }

  /** The request id, as sent to the backend and the client in {@code X-Request-Id}. */
  String requestId() {
    return event.requestId();
  }

  /** Whether the client asked for a protocol upgrade (the answer then closes an HTTP/1.1 connection). */
  boolean upgrade() {
    return upgrade;
  }

  /** The normalized host the client addressed, or {@code null} when it sent none. */
  HostName host() {
    return host;
  }

  /** The path after the API's prefix, normalized ({@code /} at least). */
  String rest() {
    return rest;
  }

  /** The query without the subscription key, or {@code null}. */
  String query() {
    return query;
  }

  /** The matched operation as {@code METHOD /template}, or {@code ""} when the API lists none. */
  String operation() {
    return operation;
  }

  /** The subscription the key granted, or {@code null} when the API needs no key. */
  Grant grant() {
    return grant;
  }

  /** The value of {@code key}, or {@code null} when unset. */
  @SuppressWarnings("unchecked")
  <T> T get(AttributeKey<T> key) {
    return attributes == null ? null : (T) attributes.get(key);
  }

  /** Sets {@code key} to {@code value}; {@code null} removes it. */
  <T> void set(AttributeKey<T> key, T value) {
    if (value == null) {
      if (attributes != null) {
        attributes.remove(key);
      }
      return;
    }
    if (attributes == null) {
      attributes = new HashMap<>();
    }
    attributes.put(key, value);
  }
}
