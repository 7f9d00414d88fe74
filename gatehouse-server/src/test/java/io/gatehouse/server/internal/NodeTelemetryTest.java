package io.gatehouse.server.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.gatehouse.control.analytics.Aggregate;
import io.gatehouse.control.analytics.AggregateKey;
import io.gatehouse.control.cluster.NodeReport;
import java.io.IOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;

class NodeTelemetryTest {
  static final long MINUTE0 = 1_796_000_000_000L / 60_000 * 60_000;

  static Map<Long, Map<AggregateKey, Aggregate>> rows(long minute, int keys, long latencyMicros) {
    Map<AggregateKey, Aggregate> m = new HashMap<>();
    for (int k = 0; k < keys; k++) {
      org.HdrHistogram.Histogram h = Aggregate.newHistogram();
      h.recordValue(latencyMicros);
      m.put(new AggregateKey("orders", "", "", "", "2xx", "10.0." + (k / 250) + "." + (k % 250)), Aggregate.of(1, 0, 1, 1, h));
    }
    Map<Long, Map<AggregateKey, Aggregate>> out = new HashMap<>();
    out.put(minute, m);
    return out;
  }

  /** A control plane that can be away; counts what it took. */
  static final class Plane implements NodeTelemetry.Channel {
    final AtomicBoolean away = new AtomicBoolean();
    final List<NodeReport> taken = new ArrayList<>();

    @Override
    public int send(NodeReport report) throws IOException {
      if (away.get()) {
        throw new IOException("connection refused");
      }
      taken.add(report);
      return 204;
    }

    long requests() {
      return taken.stream().flatMap(r -> r.analytics().values().stream()).flatMap(m -> m.values().stream())
          .mapToLong(Aggregate::requests).sum();
    }
  }

  @Test
  void keepsWhatTheControlPlaneDidNotTakeMergedPerMinuteAndKeyAndSendsItWhenItAnswers() throws Exception {
    Plane plane = new Plane();
    NodeTelemetry t = NodeTelemetry.manual(plane);
    plane.away.set(true);
    t.merge(rows(MINUTE0, 3, 1_000));
    t.merge(rows(MINUTE0, 3, 9_000)); // the same keys again: merged, histograms included
    assertThatThrownBy(t::send).isInstanceOf(IOException.class);
    assertThat(t.pending()).isTrue();
    plane.away.set(false);
    t.send();
    assertThat(t.pending()).isFalse();
    assertThat(plane.taken).hasSize(1);
    Map<AggregateKey, Aggregate> sent = plane.taken.get(0).analytics().get(MINUTE0);
    assertThat(sent).hasSize(3);
    assertThat(sent.values()).allSatisfy(a -> {
      assertThat(a.requests()).isEqualTo(2);
      assertThat(a.latency().getTotalCount()).isEqualTo(2);
      assertThat(a.latency().getMaxValue()).isGreaterThanOrEqualTo(8_900);
    });
  }

  @Test
  void dropsTheOldestMinuteBeyondItsBufferCountsItAndSendsTheRestInBoundedReports() throws Exception {
    Plane plane = new Plane();
    NodeTelemetry t = NodeTelemetry.manual(plane);
    int perMinute = 5_000;
    int minutes = NodeTelemetry.MAX_ROWS / perMinute + 1;
    for (int m = 0; m < minutes; m++) {
      t.merge(rows(MINUTE0 + m * 60_000L, perMinute, 1_000));
    }
    assertThat(t.droppedRows()).isEqualTo(perMinute);
    t.send();
    assertThat(t.pending()).isFalse();
    assertThat(plane.requests()).isEqualTo((long) NodeTelemetry.MAX_ROWS);
    assertThat(plane.taken).allSatisfy(r -> assertThat(r.analytics().values().stream().mapToInt(Map::size).sum())
        .isLessThanOrEqualTo(NodeTelemetry.REPORT_ROWS));
    assertThat(plane.taken.stream().flatMap(r -> r.analytics().keySet().stream()).distinct())
        .doesNotContain(MINUTE0).contains(MINUTE0 + 60_000L);
    assertThat(plane.taken.stream().map(NodeReport::batch).distinct().count()).isEqualTo(plane.taken.size());
  }
}
