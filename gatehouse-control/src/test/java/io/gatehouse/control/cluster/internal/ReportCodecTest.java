package io.gatehouse.control.cluster.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.gatehouse.control.analytics.Aggregate;
import io.gatehouse.control.analytics.AggregateKey;
import io.gatehouse.control.cluster.NodeReport;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ReportCodecTest {
  static final long MINUTE = 1_796_000_000_000L / 60_000 * 60_000;

  static NodeReport report() {
    org.HdrHistogram.Histogram h = Aggregate.newHistogram();
    h.recordValue(1_500);
    h.recordValue(90_000);
    Map<Long, Map<AggregateKey, Aggregate>> analytics = new HashMap<>();
    analytics.put(MINUTE, new HashMap<>(Map.of(new AggregateKey("orders", "GET /items/{id}", "starter", "alice", "2xx",
        "10.0.0.1"), Aggregate.of(2, 0, 10, 200, h))));
    return new NodeReport("b-1", analytics, List.of(new NodeReport.ObservedRequest(MINUTE + 5, "r1", "10.0.0.1", "alice",
        "orders", "GET /items/{id}", "GET", "/orders/items/7", "a=1", 200, 200, List.of("SQL"), true)));
  }

  @Test
  void readsWhatItWritesHistogramsIncluded() {
    NodeReport back = ReportCodec.read(ReportCodec.write(report()));
    assertThat(back.batch()).isEqualTo("b-1");
    assertThat(back.requests()).isEqualTo(report().requests());
    Aggregate a = back.analytics().get(MINUTE).values().iterator().next();
    assertThat(a.requests()).isEqualTo(2);
    assertThat(a.latency().getTotalCount()).isEqualTo(2);
    assertThat(a.latency().getMaxValue()).isGreaterThanOrEqualTo(89_000);
  }

  static String valid() {
    return new String(ReportCodec.write(report()), StandardCharsets.UTF_8);
  }

  @Test
  void refusesAReportThatIsNotWellFormedWhole() {
    String ok = valid();
    List<String> bad = List.of(
        "not json",
        "{\"analytics\":[],\"requests\":[]}", // no batch id
        ok.replace("\"minute\":" + MINUTE, "\"minute\":" + (MINUTE + 1)), // not the start of a minute
        ok.replace("\"requests\":2", "\"requests\":-2"), // a negative count
        ok.replaceFirst("\"latency\":\"[^\"]*\"", "\"latency\":\"AAAA\""), // not a histogram
        ok.replaceFirst("\"latency\":\"[^\"]*\"", "\"latency\":\"***\""), // not Base64
        ok.replace("\"api\":\"orders\"", "\"api\":{\"x\":1}"), // not a string
        ok.replace("\"path\":\"/orders/items/7\"", "\"path\":\"/" + "a".repeat(3000) + "\"")); // too long
    for (String b : bad) {
      assertThatThrownBy(() -> ReportCodec.read(b.getBytes(StandardCharsets.UTF_8))).as(b.length() > 200
          ? b.substring(0, 200) : b).isInstanceOf(IllegalArgumentException.class);
    }
  }

  @Test
  void carriesDebugTracesAndRefusesMoreThanItsBoundOrOneWithoutASession() {
    com.fasterxml.jackson.databind.node.ObjectNode trace = io.gatehouse.model.ConfigMapper.json().createObjectNode()
        .put("requestId", "r1").put("status", 200);
    NodeReport r = new NodeReport("b-2", Map.of(), List.of(), List.of(new NodeReport.DebugTrace("0123456789abcdef", trace)));
    NodeReport back = ReportCodec.read(ReportCodec.write(r));
    assertThat(back.traces()).containsExactly(new NodeReport.DebugTrace("0123456789abcdef", trace));

    List<NodeReport.DebugTrace> many = new java.util.ArrayList<>();
    for (int i = 0; i <= ReportCodec.MAX_TRACES; i++) {
      many.add(new NodeReport.DebugTrace("0123456789abcdef", trace));
    }
    byte[] tooMany = ReportCodec.write(new NodeReport("b-3", Map.of(), List.of(), many));
    assertThatThrownBy(() -> ReportCodec.read(tooMany)).isInstanceOf(IllegalArgumentException.class);
    String one = new String(ReportCodec.write(r), StandardCharsets.UTF_8);
    for (String b : List.of(one.replace("\"session\":\"0123456789abcdef\"", "\"session\":\"\""),
        one.replace("\"session\":\"0123456789abcdef\"", "\"session\":\"" + "a".repeat(33) + "\""),
        one.replaceFirst("\"trace\":\\{[^}]*\\}", "\"trace\":\"text\""))) {
      assertThat(b).isNotEqualTo(one);
      assertThatThrownBy(() -> ReportCodec.read(b.getBytes(StandardCharsets.UTF_8))).as(b)
          .isInstanceOf(IllegalArgumentException.class);
    }
  }
}
