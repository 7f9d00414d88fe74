package io.gatehouse.testing.http2;

import static io.gatehouse.testing.http2.H2Wire.get;
import static org.assertj.core.api.Assertions.assertThat;

import io.gatehouse.gateway.Gateway;
import io.gatehouse.gateway.GatewayOptions;
import io.gatehouse.gateway.Http2Limits;
import io.gatehouse.model.ConfigLoader;
import io.gatehouse.testing.MockUpstream;
import io.gatehouse.testing.RecordedRequest;
import io.gatehouse.testing.TestCertificates;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The HTTP/2 request rules of docs/http-parsing.md, each sent as raw frames to the real gateway
 * (prior-knowledge h2c, and TLS with ALPN h2) in front of a mock backend that records every
 * complete request it receives.
 *
 * <p>Each refused request is followed on the same connection by a valid one: once its answer is
 * in, the backend must have seen exactly that valid request, never the refused one.
 */
class GatewayStrictHttp2Test {
  static final int MAX_STREAMS = 4;
  static final int MAX_RESETS = 20;
  static final int MAX_CONTROL_FRAMES = 40;
  static final int MAX_HEADER_SIZE = 4096;

  static Vertx vertx;
  static Gateway gateway;
  static MockUpstream upstream;

  @BeforeAll
  static void start(@TempDir Path dir) throws Exception {
    vertx = Vertx.vertx();
    upstream = await(MockUpstream.start(vertx));
    TestCertificates.Issued ca = TestCertificates.authority("Test CA");
    Path cert = TestCertificates.server(ca, "localhost").writePem(dir, "server");
    GatewayOptions options = new GatewayOptions("127.0.0.1", 0, 0, List.of(), MAX_HEADER_SIZE,
        io.gatehouse.gateway.ConnectionLimits.defaults(), true, null, false, io.gatehouse.testing.GatehouseExtension.LOOPBACK_BACKENDS, null, null)
        .withTls(0, List.of(GatewayOptions.Certificate.pem(cert, TestCertificates.Issued.keyPath(dir, "server"))))
        .withHttp2(Http2Limits.defaults()
            .withMaxConcurrentStreams(MAX_STREAMS)
            .withResets(MAX_RESETS, Duration.ofSeconds(30))
            .withControlFrames(MAX_CONTROL_FRAMES, Duration.ofSeconds(10)));
    gateway = await(Gateway.start(vertx, options));
    gateway.apply(ConfigLoader.withEnvironment(Map.of("UPSTREAM_URL", upstream.url())).parse("""
        backends: [{name: up, url: "${env:UPSTREAM_URL}"}]
        apis:
          - {name: all, path: /, backend: up, subscriptionRequired: false}
        """, "test", null), 1);
    gateway.ready();
  }

  @BeforeEach
  void forget() {
    upstream.reset();
  }

  @AfterAll
  static void stop() throws Exception {
    await(vertx.close());
  }

  static <T> T await(Future<T> f) throws Exception {
    return f.toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
  }

  /**
   * Sends {@code fields} on stream 1, expects RST_STREAM(PROTOCOL_ERROR) for it, then a valid GET on
   * stream 3 that the backend receives as the only request.
   */
  private void assertRefused(String... fields) throws Exception {
    try (H2Wire wire = H2Wire.h2c(gateway.port())) {
      wire.headers(1, true, fields);
      H2Wire.Frame answer = wire.await(f -> f.type() == H2Wire.GOAWAY
          || f.streamId() == 1 && (f.type() == H2Wire.HEADERS || f.type() == H2Wire.RST_STREAM), "an answer on stream 1");
      assertThat(answer.type()).as("answer to %s", Arrays.toString(fields)).isEqualTo(H2Wire.RST_STREAM);
      assertThat(answer.errorCode()).as("answer to %s", Arrays.toString(fields)).isEqualTo(H2Wire.PROTOCOL_ERROR);
      assertOnlyValidRequestForwarded(wire, 3);
    }
  }

  private static void assertOnlyValidRequestForwarded(H2Wire wire, int streamId) throws Exception {
    wire.headers(streamId, true, get("/after"));
    assertThat(wire.awaitAnswer(streamId).status()).isEqualTo("200");
    // Requests of the rapid-reset test end before their resets arrive and may reach the backend late.
    List<String> seen = upstream.drain().stream().map(RecordedRequest::uri).filter(u -> !u.equals("/rapid")).toList();
    assertThat(seen).containsExactly("/after");
  }

  @Test
  void forwardsValidRequestOverH2c() throws Exception {
    try (H2Wire wire = H2Wire.h2c(gateway.port())) {
      wire.headers(1, true, get("/ok?x=1", "te", "trailers", "accept", "*/*"));
      assertThat(wire.awaitAnswer(1).status()).isEqualTo("200");
      assertThat(upstream.take(5).uri()).isEqualTo("/ok?x=1");
    }
  }

