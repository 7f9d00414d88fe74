package io.gatehouse.gateway.internal;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServerResponse;

/** Writes RFC 9457 problem responses; the one place the gateway's error format is defined. */
public final class Problems {
  /** Media type of every error body. */
  public static final String PROBLEM_JSON = "application/problem+json";
  private static final String TYPE_PREFIX = "urn:gatehouse:problem:";

  private Problems() {}

  /**
   * Ends {@code response} with a problem: {@code type} is a short slug such as
   * {@code no-route}, {@code title} the status's reason, {@code detail} what happened.
   */
  public static void send(HttpServerResponse response, int status, String type, String title,
      String detail, String requestId) {
    if (response.ended() || response.closed()) {
      return;
    }
    if (response.headWritten()) {
      response.reset();
      return;
    }
    Buffer body = body(status, type, title, detail, requestId);
    response.setStatusCode(status)
        .putHeader("Content-Type", PROBLEM_JSON)
        .putHeader("Cache-Control", "no-store")
        .putHeader("Content-Length", Integer.toString(body.length()))
        .end(body);
  }

  /** The JSON body of a problem. */
  public static Buffer body(int status, String type, String title, String detail, String requestId) {
    StringBuilder out = new StringBuilder(160);
    out.append("{\"type\":\"").append(TYPE_PREFIX).append(type)
        .append("\",\"title\":");
    Json.quote(out, title);
    out.append(",\"status\":").append(status).append(",\"detail\":");
    Json.quote(out, detail);
    if (requestId != null) {
      out.append(",\"requestId\":");
      Json.quote(out, requestId);
    }
    out.append('}');
    return Buffer.buffer(out.toString());
  }
}
