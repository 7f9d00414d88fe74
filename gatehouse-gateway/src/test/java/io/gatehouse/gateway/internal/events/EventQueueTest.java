package io.gatehouse.gateway.internal.events;

import static org.assertj.core.api.Assertions.assertThat;

import io.gatehouse.gateway.events.TrafficEvent;
import java.time.Instant;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class EventQueueTest {

  static TrafficEvent event(String id) {
    return new TrafficEvent(Instant.EPOCH, id, null, "", "GET", "", "/", null, "", "", null, null, null,
        200, null, 1, 0, 0, 0, null, null, null, null, "HTTP/1.1");
  }

  @Test
  void failingConsumerDoesNotStopOthers() throws Exception {
    try (EventQueue queue = new EventQueue(8)) {
      BlockingQueue<String> got = new LinkedBlockingQueue<>();
      queue.subscribe(e -> {
        throw new IllegalStateException("boom");
      });
      queue.subscribe(e -> got.add(e.requestId()));
      queue.publish(event("a"));
      queue.publish(event("b"));
      assertThat(got.poll(5, TimeUnit.SECONDS)).isEqualTo("a");
      assertThat(got.poll(5, TimeUnit.SECONDS)).isEqualTo("b");
      assertThat(queue.published()).isEqualTo(2);
      assertThat(queue.dropped()).isZero();
    }
  }

  @Test
  void isActiveOnlyWithConsumers() {
    try (EventQueue queue = new EventQueue(1)) {
      assertThat(queue.active()).isFalse();
      queue.subscribe(e -> {});
      assertThat(queue.active()).isTrue();
      assertThat(queue.capacity()).isEqualTo(1);
    }
  }
}
