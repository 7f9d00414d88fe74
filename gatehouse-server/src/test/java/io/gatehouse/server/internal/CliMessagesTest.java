package io.gatehouse.server.internal;

import static org.assertj.core.api.Assertions.assertThat;

import io.gatehouse.testing.MockUpstream;
import io.vertx.core.Vertx;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** What the command line prints when input is bad: one clear line per problem, each once. */
class CliMessagesTest {
  static Vertx vertx;
  static MockUpstream upstream;

  @BeforeAll
  static void upstream() throws Exception {
    vertx = Vertx.vertx();
    upstream = MockUpstream.start(vertx).toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
  }

  @AfterAll
  static void stop() throws Exception {
    vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
  }

  @Test
  void auditSpecOnMalformedYamlPrintsOneLine(@TempDir Path dir) throws Exception {
    Path bad = dir.resolve("bad.yaml");
    Files.writeString(bad, "openapi: 3.0.3\ninfo: {title: x\npaths:\n  /a: [\n");
    ServeTest.Cli c = ServeTest.Cli.run("audit-spec", bad.toString());
    assertThat(c.code()).isEqualTo(ExitCodes.USAGE);
    assertThat(c.out()).isEmpty(); // the test's log appender writes here: the parser logged nothing
    assertThat(c.err().lines()).singleElement().satisfies(line -> assertThat(line)
        .startsWith("error: cannot audit " + bad + ":3:6: not valid YAML or JSON")
        .doesNotContain("Exception").doesNotContain("in 'reader'"));
  }

  @Test
  void applyPrintsEachProblemOfARefusalOnce(@TempDir Path dir) throws Exception {
    ServeCommand cmd = new ServeCommand();
    new CommandLine(cmd).parseArgs("--data", dir.resolve("data").toString(), "--gateway-host", "127.0.0.1",
        "--allowed-backend-networks", String.join(",", io.gatehouse.testing.GatehouseExtension.LOOPBACK_BACKENDS),
        "--gateway-port", "0", "--management-port", "0", "--portal-port", "0", "--drain-period", "0s");
    try (ServeCommand.Running running = cmd.start(null, new PrintStream(new ByteArrayOutputStream()))) {
      Path file = dir.resolve("g.yaml");
      Files.writeString(file, """
          backends:
            - name: echo
              url: %s
          apis:
            - name: open
              path: /open
              backend: echo
              policies:
                inbound:
                  - set-header: {name: [X-A], value: a}
          """.formatted(upstream.url()));
      ServeTest.Cli c = ServeTest.Cli.run("apply", "-f", file.toString(), "--server",
          "http://127.0.0.1:" + running.management().actualPort(), "--token", ServeTest.adminToken(dir.resolve("data")));
      assertThat(c.code()).isNotZero();
      String message = "expected a string but got a list";
      assertThat(c.err()).contains("apis[0].policies.inbound[0].set-header.name: " + message);
      assertThat(c.err().indexOf(message)).isEqualTo(c.err().lastIndexOf(message));
    }
  }
}
