package io.gatehouse.gateway.internal.http1;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class StrictHttp1ValidatorTest {
  private static final String GET = "GET / HTTP/1.1\r\nHost: a\r\n\r\n";

  /** Result of feeding input: bytes passed downstream, bytes written back, channel state. */
  record Outcome(String passed, String response, boolean open) {
    int status() {
      return response.isEmpty() ? 0 : Integer.parseInt(response.substring(9, 12));
    }
  }

  private static Outcome feed(int maxHead, String... chunks) {
    Http1RejectionCounters counters = new Http1RejectionCounters();
    EmbeddedChannel ch = new EmbeddedChannel(new StrictHttp1Validator(maxHead, counters));
    for (String chunk : chunks) {
      if (ch.isOpen()) {
        ch.writeInbound(Unpooled.copiedBuffer(chunk, StandardCharsets.ISO_8859_1));
      }
    }
    ByteArrayOutputStream in = new ByteArrayOutputStream();
    ByteBuf b;
    while ((b = ch.readInbound()) != null) {
      byte[] bytes = new byte[b.readableBytes()];
      b.readBytes(bytes);
      b.release();
      in.writeBytes(bytes);
    }
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    while ((b = ch.readOutbound()) != null) {
      byte[] bytes = new byte[b.readableBytes()];
      b.readBytes(bytes);
      b.release();
      out.writeBytes(bytes);
    }
    return new Outcome(in.toString(StandardCharsets.ISO_8859_1), out.toString(StandardCharsets.UTF_8),
        ch.isOpen());
  }

  private static Outcome feed(String... chunks) {
    return feed(8192, chunks);
  }

  private static void assertRejected(Outcome o, int status, String detail) {
    assertThat(o.status()).as(o.response()).isEqualTo(status);
    assertThat(o.response()).contains("Content-Type: application/problem+json\r\n")
        .contains("Connection: close\r\n").doesNotContain("Server:").contains(detail);
    assertThat(o.open()).isFalse();
  }

  @Test
  void passesValidMessagesUnchanged() {
    String in = GET + "POST /x?y=1 HTTP/1.1\r\nContent-Length: 3\r\n\r\nabc"
        + "PUT /c HTTP/1.1\r\nTransfer-Encoding: gzip, chunked\r\n\r\n"
        + "3;a=b;c=\"q\\\"d\"\r\nxyz\r\n0\r\nTrailer-A: 1\r\n\r\n";
    Outcome o = feed(in);
    assertThat(o.passed()).isEqualTo(in);
    assertThat(o.response()).isEmpty();
    assertThat(o.open()).isTrue();
  }

  @Test
  void passesPipelinedMessagesSplitAtEveryByteBoundary() {
    String in = "\r\n" + GET + "POST / HTTP/1.1\r\nContent-Length: 5\r\n\r\nhello"
        + "POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n5;x\r\nhello\r\n0\r\nT: v\r\n\r\n" + GET;
    for (int cut = 0; cut <= in.length(); cut++) {
      for (int cut2 = cut; cut2 <= in.length(); cut2 += 7) {
        Outcome o = feed(in.substring(0, cut), in.substring(cut, cut2), in.substring(cut2));
        assertThat(o.passed()).as("cut at %d/%d", cut, cut2).isEqualTo(in);
        assertThat(o.response()).isEmpty();
      }
    }
  }

  @Test
  void rejectsContentLengthWithTransferEncoding() {
    // CL.TE / TE.CL
    assertRejected(feed("POST / HTTP/1.1\r\nContent-Length: 6\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\nX"),
        400, "Content-Length and Transfer-Encoding together");
    assertRejected(feed("POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\nContent-Length: 3\r\n\r\n8\r\nSMUGGLED\r\n0\r\n\r\n"),
        400, "Content-Length and Transfer-Encoding together");
  }

  @Test
  void rejectsObfuscatedTransferEncodings() {
    assertRejected(feed("POST / HTTP/1.1\r\nTransfer-Encoding: xchunked\r\n\r\n"), 400, "final transfer coding is not chunked");
    assertRejected(feed("POST / HTTP/1.1\r\nTransfer-Encoding : chunked\r\n\r\n"), 400, "whitespace between field name and colon");
    assertRejected(feed("POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\nTransfer-Encoding: x\r\n\r\n"), 400, "not chunked");
    assertRejected(feed("POST / HTTP/1.1\r\nTransfer-Encoding: chunked, chunked\r\n\r\n"), 400, "more than once");
    assertRejected(feed("POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\tx\r\n\r\n"), 400, "obs-fold");
    assertRejected(feed("POST / HTTP/1.0\r\nTransfer-Encoding: chunked\r\n\r\n"), 400, "HTTP/1.0");
    // A leading space is OWS, not obfuscation: still exactly "chunked".
    assertThat(feed("POST / HTTP/1.1\r\nTransfer-Encoding:  CHUNKED\r\n\r\n0\r\n\r\n").response()).isEmpty();
  }

  @Test
  void rejectsBadContentLengths() {
    assertRejected(feed("POST / HTTP/1.1\r\nContent-Length: 1\r\nContent-Length: 1\r\n\r\nx"), 400, "more than one Content-Length");
    assertRejected(feed("POST / HTTP/1.1\r\nContent-Length: +1\r\n\r\nx"), 400, "is not 1*DIGIT");
    assertRejected(feed("POST / HTTP/1.1\r\nContent-Length: 1 2\r\n\r\nx"), 400, "is not 1*DIGIT");
    assertRejected(feed("POST / HTTP/1.1\r\nContent-Length: 1,1\r\n\r\nx"), 400, "is not 1*DIGIT");
    assertRejected(feed("POST / HTTP/1.1\r\nContent-Length: 1234567890123456789\r\n\r\n"), 400, "1 to 18 digits");
    assertRejected(feed("POST / HTTP/1.1\r\nContent-Length:\r\n\r\n"), 400, "1 to 18 digits");
  }

  @Test
  void rejectsBadChunks() {
    String head = "POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n";
    assertRejected(feed(head + "10000000000000000\r\n"), 400, "overflows");
    assertRejected(feed(head + "5 ;a\r\nhello\r\n0\r\n\r\n"), 400, "after chunk size");
    assertRejected(feed(head + "5;\r\nhello\r\n0\r\n\r\n"), 400, "chunk extension without a name");
    assertRejected(feed(head + "5;a=\"b\r\nhello\r\n0\r\n\r\n"), 400, "quoted chunk extension");
    assertRejected(feed(head + "5;a=b c\r\nhello\r\n0\r\n\r\n"), 400, "chunk extension");
    assertRejected(feed(head + "5\r\nhelloX\r\n0\r\n\r\n"), 400, "not followed by CRLF");
    assertRejected(feed(head + "5\nhello\r\n0\r\n\r\n"), 400, "after chunk size");
    assertRejected(feed(head + "0\r\nContent-Length: 5\r\n\r\n"), 400, "not allowed in a trailer");
  }

  @Test
  void rejectsLineAndCharacterViolations() {
    assertRejected(feed("GET / HTTP/1.1\r\nA: b\r\n c\r\n\r\n"), 400, "obs-fold");
    assertRejected(feed("GET / HTTP/1.1\nHost: a\r\n\r\n"), 400, "bare LF");
    assertRejected(feed("GET / HTTP/1.1\r\nA: b\nB: c\r\n\r\n"), 400, "bare LF");
    assertRejected(feed("GET / HTTP/1.1\r\nA: b\rB: c\r\n\r\n"), 400, "CR not followed by LF");
    assertRejected(feed("GET / HTTP/1.1\r\nHost : a\r\n\r\n"), 400, "whitespace between field name and colon");
    assertRejected(feed("GET / HTTP/1.1\r\nA: b\u0000c\r\n\r\n"), 400, "0x00 in field value");
    assertRejected(feed("GET / HTTP/1.1\r\nA@: b\r\n\r\n"), 400, "in field name");
    assertRejected(feed("GET / HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n"), 400, "more than one Host");
    assertRejected(feed("GET  / HTTP/1.1\r\n\r\n"), 400, "more than one SP");
    assertRejected(feed("GET /\u00e9 HTTP/1.1\r\n\r\n"), 400, "in request-target");
    assertRejected(feed("GET / RTSP/1.0\r\n\r\n"), 400, "is not HTTP/1.1");
    assertRejected(feed("GET / HTTP/1.2\r\n\r\n"), 505, "unsupported version");
    assertRejected(feed("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n"), 400, "PRI");
    assertRejected(feed("CONNECT a:443 HTTP/1.1\r\n\r\n"), 400, "CONNECT");
  }

  @Test
  void answersOversizedHeadWith431() {
    Outcome o = feed(256, "GET / HTTP/1.1\r\nA: " + "x".repeat(300) + "\r\n\r\n");
    assertRejected(o, 431, "request head larger than 256 bytes");
    assertThat(o.response()).startsWith("HTTP/1.1 431 Request Header Fields Too Large\r\n");
  }

  @Test
  void answersOverlongRequestTargetWith414() {
    Outcome o = feed(256, "GET /" + "x".repeat(300) + " HTTP/1.1\r\nHost: a\r\n\r\n");
    assertRejected(o, 414, "request line longer than 256 bytes");
    assertThat(o.response()).startsWith("HTTP/1.1 414 URI Too Long\r\n");
  }

  @Test
  void passesValidPrefixAndDropsTheBadMessageOfTheSameRead() {
    Outcome o = feed(GET + GET + "POST / HTTP/1.1\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\nab");
    assertThat(o.passed()).isEqualTo(GET + GET);
    assertRejected(o, 400, "more than one Content-Length");
    assertThat(o.response()).contains("\"detail\":\"more than one Content-Length field line\"");
  }

  @Test
  void writesTheGatewaysProblemBodyWithARequestIdAndExactLength() {
    Outcome o = feed("GET / HTTP/1.1\r\nContent-Length: 1\r\nTransfer-Encoding: chunked\r\n\r\n");
    String body = o.response().substring(o.response().indexOf("\r\n\r\n") + 4);
    java.util.regex.Matcher id = java.util.regex.Pattern.compile("\r\nX-Request-Id: ([0-9a-f]{32})\r\n")
        .matcher(o.response());
    assertThat(id.find()).as("X-Request-Id header").isTrue();
    assertThat(body).isEqualTo("{\"type\":\"urn:gatehouse:problem:ambiguous-framing\",\"title\":\"Bad Request\","
        + "\"status\":400,\"detail\":\"Content-Length and Transfer-Encoding together\","
        + "\"requestId\":\"" + id.group(1) + "\"}");
    assertThat(o.response()).contains("Content-Length: " + body.length() + "\r\n");
  }

  @Test
  void closesWithoutAnswerWhenTheBadMessageWasPartlyForwarded() {
    Outcome o = feed("POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhel", "loX");
    assertThat(o.passed()).isEqualTo("POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhel");
    assertThat(o.response()).isEmpty();
    assertThat(o.open()).isFalse();
  }

  @Test
  void answersHeadViolationsWhenTheHeadArrivesInPieces() {
    // Found by fuzzing: a head split across reads was closed silently instead of answered.
    assertRejected(feed("POST / HTTP/1.1\r\nContent-Length: 6\r\n", "Transfer-Encoding: chunked\r\n\r\n0\r\n\r\nX"),
        400, "Content-Length and Transfer-Encoding together");
    assertRejected(feed("GET / HTTP/1.1\r\nHost: a\r\n", " folded\r\n\r\n"), 400, "obs-fold");
    assertRejected(feed("GE", "T / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding : chunked\r\n\r\n"), 400,
        "whitespace between field name and colon");
  }

  @Test
  void passesEverythingAfterAnAcceptedUpgradeRequest() {
    String in = "GET /ws HTTP/1.1\r\nHost: a\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n\r\n\u0081\u0085garbage\n";
    Outcome o = feed(in);
    assertThat(o.passed()).isEqualTo(in);
    assertThat(o.response()).isEmpty();
  }

  @Test
  void discardsBytesAfterConnectionClose() {
    Outcome o = feed("GET / HTTP/1.1\r\nConnection: close\r\n\r\nGARBAGE\r\n");
    assertThat(o.passed()).isEqualTo("GET / HTTP/1.1\r\nConnection: close\r\n\r\n");
    assertThat(o.response()).isEmpty();
  }

  @Test
  void countsRejectionsPerViolation() {
    Http1RejectionCounters counters = new Http1RejectionCounters();
    for (int k = 0; k < 2; k++) {
      EmbeddedChannel ch = new EmbeddedChannel(new StrictHttp1Validator(8192, counters));
      ch.writeInbound(Unpooled.copiedBuffer("GET / HTTP/1.1\r\n a\r\n\r\n", StandardCharsets.US_ASCII));
      ch.finishAndReleaseAll();
    }
    assertThat(counters.count(Http1Violation.OBS_FOLD)).isEqualTo(2);
    assertThat(counters.snapshot()).containsOnlyKeys(Http1Violation.OBS_FOLD);
  }
}
