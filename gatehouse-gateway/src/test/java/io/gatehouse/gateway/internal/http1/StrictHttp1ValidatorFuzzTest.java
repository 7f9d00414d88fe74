package io.gatehouse.gateway.internal.http1;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import org.junit.jupiter.api.Timeout;

/**
 * Fuzzes the strict HTTP/1.1 validator with arbitrary bytes: it never throws, and it either passes
 * the bytes through unchanged (a prefix, while a message is incomplete) or rejects with a
 * problem+json 4xx/5xx and closes, with the same verdict whether the bytes arrive at once or one
 * by one (except that a violation after an already forwarded head closes without an answer).
 */
class StrictHttp1ValidatorFuzzTest {
  private static final int MAX_HEAD = 1024;

  record Outcome(byte[] passed, String response, boolean open) {}

  private static Outcome feed(byte[] input, boolean byteByByte) {
    EmbeddedChannel ch = new EmbeddedChannel(new StrictHttp1Validator(MAX_HEAD));
    if (byteByByte) {
      for (int i = 0; i < input.length && ch.isOpen(); i++) {
        ch.writeInbound(Unpooled.wrappedBuffer(input, i, 1));
      }
    } else {
      ch.writeInbound(Unpooled.wrappedBuffer(input));
    }
    ch.checkException();
    Outcome o = new Outcome(drain(ch, true), new String(drain(ch, false), StandardCharsets.UTF_8), ch.isOpen());
    ch.finishAndReleaseAll();
    return o;
  }

  private static byte[] drain(EmbeddedChannel ch, boolean inbound) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    Object m;
    while ((m = inbound ? ch.readInbound() : ch.readOutbound()) != null) {
      ByteBuf b = (ByteBuf) m;
      byte[] bytes = new byte[b.readableBytes()];
      b.readBytes(bytes);
      b.release();
      out.writeBytes(bytes);
    }
    return out.toByteArray();
  }

  @FuzzTest(maxDuration = "30s")
  @Timeout(10) // per input: JUnit enforces it on each seed, Jazzer passes it to libFuzzer as -timeout
  void passesUnchangedOrRejects(byte[] input) {
    Outcome whole = feed(input, false);
    if (whole.response().isEmpty()) {
      assertThat(whole.open()).isTrue();
      assertThat(whole.passed().length).isLessThanOrEqualTo(input.length);
      assertThat(Arrays.equals(whole.passed(), 0, whole.passed().length, input, 0, whole.passed().length))
          .as("passed bytes are a prefix of the input").isTrue();
    } else {
      assertThat(whole.response()).matches("(?s)HTTP/1\\.1 [45]\\d\\d .*")
          .contains("Content-Type: application/problem+json\r\n").contains("Connection: close\r\n");
      assertThat(whole.open()).isFalse();
    }
    if (input.length <= 2048) {
      Outcome split = feed(input, true);
      if (whole.response().isEmpty()) {
        assertThat(split.response()).isEmpty();
        assertThat(split.passed()).isEqualTo(whole.passed());
      } else if (!withoutRequestId(split.response()).equals(withoutRequestId(whole.response()))) {
        // By design, a violation after a head that already went downstream (body, chunks,
        // trailer) closes without an answer, since a response may be under way.
        assertThat(split.response()).as("verdict does not depend on how the bytes are split").isEmpty();
        assertThat(split.open()).isFalse();
        String forwarded = new String(split.passed(), whole.passed().length,
            split.passed().length - whole.passed().length, StandardCharsets.ISO_8859_1);
        assertThat(forwarded).as("only a message whose head was forwarded closes silently").contains("\r\n\r\n");
      }
    }
  }

  /** The response with its request id (new for every rejection) blanked out. */
  private static String withoutRequestId(String response) {
    return response.replaceAll("[0-9a-f]{32}", "ID");
  }
}
