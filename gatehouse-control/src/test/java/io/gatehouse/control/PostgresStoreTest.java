package io.gatehouse.control;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import io.gatehouse.control.internal.StorageFailures;
import io.gatehouse.control.security.AuditLog;
import io.gatehouse.model.BackendDef;
import io.gatehouse.model.ConfigMapper;
import io.gatehouse.model.GatewayConfig;
import io.gatehouse.testing.postgres.PostgresServer;
import io.vertx.core.Vertx;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What only the PostgreSQL store does: several servers on one database, its triggers, its outages. */
class PostgresStoreTest {
  static final String TOKEN = "test-admin-token-0123456789abcdef";

  @TempDir Path dir;
  final HttpClient http = HttpClient.newHttpClient();

  static GatewayConfig withBackend(String url) {
    return GatewayConfig.EMPTY.withBackends(List.of(BackendDef.of("b", url)));
  }

  @Test
  void numbersTheRevisionsOfServersCommittingConcurrentlyToOneDatabaseWithoutGaps() throws Exception {
    DatabaseUrl url = TestStores.url(dir);
    int servers = 3;
    int commits = 10;
    List<PostgresConfigStore> stores = new ArrayList<>();
    ExecutorService pool = Executors.newFixedThreadPool(servers);
    try {
      for (int i = 0; i < servers; i++) {
        stores.add(PostgresConfigStore.open(url, dir, Map.of()));
      }
      List<Future<?>> done = new ArrayList<>();
      for (int s = 0; s < servers; s++) {
        PostgresConfigStore store = stores.get(s);
        int server = s;
        done.add(pool.submit(() -> {
          for (int c = 0; c < commits; c++) {
            store.commit(withBackend("http://server" + server + "-" + c), "node" + server, "change " + c);
          }
          return null;
        }));
      }
      for (Future<?> f : done) {
        f.get();
      }
      assertThat(stores.get(0).list(0, 100)).extracting(RevisionInfo::id)
          .containsExactlyElementsOf(java.util.stream.LongStream.rangeClosed(1, servers * commits).boxed()
              .sorted(java.util.Comparator.reverseOrder()).toList());
    } finally {
      pool.shutdownNow();
      stores.forEach(PostgresConfigStore::close);
    }
  }

  @Test
  void keepsOneAuditChainWhenServersAppendConcurrentlyAndRefusesChangesToIt() throws Exception {
    DatabaseUrl url = TestStores.url(dir);
    try (PostgresConfigStore a = PostgresConfigStore.open(url, dir, Map.of());
        PostgresConfigStore b = PostgresConfigStore.open(url, dir, Map.of())) {
      ExecutorService pool = Executors.newFixedThreadPool(2);
      try {
        List<Future<?>> done = new ArrayList<>();
        for (PostgresConfigStore s : List.of(a, b)) {
          AuditLog log = AuditLog.of(s);
          done.add(pool.submit(() -> {
            for (int i = 0; i < 20; i++) {
              log.append("alice", "admin", "127.0.0.1", "config.put", "config", null, Map.of("i", i), "200", "r" + i);
            }
            return null;
          }));
        }
        for (Future<?> f : done) {
          f.get();
        }
      } finally {
        pool.shutdownNow();
      }
      assertThat(AuditLog.of(a).verify().intact()).isTrue();
      assertThat(AuditLog.of(a).verify().checked()).isEqualTo(40);
      PostgresServer pg = PostgresServer.shared();
      assertThatThrownBy(() -> pg.sql(url.database(), "UPDATE audit_log SET actor = 'mallory' WHERE seq = 3"))
          .hasMessageContaining("append-only");
      assertThatThrownBy(() -> pg.sql(url.database(), "DELETE FROM audit_log WHERE seq = 40"))
          .hasMessageContaining("append-only");
      assertThatThrownBy(() -> pg.sql(url.database(), "TRUNCATE audit_log"))
          .hasMessageContaining("append-only");
    }
  }

  @Test
  void refusesAWrongPasswordWithAMessageThatNamesTheAddressButNotThePassword() {
    DatabaseUrl good = TestStores.url(dir);
    DatabaseUrl wrong = new DatabaseUrl(good.user(), "wrong-secret-42", good.host(), good.port(), good.database(),
        Map.of());
    assertThatThrownBy(() -> PostgresConfigStore.open(wrong, dir, Map.of()))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("postgresql://" + good.user() + ":***@")
        .hasMessageContaining("password authentication failed")
        .satisfies(e -> assertThat(e.getMessage()).doesNotContain("wrong-secret-42"));
  }

  record Res(int status, String body, String contentType, String retryAfter) {
    JsonNode json() throws Exception {
      return ConfigMapper.json().readTree(body);
    }
  }

