package io.gatehouse.gateway.internal.upstream;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class KeepAliveWindowTest {
  @Test
  void readsTheTimeoutParameterOfKeepAlive() {
    assertThat(Upstream.keepAliveTimeoutSeconds("timeout=5, max=100")).isEqualTo(5);
    assertThat(Upstream.keepAliveTimeoutSeconds("max=100, TIMEOUT=19")).isEqualTo(19);
    assertThat(Upstream.keepAliveTimeoutSeconds("timeout=9")).isEqualTo(9);
    assertThat(Upstream.keepAliveTimeoutSeconds("max=100")).isEqualTo(-1);
    assertThat(Upstream.keepAliveTimeoutSeconds("timeout=")).isEqualTo(-1);
    assertThat(Upstream.keepAliveTimeoutSeconds("timeout=-1")).isEqualTo(-1);
    assertThat(Upstream.keepAliveTimeoutSeconds("timeout=99999999999")).isEqualTo(-1);
  }

  @Test
  void stopsUsingAConnectionBeforeTheAnnouncedTimeout() {
    assertThat(Upstream.idleWindowMillis(1, 4000)).isEqualTo(500);
    assertThat(Upstream.idleWindowMillis(2, 4000)).isEqualTo(1000);
    assertThat(Upstream.idleWindowMillis(5, 4000)).isEqualTo(4000);
    assertThat(Upstream.idleWindowMillis(5, 10_000)).isEqualTo(4000);
    assertThat(Upstream.idleWindowMillis(75, 4000)).as("the pool idle timeout when shorter").isEqualTo(4000);
    assertThat(Upstream.idleWindowMillis(0, 4000)).isZero();
  }
}
