package io.gatehouse.server.internal;

import static org.assertj.core.api.Assertions.assertThat;

import io.gatehouse.testing.Await;
import io.gatehouse.testing.MockUpstream;
import io.gatehouse.testing.postgres.PostgresServer;
import io.vertx.core.Vertx;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code serve --database postgresql://...}: the real server in child JVMs over a real PostgreSQL. */
class ServePostgresTest {
  static final Pattern MANAGEMENT = Pattern.compile("^\\s+management\\s+http://[^:]+:(\\d+)");
  static final Pattern GATEWAY = Pattern.compile("^\\s+gateway\\s+http://[^:]+:(\\d+)");
  static final Pattern TOKEN = Pattern.compile("^\\s+admin token (\\S+)");
  static final String MASTER_KEY = Base64.getEncoder().encodeToString(new byte[32]);

  static Vertx vertx;
  static MockUpstream upstream;

  @TempDir Path dir;
  final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

  @BeforeAll
  static void upstream() throws Exception {
    vertx = Vertx.vertx();
    upstream = MockUpstream.start(vertx).toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
  }

  @AfterAll
  static void stopUpstream() throws Exception {
    upstream.close().toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
    vertx.close().toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
  }

  /** A server child process, its ports, the admin token it printed (or null), and everything it wrote so far. */
  record Child(Process process, int management, int gateway, String token, StringBuffer out, Path err) {
    String output() throws IOException {
      return out + Files.readString(err, StandardCharsets.UTF_8);
    }

    void stop() throws InterruptedException {
      process.destroy();
      if (!process.waitFor(60, TimeUnit.SECONDS)) {
        process.destroyForcibly();
      }
    }
  }

  Child start(Path data, String name, boolean firstStart, Map<String, String> env, String... extra) throws Exception {
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    List<String> command = new ArrayList<>(List.of(java, "-Xmx256m", "-cp", System.getProperty("java.class.path"),
        io.gatehouse.server.Main.class.getName(), "serve", "--data", data.toString(), "--gateway-host", "127.0.0.1",
        "--gateway-port", "0", "--management-port", "0", "--portal-port", "0", "--drain-period", "0s", "--no-access-log",
        "--allowed-backend-networks", "127.0.0.1/32"));
    command.addAll(List.of(extra));
    ProcessBuilder pb = new ProcessBuilder(command).redirectError(dir.resolve(name + ".err").toFile());
    pb.environment().put("GATEHOUSE_MASTER_KEY", MASTER_KEY);
    pb.environment().putAll(env);
    Serving.Child child = Serving.spawn(pb, name, MANAGEMENT, GATEWAY);
    Process p = child.process();
    StringBuffer out = child.out();
    CompletableFuture<Integer> mgmt = child.ports().get(0);
    CompletableFuture<Integer> gateway = child.ports().get(1);
    int m;
    int g;
    try {
      m = mgmt.get(120, TimeUnit.SECONDS);
      g = gateway.get(120, TimeUnit.SECONDS);
    } catch (java.util.concurrent.ExecutionException e) {
      p.waitFor(30, TimeUnit.SECONDS);
      throw new AssertionError(name + " exited before listening: " + out + "\n"
          + Files.readString(dir.resolve(name + ".err"), StandardCharsets.UTF_8), e);
    }
    String token = null;
    if (firstStart) { // the token line follows the management line
      Await.until("the admin token line", () -> out.toString().contains("admin token"));
      Matcher t = TOKEN.matcher("");
      for (String line : out.toString().split("\n")) {
        if (t.reset(line).find()) {
          token = t.group(1);
        }
      }
    }
    return new Child(p, m, g, token, out, dir.resolve(name + ".err"));
  }

  HttpResponse<String> call(int port, String method, String path, String token, String json) throws Exception {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
        .timeout(Duration.ofSeconds(30)).header("Accept", "application/json");
    if (token != null) {
      b.header("Authorization", "Bearer " + token);
    }
    if (json != null) {
      b.header("Content-Type", "application/json").method(method, HttpRequest.BodyPublishers.ofString(json));
    } else {
      b.method(method, HttpRequest.BodyPublishers.noBody());
    }
    return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
  }

  int gatewayStatus(int port, String path) {
    try {
      return call(port, "GET", path, null, null).statusCode();
    } catch (Exception e) {
      return -1;
    }
  }

