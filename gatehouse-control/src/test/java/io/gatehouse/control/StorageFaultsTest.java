package io.gatehouse.control;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.gatehouse.model.ConfigMapper;
import io.vertx.core.Vertx;
import java.io.IOException;
import java.io.OutputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Storage faults through the real management server: the database locked by another connection
 * and the data directory's disk full. Writes are refused with 503 and a problem body naming the
 * cause, nothing is half-written, and writes succeed again once the fault is gone.
 */
class StorageFaultsTest {
  static final String TOKEN = "test-admin-token-0123456789abcdef";

  @TempDir Path dir;
  Vertx vertx;
  SqliteConfigStore store;
  ManagementServer server;
  Path mounted;
  final HttpClient http = HttpClient.newHttpClient();

  void start(Path dataDir) throws Exception {
    store = SqliteConfigStore.open(dataDir);
    AdminTokens.bootstrap(store, dataDir, TOKEN);
    vertx = Vertx.vertx();
    server = ManagementServer.start(vertx, "127.0.0.1", 0, ControlPlane.over(store))
        .toCompletionStage().toCompletableFuture().get();
  }

  @AfterEach
  void stop() throws Exception {
    if (server != null) {
      server.close().toCompletionStage().toCompletableFuture().get();
      vertx.close().toCompletionStage().toCompletableFuture().get();
      store.close();
    }
    if (mounted != null) {
      run("umount", mounted.toString());
    }
  }

  record Res(int status, String body, String retryAfter) {
    JsonNode json() throws IOException {
      return ConfigMapper.json().readTree(body);
    }
  }

  Res post(String path, String body) throws Exception {
    HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.actualPort() + path))
        .header("Authorization", "Bearer " + TOKEN).header("Content-Type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
    return new Res(r.statusCode(), r.body(), r.headers().firstValue("Retry-After").orElse(null));
  }

  Res backend(String name) throws Exception {
    return post("/api/v1/backends", "{\"name\":\"" + name + "\",\"url\":\"http://127.0.0.1:9000\"}");
  }

  static void assertUnavailable(Res r, String detail) throws IOException {
    assertThat(r.status()).as(r.body()).isEqualTo(503);
    assertThat(r.retryAfter()).isEqualTo("5");
    assertThat(r.json().get("detail").asText()).contains(detail).contains("nothing was changed");
    assertThat(r.body()).doesNotContain("Exception").doesNotContain("SQLITE");
  }

  static String integrity(Path file) throws Exception {
    try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + file);
        Statement s = c.createStatement();
        ResultSet rs = s.executeQuery("PRAGMA integrity_check")) {
      rs.next();
      return rs.getString(1);
    }
  }

  @Test
  void refusesWritesWith503WhileAnotherConnectionHoldsTheDatabaseLock() throws Exception {
    start(dir);
    long before = store.current().id();
    try (Connection other = DriverManager.getConnection("jdbc:sqlite:" + store.file())) {
      try (Statement s = other.createStatement()) {
        s.execute("BEGIN EXCLUSIVE");
        assertUnavailable(backend("b1"), "locked by another process");
        assertThat(store.current().id()).isEqualTo(before);
        s.execute("ROLLBACK");
      }
    }
    Res retried = backend("b1");
    assertThat(retried.status()).as(retried.body()).isEqualTo(201);
    assertThat(store.current().id()).isGreaterThan(before);
    assertThat(store.current().config().backends()).extracting(b -> b.name()).containsExactly("b1");
    assertThat(integrity(store.file())).isEqualTo("ok");
  }

  @Test
  void refusesWritesWith503WhenTheDataDirectoryIsFullAndRecovers() throws Exception {
    boolean root = new com.sun.security.auth.module.UnixSystem().getUid() == 0;
    assumeTrue(root, "mounting a small tmpfs as a full disk needs root (CI runs as root)");
    mounted = Files.createDirectories(dir.resolve("small"));
    assertThat(run("mount", "-t", "tmpfs", "-o", "size=4m", "tmpfs", mounted.toString()))
        .as("mount a 4 MiB tmpfs (running as root, so this must work)").isZero();
    Path data = mounted.resolve("data");
    start(data);
    assertThat(backend("b0").status()).isEqualTo(201);
    long before = store.current().id();

    Path filler = data.resolve("filler");
    try (OutputStream out = Files.newOutputStream(filler)) {
      byte[] block = new byte[16 * 1024];
      while (true) {
        out.write(block);
        out.flush();
      }
    } catch (IOException full) {
      assertThat(full.getMessage()).contains("No space left on device");
    }
    assertUnavailable(backend("b1"), "data directory is full");
    assertThat(store.current().id()).isEqualTo(before);

    Files.delete(filler);
    Res retried = backend("b1");
    assertThat(retried.status()).as(retried.body()).isEqualTo(201);
    assertThat(store.current().config().backends()).extracting(b -> b.name()).containsExactly("b0", "b1");
    assertThat(integrity(store.file())).isEqualTo("ok");
  }

  private static int run(String... command) throws Exception {
    Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
    String output = new String(p.getInputStream().readAllBytes());
    assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
    if (p.exitValue() != 0) {
      System.err.println(String.join(" ", command) + ": " + output);
    }
    return p.exitValue();
  }
}
