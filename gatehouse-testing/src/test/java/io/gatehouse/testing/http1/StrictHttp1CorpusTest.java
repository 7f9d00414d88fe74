package io.gatehouse.testing.http1;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.fail;

import io.gatehouse.gateway.internal.http1.StrictHttp1Validator;
import io.gatehouse.testing.corpus.LlhttpCorpus;
import io.gatehouse.testing.corpus.LlhttpCorpus.Case;
import io.gatehouse.testing.corpus.LlhttpCorpus.Classification;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.net.impl.ConnectionBase;
import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/**
 * Runs every llhttp request case through a real Vert.x HTTP server with {@link StrictHttp1Validator}
 * installed in front of its decoder, over a real socket.
 *
 * <p>Expectation per case: llhttp's strict verdict, except for these deliberate deviations, each a
 * rule (never a case title): CONNECT is rejected (no forward proxying); a request line whose protocol
 * is not HTTP/1.x (RTSP, ICE, HTTP/0.9 without version) is rejected; the HTTP/2 preface that llhttp
 * pauses on is rejected with 505; data after {@code Connection: close} is discarded silently
 * instead of answered with an error (the server closes after its response anyway).
 * {@code request-lenient-*} cases (other than keep-alive) must be rejected.
 */
class StrictHttp1CorpusTest {
  private static final int MAX_HEAD = 8192;
  private static Vertx vertx;
  private static HttpServer server;
  private static final Map<Integer, List<Seen>> SEEN = new ConcurrentHashMap<>();
  private static final AtomicInteger valid = new AtomicInteger();
  private static final AtomicInteger rejected = new AtomicInteger();
  private static final AtomicInteger deviations = new AtomicInteger();
  private static final AtomicInteger detailed = new AtomicInteger();
  private static int cases;

  record Seen(String method, String uri, List<Map.Entry<String, String>> headers,
      byte[] body) {}

  @BeforeAll
  static void startServer() throws Exception {
    vertx = Vertx.vertx();
    server = vertx.createHttpServer(new HttpServerOptions().setHost("127.0.0.1").setPort(0)
        // With h2c enabled, Vert.x sniffs the first bytes for the HTTP/2 preface and re-fires them
        // past handlers added in connectionHandler: the first read would bypass the validator.
        .setHttp2ClearTextEnabled(false));
    server.connectionHandler(conn -> {
        StrictHttp1Validator.install(((ConnectionBase) conn).channel().pipeline(), MAX_HEAD);
    });
    server.requestHandler(req -> {
      int port = req.remoteAddress().port();
      req.body().onSuccess(body -> {
        List<Map.Entry<String, String>> headers = new ArrayList<>();
        req.headers().forEach(e -> headers.add(Map.entry(e.getKey(), e.getValue())));
        List<Seen> list = SEEN.computeIfAbsent(port, p -> new CopyOnWriteArrayList<>());
        list.add(new Seen(req.method().name(), req.uri(), headers, body.getBytes()));
        boolean upgrade = req.headers().contains("Upgrade")
            && req.headers().contains("Connection", "upgrade", true);
        req.response().end("seen " + list.size()).onComplete(v -> {
          if (upgrade) {
            // The gateway declines every upgrade here and therefore must close the connection.
            req.connection().close();
          }
        });
      });
    });
    server.listen().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
  }

  @AfterAll
  static void stopServer() throws Exception {
    System.out.printf("llhttp corpus through strict validator: %d cases, %d valid proxied, "
            + "%d invalid rejected, %d deliberate deviations, %d messages compared field by field%n",
        cases, valid.get(), rejected.get(), deviations.get(), detailed.get());
    vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
  }

  /** What the gateway must do with a case. */
  record Expectation(int acceptedMessages, Integer rejectStatus, String deviation) {}

