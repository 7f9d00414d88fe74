package io.gatehouse.gateway.accesslog;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.gatehouse.gateway.events.TrafficEvent;
import io.gatehouse.gateway.events.WafOutcome;
import io.gatehouse.gateway.events.WebSocketSession;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The access log's JSON lines: one line per event whatever the values hold, every value read back as written. */
class AccessLogEncodingTest {
  static final ObjectMapper JSON = new ObjectMapper();
  static final Instant T = Instant.parse("2026-12-07T23:40:01.123Z");

  static TrafficEvent event(String path, String userAgent, String host) {
    return new TrafficEvent(T, "req-1", null, "203.0.113.9", "GET", host, path, "token=secret&x", "pets", "get-pet",
        null, null, null, 200, 200, 1_234_567, 1_000_000, 0, 37, null, null, null, userAgent, "HTTP/1.1");
  }

  static JsonNode parseSingleLine(String line) throws Exception {
    assertThat(line).doesNotContain("\n").doesNotContain("\r");
    return JSON.readTree(line);
  }

  @Test
  void escapesQuotesBackslashesAndEveryControlCharacterSoAValueCannotForgeFieldsOrLines() throws Exception {
    StringBuilder controls = new StringBuilder();
    for (char c = 0; c < 0x20; c++) {
      controls.append(c);
    }
    String hostile = "curl\",\"status\":500,\"x\":\"\\\n{\"forged\":true}\r\n" + controls + "\u007f end";
    AccessLog log = AccessLog.to(l -> { });
    JsonNode n = parseSingleLine(log.line(event("/a\"b\\c\n", hostile, "h\u0000st")));
    assertThat(n.get("userAgent").asText()).isEqualTo(hostile);
    assertThat(n.get("path").asText()).isEqualTo("/a\"b\\c\n");
    assertThat(n.get("host").asText()).isEqualTo("h\u0000st");
    assertThat(n.get("status").asInt()).isEqualTo(200);
    assertThat(n.has("forged")).isFalse();
    assertThat(n.get("query").asText()).isEqualTo("token=***&x");
  }

  @Test
  void writesNonAsciiAsUtf8AndLoneSurrogatesAsReplacementCharacters() throws Exception {
    String text = "caf\u00e9 \u65e5\u672c \ud83d\ude00 \u2028";
    List<String> lines = new ArrayList<>();
    AccessLog log = AccessLog.to(lines::add);
    log.accept(event("/p", text, "h"));
    assertThat(parseSingleLine(lines.get(0)).get("userAgent").asText()).isEqualTo(text);
    // a header value decoded from invalid UTF-8 can carry unpaired surrogates: they have no UTF-8 form
    JsonNode lone = parseSingleLine(log.line(event("/p", "a\ud83db\ude00c\ud83d", "h")));
    assertThat(lone.get("userAgent").asText()).isEqualTo("a\ufffdb\ufffdc\ufffd");
    // latin-1 bytes decoded one char per byte (how invalid UTF-8 arrives in a header) are kept as those chars
    JsonNode latin = parseSingleLine(log.line(event("/p", "\u00ff\u00fe\u00c3\u0028", "h")));
    assertThat(latin.get("userAgent").asText()).isEqualTo("\u00ff\u00fe\u00c3\u0028");
  }

  @Test
  void writesEveryFieldWithItsTypeAndLeavesAbsentOnesOut() throws Exception {
    TrafficEvent e = new TrafficEvent(T, "req-2", "trace-9", "::1", "POST", "h", "/ws", null, "pets", "op", "gold",
        "sub-1", "alice", 101, null, 5_000, 0, 12, -1, "HIT", "waf@api:pets", "blocked", null, "HTTP/2",
        new WebSocketSession(Instant.parse("2026-12-07T23:40:02Z"), 3, 4, 1000, "bye", "client"),
        new WafOutcome(List.of(942100L, 949110L), 10, WafOutcome.BLOCK));
    JsonNode n = parseSingleLine(AccessLog.to(l -> { }).line(e));
    assertThat(n.get("time").asText()).isEqualTo("2026-12-07T23:40:01.123Z");
    assertThat(n.get("traceId").asText()).isEqualTo("trace-9");
    assertThat(n.has("query")).isFalse();
    assertThat(n.has("backendStatus")).isFalse();
    assertThat(n.has("userAgent")).isFalse();
    assertThat(n.get("totalMicros").asLong()).isEqualTo(5);
    assertThat(n.get("bytesOut").asLong()).isEqualTo(-1);
    assertThat(n.get("user").asText()).isEqualTo("alice");
    assertThat(n.get("waf").get("rules").get(1).asLong()).isEqualTo(949110L);
    assertThat(n.get("waf").get("score").asInt()).isEqualTo(10);
    assertThat(n.get("websocket").get("closedAt").asText()).isEqualTo("2026-12-07T23:40:02Z");
    assertThat(n.get("websocket").get("closeCode").asInt()).isEqualTo(1000);
    assertThat(n.get("protocol").asText()).isEqualTo("HTTP/2");
  }

  @Test
  void writesTimesExactlyAsInstantToString() throws Exception {
    SplittableRandom random = new SplittableRandom(14);
    AccessLog log = AccessLog.to(l -> { });
    List<Instant> instants = new ArrayList<>(List.of(Instant.EPOCH, Instant.parse("2000-02-29T23:59:59.999999999Z"),
        Instant.parse("1969-12-31T23:59:59.5Z"), Instant.parse("9999-12-31T23:59:59Z"),
        Instant.parse("2026-12-07T00:00:00.000001Z"), Instant.parse("2100-03-01T12:00:00.010Z")));
    for (int i = 0; i < 2000; i++) {
      int nanos = switch (i % 4) {
        case 0 -> 0;
        case 1 -> random.nextInt(1000) * 1_000_000;
        case 2 -> random.nextInt(1_000_000) * 1000;
        default -> random.nextInt(1_000_000_000);
      };
      instants.add(Instant.ofEpochSecond(random.nextLong(-62_000_000_000L, 253_402_300_799L), nanos));
    }
    for (Instant t : instants) {
      TrafficEvent e = new TrafficEvent(t, "r", null, "c", "GET", "h", "/", null, "a", "o", null, null, null, 200,
          null, 0, 0, 0, 0, null, null, null, null, "HTTP/1.1");
      assertThat(parseSingleLine(log.line(e)).get("time").asText()).as("%s", t).isEqualTo(t.toString());
    }
  }

  @Test
  void writesTheSameBytesThroughLogbackToItsFile(@TempDir Path dir) throws Exception {
    Path file = dir.resolve("access.log");
    String hostile = "x\"\n\ud83d\ude00\ud83d";
    try (AccessLog log = AccessLog.toLogback(AccessLogOptions.file(file).withStdout(false))) {
      log.accept(event("/one", hostile, "h"));
      log.accept(event("/two", "ua", "h"));
    }
    List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8);
    assertThat(lines).hasSize(2);
    AccessLog reference = AccessLog.to(l -> { });
    assertThat(lines.get(0)).isEqualTo(reference.line(event("/one", hostile, "h")));
    assertThat(parseSingleLine(lines.get(0)).get("userAgent").asText()).isEqualTo("x\"\n\ud83d\ude00\ufffd");
    assertThat(parseSingleLine(lines.get(1)).get("path").asText()).isEqualTo("/two");
  }
}
