package io.gatehouse.server.internal;

import static org.assertj.core.api.Assertions.assertThat;

import io.gatehouse.model.GatewayConfig;
import io.gatehouse.testing.MockUpstream;
import io.gatehouse.testing.RecordedRequest;
import io.vertx.core.Vertx;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** The server as a user runs it: serve with a file, with the API, apply, export and the demo. */
class ServeTest {
  static final String TOKEN = "test-admin-token-0123456789";
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

  ServeCommand.Running serve(Path data, GatewayConfig fileConfig, PrintStream out, String... args) throws Exception {
    ServeCommand cmd = new ServeCommand();
    String[] base = {"--data", data.toString(), "--gateway-host", "127.0.0.1", "--allowed-backend-networks",
        String.join(",", io.gatehouse.testing.GatehouseExtension.LOOPBACK_BACKENDS), "--gateway-port", "0",
        "--management-port", "0", "--portal-port", "0", "--drain-period", "0s"};
    String[] all = new String[base.length + args.length];
    System.arraycopy(base, 0, all, 0, base.length);
    System.arraycopy(args, 0, all, base.length, args.length);
    new CommandLine(cmd).parseArgs(all);
    running = cmd.start(fileConfig, out);
    return running;
  }

  HttpResponse<String> get(String url, String... headers) throws Exception {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(10));
    for (int i = 0; i + 1 < headers.length; i += 2) {
      b.header(headers[i], headers[i + 1]);
    }
    return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
  }

  String gw() {
    return "http://127.0.0.1:" + running.gateway().port();
  }

  String mgmt() {
    return "http://127.0.0.1:" + running.management().actualPort();
  }

  static String acceptanceYaml(String echoUrl, String aliceKey) {
    return """
        backends:
          - name: echo
            url: %s
        apis:
          - name: orders
            path: /orders
            backend: echo
            subscriptionRequired: true
            operations:
              - GET /items/{id}
              - POST /items
          - name: public
            path: /public
            backend: echo
            subscriptionRequired: false
            operations:
              - GET /{any}
        products:
          - name: starter
            apis: [orders]
        subscriptions:
          - name: alice-starter
            scope: product:starter
            primaryKey: %s
        """.formatted(echoUrl, aliceKey);
  }

  static void await(BooleanSupplier condition) throws InterruptedException {
    io.gatehouse.testing.Await.until("the condition", condition);
  }

  @Test
  void servesTheAcceptanceExampleFromAFileAndReloadsItWhenItChanges(@TempDir Path dir) throws Exception {
    String alice = "alice-0123456789abcdef";
    Path file = dir.resolve("gatehouse.yaml");
    Files.writeString(file, acceptanceYaml("${env:ECHO_URL}", "${env:ALICE_KEY}"));
    GatewayConfig cfg = io.gatehouse.model.ConfigLoader.withEnvironment(
        java.util.Map.of("ECHO_URL", upstream.url(), "ALICE_KEY", alice)).load(file);
    // The watcher re-reads the file with the process environment; from here on the file holds literal values.
    Files.writeString(file, acceptanceYaml(upstream.url(), alice));
    serve(dir.resolve("data"), null, new PrintStream(new ByteArrayOutputStream()));
    FileSource.lock(running.plane(), file);
    FileSource.watch(running.vertx(), file, running.plane(), cfg);

    assertThat(get(gw() + "/public/hello").statusCode()).isEqualTo(200);
    assertThat(upstream.take(5).uri()).isEqualTo("/hello");
    assertThat(get(gw() + "/orders/items/7").statusCode()).isEqualTo(401);
    assertThat(get(gw() + "/orders/items/7", "Subscription-Key", alice).statusCode()).isEqualTo(200);
    RecordedRequest got = upstream.take(5);
    assertThat(got.uri()).isEqualTo("/items/7");
    assertThat(got.header("Subscription-Key")).isNull();
    assertThat(get(gw() + "/orders/other", "Subscription-Key", alice).statusCode()).isEqualTo(404);
    HttpResponse<String> del = http.send(HttpRequest.newBuilder(URI.create(gw() + "/orders/items/7"))
        .header("Subscription-Key", alice).DELETE().build(), HttpResponse.BodyHandlers.ofString());
    assertThat(del.statusCode()).isEqualTo(405);

    // The management API is read-only for configuration in file mode.
    HttpResponse<String> put = http.send(HttpRequest.newBuilder(URI.create(mgmt() + "/api/v1/backends/echo"))
        .header("Authorization", "Bearer " + adminToken(dir.resolve("data")))
        .header("Content-Type", "application/json")
        .PUT(HttpRequest.BodyPublishers.ofString("{\"name\":\"echo\",\"url\":\"http://127.0.0.1:1\"}")).build(),
        HttpResponse.BodyHandlers.ofString());
    assertThat(put.statusCode()).isEqualTo(409);
    assertThat(put.body()).contains("managed by file");

    // An invalid edit is refused and the configuration in force keeps serving.
    long before = running.gateway().revision();
    Files.writeString(file, acceptanceYaml(upstream.url(), alice).replace("backend: echo", "backend: nope"));
    Files.writeString(file, acceptanceYaml(upstream.url(), alice).replace("/public", "/pub"));
    await(() -> running.gateway().revision() > before);
    assertThat(get(gw() + "/pub/hello").statusCode()).isEqualTo(200);
    assertThat(get(gw() + "/public/hello").statusCode()).isEqualTo(404);
  }

  @Test
  void keepsServingWhenAnEditedFileIsInvalid(@TempDir Path dir) throws Exception {
    Path file = dir.resolve("gatehouse.yaml");
    String good = acceptanceYaml(upstream.url(), "alice-0123456789abcdef");
    Files.writeString(file, good);
    GatewayConfig cfg = FileSource.load(file);
    serve(dir.resolve("data"), null, new PrintStream(new ByteArrayOutputStream()));
    FileSource.Watch watch = FileSource.watch(running.vertx(), file, running.plane(), cfg);
    long revision = running.gateway().revision();
    Files.writeString(file, good.replace("/public", "/public2").replace("backend: echo\n    subscriptionRequired: false",
        "backend: nope\n    subscriptionRequired: false"));
    await(() -> watch.refused() != null);
    assertThat(watch.refused()).contains("gatehouse.yaml:").contains("apis[1].backend").contains("unknown backend 'nope'");
    assertThat(running.gateway().revision()).isEqualTo(revision);
    assertThat(get(gw() + "/public/hello").statusCode()).isEqualTo(200);
    assertThat(get(gw() + "/public2/hello").statusCode()).isEqualTo(404);
  }

  static String adminToken(Path data) throws Exception {
    return Files.readString(data.resolve("admin-token")).trim();
  }

  @Test
  void applyPrintsThePlanAndExportThenApplyIsANoOp(@TempDir Path dir) throws Exception {
    serve(dir.resolve("data"), null, new PrintStream(new ByteArrayOutputStream()));
    String token = adminToken(dir.resolve("data"));
    Path file = dir.resolve("g.yaml");
    Files.writeString(file, acceptanceYaml(upstream.url(), "alice-0123456789abcdef"));

    Cli dry = Cli.run("apply", "-f", file.toString(), "--dry-run", "--server", mgmt(), "--token", token);
    assertThat(dry.code).isZero();
    assertThat(dry.out).contains("+ /apis/orders\n").contains("5 created, 0 updated, 0 deleted (dry run");
    assertThat(get(gw() + "/public/hello").statusCode()).isEqualTo(404);

    Cli apply = Cli.run("apply", "-f", file.toString(), "--server", mgmt(), "--token", token);
    assertThat(apply.code).isZero();
    assertThat(apply.out).contains("5 created").contains("(revision ");
    assertThat(get(gw() + "/public/hello").statusCode()).isEqualTo(200);

    Path exported = dir.resolve("export.yaml");
    Cli export = Cli.run("export", "-o", exported.toString(), "--server", mgmt(), "--token", token);
    assertThat(export.code).isZero();
    assertThat(Files.readString(exported)).doesNotContain("alice-0123456789abcdef").contains("primaryKeyHash");
    Cli again = Cli.run("apply", "-f", exported.toString(), "--server", mgmt(), "--token", token);
    assertThat(again.out).contains("0 created, 0 updated, 0 deleted (no change)");

    Files.writeString(file, acceptanceYaml(upstream.url(), "alice-0123456789abcdef").replace("backend: echo\n    subscriptionRequired: false", "backend: nope\n    subscriptionRequired: false"));
    Cli bad = Cli.run("apply", "-f", file.toString(), "--server", mgmt(), "--token", token);
    assertThat(bad.code).isEqualTo(ExitCodes.INVALID);
    assertThat(bad.err).contains("g.yaml:").contains("apis[1].backend").contains("unknown backend 'nope'");

    Cli wrongToken = Cli.run("export", "--server", mgmt(), "--token", "nope-nope-nope-nope");
    assertThat(wrongToken.code).isEqualTo(ExitCodes.ENVIRONMENT);
    assertThat(wrongToken.err).contains("401");
  }

  @Test
  void refusesThroughTheApiAConfigurationTheGatewayCannotCompile(@TempDir Path dir) throws Exception {
    serve(dir.resolve("data"), null, new PrintStream(new ByteArrayOutputStream()));
    HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(mgmt() + "/api/v1/backends"))
        .header("Authorization", "Bearer " + adminToken(dir.resolve("data")))
        .header("Content-Type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString("{\"name\":\"b\",\"url\":\"http://${nv:missing}:80\"}")).build(),
        HttpResponse.BodyHandlers.ofString());
    assertThat(r.statusCode()).isEqualTo(400);
    assertThat(r.body()).contains("missing");
  }

  @Test
  void demoPrintsCurlCommandsThatWork(@TempDir Path dir) throws Exception {
    ByteArrayOutputStream buf = new ByteArrayOutputStream();
    serve(dir.resolve("data"), null, new PrintStream(buf, true, StandardCharsets.UTF_8), "--demo");
    String out = buf.toString(StandardCharsets.UTF_8);
    Matcher m = Pattern.compile("Subscription-Key: ([A-Za-z0-9_-]+)' (http://\\S+/demo/hello)").matcher(out);
    assertThat(m.find()).as(out).isTrue();
    String url = m.group(2).replace("localhost", "127.0.0.1");
    assertThat(get(url).statusCode()).isEqualTo(401);
    HttpResponse<String> ok = get(url, "Subscription-Key", m.group(1));
    assertThat(ok.statusCode()).isEqualTo(200);
    assertThat(ok.body()).contains("Hello");
    assertThat(out).contains("admin token");
  }

  @Test
  void demoRestartKeepsItsKeyAndAddsNoRevision(@TempDir Path dir) throws Exception {
    ByteArrayOutputStream first = new ByteArrayOutputStream();
    serve(dir.resolve("data"), null, new PrintStream(first, true, StandardCharsets.UTF_8), "--demo");
    String key = demoKey(first.toString(StandardCharsets.UTF_8));
    long revision = running.plane().revision().id();
    running.close();
    running = null;

    ByteArrayOutputStream second = new ByteArrayOutputStream();
    serve(dir.resolve("data"), null, new PrintStream(second, true, StandardCharsets.UTF_8), "--demo");
    assertThat(demoKey(second.toString(StandardCharsets.UTF_8))).isEqualTo(key);
    assertThat(running.plane().revision().id()).isEqualTo(revision);
    HttpResponse<String> ok = get(gw() + "/demo/hello", "Subscription-Key", key);
    assertThat(ok.statusCode()).isEqualTo(200);
    assertThat(ok.body()).contains("Hello");
  }

  @Test
  void aRestartWithoutDemoSaysTheDemoBackendIsNotRunning(@TempDir Path dir) throws Exception {
    serve(dir.resolve("data"), null, new PrintStream(new ByteArrayOutputStream()), "--demo");
    running.close();
    running = null;
    ByteArrayOutputStream buf = new ByteArrayOutputStream();
    serve(dir.resolve("data"), null, new PrintStream(buf, true, StandardCharsets.UTF_8));
    assertThat(buf.toString(StandardCharsets.UTF_8))
        .contains("warning: the demo API (/demo) is configured but its mock backend runs only with --demo");
    ByteArrayOutputStream fresh = new ByteArrayOutputStream();
    running.close();
    running = null;
    serve(dir.resolve("other"), null, new PrintStream(fresh, true, StandardCharsets.UTF_8));
    assertThat(fresh.toString(StandardCharsets.UTF_8)).doesNotContain("demo");
  }

  static String demoKey(String out) {
    Matcher m = Pattern.compile("Subscription-Key: ([A-Za-z0-9_-]+)'").matcher(out);
    assertThat(m.find()).as(out).isTrue();
    return m.group(1);
  }

  /** Runs the command line in-process and captures what it printed. */
  @Test
  void refusesAnOutOfRangeSampleRate() {
    Cli bad = Cli.run("serve", "--sample-rate", "1.5");
    assertThat(bad.code).isEqualTo(ExitCodes.USAGE);
    assertThat(bad.err).contains("--sample-rate").contains("expected a sampling rate from 0 to 1 but got 1.5");
  }

  record Cli(int code, String out, String err) {
    static Cli run(String... args) {
      PrintStream oldOut = System.out;
      PrintStream oldErr = System.err;
      ByteArrayOutputStream out = new ByteArrayOutputStream();
      ByteArrayOutputStream err = new ByteArrayOutputStream();
      System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
      System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
      try {
        int code = io.gatehouse.server.Main.run(args);
        return new Cli(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
      } finally {
        System.setOut(oldOut);
        System.setErr(oldErr);
      }
    }
  }
}
