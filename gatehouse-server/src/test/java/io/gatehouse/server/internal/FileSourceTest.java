package io.gatehouse.server.internal;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.gatehouse.model.GatewayConfig;
import io.gatehouse.testing.Await;
import io.gatehouse.testing.MockUpstream;
import io.vertx.core.Vertx;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;
import picocli.CommandLine;

/** File mode: the files a configuration references are watched, a deleted file is reported once. */
class FileSourceTest {
  static Vertx vertx;
  static MockUpstream upstream;
  final HttpClient http = HttpClient.newHttpClient();
  ServeCommand.Running running;

  @BeforeAll
  static void upstream() throws Exception {
    vertx = Vertx.vertx();
    upstream = MockUpstream.start(vertx).toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
  }

  @AfterAll
  static void stop() throws Exception {
    vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
  }

  @AfterEach
  void close() throws Exception {
    if (running != null) {
      running.close();
    }
    upstream.reset();
  }

  void serve(Path data) throws Exception {
    ServeCommand cmd = new ServeCommand();
    new CommandLine(cmd).parseArgs("--data", data.toString(), "--gateway-host", "127.0.0.1",
        "--allowed-backend-networks", String.join(",", io.gatehouse.testing.GatehouseExtension.LOOPBACK_BACKENDS),
        "--gateway-port", "0", "--management-port", "0", "--portal-port", "0", "--drain-period", "0s");
    running = cmd.start(null, new PrintStream(new ByteArrayOutputStream()));
  }

  int get(String path) throws Exception {
    return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + running.gateway().port() + path))
        .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString()).statusCode();
  }

  static String openapi(String... paths) {
    StringBuilder doc = new StringBuilder("openapi: 3.0.3\ninfo: {title: pets, version: '1'}\npaths:\n");
    for (String p : paths) {
      doc.append("  ").append(p).append(":\n    get:\n      operationId: get").append(p.substring(1))
          .append("\n      responses: {'200': {description: ok}}\n");
    }
    return doc.toString();
  }

  @Test
  void reloadsWhenAReferencedOpenApiFileChanges(@TempDir Path dir) throws Exception {
    Path file = dir.resolve("gatehouse.yaml");
    Path spec = dir.resolve("pets.yaml");
    Files.writeString(spec, openapi("/pets"));
    Files.writeString(file, """
        backends:
          - name: echo
            url: %s
        apis:
          - name: pets
            path: /shop
            backend: echo
            subscriptionRequired: false
            openapi: {file: pets.yaml}
        """.formatted(upstream.url()));
    serve(dir.resolve("data"));
    FileSource.lock(running.plane(), file);
    FileSource.watch(running.vertx(), file, running.plane(), FileSource.load(file));
    assertThat(get("/shop/pets")).isEqualTo(200);
    assertThat(get("/shop/cats")).isEqualTo(404);

    long before = running.gateway().revision();
    Files.writeString(spec, openapi("/pets", "/cats")); // the main file is untouched
    Await.until("the edited OpenAPI document is served", () -> running.gateway().revision() > before);
    assertThat(get("/shop/cats")).isEqualTo(200);
    assertThat(get("/shop/pets")).isEqualTo(200);
  }

  @Test
  void reportsADeletedConfigurationFileOnceAndOnceMoreWhenItReturns(@TempDir Path dir) throws Exception {
    Path file = dir.resolve("gatehouse.yaml");
    String yaml = """
        backends:
          - name: echo
            url: %s
        apis:
          - name: open
            path: /open
            backend: echo
            subscriptionRequired: false
        """.formatted(upstream.url());
    Files.writeString(file, yaml);
    serve(dir.resolve("data"));
    running.plane().apply(FileSource.load(file), "file", "loaded");
    long revision = running.plane().revision().id();
    FileSource.Poller poller = new FileSource.Poller(file, running.plane(), new FileSource.Watch());
    Logger logger = (Logger) LoggerFactory.getLogger(FileSource.class);
    ListAppender<ILoggingEvent> log = new ListAppender<>();
    log.start();
    Level level = logger.getLevel();
    logger.setLevel(Level.INFO);
    logger.addAppender(log);
    try {
      Files.delete(file);
      for (int i = 0; i < 5; i++) {
        poller.poll();
      }
      Files.writeString(file, yaml);
      for (int i = 0; i < 5; i++) {
        poller.poll();
      }
    } finally {
      logger.detachAppender(log);
      logger.setLevel(level);
    }
    List<String> lines = log.list.stream().map(e -> e.getLevel() + " " + e.getFormattedMessage()).toList();
    assertThat(lines).containsExactly(
        "WARN configuration file " + file + " was deleted; still serving revision " + revision,
        "INFO configuration file " + file + " is back");
    assertThat(log.list).noneMatch(e -> e.getThrowableProxy() != null);
    assertThat(running.plane().revision().id()).isEqualTo(revision);
    assertThat(get("/open/x")).isEqualTo(200);
  }

  @Test
  void answersEveryConfigurationChangeWith409WhenAFileManagesIt(@TempDir Path dir) throws Exception {
    Path file = dir.resolve("gatehouse.yaml");
    String yaml = "backends:\n  - name: echo\n    url: " + upstream.url() + "\n";
    Files.writeString(file, yaml);
    ServeCommand cmd = new ServeCommand();
    new CommandLine(cmd).parseArgs("--data", dir.resolve("data").toString(), "--gateway-host", "127.0.0.1",
        "--allowed-backend-networks", String.join(",", io.gatehouse.testing.GatehouseExtension.LOOPBACK_BACKENDS),
        "--gateway-port", "0", "--management-port", "0", "--portal-port", "0", "--drain-period", "0s", "--config", file.toString());
    running = cmd.start(FileSource.load(file), new PrintStream(new ByteArrayOutputStream()));
    String token = Files.readString(dir.resolve("data").resolve("admin-token")).trim();
    for (String[] request : new String[][] {{"application/yaml", yaml}, {"application/json", "{\"apis\": 5}"},
        {"text/plain", "anything"}}) {
      HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:"
          + running.management().actualPort() + "/api/v1/config")).header("Authorization", "Bearer " + token)
          .header("Content-Type", request[0]).PUT(HttpRequest.BodyPublishers.ofString(request[1])).build(),
          HttpResponse.BodyHandlers.ofString());
      assertThat(r.statusCode()).as(request[0]).isEqualTo(409);
      assertThat(r.headers().firstValue("Content-Type")).hasValue("application/problem+json");
      assertThat(r.body()).contains("\"status\":409").contains("configuration is managed by file gatehouse.yaml");
    }
  }

  @Test
  void locatesAPolicyConfigurationErrorInTheFile(@TempDir Path dir) throws Exception {
    Path file = dir.resolve("gatehouse.yaml");
    String good = """
        backends:
          - name: echo
            url: %s
        apis:
          - name: open
            path: /open
            backend: echo
            subscriptionRequired: false
            policies:
              inbound:
                - set-header: {name: X-A, value: a}
        """.formatted(upstream.url());
    Files.writeString(file, good);
    serve(dir.resolve("data"));
    FileSource.Watch watch = FileSource.watch(running.vertx(), file, running.plane(), FileSource.load(file));
    Files.writeString(file, good.replace("{name: X-A, value: a}", "{name: [X-A], value: a}"));
    Await.until("the edit is refused", () -> watch.refused() != null);
    assertThat(watch.refused()).isEqualTo(
        file + ":11: apis[0].policies.inbound[0].set-header.name: expected a string but got a list");
    assertThat(get("/open/x")).isEqualTo(200);
  }
}