  @Test
  void refusesInvalidRequestOverTlsWithAlpn() throws Exception {
    try (H2Wire wire = H2Wire.tls(gateway.httpsPort(), "localhost")) {
      wire.headers(1, true, get("/x", "connection", "close"));
      H2Wire.Frame answer = wire.awaitAnswer(1);
      assertThat(answer.type()).isEqualTo(H2Wire.RST_STREAM);
      assertThat(answer.errorCode()).isEqualTo(H2Wire.PROTOCOL_ERROR);
      assertOnlyValidRequestForwarded(wire, 3);
    }
  }

  @Test
  void refusesRequestWithoutMethod() throws Exception {
    assertRefused(":scheme", "https", ":path", "/x", ":authority", "localhost");
  }

  @Test
  void refusesRequestWithoutPath() throws Exception {
    assertRefused(":method", "GET", ":scheme", "https", ":authority", "localhost");
  }

  @Test
  void refusesRequestWithoutScheme() throws Exception {
    assertRefused(":method", "GET", ":path", "/x", ":authority", "localhost");
  }

  @Test
  void refusesDuplicatePseudoHeader() throws Exception {
    assertRefused(":method", "GET", ":scheme", "https", ":path", "/x", ":path", "/y", ":authority", "localhost");
  }

  @Test
  void refusesUnknownPseudoHeader() throws Exception {
    assertRefused(get("/x", ":protocol", "websocket"));
  }

  @Test
  void refusesStatusPseudoHeaderInRequest() throws Exception {
    assertRefused(get("/x", ":status", "200"));
  }

  @Test
  void refusesPseudoHeaderAfterRegularHeader() throws Exception {
    assertRefused(":method", "GET", ":scheme", "https", "accept", "*/*", ":path", "/x", ":authority", "localhost");
  }

  @ParameterizedTest
  @ValueSource(strings = {"http://localhost/x", "x", "//", "/a b", "/a\u007f", "*"})
  void refusesPathThatIsNotOriginForm(String path) throws Exception {
    if (path.equals("//")) {
      // "//" is origin-form (an empty first segment): the control case
      try (H2Wire wire = H2Wire.h2c(gateway.port())) {
        wire.headers(1, true, get(path));
        assertThat(wire.awaitAnswer(1).type()).isEqualTo(H2Wire.HEADERS);
      }
      return;
    }
    assertRefused(get(path));
  }

  @Test
  void refusesUnknownScheme() throws Exception {
    assertRefused(":method", "GET", ":scheme", "ftp", ":path", "/x", ":authority", "localhost");
  }

  @Test
  void refusesAuthorityWithUserinfo() throws Exception {
    assertRefused(":method", "GET", ":scheme", "https", ":path", "/x", ":authority", "user@localhost");
  }

  @Test
  void answersConnectWithABadRequestProblemCarryingARequestIdAndForwardsNothing() throws Exception {
    try (H2Wire wire = H2Wire.h2c(gateway.port())) {
      wire.headers(1, true, ":method", "CONNECT", ":authority", "example.com:443");
      H2Wire.Frame answer = wire.awaitAnswer(1);
      assertThat(answer.status()).isEqualTo("400");
      assertThat(answer.headers().get("content-type").toString()).isEqualTo("application/problem+json");
      assertThat(answer.headers().get("x-request-id").toString()).matches("[0-9a-f]{32}");
      assertOnlyValidRequestForwarded(wire, 3);
    }
  }

  @Test
  void refusesMalformedConnect() throws Exception {
    assertRefused(":method", "CONNECT", ":scheme", "https", ":path", "/", ":authority", "example.com:443",
        ":path", "/again");
  }

  @ParameterizedTest
  @ValueSource(strings = {"connection", "keep-alive", "proxy-connection", "transfer-encoding", "upgrade"})
  void refusesConnectionSpecificField(String name) throws Exception {
    assertRefused(get("/x", name, name.equals("transfer-encoding") ? "chunked" : "x"));
  }

  @Test
  void refusesTeOtherThanTrailers() throws Exception {
    assertRefused(get("/x", "te", "gzip"));
  }

  @ParameterizedTest
  @ValueSource(strings = {"Accept", "x-Foo", "x foo", "x\"y", "x(y)", "x\u00e9", "x:y"})
  void refusesFieldNameThatIsNotLowerCaseToken(String name) throws Exception {
    assertRefused(get("/x", name, "1"));
  }

  @ParameterizedTest
  @ValueSource(strings = {"a\rb", "a\nb", "a\u0000b", " a", "a ", "\ta", "a\t"})
  void refusesFieldValueWithCrLfNulOrSurroundingWhitespace(String value) throws Exception {
    assertRefused(get("/x", "x-test", value));
  }

