package io.gatehouse.server.internal;

import static org.assertj.core.api.Assertions.assertThat;

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
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** Secrets end to end through the server: the gateway uses them, the CLI seals, exports and rotates keys. */
class ServeSecretsTest {
  static final String BACKEND_KEY = "backend-key-5e3c1a-do-not-leak";
  static final String SEALED_KEY = "sealed-by-cli-77d0-do-not-leak";

  @TempDir Path dir;
  Vertx vertx;
  MockUpstream upstream;
  ServeCommand.Running running;
  final HttpClient http = HttpClient.newHttpClient();

  @BeforeEach
  void start() throws Exception {
    vertx = Vertx.vertx();
    upstream = MockUpstream.start(vertx).toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    ServeCommand cmd = new ServeCommand();
    new CommandLine(cmd).parseArgs("--data", dir.resolve("data").toString(), "--gateway-host", "127.0.0.1", "--allowed-backend-networks",
        String.join(",", io.gatehouse.testing.GatehouseExtension.LOOPBACK_BACKENDS),
        "--gateway-port", "0", "--management-port", "0", "--portal-port", "0", "--drain-period", "0s", "--reference-refresh", "PT1H",
        "--reference-allow", "file:" + dir);
    running = cmd.start(null, new PrintStream(new ByteArrayOutputStream()));
  }

  @AfterEach
  void stop() throws Exception {
    running.close();
    vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
  }

  String mgmt() {
    return "http://127.0.0.1:" + running.management().actualPort();
  }

  String token() throws Exception {
    return Files.readString(dir.resolve("data").resolve("admin-token")).trim();
  }

  static String yaml(Path urlFile, String sealed) {
    return """
        namedValues:
          - name: backend-key
            type: secret
            value: %s
          - name: partner-key
            type: secret
            sealed: %s
          - name: upstream-url
            type: reference
            ref: file:%s
        backends:
          - name: echo
            url: ${nv:upstream-url}
        apis:
          - name: orders
            path: /orders
            backend: echo
            subscriptionRequired: false
            policies:
              inbound:
                - set-header: {name: X-Backend-Key, value: "${nv:backend-key}"}
                - set-header: {name: X-Partner-Key, value: "${nv:partner-key}"}
            operations:
              - GET /items
        """.formatted(BACKEND_KEY, sealed, urlFile);
  }

  HttpResponse<String> gateway(String path) throws Exception {
    return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + running.gateway().port() + path)).build(),
        HttpResponse.BodyHandlers.ofString());
  }

  @Test
  void gatewayUsesSecretsAndReferencesWhileExportAndRotationKeepThemSealed() throws Exception {
    Path urlFile = Files.writeString(dir.resolve("upstream-url"), upstream.url());
    Path valueFile = Files.writeString(dir.resolve("value"), SEALED_KEY + "\n");
    ServeTest.Cli seal = ServeTest.Cli.run("seal", "--server", mgmt(), "--token", token(), "--value-file", valueFile.toString());
    assertThat(seal.code()).as(seal.err()).isZero();
    String sealed = seal.out().strip();
    assertThat(sealed).startsWith("v1:");

    Path file = Files.writeString(dir.resolve("g.yaml"), yaml(urlFile, sealed));
    ServeTest.Cli apply = ServeTest.Cli.run("apply", "-f", file.toString(), "--server", mgmt(), "--token", token());
    assertThat(apply.code()).as(apply.err() + apply.out()).isZero();
    assertThat(apply.out() + apply.err()).doesNotContain(BACKEND_KEY).doesNotContain(SEALED_KEY);

    assertThat(gateway("/orders/items").statusCode()).isEqualTo(200);
    RecordedRequest seen = upstream.take(5);
    assertThat(seen.header("X-Backend-Key")).isEqualTo(BACKEND_KEY);
    assertThat(seen.header("X-Partner-Key")).isEqualTo(SEALED_KEY);

    // the reference source disappears: the gateway keeps the last good value
    Files.delete(urlFile);
    running.plane().store().secrets().references().refreshNow();
    assertThat(gateway("/orders/items").statusCode()).isEqualTo(200);
    assertThat(running.plane().store().secrets().references().health().get(0).lastAttemptOk()).isFalse();

    // rotate the master key under the running server, then export and apply the export
    ServeTest.Cli rotate = ServeTest.Cli.run("rotate-keys", "--data", dir.resolve("data").toString());
    assertThat(rotate.code()).as(rotate.err()).isZero();
    Path exported = dir.resolve("export.yaml");
    ServeTest.Cli export = ServeTest.Cli.run("export", "-o", exported.toString(), "--server", mgmt(), "--token", token());
    assertThat(export.code()).isZero();
    String text = Files.readString(exported);
    assertThat(text).doesNotContain(BACKEND_KEY).doesNotContain(SEALED_KEY).contains("sealed: v1:");
    ServeTest.Cli again = ServeTest.Cli.run("apply", "-f", exported.toString(), "--server", mgmt(), "--token", token());
    assertThat(again.out()).contains("(no change)");

    byte[] db = Files.readAllBytes(dir.resolve("data").resolve("gatehouse.db-wal"));
    assertThat(new String(db, StandardCharsets.ISO_8859_1)).doesNotContain(BACKEND_KEY).doesNotContain(SEALED_KEY);
    assertThat(gateway("/orders/items").statusCode()).isEqualTo(200);
    assertThat(upstream.take(5).header("X-Backend-Key")).isEqualTo(BACKEND_KEY);
  }
}
