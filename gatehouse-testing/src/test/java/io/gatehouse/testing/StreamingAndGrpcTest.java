package io.gatehouse.testing;

import static org.assertj.core.api.Assertions.assertThat;

import io.gatehouse.gateway.Gateway;
import io.gatehouse.gateway.GatewayOptions;
import io.gatehouse.model.ConfigLoader;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClientAgent;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.HttpVersion;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.net.PemTrustOptions;
import io.vertx.core.net.SocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Streaming responses (server-sent events, chunked bodies) pass through the gateway without being
 * buffered, and gRPC over HTTP/2 keeps its trailers, with and without policies on the API.
 */
class StreamingAndGrpcTest {
  static Vertx vertx;
  static Gateway gateway;
  static HttpServer backend;
  static HttpServer grpcBackend;
  static Path caFile;
  /** Released by a test to let the streaming backend send the rest of its response. */
  static volatile Promise<Void> release;

  @BeforeAll
  static void start(@TempDir Path dir) throws Exception {
    vertx = Vertx.vertx();
    backend = await(vertx.createHttpServer(new HttpServerOptions().setHost("127.0.0.1").setPort(0))
        .requestHandler(req -> {
          boolean sse = req.path().endsWith("/events");
          Promise<Void> gate = release;
          req.response().setChunked(true)
              .putHeader("Content-Type", sse ? "text/event-stream" : "application/octet-stream")
              .write(sse ? "data: first\n\n" : "first-chunk;");
          gate.future().onComplete(v -> req.response().end(sse ? "data: second\n\n" : "second-chunk"));
        }).listen());
    // gRPC-style backend over h2c (prior knowledge): echoes the request message, then trailers.
    grpcBackend = await(vertx.createHttpServer(new HttpServerOptions().setHost("127.0.0.1").setPort(0)
            .setHttp2ClearTextEnabled(true))
        .requestHandler(req -> req.body().onSuccess(body -> {
          String proto = req.version().name();
          req.response()
              .putHeader("Content-Type", "application/grpc")
              .putHeader("X-Backend-Protocol", proto)
              .write(body)
              .onComplete(w -> req.response()
                  .putTrailer("grpc-status", "0")
                  .putTrailer("grpc-message", "all good")
                  .end());
        })).listen());
    TestCertificates.Issued ca = TestCertificates.authority("Streaming CA");
    caFile = ca.writePem(dir, "ca");
    Path cert = TestCertificates.server(ca, "gw.example").writePem(dir, "gw");
    gateway = await(Gateway.start(vertx, GatehouseExtension.gatewayOptions().withTls(0, List.of(
        GatewayOptions.Certificate.pem(cert, TestCertificates.Issued.keyPath(dir, "gw"))))));
    gateway.apply(ConfigLoader.withEnvironment(Map.of(
        "STREAM_URL", "http://127.0.0.1:" + backend.actualPort(),
        "GRPC_URL", "http://127.0.0.1:" + grpcBackend.actualPort())).parse("""
        backends:
          - {name: stream, url: "${env:STREAM_URL}"}
          - {name: grpc, url: "${env:GRPC_URL}", http2: true}
        apis:
          - {name: plain, path: /plain, backend: stream, subscriptionRequired: false}
          - name: policed
            path: /policed
            backend: stream
            subscriptionRequired: false
            policies:
              inbound: [{set-header: {name: X-In, value: "1"}}]
              outbound: [{set-header: {name: X-Out, value: "1"}}]
          - name: cached
            path: /cached
            backend: stream
            subscriptionRequired: false
            policies:
              inbound: [{cache-lookup: {vary-by-headers: [Accept]}}]
              outbound: [{cache-store: {duration: 5m}}]
          - {name: grpc, path: /grpc, backend: grpc, subscriptionRequired: false}
          - name: grpc-policed
            path: /grpc-policed
            backend: grpc
            subscriptionRequired: false
            policies:
              inbound: [{set-header: {name: X-In, value: "1"}}]
              outbound: [{set-header: {name: X-Out, value: "1"}}]
        """, "test", null), 1);
  }

  @AfterAll
  static void stop() throws Exception {
    await(vertx.close());
  }

  static <T> T await(Future<T> f) throws Exception {
    return f.toCompletionStage().toCompletableFuture().get(20, TimeUnit.SECONDS);
  }

  /**
   * Runs {@code exchange} on an event-loop context and awaits it: built there, each step's handler
   * is attached before its result can arrive (built from the test thread, a response's first chunk
   * could pass before the handler that reads it was attached).
   */
  static <T> T onContext(java.util.function.Supplier<Future<T>> exchange) throws Exception {
    Promise<T> result = Promise.promise();
    vertx.getOrCreateContext().runOnContext(v -> exchange.get().onComplete(result));
    return await(result.future());
  }