  @Test
  void servesAConfigChangeMadeThroughTheManagementApiAfterARestartWithoutShowingThePassword() throws Exception {
    PostgresServer pg = PostgresServer.shared();
    String db = pg.createDatabase();
    Child first = start(dir.resolve("node-a"), "first", true, Map.of(), "--database", pg.url(db), "--no-portal");
    String token;
    try {
      token = first.token();
      assertThat(token).as("the first start prints an admin token: " + first.out()).isNotNull();
      HttpResponse<String> backend = call(first.management(), "POST", "/api/v1/backends", token,
          "{\"name\":\"up\",\"url\":\"" + upstream.url() + "\"}");
      assertThat(backend.statusCode()).as(backend.body()).isEqualTo(201);
      HttpResponse<String> api = call(first.management(), "POST", "/api/v1/apis", token,
          "{\"name\":\"orders\",\"path\":\"/orders\",\"backend\":\"up\",\"subscriptionRequired\":false}");
      assertThat(api.statusCode()).as(api.body()).isEqualTo(201);
      Await.until("the first server serves /orders", () -> gatewayStatus(first.gateway(), "/orders") == 200);
    } finally {
      first.stop();
    }
    // a second server, with another (empty) data directory and the password as a reference: the state is in PostgreSQL
    String referenced = "postgresql://" + PostgresServer.USER + ":${env:TEST_DB_PASSWORD}@127.0.0.1:" + pg.port() + "/" + db;
    Child second = start(dir.resolve("node-b"), "second", false,
        Map.of("GATEHOUSE_DATABASE", referenced, "TEST_DB_PASSWORD", pg.password()), "--no-portal");
    try {
      Await.until("the second server serves /orders", () -> gatewayStatus(second.gateway(), "/orders") == 200);
      HttpResponse<String> revisions = call(second.management(), "GET", "/api/v1/revisions", token, null);
      assertThat(revisions.statusCode()).as(revisions.body()).isEqualTo(200);
      assertThat(revisions.body()).contains("\"id\":2");
    } finally {
      second.stop();
    }
    assertThat(first.output()).doesNotContain(pg.password());
    assertThat(second.output()).doesNotContain(pg.password())
        .as("no new admin token: the first one is in the database").doesNotContain("admin token");
  }

  @Test
  void servesAChangeMadeThroughOneServerFromAnotherAndKeepsServingWhilePostgresqlIsKilled() throws Exception {
    try (PostgresServer pg = PostgresServer.start()) {
      String url = pg.url(pg.createDatabase());
      Child a = start(dir.resolve("node-a"), "a", true, Map.of(), "--database", url, "--no-portal");
      Child b = null;
      try {
        b = start(dir.resolve("node-b"), "b", false, Map.of(), "--database", url, "--no-portal");
        String token = a.token();
        HttpResponse<String> backend = call(a.management(), "POST", "/api/v1/backends", token,
            "{\"name\":\"up\",\"url\":\"" + upstream.url() + "\"}");
        assertThat(backend.statusCode()).as(backend.body()).isEqualTo(201);
        int gatewayB = b.gateway();
        HttpResponse<String> orders = call(a.management(), "POST", "/api/v1/apis", token,
            "{\"name\":\"orders\",\"path\":\"/orders\",\"backend\":\"up\",\"subscriptionRequired\":false}");
        assertThat(orders.statusCode()).as(orders.body()).isEqualTo(201);
        long committed = System.nanoTime();
        Await.until("B serves /orders, committed through A", () -> gatewayStatus(gatewayB, "/orders") == 200);
        System.out.printf("a change through server A was served by server B's gateway after %.0f ms (first, cold)%n",
            (System.nanoTime() - committed) / 1e6);
        for (int i = 1; i <= 3; i++) {
          String path = "/warm" + i;
          HttpResponse<String> warm = call(a.management(), "POST", "/api/v1/apis", token, "{\"name\":\"warm" + i
              + "\",\"path\":\"" + path + "\",\"backend\":\"up\",\"subscriptionRequired\":false}");
          assertThat(warm.statusCode()).as(warm.body()).isEqualTo(201);
          long sent = System.nanoTime();
          Await.until("B serves " + path, () -> gatewayStatus(gatewayB, path) == 200);
          System.out.printf("a change through server A was served by server B's gateway after %.0f ms%n",
              (System.nanoTime() - sent) / 1e6);
        }

        pg.kill();
        assertThat(gatewayStatus(a.gateway(), "/orders")).as("A keeps serving").isEqualTo(200);
        assertThat(gatewayStatus(gatewayB, "/orders")).as("B keeps serving").isEqualTo(200);
        for (Child c : List.of(a, b)) {
          HttpResponse<String> refused = call(c.management(), "POST", "/api/v1/apis", token,
              "{\"name\":\"refused\",\"path\":\"/refused\",\"backend\":\"up\",\"subscriptionRequired\":false}");
          assertThat(refused.statusCode()).as(refused.body()).isEqualTo(503);
          assertThat(refused.headers().firstValue("Content-Type")).hasValueSatisfying(
              t -> assertThat(t).startsWith("application/problem+json"));
        }

        pg.startAgain();
        long restarted = System.nanoTime();
        HttpResponse<String>[] users = new HttpResponse[1];
        Await.until("a write through A succeeds after the restart", () -> {
          try {
            users[0] = call(a.management(), "POST", "/api/v1/apis", token,
                "{\"name\":\"users\",\"path\":\"/users\",\"backend\":\"up\",\"subscriptionRequired\":false}");
            return users[0].statusCode() != 503;
          } catch (Exception e) {
            return false;
          }
        });
        assertThat(users[0].statusCode()).as(users[0].body()).isEqualTo(201);
        long accepted = System.nanoTime();
        Await.until("B serves /users after the restart", () -> gatewayStatus(gatewayB, "/users") == 200);
        System.out.printf("after PostgreSQL restarted: first write accepted after %.0f ms, served by B %.0f ms later%n",
            (accepted - restarted) / 1e6, (System.nanoTime() - accepted) / 1e6);
        assertThat(gatewayStatus(gatewayB, "/refused")).as("nothing refused appears later").isEqualTo(404);
        assertThat(gatewayStatus(a.gateway(), "/refused")).isEqualTo(404);
      } finally {
        a.stop();
        if (b != null) {
          b.stop();
        }
      }
    }
  }

