package io.gatehouse.control;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import io.gatehouse.model.BackendDef;
import io.gatehouse.model.ConfigMapper;
import io.gatehouse.model.GatewayConfig;
import io.vertx.core.Vertx;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.LongStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Management changes made at the same instant, through two servers sharing PostgreSQL or through one
 * server on SQLite: nothing acknowledged is lost, revisions are numbered without gaps, and a client's
 * {@code If-Match} makes a change that was based on an older revision fail instead of undoing another.
 */
class ConcurrentChangesTest {
  static final String TOKEN = "test-admin-token-0123456789abcdef";

  @TempDir Path dir;
  final HttpClient http = HttpClient.newHttpClient();
  final List<AutoCloseable> open = new ArrayList<>();
  Vertx vertx;

  @AfterEach
  void stop() throws Exception {
    for (int i = open.size() - 1; i >= 0; i--) {
      open.get(i).close();
    }
    if (vertx != null) {
      vertx.close().toCompletionStage().toCompletableFuture().get();
    }
  }

  /** A server's management API over its own store of {@code kind} in {@code dir} (PostgreSQL: one database per directory). */
  record Server(ControlStore store, ControlPlane plane, ManagementServer management) {}

  Server server(TestStores.Kind kind) throws Exception {
    ControlStore store = TestStores.open(kind, dir, Map.of());
    open.add(store);
    AdminTokens.bootstrap(store, dir, TOKEN);
    ControlPlane plane = ControlPlane.over(store);
    if (vertx == null) {
      vertx = Vertx.vertx();
    }
    ManagementServer m = ManagementServer.start(vertx, "127.0.0.1", 0, plane).toCompletionStage().toCompletableFuture().get();
    open.add(() -> m.close().toCompletionStage().toCompletableFuture().get());
    return new Server(store, plane, m);
  }

  record Res(int status, HttpResponse<String> raw) {
    String header(String name) {
      return raw.headers().firstValue(name).orElse(null);
    }

    JsonNode json() throws Exception {
      return ConfigMapper.json().readTree(raw.body());
    }
  }

