package io.gatehouse.server.internal;

import static org.assertj.core.api.Assertions.assertThat;

import io.gatehouse.testing.Await;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.net.Socket;
import java.net.SocketException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** The connection-limit and client-timeout options of {@code serve} reach the gateway listeners. */
class ServeConnectionLimitsTest {
  ServeCommand.Running running;

  @AfterEach
  void close() throws Exception {
    if (running != null) {
      running.close();
    }
  }

  @Test
  void servesWithTheConnectionLimitsGivenOnTheCommandLine(@TempDir Path dir) throws Exception {
    ServeCommand cmd = new ServeCommand();
    new CommandLine(cmd).parseArgs("--data", dir.resolve("data").toString(), "--gateway-host", "127.0.0.1",
        "--gateway-port", "0", "--management-port", "0", "--portal-port", "0", "--max-connections-per-address", "1",
        "--request-head-timeout", "PT0.3S");
    running = cmd.start(null, new PrintStream(new ByteArrayOutputStream()));
    int port = running.gateway().port();
    try (Socket first = new Socket("127.0.0.1", port); Socket second = new Socket("127.0.0.1", port)) {
      first.setSoTimeout(10_000);
      second.setSoTimeout(10_000);
      assertThat(readsEndOfStream(second)).as("the second connection from one address is closed").isTrue();
      Await.until("one refused connection", () -> running.gateway().refusedConnections(true) == 1);
      first.getOutputStream().write("GET / HTTP/1.1\r\nHost: a\r\n".getBytes(StandardCharsets.US_ASCII));
      String answer = new String(first.getInputStream().readAllBytes(), StandardCharsets.ISO_8859_1);
      assertThat(answer).as("an unfinished head after 0.3 s").startsWith("HTTP/1.1 408 ");
    }
  }

  @Test
  void refusesLimitsOutOfRange(@TempDir Path dir) throws Exception {
    ServeCommand cmd = new ServeCommand();
    new CommandLine(cmd).parseArgs("--data", dir.resolve("data").toString(), "--max-connections", "10",
        "--max-connections-per-address", "20");
    assertThat(cmd.call()).isEqualTo(ExitCodes.USAGE);
  }

  private static boolean readsEndOfStream(Socket s) throws IOException {
    try {
      return s.getInputStream().read() == -1;
    } catch (SocketException e) {
      return e.getMessage().toLowerCase(java.util.Locale.ROOT).contains("reset");
    }
  }
}
