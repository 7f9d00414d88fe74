package io.gatehouse.gateway.internal;

import io.netty.handler.codec.http.HttpResponseStatus;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServerResponse;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Writes RFC 9457 problem responses; the one place the gateway's error format is defined, used by
 * the request path, the policies and the strict HTTP/1.1 and HTTP/2 validators that answer before a
 * request reaches it, so that every error body has the same fields and a request id.
 */
public final class Problems {
  /** Media type of every error body. */
  public static final String PROBLEM_JSON = "application/problem+json";
  /** Prefix of every problem {@code type}; the slug after it names the problem. */
  public static final String TYPE_PREFIX = "urn:gatehouse:problem:";
  private static final char[] HEX = "0123456789abcdef".toCharArray();

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

  /** The JSON body of a problem, as a buffer. */
  public static Buffer body(int status, String type, String title, String detail, String requestId) {
    return Buffer.buffer(bytes(status, type, title, detail, requestId));
  }

  /** The JSON body of a problem: {@code type} as a slug, {@code requestId} omitted when null. */
  public static byte[] bytes(int status, String type, String title, String detail, String requestId) {
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
    return out.toString().getBytes(StandardCharsets.UTF_8);
  }

  /** The reason phrase of {@code status} as RFC 9110 spells it, the title of its problems. */
  public static String title(int status) {
    switch (status) {
      case 413:
        return "Content Too Large";
      case 414:
        return "URI Too Long";
      case 422:
        return "Unprocessable Content";
      default:
        return HttpResponseStatus.valueOf(status).reasonPhrase();
    }
  }

  /** A new random 128-bit request id, as 32 lowercase hex digits. */
  public static String newRequestId() {
    ThreadLocalRandom r = ThreadLocalRandom.current();
    char[] out = new char[32];
    long a = r.nextLong();
    long b = r.nextLong();
    for (int i = 0; i < 16; i++) {
      out[i] = HEX[(int) (a >>> (60 - 4 * i)) & 0xF];
      out[16 + i] = HEX[(int) (b >>> (60 - 4 * i)) & 0xF];
    }
    return new String(out);
  }
}
