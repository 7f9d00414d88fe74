package io.gatehouse.gateway.internal.events;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class ExchangeTest {

  @Test
  void readsTraceIdFromValidTraceparentOnly() {
    assertThat(Exchange.traceId("00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"))
        .isEqualTo("4bf92f3577b34da6a3ce929d0e0e4736");
    assertThat(Exchange.traceId("00-00000000000000000000000000000000-00f067aa0ba902b7-01")).isNull();
    assertThat(Exchange.traceId("00-4BF92F3577B34DA6A3CE929D0E0E4736-00f067aa0ba902b7-01")).isNull();
    assertThat(Exchange.traceId("garbage")).isNull();
    assertThat(Exchange.traceId(null)).isNull();
  }

  @Test
  void mapsProblemTypesToLifecycleStages() {
    assertThat(Exchange.stageOf("subscription-key-invalid")).isEqualTo("subscription-key");
    assertThat(Exchange.stageOf("no-route")).isEqualTo("route");
    assertThat(Exchange.stageOf("method-not-allowed")).isEqualTo("operation");
    assertThat(Exchange.stageOf("body-too-large")).isEqualTo("limits");
    assertThat(Exchange.stageOf("backend-timeout")).isEqualTo("backend");
    assertThat(Exchange.stageOf("rate-limited")).isEqualTo("rate-limited");
  }
}
