package io.gatehouse.gateway.internal.events;

import io.gatehouse.gateway.internal.ForwardingStream;
import io.gatehouse.gateway.security.BodySample;
import io.gatehouse.gateway.security.BodySampling;
import io.vertx.core.Handler;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.streams.ReadStream;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Locale;

/**
 * Copies the first bytes of one sampled exchange's textual bodies as they stream past and
 * publishes them through {@link BodySampling} when the response ends; used on the request's event
 * loop only.
 */
public final class BodyTap {
  private final int max;
  private final String requestId;
  private final String api;
  private final String operation;
  private final String method;
  private final String path;
  private final String query;
  private Buffer request;
  private Buffer response;
  private int status;
  private boolean truncated;
  private boolean published;

  private BodyTap(int max, String requestId, String api, String operation, String method, String path, String query) {
    this.max = max;
    this.requestId = requestId;
    this.api = api;
    this.operation = operation;
    this.method = method;
    this.path = path;
    this.query = query;
  }

  /**
   * Starts sampling the exchange {@code ev} when {@link BodySampling} chooses it: the tap is
   * attached to {@code ev} and published when the response ends.
   */
  public static void begin(Exchange ev, String api, String operation, String method, String path, String query) {
    int max = BodySampling.choose();
    if (max <= 0) {
      return;
    }
    BodyTap tap = new BodyTap(max, ev.requestId(), api, operation, method, path, query);
    ev.tap(tap);
    ev.onDone(tap::publish);
  }

  /** Whether a body with these headers is text the tap copies (no compression, a textual or absent type). */
  static boolean textual(String contentType, String contentEncoding) {
    if (contentEncoding != null && !contentEncoding.isBlank() && !contentEncoding.equalsIgnoreCase("identity")) {
      return false;
    }
    if (contentType == null) {
      return true;
    }
    String t = contentType.toLowerCase(Locale.ROOT);
    return t.contains("json") || t.contains("xml") || t.startsWith("text/") || t.contains("x-www-form-urlencoded")
        || t.contains("graphql");
  }

  /** {@code in}, copying its first bytes as the request body when textual. */
  public ReadStream<Buffer> request(ReadStream<Buffer> in, String contentType, String contentEncoding) {
    if (!textual(contentType, contentEncoding)) {
      return in;
    }
    request = Buffer.buffer();
    return new Copying(in, request);
  }

  /** Records a request body the policies fixed. */
  public void request(byte[] body, String contentType, String contentEncoding) {
    if (textual(contentType, contentEncoding)) {
      request = Buffer.buffer();
      copy(request, Buffer.buffer(body));
    }
  }

  /** {@code in}, copying its first bytes as the response body (of {@code status}) when textual. */
  public ReadStream<Buffer> response(ReadStream<Buffer> in, int status, String contentType, String contentEncoding) {
    this.status = status;
    if (!textual(contentType, contentEncoding)) {
      return in;
    }
    response = Buffer.buffer();
    return new Copying(in, response);
  }

  /** Records response bytes written directly (an aggregated body or a prefix already read). */
  public void response(Buffer bytes, int status, String contentType, String contentEncoding) {
    this.status = status;
    if (!textual(contentType, contentEncoding)) {
      return;
    }
    if (response == null) {
      response = Buffer.buffer();
    }
    copy(response, bytes);
  }

  private void copy(Buffer into, Buffer chunk) {
    int room = max - into.length();
    if (room <= 0) {
      truncated |= chunk.length() > 0;
      return;
    }
    if (chunk.length() > room) {
      truncated = true;
      into.appendBuffer(chunk, 0, room);
    } else {
      into.appendBuffer(chunk);
    }
  }

  private void publish() {
    if (published || (request == null && response == null) || status == 0) {
      return;
    }
    published = true;
    BodySampling.publish(new BodySample(Instant.now(), requestId, api, operation, method, path, query, status,
        text(request), text(response), truncated));
  }

  private static String text(Buffer b) {
    return b == null || b.length() == 0 ? "" : new String(b.getBytes(), StandardCharsets.UTF_8);
  }

  /** A pass-through stream that copies chunks into {@code into} up to the tap's limit. */
  private final class Copying extends ForwardingStream {
    private final Buffer into;

    Copying(ReadStream<Buffer> delegate, Buffer into) {
      super(delegate);
      this.into = into;
    }

    @Override
    protected void chunk(Buffer buf, Handler<Buffer> downstream) {
      copy(into, buf);
      downstream.handle(buf);
    }
  }
}
