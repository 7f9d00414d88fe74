package io.gatehouse.server.internal;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** {@code serve --transport} and {@code --tls-engine} accept their documented values only, before anything starts. */
class TransportOptionsTest {

  @Test
  void refusesAnUnknownTransport() {
    ServeTest.Cli bad = ServeTest.Cli.run("serve", "--transport", "io_uring");
    assertThat(bad.code()).isEqualTo(ExitCodes.USAGE);
    assertThat(bad.err()).contains("--transport must be native or nio").contains("io_uring");
  }

  @Test
  void refusesAnUnknownTlsEngine() {
    ServeTest.Cli bad = ServeTest.Cli.run("serve", "--tls-engine", "conscrypt");
    assertThat(bad.code()).isEqualTo(ExitCodes.USAGE);
    assertThat(bad.err()).contains("--tls-engine must be openssl or jdk").contains("conscrypt");
  }
}
