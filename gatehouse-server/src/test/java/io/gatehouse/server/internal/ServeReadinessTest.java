package io.gatehouse.server.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.gatehouse.model.ConfigLoader;
import io.gatehouse.model.GatewayConfig;
import io.gatehouse.testing.Await;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** Readiness: 503 until the configured source is served, 200 while serving, 503 again while draining. */
class ServeReadinessTest {
  static final String YAML = """
      apis:
        - name: hello
          path: /hello
          backend: none
          subscriptionRequired: false
          policies:
            inbound:
              - return-response: {status: 200, content-type: text/plain, body: hi}
      backends:
        - name: none
          url: http://192.0.2.1:9
      """;

  final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
  ServeCommand.Running running;

  @AfterEach
  void close() throws Exception {
    if (running != null) {
      running.close();
    }
  }

  ServeCommand command(Path dir, String... extra) throws Exception {
    Path file = dir.resolve("gatehouse.yaml");
    Files.writeString(file, YAML);
    ServeCommand cmd = new ServeCommand();
    String[] base = {"--data", dir.resolve("data").toString(), "--gateway-host", "127.0.0.1", "--allowed-backend-networks",
        String.join(",", io.gatehouse.testing.GatehouseExtension.LOOPBACK_BACKENDS), "--gateway-port", "0",
        "--management-port", "0", "--portal-port", "0", "--config", file.toString(), "--no-access-log"};
    String[] all = java.util.Arrays.copyOf(base, base.length + extra.length);
    System.arraycopy(extra, 0, all, base.length, extra.length);
    new CommandLine(cmd).parseArgs(all);
    return cmd;
  }

  int status(String url) {
    try {
      return http.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(5)).build(),
          HttpResponse.BodyHandlers.ofString()).statusCode();
    } catch (Exception e) {
      return -1;
    }
  }

  String gw(String path) {
    return "http://127.0.0.1:" + running.gateway().port() + path;
  }

  String mgmt(String path) {
    return "http://127.0.0.1:" + running.management().actualPort() + path;
  }

  @Test
  void probesSay503UntilTheConfiguredSourceIsServedThen200(@TempDir Path dir) throws Exception {
    GatewayConfig cfg = ConfigLoader.withEnvironment(Map.of()).parse(YAML, "gatehouse.yaml", null);
    CountDownLatch loading = new CountDownLatch(1);
    CountDownLatch release = new CountDownLatch(1);
    running = command(dir, "--drain-period", "0s").startServing(() -> { // a configuration source whose load is blocked
      loading.countDown();
      release.await(30, TimeUnit.SECONDS);
      return cfg;
    }, new PrintStream(new ByteArrayOutputStream()));
    assertThat(loading.await(10, TimeUnit.SECONDS)).isTrue();

    assertThat(status(gw("/status-0123456789abcdef"))).isEqualTo(503);
    assertThat(status(gw("/status-0123456789abcdef/ready"))).isEqualTo(503);
    assertThat(status(gw("/status-0123456789abcdef/live"))).isEqualTo(200);
    assertThat(status(mgmt("/healthz/ready"))).isEqualTo(503);
    assertThat(status(mgmt("/healthz/live"))).isEqualTo(200);
    assertThat(status(gw("/hello"))).isEqualTo(404);

    release.countDown();
    Await.until("the readiness probe answers 200", () -> status(gw("/status-0123456789abcdef")) == 200);
    assertThat(status(gw("/hello"))).isEqualTo(200); // the moment the probe says 200, the API is served
    assertThat(status(gw("/status-0123456789abcdef/ready"))).isEqualTo(200);
    assertThat(status(mgmt("/healthz/ready"))).isEqualTo(200);
  }

  @Test
  void drainingSays503WhileStillServingThenCloses(@TempDir Path dir) throws Exception {
    GatewayConfig cfg = ConfigLoader.withEnvironment(Map.of()).parse(YAML, "gatehouse.yaml", null);
    running = command(dir, "--drain-period", "3s").start(cfg, new PrintStream(new ByteArrayOutputStream()));
    assertThat(status(gw("/status-0123456789abcdef"))).isEqualTo(200);
    String probe = gw("/status-0123456789abcdef");
    String api = gw("/hello");
    String ready = mgmt("/healthz/ready");
    ServeCommand.Running r = running;
    running = null;
    CompletableFuture<Void> closing = CompletableFuture.runAsync(() -> {
      try {
        r.close(); // what the SIGTERM shutdown hook runs
      } catch (Exception e) {
        throw new IllegalStateException(e);
      }
    });
    Await.until("the readiness probe answers 503", () -> status(probe) == 503);
    assertThat(closing).isNotDone();
    assertThat(status(ready)).isEqualTo(503);
    assertThat(status(api)).isEqualTo(200); // requests are still served during the drain period
    closing.get(30, TimeUnit.SECONDS);
    assertThat(status(api)).isEqualTo(-1); // listeners closed
  }

  @Test
  void aSourceThatCannotBeServedFailsTheStart(@TempDir Path dir) throws Exception {
    ServeCommand cmd = command(dir, "--drain-period", "0s");
    running = cmd.startServing(() -> {
      throw new io.gatehouse.model.ConfigException(java.util.List.of(
          io.gatehouse.model.ConfigProblem.at("apis[0]", "broken")));
    }, new PrintStream(new ByteArrayOutputStream()));
    assertThatThrownBy(() -> running.ready().get(10, TimeUnit.SECONDS)).hasCauseInstanceOf(
        io.gatehouse.model.ConfigException.class);
    assertThat(status(gw("/status-0123456789abcdef"))).isEqualTo(503);
  }
}