  Res call(Server s, String method, String path, String body, String... headers) throws Exception {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + s.management().actualPort() + path))
        .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body))
        .header("Authorization", "Bearer " + TOKEN);
    if (body != null) {
      b.header("Content-Type", "application/json");
    }
    for (int i = 0; i < headers.length; i += 2) {
      b.header(headers[i], headers[i + 1]);
    }
    HttpResponse<String> r = http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    return new Res(r.statusCode(), r);
  }

  static String backend(String name) {
    return "{\"name\":\"" + name + "\",\"url\":\"http://192.0.2.1:8080\"}";
  }

  static GatewayConfig withBackend(GatewayConfig c, String name) {
    return c.withBackends(Stream.concat(c.backends().stream(), Stream.of(BackendDef.of(name, "http://192.0.2.9"))).toList());
  }

  /** Creates {@code perServer} backends through each server at once; returns their names. */
  List<String> createConcurrently(List<Server> servers, int perServer) throws Exception {
    ExecutorService pool = Executors.newFixedThreadPool(8);
    try {
      CountDownLatch go = new CountDownLatch(1);
      List<Future<Res>> answers = new ArrayList<>();
      List<String> names = new ArrayList<>();
      for (int i = 0; i < perServer; i++) {
        for (int s = 0; s < servers.size(); s++) {
          String name = "b-" + s + "-" + i;
          Server server = servers.get(s);
          names.add(name);
          answers.add(pool.submit(() -> {
            go.await();
            return call(server, "POST", "/api/v1/backends", backend(name));
          }));
        }
      }
      go.countDown();
      for (Future<Res> f : answers) {
        Res r = f.get(60, TimeUnit.SECONDS);
        assertThat(r.status()).as(r.raw().body()).isEqualTo(201);
      }
      return names;
    } finally {
      pool.shutdownNow();
    }
  }

  static void assertGapFree(ControlStore store, int count) {
    List<Long> ids = store.list(0, 1000).stream().map(RevisionInfo::id).sorted().toList();
    assertThat(ids).as("revisions 1..%d, one per acknowledged change", count)
        .isEqualTo(LongStream.rangeClosed(1, count).boxed().toList());
  }

  @Test
  void keepsEveryChangeOfDistinctResourcesMadeAtOnceThroughTwoServersOnPostgresql() throws Exception {
    Server a = server(TestStores.Kind.POSTGRESQL);
    Server b = server(TestStores.Kind.POSTGRESQL); // same directory: same database, same master key
    int perServer = 12;
    List<String> names = createConcurrently(List.of(a, b), perServer);

    Revision newest = a.store().current();
    assertThat(newest.config().backends()).extracting(BackendDef::name).containsExactlyInAnyOrderElementsOf(names);
    assertGapFree(a.store(), 2 * perServer);
    // each server serves what it last committed or adopted, never a configuration that lost a change
    for (Server s : List.of(a, b)) {
      assertThat(names).containsAll(s.plane().config().backends().stream().map(BackendDef::name).toList());
    }
  }

  @Test
  void keepsEveryChangeMadeAtOnceThroughOneServerOnSqlite() throws Exception {
    Server a = server(TestStores.Kind.SQLITE);
    List<String> names = createConcurrently(List.of(a), 16);
    assertThat(a.store().current().config().backends()).extracting(BackendDef::name)
        .containsExactlyInAnyOrderElementsOf(names);
    assertGapFree(a.store(), 16);
  }

  @Test
  void appliesAChangeAgainOnTheNewestRevisionWhenAnotherServerCommitsBetweenItsReadAndItsCommit() {
    DatabaseUrl url = TestStores.url(dir);
    try (PostgresConfigStore sa = PostgresConfigStore.open(url, dir, Map.of());
        PostgresConfigStore sb = PostgresConfigStore.open(url, dir, Map.of())) {
      ControlPlane pa = ControlPlane.over(sa);
      ControlPlane pb = ControlPlane.over(sb);
      AtomicInteger runs = new AtomicInteger();
      Revision r = pb.update(c -> {
        if (runs.incrementAndGet() == 1) { // A commits after B read revision 0 and before B commits
          pa.update(x -> withBackend(x, "through-a"), "alice", "through A", "api");
        }
        return withBackend(c, "through-b");
      }, "bob", "through B", "api");

      assertThat(runs.get()).as("B's change ran again on A's revision").isEqualTo(2);
      assertThat(r.id()).isEqualTo(2);
      assertThat(r.config().backends()).extracting(BackendDef::name).containsExactly("through-a", "through-b");
      assertThat(sa.current().config()).isEqualTo(r.config());
      assertThat(pb.revision().id()).isEqualTo(2);
    }
  }

  @Test
  void refusesAChangeBasedOnARevisionThatIsNoLongerTheNewestAndWritesNothing() {
    DatabaseUrl url = TestStores.url(dir);
    try (PostgresConfigStore sa = PostgresConfigStore.open(url, dir, Map.of());
        PostgresConfigStore sb = PostgresConfigStore.open(url, dir, Map.of())) {
      Revision first = sa.commit(withBackend(GatewayConfig.EMPTY, "one"), "alice", "one", "api");
      sb.commitOn(first.id(), withBackend(first.config(), "two"), "bob", "two", "api");

      assertThatThrownBy(() -> sa.commitOn(first.id(), withBackend(first.config(), "three"), "alice", "three", "api"))
          .isInstanceOf(StaleRevisionException.class)
          .satisfies(e -> assertThat(((StaleRevisionException) e).latest().id()).isEqualTo(2));
      ControlPlane pa = ControlPlane.over(sa);
      assertThatThrownBy(() -> pa.updateOn(first.id(), c -> withBackend(c, "four"), "alice", "four", "api"))
          .isInstanceOf(StaleRevisionException.class);
      assertThat(sa.current().id()).isEqualTo(2);
      assertThat(sa.current().config().backends()).extracting(BackendDef::name).containsExactly("one", "two");
    }
  }

  @Test
  void answersOneOfTwoWholeConfigurationAppliesWithTheSameIfMatchWith412AndKeepsTheOther() throws Exception {
    Server a = server(TestStores.Kind.POSTGRESQL);
    Server b = server(TestStores.Kind.POSTGRESQL);
    assertThat(call(a, "POST", "/api/v1/backends", backend("base")).status()).isEqualTo(201);
    Res read = call(a, "GET", "/api/v1/config", null); // B, without a feed here, may still serve revision 0
    String etag = read.header("ETag");
    assertThat(etag).isEqualTo("\"1\"");

    String fromA = "{\"backends\":[{\"name\":\"base\",\"url\":\"http://192.0.2.1:8080\"},"
        + "{\"name\":\"from-a\",\"url\":\"http://192.0.2.2\"}]}";
    String fromB = "{\"backends\":[{\"name\":\"base\",\"url\":\"http://192.0.2.1:8080\"},"
        + "{\"name\":\"from-b\",\"url\":\"http://192.0.2.3\"}]}";
    CountDownLatch go = new CountDownLatch(1);
    CompletableFuture<Res> ra = CompletableFuture.supplyAsync(() -> put(go, a, fromA, etag));
    CompletableFuture<Res> rb = CompletableFuture.supplyAsync(() -> put(go, b, fromB, etag));
    go.countDown();
    Res answerA = ra.get(60, TimeUnit.SECONDS);
    Res answerB = rb.get(60, TimeUnit.SECONDS);

    assertThat(List.of(answerA.status(), answerB.status())).containsExactlyInAnyOrder(200, 412);
    Res won = answerA.status() == 200 ? answerA : answerB;
    Res lost = answerA.status() == 200 ? answerB : answerA;
    String winner = won == answerA ? "from-a" : "from-b";
    assertThat(won.header("ETag")).isEqualTo("\"2\"");
    assertThat(lost.header("Content-Type")).isEqualTo("application/problem+json");
    assertThat(lost.json().get("detail").asText()).contains("If-Match names revision 1").contains("revision 2");
    assertThat(lost.header("ETag")).as("the refusal names the newest revision").isEqualTo("\"2\"");
    Revision newest = a.store().current();
    assertThat(newest.id()).as("the refused apply wrote nothing").isEqualTo(2);
    assertThat(newest.config().backends()).extracting(BackendDef::name).containsExactly("base", winner);
  }

  private Res put(CountDownLatch go, Server s, String body, String etag) {
    try {
      go.await();
      return call(s, "PUT", "/api/v1/config", body, "If-Match", etag);
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  @Test
  void honoursIfMatchOnOneResourceAndGivesEveryConfigurationAnswerAnEtag() throws Exception {
    Server a = server(TestStores.Kind.SQLITE);
    Res created = call(a, "POST", "/api/v1/backends", backend("b1"));
    assertThat(created.header("ETag")).isEqualTo("\"1\"");
    assertThat(call(a, "GET", "/api/v1/backends/b1", null).header("ETag")).isEqualTo("\"1\"");
    assertThat(call(a, "POST", "/api/v1/backends", backend("b2")).status()).isEqualTo(201);

    Res stale = call(a, "PUT", "/api/v1/backends/b1", "{\"url\":\"http://192.0.2.7\"}", "If-Match", "\"1\"");
    assertThat(stale.status()).isEqualTo(412);
    assertThat(stale.header("ETag")).isEqualTo("\"2\"");
    Res staleDelete = call(a, "DELETE", "/api/v1/backends/b1", null, "If-Match", "\"1\"");
    assertThat(staleDelete.status()).isEqualTo(412);
    assertThat(a.store().current().id()).isEqualTo(2);

    Res fresh = call(a, "PUT", "/api/v1/backends/b1", "{\"url\":\"http://192.0.2.7\"}", "If-Match", "\"2\"");
    assertThat(fresh.status()).isEqualTo(200);
    assertThat(fresh.header("ETag")).isEqualTo("\"3\"");
    assertThat(call(a, "DELETE", "/api/v1/backends/b2", null, "If-Match", "*").status()).isEqualTo(204);
    Res malformed = call(a, "DELETE", "/api/v1/backends/b1", null, "If-Match", "\"abc\"");
    assertThat(malformed.status()).isEqualTo(400);
    assertThat(call(a, "POST", "/api/v1/revisions/1/rollback", null, "If-Match", "\"3\"").status())
        .as("a rollback based on a stale revision is refused too").isEqualTo(412);
    assertThat(a.store().current().config().backends()).extracting(BackendDef::name).containsExactly("b1");
  }
}