  /** Calls {@code path} on {@code gateway} until it answers 403 or {@code max} calls were admitted; returns the admitted. */
  int admittedUntilRefused(int gateway, String path, int max) throws Exception {
    int admitted = 0;
    while (admitted <= max) {
      int status = call(gateway, "GET", path, null, null).statusCode();
      if (status == 403) {
        return admitted;
      }
      assertThat(status).isEqualTo(200);
      admitted++;
      java.util.concurrent.locks.LockSupport.parkNanos(20_000_000L); // pace: each call is counted by the quota
    }
    return admitted;
  }

  @Test
  void keepsAQuotasConsumptionAcrossARestartOfEveryServerAndSharesItBetweenServers() throws Exception {
    PostgresServer pg = PostgresServer.shared();
    String url = pg.url(pg.createDatabase());
    Child a = start(dir.resolve("node-a"), "a", true, Map.of(), "--database", url, "--no-portal");
    Child b = start(dir.resolve("node-b"), "b", false, Map.of(), "--database", url, "--no-portal");
    String token = a.token();
    try {
      HttpResponse<String> backend = call(a.management(), "POST", "/api/v1/backends", token,
          "{\"name\":\"none\",\"url\":\"http://192.0.2.1:9\"}");
      assertThat(backend.statusCode()).as(backend.body()).isEqualTo(201);
      HttpResponse<String> api = call(a.management(), "POST", "/api/v1/apis", token,
          "{\"name\":\"counted\",\"path\":\"/counted\",\"backend\":\"none\",\"subscriptionRequired\":false,"
              + "\"policies\":{\"inbound\":[{\"quota\":{\"calls\":100,\"renewal-period\":\"1d\"}},"
              + "{\"return-response\":{\"status\":200,\"body\":\"hi\"}}]}}");
      assertThat(api.statusCode()).as(api.body()).isEqualTo(201);
      Await.until("B serves /counted", () -> gatewayStatus(b.gateway(), "/counted") == 200); // B counts this one
      for (int i = 0; i < 29; i++) {
        assertThat(call(a.gateway(), "GET", "/counted", null, null).statusCode()).isEqualTo(200);
      }
    } finally {
      a.stop(); // each writes what it counted when it stops
      b.stop();
    }
    Child a2 = start(dir.resolve("node-a"), "a2", false, Map.of(), "--database", url, "--no-portal");
    Child b2 = null;
    try {
      b2 = start(dir.resolve("node-b"), "b2", false, Map.of(), "--database", url, "--no-portal");
      int gatewayB = b2.gateway();
      Await.until("B serves /counted again", () -> gatewayStatus(gatewayB, "/counted") != 404);
      int admittedByB = 1 + admittedUntilRefused(gatewayB, "/counted", 100); // the probe above was admitted
      assertThat(admittedByB).as("after every server restarted, what was left of the quota").isEqualTo(70);
      // A restarted too and counted nothing itself: it refuses once it has read back B's calls (about a second)
      int admittedByA = admittedUntilRefused(a2.gateway(), "/counted", 100);
      assertThat(admittedByA).as("A shares B's consumption instead of admitting its own 70").isLessThan(70);
      System.out.printf("quota shared between two servers: A admitted %d call(s) before it read back B's consumption%n",
          admittedByA);
    } finally {
      a2.stop();
      if (b2 != null) {
        b2.stop();
      }
    }
  }