  @Test
  void refusesDuplicateHost() throws Exception {
    assertRefused(":method", "GET", ":scheme", "https", ":path", "/x", "host", "localhost", "host", "localhost");
  }

  @ParameterizedTest
  @ValueSource(strings = {"abc", "-1", "1 ", "1,1", "1234567890123456789"})
  void refusesMalformedContentLength(String value) throws Exception {
    assertRefused(":method", "POST", ":scheme", "https", ":path", "/x", ":authority", "localhost",
        "content-length", value);
  }

  @Test
  void resetsStreamWhoseDataIsShorterThanContentLength() throws Exception {
    assertContentLengthMismatchReset(10, 5);
  }

  @Test
  void resetsStreamWhoseDataIsLongerThanContentLength() throws Exception {
    assertContentLengthMismatchReset(3, 5);
  }

  private void assertContentLengthMismatchReset(int declared, int sent) throws Exception {
    try (H2Wire wire = H2Wire.h2c(gateway.port())) {
      wire.headers(1, false, ":method", "POST", ":scheme", "https", ":path", "/upload", ":authority", "localhost",
          "content-length", Integer.toString(declared));
      wire.data(1, "x".repeat(sent).getBytes(StandardCharsets.US_ASCII), true);
      H2Wire.Frame reset = wire.await(f -> f.streamId() == 1 && f.type() == H2Wire.RST_STREAM, "RST_STREAM on 1");
      assertThat(reset.errorCode()).isEqualTo(H2Wire.PROTOCOL_ERROR);
      assertOnlyValidRequestForwarded(wire, 3);
    }
  }

  @Test
  void refusesPseudoHeaderInTrailers() throws Exception {
    try (H2Wire wire = H2Wire.h2c(gateway.port())) {
      wire.headers(1, false, ":method", "POST", ":scheme", "https", ":path", "/upload", ":authority", "localhost");
      wire.data(1, "abc".getBytes(StandardCharsets.US_ASCII), false);
      wire.headers(1, true, ":path", "/other");
      H2Wire.Frame reset = wire.await(f -> f.streamId() == 1 && f.type() == H2Wire.RST_STREAM, "RST_STREAM on 1");
      assertThat(reset.errorCode()).isEqualTo(H2Wire.PROTOCOL_ERROR);
      assertOnlyValidRequestForwarded(wire, 3);
    }
  }

  @Test
  void clientResetMidBodyForwardsNoTruncatedRequest() throws Exception {
    try (H2Wire wire = H2Wire.h2c(gateway.port())) {
      wire.headers(1, false, ":method", "POST", ":scheme", "https", ":path", "/upload", ":authority", "localhost");
      wire.data(1, "abc".getBytes(StandardCharsets.US_ASCII), false);
      wire.reset(1, H2Wire.CANCEL);
      assertOnlyValidRequestForwarded(wire, 3);
    }
  }

  @Test
  void answers431ForHeaderListLargerThanLimit() throws Exception {
    try (H2Wire wire = H2Wire.h2c(gateway.port())) {
      wire.headers(1, true, get("/x", "x-big", "a".repeat(MAX_HEADER_SIZE)));
      H2Wire.Frame answer = wire.awaitAnswer(1);
      assertThat(answer.status()).isEqualTo("431");
      assertOnlyValidRequestForwarded(wire, 3);
    }
  }

  // Flood tests send exactly the frame that crosses the limit and nothing after it: bytes still
  // unread when the server closes would make its kernel answer with a TCP reset, which can
  // discard the GOAWAY before the client reads it.

  @Test
  void closesConnectionOnFloodOfSmallContinuationFrames() throws Exception {
    try (H2Wire wire = H2Wire.h2c(gateway.port())) {
      byte[] block = H2Wire.block(get("/x", "x-test", "v".repeat(200)));
      wire.frame(H2Wire.HEADERS, H2Wire.END_STREAM, 1, Arrays.copyOfRange(block, 0, 10));
      for (int i = 0; i <= Http2Limits.defaults().maxSmallContinuationFrames(); i++) {
        wire.frame(H2Wire.CONTINUATION, 0, 1, new byte[] {block[10 + i]});
      }
      assertThat(wire.awaitGoAway().errorCode()).isEqualTo(H2Wire.ENHANCE_YOUR_CALM);
      assertThat(wire.awaitClosed()).isTrue();
    }
    assertThat(upstream.drain()).isEmpty();
  }

