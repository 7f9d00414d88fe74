package io.gatehouse.gateway.internal;

import io.gatehouse.gateway.internal.events.Exchange;
import io.gatehouse.gateway.internal.policy.MultiMapHeaders;
import io.gatehouse.policy.Body;
import io.gatehouse.policy.Headers;
import io.gatehouse.policy.Response;
import io.vertx.core.MultiMap;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.http.HttpVersion;
import java.util.Map;

/**
 * Writes the response a policy pipeline settled on to the client: status and headers (never the
 * policies' {@code X-Request-Id}, the gateway sets its own), then either the backend's body
 * streamed through with back-pressure or the policies' body with its exact length.
 *
 * <p>Threading: runs on the request's event loop.
 */
final class ResponseWriter {
  private ResponseWriter() {}

  /**
   * Writes {@code r} for {@code rc}; {@code backendBody} and {@code backend} are the backend's
   * streamed answer, or {@code null}; {@code discardBackend} drops that answer when {@code r} does
   * not carry it.
   */
  static void write(RequestContext rc, Response r, StreamBody backendBody, HttpClientResponse backend,
      Runnable discardBackend) {
    HttpServerRequest req = rc.request();
    Exchange ev = rc.event();
    boolean upgrade = rc.upgrade();
    HttpServerResponse resp = req.response();
    if (resp.ended() || resp.closed()) {
      discardBackend.run();
      return;
    }
    if (resp.headWritten()) {
      resp.reset();
      return;
    }
    resp.setStatusCode(r.status());
    MultiMap rh = resp.headers();
    Headers h = r.headers();
    if (h instanceof MultiMapHeaders m) {
      for (Map.Entry<String, String> e : m.map()) {
        if (!e.getKey().equalsIgnoreCase("x-request-id")) {
          rh.add(e.getKey(), e.getValue());
        }
      }
    } else {
      for (String name : h.names()) {
        if (!name.equalsIgnoreCase("x-request-id")) {
          rh.add(name, h.getAll(name));
        }
      }
    }
    if (upgrade && req.version() != HttpVersion.HTTP_2) {
      rh.set(HttpHeaders.CONNECTION, "close");
    }
    Body b = r.body();
    if (b == backendBody && backendBody != null && (!backendBody.aggregating() || backendBody.spilled())) {
      int status = r.status();
      if (!rh.contains(HttpHeaders.CONTENT_LENGTH) && req.version() != HttpVersion.HTTP_2
          && req.method() != HttpMethod.HEAD && status != 204 && status != 304) {
        resp.setChunked(true);
      }
      io.gatehouse.gateway.internal.events.BodyTap tap = ev.tap(); // body sampling, null when off
      if (backendBody.spilled() && backendBody.prefix().length() > 0) {
        resp.write(backendBody.prefix()); // read by bufferUpTo; the rest still streams
        if (tap != null) {
          tap.response(backendBody.prefix(), status, rh.get(HttpHeaders.CONTENT_TYPE), rh.get(HttpHeaders.CONTENT_ENCODING));
        }
      }
      ProxyHandler.relayBody(backend, tap == null ? backend : tap.response(backend, status,
          rh.get(HttpHeaders.CONTENT_TYPE), rh.get(HttpHeaders.CONTENT_ENCODING)), resp, resp::reset);
      return;
    }
    discardBackend.run();
    Body out = b == null ? Body.empty() : b;
    out.aggregate(Integer.MAX_VALUE).whenComplete((bytes, t) -> {
      if (t != null) {
        resp.reset();
        return;
      }
      rh.remove(HttpHeaders.TRANSFER_ENCODING);
      int status = r.status();
      if (status == 204 || status == 304 || status < 200) {
        rh.remove(HttpHeaders.CONTENT_LENGTH);
        resp.end();
        return;
      }
      if (req.method() == HttpMethod.HEAD) {
        resp.end();
        return;
      }
      rh.set(HttpHeaders.CONTENT_LENGTH, Integer.toString(bytes.length));
      if (ev.tap() != null) {
        ev.tap().response(Buffer.buffer(bytes), status, rh.get(HttpHeaders.CONTENT_TYPE),
            rh.get(HttpHeaders.CONTENT_ENCODING));
      }
      resp.end(Buffer.buffer(bytes));
    });
  }
}
