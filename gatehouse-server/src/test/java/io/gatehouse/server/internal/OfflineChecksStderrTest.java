package io.gatehouse.server.internal;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.gatehouse.model.ConfigLoader;
import io.gatehouse.model.GatewayConfig;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;
import picocli.CommandLine;

/**
 * {@code validate} and {@code advise} check a file offline and print only their own output: the gateway's runtime
 * warnings (such as the one for {@code tls.verify: false}) belong to a running server, not to a compile check. Both
 * streams are checked whole, since the tests' logging configuration writes to standard output and the product's to
 * standard error.
 */
class OfflineChecksStderrTest {
  static final String UNVERIFIED = """
      backends:
        - name: b
          url: https://10.1.2.3
          tls: {verify: false}
        - name: pool
          members:
            - url: https://10.1.2.4
            - url: https://10.1.2.5
          tls: {verify: false}
      apis:
        - name: orders
          path: /orders
          backend: b
          subscriptionRequired: false
          policies:
            inbound:
              - rate-limit: {calls: 10, period: 1s}
        - name: stock
          path: /stock
          backend: pool
          subscriptionRequired: false
      """;

  @TempDir Path dir;

  @Test
  void validatePrintsOnlyItsVerdictAndNoRuntimeWarning() throws Exception {
    Path file = Files.writeString(dir.resolve("gatehouse.yaml"), UNVERIFIED);

    ServeTest.Cli r = ServeTest.Cli.run("validate", "-f", file.toString());

    assertThat(r.code()).as(r.err()).isZero();
    assertThat(r.out()).isEqualTo(file + ": valid" + System.lineSeparator());
    assertThat(r.err()).isEmpty();
  }

  @Test
  void advisePrintsOnlyItsReportAndNoRuntimeWarning() throws Exception {
    Path file = Files.writeString(dir.resolve("gatehouse.yaml"), UNVERIFIED);

    ServeTest.Cli r = ServeTest.Cli.run("advise", "--config", file.toString());

    assertThat(r.code()).as(r.err()).isZero();
    assertThat(r.out()).contains("backend.tls-verify-off") // the advisor's finding says it
        .doesNotContain("NOT checked");
    assertThat(r.out().lines()).noneMatch(line -> line.matches("\\d\\d:\\d\\d:\\d\\d\\.\\d{3} .*")); // no log line
    assertThat(r.err()).isEmpty();
  }

  @Test
  void aRunningServerStillWarnsOnceForEachUnverifiedBackendItServes() throws Exception {
    Path file = Files.writeString(dir.resolve("gatehouse.yaml"), UNVERIFIED);
    GatewayConfig config = ConfigLoader.withEnvironment(Map.of()).parse(UNVERIFIED, "gatehouse.yaml", null);
    Logger logger = (Logger) LoggerFactory.getLogger("io.gatehouse.gateway");
    ListAppender<ILoggingEvent> log = new ListAppender<>();
    log.start();
    logger.addAppender(log);
    ServeCommand cmd = new ServeCommand();
    new CommandLine(cmd).parseArgs("--data", dir.resolve("data").toString(), "--gateway-host", "127.0.0.1",
        "--gateway-port", "0", "--management-port", "0", "--portal-port", "0", "--config", file.toString(), "--no-access-log",
        "--no-analytics", "--drain-period", "0s");
    try (ServeCommand.Running server = cmd.start(config, new PrintStream(OutputStream.nullOutputStream()))) {
      List<String> warnings = log.list.stream().filter(e -> e.getLevel() == Level.WARN)
          .map(ILoggingEvent::getFormattedMessage).filter(m -> m.contains("tls.verify: false")).toList();
      assertThat(warnings).containsExactlyInAnyOrder(
          "backend 'b' has tls.verify: false; its certificates and host names are NOT checked",
          "backend 'pool' has tls.verify: false; its certificates and host names are NOT checked");
    } finally {
      logger.detachAppender(log);
    }
  }
}