  @Test
  void closesConnectionOnHeaderBlockFarBeyondLimit() throws Exception {
    try (H2Wire wire = H2Wire.h2c(gateway.port())) {
      wire.frame(H2Wire.HEADERS, H2Wire.END_STREAM, 1, H2Wire.block(get("/x")));
      wire.frame(H2Wire.CONTINUATION, 0, 1, H2Wire.block("x-pad", "p".repeat(MAX_HEADER_SIZE * 2)));
      H2Wire.Frame goAway = wire.awaitGoAway();
      assertThat(goAway.errorCode()).isNotZero();
      assertThat(wire.awaitClosed()).isTrue();
    }
    assertThat(upstream.drain()).isEmpty();
  }

  @Test
  void closesConnectionOnRapidReset() throws Exception {
    try (H2Wire wire = H2Wire.h2c(gateway.port())) {
      for (int i = 0; i <= MAX_RESETS; i++) {
        int stream = 1 + 2 * i;
        // no END_STREAM: the stream is still open when its reset arrives, so every reset counts
        // (a reset of a stream the server already answered and closed is not counted)
        wire.headers(stream, false, get("/rapid"));
        wire.reset(stream, H2Wire.CANCEL);
      }
      assertThat(wire.awaitGoAway().errorCode()).isEqualTo(H2Wire.ENHANCE_YOUR_CALM);
      assertThat(wire.awaitClosed()).isTrue();
    }
  }

  @Test
  void closesConnectionOnSettingsFlood() throws Exception {
    try (H2Wire wire = H2Wire.h2c(gateway.port())) {
      for (int i = 0; i <= MAX_CONTROL_FRAMES; i++) {
        wire.frame(H2Wire.SETTINGS, 0, 0, new byte[0]);
      }
      assertThat(wire.awaitGoAway().errorCode()).isEqualTo(H2Wire.ENHANCE_YOUR_CALM);
      assertThat(wire.awaitClosed()).isTrue();
    }
  }

  @Test
  void closesConnectionOnPingFlood() throws Exception {
    try (H2Wire wire = H2Wire.h2c(gateway.port())) {
      for (int i = 0; i <= MAX_CONTROL_FRAMES; i++) {
        wire.frame(H2Wire.PING, 0, 0, new byte[8]);
      }
      assertThat(wire.awaitGoAway().errorCode()).isEqualTo(H2Wire.ENHANCE_YOUR_CALM);
      assertThat(wire.awaitClosed()).isTrue();
    }
  }

  @Test
  void answersPingsBelowTheLimit() throws Exception {
    try (H2Wire wire = H2Wire.h2c(gateway.port())) {
      for (int i = 0; i < MAX_CONTROL_FRAMES / 2; i++) {
        wire.frame(H2Wire.PING, 0, 0, new byte[8]);
      }
      assertOnlyValidRequestForwarded(wire, 1);
    }
  }

  @Test
  void closesConnectionOnEmptyDataFlood() throws Exception {
    try (H2Wire wire = H2Wire.h2c(gateway.port())) {
      wire.headers(1, false, ":method", "POST", ":scheme", "https", ":path", "/upload", ":authority", "localhost");
      // Netty allows two consecutive empty DATA frames without END_STREAM; the third closes.
      for (int i = 0; i < 3; i++) {
        wire.data(1, new byte[0], false);
      }
      assertThat(wire.awaitGoAway().errorCode()).isEqualTo(H2Wire.ENHANCE_YOUR_CALM);
      assertThat(wire.awaitClosed()).isTrue();
    }
    assertThat(upstream.drain()).isEmpty();
  }

  @Test
  void refusesStreamsBeyondConcurrentLimit() throws Exception {
    try (H2Wire wire = H2Wire.h2c(gateway.port())) {
      // Wait for the server's SETTINGS to be acknowledged: the limit applies from then on.
      wire.await(f -> f.type() == H2Wire.SETTINGS && (f.flags() & H2Wire.ACK) != 0, "SETTINGS ACK");
      for (int i = 0; i < MAX_STREAMS; i++) {
        wire.headers(1 + 2 * i, false, ":method", "POST", ":scheme", "https", ":path", "/slow",
            ":authority", "localhost");
      }
      int beyond = 1 + 2 * MAX_STREAMS;
      wire.headers(beyond, true, get("/beyond"));
      H2Wire.Frame answer = wire.awaitAnswer(beyond);
      assertThat(answer.type()).isEqualTo(H2Wire.RST_STREAM);
      assertThat(answer.errorCode()).isEqualTo(H2Wire.REFUSED_STREAM);
      // Ending one open stream frees a slot for a new one.
      wire.data(1, new byte[] {'a'}, true);
      assertThat(wire.awaitAnswer(1).status()).isEqualTo("200");
      wire.headers(beyond + 2, true, get("/after"));
      assertThat(wire.awaitAnswer(beyond + 2).status()).isEqualTo("200");
    }
  }
}