  Res call(int port, String method, String path, String body) throws Exception {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
        .timeout(java.time.Duration.ofSeconds(60)).header("Authorization", "Bearer " + TOKEN);
    if (body != null) {
      b.header("Content-Type", "application/json").method(method, HttpRequest.BodyPublishers.ofString(body));
    } else {
      b.method(method, HttpRequest.BodyPublishers.noBody());
    }
    HttpResponse<String> r = http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    return new Res(r.statusCode(), r.body(), r.headers().firstValue("Content-Type").orElse(""),
        r.headers().firstValue("Retry-After").orElse(null));
  }

  @Test
  void answers503WhilePostgresqlIsDownAndKeepsEveryAcknowledgedWriteAndNoRefusedOne() throws Exception {
    try (PostgresServer pg = PostgresServer.start()) {
      String db = pg.createDatabase();
      DatabaseUrl url = DatabaseUrl.parse(pg.url(db), Map.of());
      Vertx vertx = Vertx.vertx();
      try (PostgresConfigStore store = PostgresConfigStore.open(url, dir, Map.of())) {
        AdminTokens.bootstrap(store, dir, TOKEN);
        ManagementServer server = ManagementServer.start(vertx, "127.0.0.1", 0, ControlPlane.over(store))
            .toCompletionStage().toCompletableFuture().get();
        int port = server.actualPort();
        List<String> acknowledged = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
          Res r = call(port, "POST", "/api/v1/named-values", "{\"name\":\"before-" + i + "\",\"value\":\"v\"}");
          assertThat(r.status()).as(r.body()).isEqualTo(201);
          acknowledged.add("before-" + i);
        }

        pg.stop();
        Res refused = call(port, "POST", "/api/v1/named-values", "{\"name\":\"while-down\",\"value\":\"v\"}");
        assertThat(refused.status()).as(refused.body()).isEqualTo(503);
        assertThat(refused.contentType()).isEqualTo("application/problem+json");
        assertThat(refused.retryAfter()).isEqualTo("5");
        assertThat(refused.json().get("detail").asText()).contains("cannot be reached").contains("nothing was changed");
        assertThat(refused.body()).doesNotContain("Exception").doesNotContain(pg.password());

        pg.startAgain();
        // recovery is automatic: a write succeeds once the pool has replaced its dead connections;
        // every write refused meanwhile must stay absent
        List<String> refusedNames = new ArrayList<>(List.of("while-down"));
        int[] attempt = {0};
        io.gatehouse.testing.Await.until("a write accepted after the restart", () -> {
          String name = "after-" + attempt[0]++;
          Res r;
          try {
            r = call(port, "POST", "/api/v1/named-values", "{\"name\":\"" + name + "\",\"value\":\"v\"}");
          } catch (Exception e) {
            throw new AssertionError(e);
          }
          if (r.status() == 201) {
            acknowledged.add(name);
            return true;
          }
          assertThat(r.status()).as(r.body()).isEqualTo(503);
          refusedNames.add(name);
          return false;
        });
        for (String name : acknowledged) {
          assertThat(call(port, "GET", "/api/v1/named-values/" + name, null).status()).as(name).isEqualTo(200);
        }
        for (String name : refusedNames) {
          assertThat(call(port, "GET", "/api/v1/named-values/" + name, null).status()).as(name).isEqualTo(404);
        }
        assertThat(AuditLog.of(store).verify().intact()).isTrue();
        server.close().toCompletionStage().toCompletableFuture().get();
      } finally {
        vertx.close().toCompletionStage().toCompletableFuture().get();
      }
    }
  }

  @Test
  void tellsAnUnreachableServerFromOtherFailures() {
    try (PostgresServer pg = PostgresServer.start()) {
      DatabaseUrl url = DatabaseUrl.parse(pg.url(pg.createDatabase()), Map.of());
      try (PostgresConfigStore store = PostgresConfigStore.open(url, dir, Map.of())) {
        pg.kill();
        Throwable failure = org.assertj.core.api.Assertions.catchThrowable(
            () -> store.commit(withBackend("http://a"), "alice", "while down"));
        assertThat(StorageFailures.unavailable(failure)).as(String.valueOf(failure)).isPresent();
        assertThat(StorageFailures.unavailable(new IllegalStateException("a bug"))).isEmpty();
        pg.startAgain();
        // the pool replaces its dead connections within its connection timeout; until then a
        // commit fails as unavailable, never otherwise
        long[] committed = {0};
        io.gatehouse.testing.Await.until("a commit accepted after the restart", () -> {
          try {
            committed[0] = store.commit(withBackend("http://a"), "alice", "back").id();
            return true;
          } catch (RuntimeException e) {
            assertThat(StorageFailures.unavailable(e)).as(String.valueOf(e)).isPresent();
            return false;
          }
        });
        assertThat(committed[0]).isEqualTo(1);
      }
    }
  }
}
