package io.gatehouse.gateway.internal;

import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClientRequest;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.streams.ReadStream;

/**
 * Streams a client's request body to a backend request, and resets the backend request when the
 * body fails (the client reset its HTTP/2 stream, the connection closed, a limit was exceeded), so
 * that the backend never receives a truncated body as a complete request.
 */
final class BackendBody {
  private BackendBody() {}

  /**
   * Sends {@code body} as the body of {@code request} (chunked unless it has a Content-Length);
   * completes with the backend's response, or fails with the body's failure.
   */
  static Future<HttpClientResponse> send(HttpClientRequest request, ReadStream<Buffer> body) {
    if (!request.headers().contains(HttpHeaders.CONTENT_LENGTH)) {
      request.setChunked(true);
    }
    // Vert.x's own send(ReadStream) pipes with endOnFailure: a failed body would end the request.
    body.pipe().endOnFailure(false).to(request).onFailure(cause -> request.reset(0, cause));
    return request.response();
  }
}
