package io.gatehouse.server.internal;

import static org.assertj.core.api.Assertions.assertThat;

import io.gatehouse.testing.Await;
import io.gatehouse.testing.redis.RedisServer;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** {@code serve --redis}: the option's checks, and a server counting in a real Redis. */
class ServeRedisTest {

  @Test
  void refusesAMalformedRedisUriWithoutShowingItsPassword() {
    ServeTest.Cli bad = ServeTest.Cli.run("serve", "--redis", "http://gw:topsecret-pw@cache:6379");
    assertThat(bad.code()).isEqualTo(ExitCodes.USAGE);
    assertThat(bad.err()).startsWith("error: --redis: expected redis://").doesNotContain("topsecret-pw");
  }

  @Test
  void refusesAPasswordReferenceToAnUnsetVariable() {
    ServeTest.Cli bad = ServeTest.Cli.run("serve", "--redis", "redis://gw:${env:GATEHOUSE_TEST_NO_SUCH_VARIABLE}@cache");
    assertThat(bad.code()).isEqualTo(ExitCodes.USAGE);
    assertThat(bad.err()).contains("--redis").contains("${env:GATEHOUSE_TEST_NO_SUCH_VARIABLE} names an unset variable");
  }

  @Test
  void refusesARedisCaWithoutTls(@TempDir Path dir) throws Exception {
    Path ca = Files.writeString(dir.resolve("ca.pem"), "x");
    ServeTest.Cli bad = ServeTest.Cli.run("serve", "--redis", "redis://cache", "--redis-ca", ca.toString());
    assertThat(bad.code()).isEqualTo(ExitCodes.USAGE);
    assertThat(bad.err()).contains("--redis-ca applies to rediss:// only");
  }

  @Test
  void readsTheRedisVariableItselfSoThatAPasswordReferenceInItIsResolvedNotBlanked(@TempDir Path dir) throws Exception {
    Path pw = Files.writeString(dir.resolve("redis.pw"), "file-pw-0123\n");
    RedisArgs args = new RedisArgs();
    new CommandLine(args).parseArgs(); // picocli gives no default: it would turn ${file:...} into "null"
    io.gatehouse.gateway.RedisOptions o = args.options(java.util.Map.of(RedisArgs.ENV,
        "redis://gw:${file:" + pw + "}@cache.example:6380"));
    assertThat(o.host()).isEqualTo("cache.example");
    assertThat(o.user()).isEqualTo("gw");
    assertThat(o.password()).isEqualTo("file-pw-0123");
    RedisArgs given = new RedisArgs();
    new CommandLine(given).parseArgs("--redis", "redis://127.0.0.1:6390");
    assertThat(given.options(java.util.Map.of(RedisArgs.ENV, "redis://ignored:1")).port()).as("the option wins").isEqualTo(6390);
  }

  @Test
  void countsInTheRedisServerOfTheRedisOptionWithAPasswordFromAFile(@TempDir Path data, @TempDir Path dir)
      throws Exception {
    try (RedisServer redis = RedisServer.builder().user("gw", "file-pw-0123").start()) {
      Path pw = Files.writeString(dir.resolve("redis.pw"), "file-pw-0123\n");
      ServeCommand cmd = new ServeCommand();
      new CommandLine(cmd).parseArgs("--data", data.toString(), "--gateway-host", "127.0.0.1", "--gateway-port", "0",
          "--management-port", "0", "--no-portal", "--drain-period", "0s", "--no-access-log", "--no-analytics",
          "--redis", "redis://gw:${file:" + pw + "}@127.0.0.1:" + redis.port());
      ByteArrayOutputStream out = new ByteArrayOutputStream();
      ServeCommand.Running running = cmd.start(null, new PrintStream(out, true, StandardCharsets.UTF_8));
      try {
        Await.until("the gateway counting in Redis", () -> running.gateway().counterStoreAvailable()
            && running.gateway().counterLiveNodes() == 1);
        assertThat(out.toString(StandardCharsets.UTF_8)).doesNotContain("file-pw-0123");
      } finally {
        running.close();
      }
    }
  }
}