  @Test
  void refusesAnUnreachableDatabaseWithOneLineThatHidesThePassword() throws Exception {
    int closed;
    try (ServerSocket s = new ServerSocket(0)) {
      closed = s.getLocalPort();
    }
    ServeTest.Cli cli = ServeTest.Cli.run("serve", "--data", dir.resolve("data").toString(), "--gateway-port", "0",
        "--management-port", "0", "--portal-port", "0", "--no-access-log", "--database",
        "postgresql://gatehouse:pw-not-to-be-shown@127.0.0.1:" + closed + "/gatehouse");
    assertThat(cli.code()).as(cli.err()).isEqualTo(ExitCodes.ENVIRONMENT);
    assertThat(cli.err()).startsWith("error: cannot").contains("postgresql://gatehouse:***@127.0.0.1:" + closed)
        .doesNotContain("pw-not-to-be-shown");
    assertThat(cli.err().strip().lines()).hasSize(1);
    assertThat(cli.out()).doesNotContain("pw-not-to-be-shown");
  }

  @Test
  void refusesAMalformedDatabaseAddressAsUsage() {
    ServeTest.Cli cli = ServeTest.Cli.run("serve", "--data", dir.resolve("data").toString(), "--database",
        "postgresql://gatehouse:pw-not-to-be-shown@127.0.0.1:5432");
    assertThat(cli.code()).isEqualTo(ExitCodes.USAGE);
    assertThat(cli.err()).contains("--database").contains("database name is missing").doesNotContain("pw-not-to-be-shown");
    ServeTest.Cli mysql = ServeTest.Cli.run("serve", "--data", dir.resolve("data").toString(), "--database",
        "mysql://u:p@h/db");
    assertThat(mysql.code()).isEqualTo(ExitCodes.USAGE);
    assertThat(mysql.err()).contains("expected postgresql://");
  }

  @Test
  void backsUpAPostgresqlStoreAndRestoresItIntoAnotherDatabaseFromTheCommandLine() throws Exception {
    PostgresServer pg = PostgresServer.shared();
    String source = pg.createDatabase();
    Path data = dir.resolve("data");
    try (io.gatehouse.control.PostgresConfigStore store = io.gatehouse.control.PostgresConfigStore.open(
        io.gatehouse.control.DatabaseUrl.parse(pg.url(source), Map.of()), data, Map.of())) {
      store.commit(io.gatehouse.model.GatewayConfig.EMPTY.withBackends(
          List.of(io.gatehouse.model.BackendDef.of("b", "http://192.0.2.1"))), "alice", "first");
    }
    Path pass = Files.writeString(dir.resolve("pass"), "correct horse battery staple\n");
    Path archive = dir.resolve("cluster.ghb");
    ServeTest.Cli backup = ServeTest.Cli.run("backup", "--database", pg.url(source), "--data", data.toString(),
        "-o", archive.toString(), "--passphrase-file", pass.toString(), "--include-master-key");
    assertThat(backup.code()).as(backup.err()).isZero();
    String target = pg.createDatabase();
    Path restoredData = dir.resolve("restored");
    ServeTest.Cli restore = ServeTest.Cli.run("restore", archive.toString(), "--database", pg.url(target), "--data",
        restoredData.toString(), "--passphrase-file", pass.toString());
    assertThat(restore.code()).as(restore.err()).isZero();
    assertThat(backup.err() + backup.out() + restore.err() + restore.out()).doesNotContain(pg.password());
    try (io.gatehouse.control.PostgresConfigStore copy = io.gatehouse.control.PostgresConfigStore.open(
        io.gatehouse.control.DatabaseUrl.parse(pg.url(target), Map.of()), restoredData, Map.of())) {
      assertThat(copy.current().id()).isEqualTo(1);
      assertThat(copy.current().info().author()).isEqualTo("alice");
    }
    ServeTest.Cli again = ServeTest.Cli.run("restore", archive.toString(), "--database", pg.url(target), "--data",
        dir.resolve("third").toString(), "--passphrase-file", pass.toString());
    assertThat(again.code()).as("a database with data is refused").isEqualTo(ExitCodes.USAGE);
    assertThat(again.err()).contains("already holds Gatehouse data");
  }
}