  static Expectation expect(Case c) {
    String line = requestLine(c.raw());
    String[] parts = line.split(" ", -1);
    String protocol = parts.length >= 3 ? parts[2] : "";
    if (line.startsWith("CONNECT ")) {
      return new Expectation(0, 400, "CONNECT is rejected (llhttp pauses for a tunnel)");
    }
    if (c.pausedForUpgrade() && line.startsWith("PRI ")) {
      return new Expectation(0, 0, "HTTP/2 preface method PRI rejected (llhttp pauses for h2)");
    }
    if (c.classification() == Classification.VALID
        && head(c.raw()).toLowerCase(java.util.Locale.ROOT).contains("\r\nsec-websocket-key1:")) {
      return new Expectation(0, 400, "draft-76 WebSocket handshake rejected (Netty frames it with a"
          + " hidden 8-byte body)");
    }
    if (c.skipBody()) {
      return new Expectation(0, null, "skipBody: a server reads the body llhttp was told to skip,"
          + " so the input ends inside the first body");
    }
    if (c.classification() == Classification.INVALID && (c.errorCode() == 6 || c.errorCode() == 8)
        && c.errorReason().toLowerCase(java.util.Locale.ROOT).contains("method")
        && line.matches("[!#$%&'*+.^_`|~0-9A-Za-z-]+ [\\x21-\\x7E]+ HTTP/1\\.[01]")) {
      return new Expectation(c.completedMessages() + 1, null,
          "method outside llhttp's table accepted (methods are extensible tokens, RFC 9110 9.1)");
    }
    if (c.classification() != Classification.LENIENT && c.classification() != Classification.INVALID
        && parts.length == 3 && !protocol.startsWith("HTTP/")) {
      return new Expectation(0, 400, "non-HTTP protocol " + protocol + " rejected");
    }
    if (c.classification() != Classification.LENIENT && parts.length == 2) {
      return new Expectation(0, 400, "request line without HTTP version (HTTP/0.9) rejected");
    }
    switch (c.classification()) {
      case VALID:
      case VALID_INCOMPLETE:
        return new Expectation(c.completedMessages(), null, null);
      case INVALID:
        if (c.errorCode() == 5) {
          // HPE_CLOSED_CONNECTION: data after Connection: close is dropped, the server closes.
          return new Expectation(c.completedMessages(), null,
              "data after Connection: close discarded without an error response");
        }
        return new Expectation(c.completedMessages(), 0, null);
      case LENIENT:
        return new Expectation(0, 0, null);
      default:
        throw new IllegalStateException("unexpected " + c.classification());
    }
  }

  private static String head(byte[] raw) {
    String s = new String(raw, StandardCharsets.ISO_8859_1);
    int end = s.indexOf("\r\n\r\n");
    return end < 0 ? s : s.substring(0, end);
  }

  private static String requestLine(byte[] raw) {
    int from = 0;
    while (from + 1 < raw.length && raw[from] == '\r' && raw[from + 1] == '\n') {
      from += 2;
    }
    int to = from;
    while (to < raw.length && raw[to] != '\r' && raw[to] != '\n') {
      to++;
    }
    return new String(raw, from, to - from, StandardCharsets.ISO_8859_1);
  }

  @TestFactory
  Stream<DynamicTest> everyLlhttpRequestCase() {
    List<Case> all = LlhttpCorpus.read(LlhttpCorpus.locate());
    List<Case> run = new ArrayList<>();
    for (Case c : all) {
      if (c.classification() != Classification.SKIPPED) {
        run.add(c);
      }
    }
    cases = run.size();
    return run.stream().map(c -> DynamicTest.dynamicTest(c.displayName(), () -> check(c)));
  }