  /**
   * Reads the response chunk by chunk; the first chunk must arrive while the backend still waits
   * on the latch (nothing buffered), the rest after the test releases it.
   */
  void assertStreamed(String path, String first, String rest) throws Exception {
    release = Promise.promise();
    Promise<Void> gate = release;
    HttpClientAgent client = vertx.createHttpClient(new HttpClientOptions());
    BlockingQueue<String> chunks = new LinkedBlockingQueue<>();
    CompletableFuture<Void> ended = new CompletableFuture<>();
    // handlers set on the event loop as the head arrives, before any body chunk is delivered
    HttpClientResponse resp = onContext(() -> client.request(HttpMethod.GET, gateway.port(), "127.0.0.1", path)
        .compose(r -> r.send()).map(res -> {
          res.handler(b -> chunks.add(b.toString(StandardCharsets.UTF_8)));
          res.endHandler(v -> ended.complete(null));
          return res;
        }));
    assertThat(resp.statusCode()).isEqualTo(200);
    StringBuilder seen = new StringBuilder();
    while (!seen.toString().contains(first)) {
      String c = chunks.poll(20, TimeUnit.SECONDS);
      assertThat(c).as("a chunk before the backend was released").isNotNull();
      seen.append(c);
    }
    assertThat(ended).isNotDone();
    assertThat(seen.toString()).doesNotContain(rest);
    vertx.runOnContext(v -> gate.complete());
    ended.get(20, TimeUnit.SECONDS);
    chunks.forEach(seen::append);
    assertThat(seen.toString()).isEqualTo(first + rest);
    await(client.close());
  }

  @ParameterizedTest
  @ValueSource(strings = {"/plain", "/policed", "/cached"})
  void serverSentEventsArriveBeforeTheStreamEnds(String api) throws Exception {
    assertStreamed(api + "/events", "data: first\n\n", "data: second\n\n");
  }

  @ParameterizedTest
  @ValueSource(strings = {"/plain", "/policed"})
  void chunkedBodiesArriveBeforeTheStreamEnds(String api) throws Exception {
    assertStreamed(api + "/download", "first-chunk;", "second-chunk");
  }

  /** A gRPC length-prefixed message: flag byte 0, 4-byte big-endian length, payload. */
  static Buffer grpcFrame(byte[] payload) {
    return Buffer.buffer().appendByte((byte) 0).appendInt(payload.length).appendBytes(payload);
  }

  @ParameterizedTest
  @ValueSource(strings = {"/grpc", "/grpc-policed"})
  void grpcOverHttp2KeepsItsTrailers(String api) throws Exception {
    HttpClientAgent client = vertx.createHttpClient(new HttpClientOptions().setProtocolVersion(HttpVersion.HTTP_2)
        .setSsl(true).setUseAlpn(true).setForceSni(true).setVerifyHost(true)
        .setTrustOptions(new PemTrustOptions().addCertPath(caFile.toString())));
    byte[] payload = "\n\u0005hello".getBytes(StandardCharsets.UTF_8);
    RequestOptions ro = new RequestOptions().setMethod(HttpMethod.POST)
        .setServer(SocketAddress.inetSocketAddress(gateway.httpsPort(), "127.0.0.1"))
        .setHost("gw.example").setPort(gateway.httpsPort()).setSsl(true)
        .setURI(api + "/helloworld.Greeter/SayHello")
        .putHeader("Content-Type", "application/grpc")
        .putHeader("TE", "trailers");
    CompletableFuture<Buffer> bodyF = new CompletableFuture<>();
    HttpClientResponse resp = onContext(() -> client.request(ro).compose(r -> r.send(grpcFrame(payload))
        .compose(res -> res.body().map(b -> {
          bodyF.complete(b);
          return res;
        }))));
    assertThat(resp.version()).isEqualTo(HttpVersion.HTTP_2);
    assertThat(resp.statusCode()).isEqualTo(200);
    assertThat(resp.getHeader("Content-Type")).isEqualTo("application/grpc");
    assertThat(resp.getHeader("X-Backend-Protocol")).isEqualTo("HTTP_2");
    Buffer body = bodyF.get();
    assertThat(body.getByte(0)).isZero();
    assertThat(body.getInt(1)).isEqualTo(payload.length);
    assertThat(body.getBytes(5, body.length())).isEqualTo(payload);
    assertThat(resp.trailers().get("grpc-status")).isEqualTo("0");
    assertThat(resp.trailers().get("grpc-message")).isEqualTo("all good");
    await(client.close());
  }
}
