package io.gatehouse.server.console;

import static org.assertj.core.api.Assertions.assertThat;

import io.gatehouse.server.internal.ServeCommand;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** The console's files as {@code gatehouse serve} serves them over HTTP, no browser needed. */
class ConsoleServeTest {
  final HttpClient http = HttpClient.newHttpClient();
  @TempDir Path data;
  ServeCommand.Running running;
  String printed;

  @AfterEach
  void close() throws Exception {
    if (running != null) {
      running.close();
    }
  }

  void serve(String... extra) throws Exception {
    ServeCommand cmd = new ServeCommand();
    String[] args = {"--data", data.toString(), "--gateway-host", "127.0.0.1", "--gateway-port", "0",
        "--management-port", "0", "--drain-period", "0s", "--portal-host", "127.0.0.1", "--portal-port", "0"};
    String[] all = java.util.Arrays.copyOf(args, args.length + extra.length);
    System.arraycopy(extra, 0, all, args.length, extra.length);
    new CommandLine(cmd).parseArgs(all);
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    running = cmd.start(null, new PrintStream(out, true, StandardCharsets.UTF_8));
    printed = out.toString(StandardCharsets.UTF_8);
  }

  HttpResponse<String> call(String method, String path) throws Exception {
    return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + running.management().actualPort() + path))
        .method(method, HttpRequest.BodyPublishers.noBody()).timeout(Duration.ofSeconds(10)).build(),
        HttpResponse.BodyHandlers.ofString());
  }

  @Test
  void consolePagesCarryAStrictCspAndOnlyGetAndHeadSkipTheToken() throws Exception {
    serve();
    HttpResponse<String> page = call("GET", "/console/");
    assertThat(page.statusCode()).isEqualTo(200);
    String csp = page.headers().firstValue("Content-Security-Policy").orElseThrow();
    assertThat(csp).contains("default-src 'none'", "script-src 'self'", "frame-ancestors 'none'", "base-uri 'none'")
        .doesNotContain("unsafe-inline", "unsafe-eval", "http:", "https:", "*");
    assertThat(page.headers().firstValue("X-Content-Type-Options")).contains("nosniff");
    assertThat(page.headers().firstValue("X-Frame-Options")).contains("DENY");
    assertThat(page.headers().firstValue("Referrer-Policy")).contains("no-referrer");
    assertThat(page.body()).doesNotContain("<script>").doesNotContain("style=")
        .contains("<script type=\"module\" src=\"js/app.js\">");
    assertThat(call("GET", "/console/vendor/chart.umd.min.js").statusCode()).isEqualTo(200);
    assertThat(call("HEAD", "/console/js/app.js").headers().firstValue("Content-Type"))
        .contains("text/javascript; charset=utf-8");
    assertThat(call("GET", "/console/nothing.js").statusCode()).isEqualTo(404);
    assertThat(call("GET", "/console/META-INF/MANIFEST.MF").statusCode()).isEqualTo(404);
    assertThat(call("GET", "/console").statusCode()).isEqualTo(302);
    // the public prefix is matched on the normalized path: it never opens the API
    assertThat(call("GET", "/console/../api/v1/apis").statusCode()).isEqualTo(401);
    assertThat(call("GET", "/console/%2e%2e/api/v1/apis").statusCode()).isEqualTo(401);
    assertThat(call("POST", "/console/").statusCode()).isEqualTo(401);
    assertThat(call("GET", "/api/v1/apis").statusCode()).isEqualTo(401);
  }

  @Test
  void servePrintsTheConsoleUrl() throws Exception {
    serve();
    assertThat(printed).contains("console     http://127.0.0.1:" + running.management().actualPort() + "/console/");
  }

  @Test
  void noConsoleServesNoConsole() throws Exception {
    serve("--no-console");
    assertThat(printed).doesNotContain("/console/");
    assertThat(call("GET", "/console/").statusCode()).isEqualTo(401); // an ordinary unknown, authenticated path
  }
}
