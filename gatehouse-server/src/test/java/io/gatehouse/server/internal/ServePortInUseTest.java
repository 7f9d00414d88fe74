package io.gatehouse.server.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code serve} on a port another process holds: one line naming the port and option, exit 4, nothing created. */
class ServePortInUseTest {

  static ServeTest.Cli serve(Path data, String... ports) {
    String[] base = {"serve", "--data", data.toString(), "--gateway-host", "127.0.0.1", "--allowed-backend-networks",
        String.join(",", io.gatehouse.testing.GatehouseExtension.LOOPBACK_BACKENDS), "--drain-period", "0s"};
    String[] all = new String[base.length + ports.length];
    System.arraycopy(base, 0, all, 0, base.length);
    System.arraycopy(ports, 0, all, base.length, ports.length);
    return ServeTest.Cli.run(all);
  }

  @Test
  void aBusyGatewayPortIsOneLineExitFourAndCreatesNoDataDirectory(@TempDir Path dir) throws Exception {
    try (ServerSocket other = new ServerSocket()) {
      other.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
      int port = other.getLocalPort();
      ServeTest.Cli r = serve(dir.resolve("data"), "--gateway-port", String.valueOf(port), "--management-port", "0", "--portal-port", "0");
      assertThat(r.code()).isEqualTo(ExitCodes.ENVIRONMENT);
      assertThat(r.err().strip()).isEqualTo("error: port " + port
          + " (gateway) is already in use: stop the other process or pass --gateway-port");
      assertThat(r.out()).doesNotContain("admin token");
      assertThat(dir.resolve("data")).doesNotExist();
    }
  }

  @Test
  void aBusyManagementPortNamesTheManagementOption(@TempDir Path dir) throws Exception {
    try (ServerSocket other = new ServerSocket()) {
      other.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
      int port = other.getLocalPort();
      ServeTest.Cli r = serve(dir.resolve("data"), "--gateway-port", "0", "--management-port", String.valueOf(port), "--portal-port", "0");
      assertThat(r.code()).isEqualTo(ExitCodes.ENVIRONMENT);
      assertThat(r.err().strip()).isEqualTo("error: port " + port
          + " (management) is already in use: stop the other process or pass --management-port");
      assertThat(dir.resolve("data")).doesNotExist();
    }
  }
}
