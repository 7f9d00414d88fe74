package io.gatehouse.gateway.internal.policy;

import io.gatehouse.policy.Body;
import io.gatehouse.policy.Headers;
import io.gatehouse.policy.Response;
import io.vertx.core.MultiMap;

/** A mutable response whose header fields live in a Vert.x {@link MultiMap}. */
public final class SimpleResponse implements Response {
  private int status;
  private final MultiMapHeaders headers;
  private Body body;
  private String problemType; // the problem type when the gateway made this a problem response

  public SimpleResponse(int status, MultiMap headers, Body body) {
    this.status = status;
    this.headers = new MultiMapHeaders(headers);
    this.body = body;
  }

  /** An empty response with {@code status}. */
  public static SimpleResponse of(int status) {
    return new SimpleResponse(status, MultiMap.caseInsensitiveMultiMap(), Body.empty());
  }

  /** The problem type of a problem response the gateway made, such as {@code unauthorized}; nullable. */
  public String problemType() {
    return problemType;
  }

  /** Marks this as a problem response of {@code type}; returns this. */
  public SimpleResponse problemType(String type) {
    this.problemType = type;
    return this;
  }

  @Override
  public int status() {
    return status;
  }

  @Override
  public void status(int status) {
    this.status = status;
  }

  @Override
  public Headers headers() {
    return headers;
  }

  /** The header fields as a Vert.x map. */
  public MultiMap headerMap() {
    return headers.map();
  }

  @Override
  public Body body() {
    return body;
  }

  @Override
  public void body(Body body) {
    this.body = body == null ? Body.empty() : body;
  }
}