  private void check(Case c) throws IOException {
    Expectation e = expect(c);
    try (Socket socket = new Socket("127.0.0.1", server.actualPort())) {
      socket.setSoTimeout(2_000);
      int port = socket.getLocalPort();
      socket.getOutputStream().write(c.raw());
      socket.getOutputStream().flush();
      InputStream in = socket.getInputStream();
      List<Response> responses = new ArrayList<>();
      if (e.rejectStatus() == null) {
        // Read the handler's responses, then end our side and expect nothing more.
        for (int k = 0; k < e.acceptedMessages(); k++) {
          Response r = Response.read(in, isHead(c, k));
          if (r == null) {
            break;
          }
          responses.add(r);
        }
        if (!socket.isClosed()) {
          socket.shutdownOutput();
        }
      }
      Response r;
      while ((r = readOrNull(in, isHead(c, responses.size()))) != null) {
        responses.add(r);
      }
      List<Seen> seen = SEEN.getOrDefault(port, List.of());
      assertThat(seen).as("messages the request handler saw").hasSize(e.acceptedMessages());
      List<LlhttpCorpus.Message> expected = c.messages();
      // Messages beyond llhttp's log (a method llhttp refused) have no reference to compare with.
      for (int k = 0; k < Math.min(seen.size(), expected.size()); k++) {
        compare(c, expected.get(k), seen.get(k));
      }
      int handled = e.acceptedMessages();
      if (e.rejectStatus() == null) {
        assertThat(responses).as("responses").hasSize(handled);
      } else {
        assertThat(responses).as("responses").hasSize(handled + 1);
        Response err = responses.get(handled);
        if (e.rejectStatus() != 0) {
          assertThat(err.status).isEqualTo(e.rejectStatus());
        } else {
          assertThat(err.status).isIn(400, 414, 431, 505);
        }
        assertThat(err.head).contains("Content-Type: application/problem+json")
            .contains("Connection: close").doesNotContainIgnoringCase("Server:");
        assertThat(err.body).startsWith("{\"type\":\"urn:gatehouse:problem:").contains("\"detail\":\"")
            .contains("\"requestId\":\"");
      }
      for (int k = 0; k < handled; k++) {
        assertThat(responses.get(k).status).isEqualTo(200);
        if (!isHead(c, k)) {
          assertThat(responses.get(k).body).isEqualTo("seen " + (k + 1));
        }
      }
    }
    if (e.deviation() != null) {
      deviations.incrementAndGet();
      System.out.println("deviation: " + c.displayName() + ": " + e.deviation());
    } else if (e.rejectStatus() != null) {
      rejected.incrementAndGet();
    } else {
      valid.incrementAndGet();
    }
  }

  @org.junit.jupiter.api.Test
  void answersPipelinedValidRequestsBeforeTheErrorForTheBadOne() throws IOException {
    String get = "GET /a HTTP/1.1\r\nHost: a\r\n\r\n";
    String bad = "POST / HTTP/1.1\r\nContent-Length: 4\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n";
    try (Socket socket = new Socket("127.0.0.1", server.actualPort())) {
      socket.setSoTimeout(10_000);
      socket.getOutputStream().write((get + get + bad + get).getBytes(StandardCharsets.US_ASCII));
      InputStream in = socket.getInputStream();
      assertThat(Response.read(in, false).body).isEqualTo("seen 1");
      assertThat(Response.read(in, false).body).isEqualTo("seen 2");
      Response err = Response.read(in, false);
      assertThat(err.status).isEqualTo(400);
      assertThat(err.body).contains("Content-Length and Transfer-Encoding together");
      assertThat(in.read()).isEqualTo(-1);
      assertThat(SEEN.get(socket.getLocalPort())).hasSize(2);
    }
  }

  private static boolean isHead(Case c, int index) {
    List<LlhttpCorpus.Message> messages = c.messages();
    return index < messages.size() && messages.get(index).method() != null
        && new String(messages.get(index).method(), StandardCharsets.ISO_8859_1).equals("HEAD");
  }

  private static Response readOrNull(InputStream in, boolean head) throws IOException {
    try {
      return Response.read(in, head);
    } catch (java.net.SocketException closed) {
      return null; // connection reset after the server closed
    } catch (SocketTimeoutException timeout) {
      fail("server neither answered nor closed the connection within 10 s");
      return null;
    }
  }

  private static void compare(Case c, LlhttpCorpus.Message want, Seen got) {
    if (!want.hasSpans()) {
      return;
    }
    detailed.incrementAndGet();
    assertThat(got.method()).isEqualTo(latin1(want.method()));
    assertThat(got.uri()).isEqualTo(latin1(want.url()));
    assertThat(got.headers()).as("headers of " + c.displayName()).containsExactlyElementsOf(fields(want.headers()));
    // Vert.x 5 does not expose request trailers; the validator checks them, they are not compared.
    assertThat(got.body()).as("body").isEqualTo(want.body());
  }

  private static List<Map.Entry<String, String>> fields(List<Map.Entry<byte[], byte[]>> raw) {
    List<Map.Entry<String, String>> out = new ArrayList<>();
    for (Map.Entry<byte[], byte[]> f : raw) {
      // Netty removes the optional whitespace around a field value, as RFC 9112 says.
      out.add(Map.entry(latin1(f.getKey()), latin1(f.getValue()).strip()));
    }
    return out;
  }

  private static String latin1(byte[] b) {
    return new String(b, StandardCharsets.ISO_8859_1);
  }

}
