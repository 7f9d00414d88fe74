package io.gatehouse.testing;

import static java.util.Objects.requireNonNull;

import io.vertx.core.Future;
import io.vertx.core.MultiMap;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.HttpServerRequest;
import java.util.AbstractMap;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * A backend for tests: records every complete request it receives and answers with a
 * programmable handler (by default 200 with a small JSON echo of method and URI).
 */
public final class MockUpstream {
  private final BlockingQueue<RecordedRequest> received = new LinkedBlockingQueue<>();
  private volatile Consumer<HttpServerRequest> responder = MockUpstream::echo;
  private final HttpServer server;

  private MockUpstream(HttpServer server) {
    this.server = server;
  }

  /** Starts a mock upstream on 127.0.0.1 and a free port. */
  public static Future<MockUpstream> start(Vertx vertx) {
    HttpServer server = vertx.createHttpServer(new HttpServerOptions().setHost("127.0.0.1").setPort(0));
    MockUpstream mock = new MockUpstream(server);
    server.requestHandler(req -> req.body().onSuccess(body -> {
      List<Map.Entry<String, String>> headers = new ArrayList<>();
      MultiMap h = req.headers();
      h.forEach(e -> headers.add(new AbstractMap.SimpleImmutableEntry<>(e.getKey(), e.getValue())));
      mock.received.add(new RecordedRequest(req.method().name(), req.uri(), List.copyOf(headers), body.getBytes()));
      mock.responder.accept(req);
    }));
    return server.listen().map(s -> mock);
  }

  private static void echo(HttpServerRequest req) {
    String json = "{\"method\":\"" + req.method().name() + "\",\"uri\":\"" + req.uri().replace("\"", "\\\"") + "\"}";
    req.response().putHeader("Content-Type", "application/json").end(Buffer.buffer(json));
  }

  /** The base URL, {@code http://127.0.0.1:PORT}. */
  public String url() {
    return "http://127.0.0.1:" + server.actualPort();
  }

  /** The bound port. */
  public int port() {
    return server.actualPort();
  }

  /** Answers later requests with {@code responder} (it must end the response). */
  public MockUpstream respondWith(Consumer<HttpServerRequest> responder) {
    this.responder = requireNonNull(responder, "responder");
    return this;
  }

  /** Restores the default echo answer and forgets recorded requests. */
  public void reset() {
    responder = MockUpstream::echo;
    received.clear();
  }

  /** Waits up to {@code seconds} for the next recorded request; {@code null} when none came. */
  public RecordedRequest take(long seconds) throws InterruptedException {
    return received.poll(seconds, TimeUnit.SECONDS);
  }

  /** Removes and returns every request recorded so far, without waiting. */
  public List<RecordedRequest> drain() {
    List<RecordedRequest> out = new ArrayList<>();
    received.drainTo(out);
    return out;
  }

  /** Stops the server. */
  public Future<Void> close() {
    return server.close();
  }
}
