package io.gatehouse.control.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.gatehouse.control.ControlPlane;
import io.gatehouse.control.SqliteConfigStore;
import io.gatehouse.control.cluster.internal.ClusterKeys;
import io.gatehouse.control.cluster.internal.NodeFiles;
import io.gatehouse.control.cluster.internal.NodeListener;
import io.gatehouse.control.cluster.internal.NodeStore;
import io.gatehouse.model.BackendDef;
import io.gatehouse.model.ConfigMapper;
import io.gatehouse.model.GatewayConfig;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Hybrid mode between a control plane and node agents over real TLS sockets: enrolment with
 * single-use expiring tokens, signed snapshots, revocation, the encrypted cache.
 */
class HybridNodesTest {
  @TempDir Path dir;

  /** A clock the tests move forward. */
  static final class MovableClock extends Clock {
    volatile Instant now = Instant.now();

    @Override
    public java.time.ZoneId getZone() {
      return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(java.time.ZoneId zone) {
      return this;
    }

    @Override
    public Instant instant() {
      return now;
    }
  }

  final MovableClock clock = new MovableClock();
  final List<NodeAgent> agents = new ArrayList<>();
  Vertx vertx;
  SqliteConfigStore store;
  ControlPlane plane;
  ClusterControl cluster;
  HttpServer listener;

  @BeforeEach
  void start() throws Exception {
    vertx = Vertx.vertx();
    store = SqliteConfigStore.open(dir.resolve("control"));
    plane = ControlPlane.over(store);
    plane.apply(config("one"), "test", "first");
    cluster = ClusterControl.open(store.jdbi(), plane, clock);
    listener = get(cluster.listen(vertx, "127.0.0.1", 0, List.of()));
  }

  @AfterEach
  void stop() throws Exception {
    agents.forEach(NodeAgent::close);
    vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    store.close();
  }

  static GatewayConfig config(String backend) {
    return GatewayConfig.EMPTY.withBackends(List.of(BackendDef.of(backend, "http://192.0.2.1:9")));
  }

  static <T> T get(io.vertx.core.Future<T> f) throws Exception {
    return f.toCompletionStage().toCompletableFuture().get(15, TimeUnit.SECONDS);
  }

  static void await(String what, BooleanSupplier condition) {
    long deadline = System.nanoTime() + Duration.ofSeconds(15).toNanos();
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() - deadline > 0) {
        throw new AssertionError("still waiting after 15 s for " + what);
      }
      try {
        Thread.sleep(5);
      } catch (InterruptedException e) {
        throw new AssertionError(e);
      }
    }
  }

  URI controlPlane() {
    return URI.create("https://127.0.0.1:" + listener.actualPort());
  }

  NodeAgent agent(String name, String token, List<Snapshot> served) throws Exception {
    NodeAgent a = NodeAgent.start(new NodeAgent.Settings(dir.resolve(name), List.of(controlPlane()), token, name + ":8080", "test",
        Duration.ofMillis(200), Duration.ofSeconds(2), Duration.ofMillis(100)), served::add);
    agents.add(a);
    return a;
  }

  @Test
  void enrolsWithAValidTokenThenServesEachSignedRevisionOnce() throws Exception {
    List<Snapshot> served = new CopyOnWriteArrayList<>();
    NodeAgent a = agent("gw1", cluster.createToken("test", Duration.ofMinutes(5)).token(), served);
    await("the first snapshot", () -> a.served() != null);
    assertThat(a.served().revision()).isEqualTo(plane.revision().id());
    assertThat(a.served().config().backends()).extracting(BackendDef::name).containsExactly("one");
    long next = plane.apply(config("two"), "test", "second").id();
    await("the second revision", () -> a.served().revision() == next);
    assertThat(a.served().config().backends()).extracting(BackendDef::name).containsExactly("two");
    await("the node's heartbeat with its revision", () -> cluster.nodes().stream()
        .anyMatch(n -> n.id().equals(a.nodeId()) && n.revision() == next && n.lastHeartbeat() != null));
    assertThat(served).extracting(Snapshot::revision).containsExactly(next - 1, next); // each revision once
    NodeInfo info = cluster.nodes().stream().filter(n -> n.id().equals(a.nodeId())).findFirst().orElseThrow();
    assertThat(info.role()).isEqualTo("gateway");
    assertThat(info.address()).isEqualTo("gw1:8080");
    assertThat(info.version()).isEqualTo("test");
    // key, certificate and cache are private to the node's user
    for (String f : List.of("node-key.pem", "node-cert.pem", "cache.key", "snapshot.cache")) {
      assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(dir.resolve("gw1/node/" + f))))
          .as(f).isEqualTo("rw-------");
    }
  }

  @Test
  void anotherControlPlaneOverTheSameDatabasePublishesTheSameSnapshotSoNodesDoNotRecompile() {
    ClusterControl other = ClusterControl.open(store.jdbi(), ControlPlane.over(store), clock);
    assertThat(other.current().etag()).isEqualTo(cluster.current().etag());
    assertThat(other.current().envelope()).isEqualTo(cluster.current().envelope());
    assertThat(other.caFingerprint()).isEqualTo(cluster.caFingerprint());
  }

  @Test
  void refusesAReusedToken() throws Exception {
    String token = cluster.createToken("test", Duration.ofMinutes(5)).token();
    agent("gw1", token, new CopyOnWriteArrayList<>());
    assertThatThrownBy(() -> agent("gw2", token, new CopyOnWriteArrayList<>()))
        .isInstanceOf(NodeAgent.StartException.class)
        .hasMessageContaining("401").hasMessageContaining("already used");
    assertThat(new NodeFiles(dir.resolve("gw2")).enrolled()).isFalse();
  }

  @Test
  void refusesAnExpiredToken() {
    String token = cluster.createToken("test", Duration.ofMinutes(5)).token();
    clock.now = clock.now.plus(Duration.ofMinutes(6));
    assertThatThrownBy(() -> agent("gw1", token, new CopyOnWriteArrayList<>()))
        .isInstanceOf(NodeAgent.StartException.class)
        .hasMessageContaining("401").hasMessageContaining("expired");
  }

  @Test
  void refusesATokenForAnotherControlPlane() {
    String token = cluster.createToken("test", Duration.ofMinutes(5)).token();
    String forged = token.substring(0, token.lastIndexOf('.') + 1) + "A".repeat(43);
    assertThatThrownBy(() -> agent("gw1", forged, new CopyOnWriteArrayList<>()))
        .isInstanceOf(NodeAgent.StartException.class)
        .hasMessageContaining("node CA");
  }

  @Test
  void refusesATamperedSnapshotAndKeepsTheLastGoodOne() throws Exception {
    // a second listener over the same keys and registry whose snapshot can be tampered with in transit
    AtomicBoolean tamper = new AtomicBoolean();
    HttpServer relay = get(NodeListener.start(vertx, "127.0.0.1", 0, List.of(),
        ClusterKeys.load(store.jdbi(), store.secrets().masterKeys()), new NodeStore(store.jdbi()),
        () -> tamper.get() ? tampered(cluster.current()) : cluster.current(), c -> { }, c -> { }, clock, () -> null));
    List<Snapshot> served = new CopyOnWriteArrayList<>();
    NodeAgent a = NodeAgent.start(new NodeAgent.Settings(dir.resolve("gw1"),
        List.of(URI.create("https://127.0.0.1:" + relay.actualPort())), cluster.createToken("test", Duration.ofMinutes(5)).token(),
        "gw1:8080", "test", Duration.ofSeconds(10), Duration.ofSeconds(1), Duration.ofMillis(100)), served::add);
    agents.add(a);
    await("the first snapshot", () -> a.served() != null);
    long good = a.served().revision();
    tamper.set(true);
    await("a refused snapshot", () -> a.refusedSnapshots() >= 2);
    assertThat(a.served().revision()).isEqualTo(good);
    assertThat(served).hasSize(1); // the tampered one never reached the gateway
    tamper.set(false);
  }

  @Test
  void keepsItsRevisionWhenAControlNodeThatIsBehindOffersAnOlderOne() throws Exception {
    ClusterControl.Published old = cluster.current();
    plane.apply(config("two"), "test", "second");
    await("revision two published", () -> cluster.current().revision() > old.revision());
    // a second control node over the same keys and registry that has not seen the second revision yet
    AtomicBoolean behind = new AtomicBoolean();
    HttpServer lagging = get(NodeListener.start(vertx, "127.0.0.1", 0, List.of(),
        ClusterKeys.load(store.jdbi(), store.secrets().masterKeys()), new NodeStore(store.jdbi()),
        () -> behind.get() ? old : cluster.current(), c -> { }, c -> { }, clock, () -> null));
    List<Snapshot> served = new CopyOnWriteArrayList<>();
    NodeAgent a = NodeAgent.start(new NodeAgent.Settings(dir.resolve("gw1"),
        List.of(URI.create("https://127.0.0.1:" + lagging.actualPort())), cluster.createToken("test", Duration.ofMinutes(5)).token(),
        "gw1:8080", "test", Duration.ofSeconds(10), Duration.ofSeconds(1), Duration.ofMillis(100)), served::add);
    agents.add(a);
    await("the newest snapshot", () -> a.served() != null && a.served().revision() == cluster.current().revision());
    long newest = a.served().revision();
    behind.set(true);
    await("the older snapshot offered and refused", () -> a.refusedSnapshots() >= 2);
    assertThat(a.served().revision()).isEqualTo(newest);
    assertThat(served).extracting(Snapshot::revision).containsExactly(newest);
  }

  @Test
  void enrolsThroughTheSecondControlNodeWhenTheFirstIsUnreachableAndFollowsTheOneThatAnswers() throws Exception {
    int closed;
    try (java.net.ServerSocket s = new java.net.ServerSocket(0)) {
      closed = s.getLocalPort();
    }
    List<Snapshot> served = new CopyOnWriteArrayList<>();
    NodeAgent a = NodeAgent.start(new NodeAgent.Settings(dir.resolve("gw1"),
        List.of(URI.create("https://127.0.0.1:" + closed), controlPlane()), cluster.createToken("test", Duration.ofMinutes(5)).token(),
        "gw1:8080", "test", Duration.ofSeconds(10), Duration.ofSeconds(1), Duration.ofMillis(100)), served::add);
    agents.add(a);
    await("the first snapshot", () -> a.served() != null);
    assertThat(a.controlPlane()).isEqualTo(controlPlane());
    plane.apply(config("two"), "test", "second");
    await("the second revision", () -> a.served().revision() == cluster.current().revision());
  }

  /** {@code p} with its payload changed (a backend URL rewritten) and its signature kept. */
  static ClusterControl.Published tampered(ClusterControl.Published p) {
    try {
      ObjectNode env = (ObjectNode) ConfigMapper.json().readTree(p.envelope());
      String payload = new String(Base64.getDecoder().decode(env.get("payload").asText()), StandardCharsets.UTF_8);
      String changed = payload.replace("192.0.2.1", "203.0.113.66");
      env.put("payload", Base64.getEncoder().encodeToString(changed.getBytes(StandardCharsets.UTF_8)));
      byte[] bytes = ConfigMapper.json().writeValueAsBytes(env);
      return new ClusterControl.Published(p.revision(), "tampered-" + p.etag(), bytes);
    } catch (java.io.IOException e) {
      throw new IllegalStateException(e);
    }
  }

  @Test
  void refusesARevokedNodesCertificate() throws Exception {
    List<Snapshot> served = new CopyOnWriteArrayList<>();
    NodeAgent a = agent("gw1", cluster.createToken("test", Duration.ofMinutes(5)).token(), served);
    await("the first snapshot", () -> a.served() != null);
    HttpClient client = NodeAgent.client(new NodeFiles(dir.resolve("gw1")).load());
    assertThat(status(client, "/node/v1/snapshot")).isEqualTo(200);

    assertThat(cluster.revoke(a.nodeId())).isTrue();
    assertThat(status(client, "/node/v1/snapshot")).isEqualTo(403);
    assertThat(client.send(HttpRequest.newBuilder(controlPlane().resolve("/node/v1/heartbeat"))
        .POST(HttpRequest.BodyPublishers.ofString("{\"revision\":1}")).build(), HttpResponse.BodyHandlers.ofString())
        .statusCode()).isEqualTo(403);
    assertThat(cluster.revoke(a.nodeId())).isFalse();
    assertThat(cluster.nodes()).filteredOn(n -> n.id().equals(a.nodeId())).singleElement()
        .satisfies(n -> assertThat(n.revokedAt()).isNotNull());
    // and a client without any certificate gets no snapshot either
    HttpClient anonymous = HttpClient.newBuilder().sslContext(trustingNodeCa()).build();
    assertThat(status(anonymous, "/node/v1/snapshot")).isEqualTo(403);
  }

  javax.net.ssl.SSLContext trustingNodeCa() throws Exception {
    javax.net.ssl.SSLContext tls = javax.net.ssl.SSLContext.getInstance("TLS");
    tls.init(null, new javax.net.ssl.TrustManager[] {
        io.gatehouse.control.cluster.internal.PinnedTrust.fingerprint(cluster.caFingerprint())}, null);
    return tls;
  }

  int status(HttpClient client, String path) throws Exception {
    return client.send(HttpRequest.newBuilder(controlPlane().resolve(path)).timeout(Duration.ofSeconds(10)).build(),
        HttpResponse.BodyHandlers.discarding()).statusCode();
  }

  @Test
  void startsFromItsEncryptedCacheWhileTheControlPlaneIsDownAndCatchesUpWhenItReturns() throws Exception {
    NodeAgent a = agent("gw1", cluster.createToken("test", Duration.ofMinutes(5)).token(), new CopyOnWriteArrayList<>());
    await("the first snapshot", () -> a.served() != null);
    long cached = a.served().revision();
    byte[] onDisk = Files.readAllBytes(dir.resolve("gw1/node/snapshot.cache"));
    assertThat(new String(onDisk, StandardCharsets.ISO_8859_1)).doesNotContain("192.0.2.1"); // encrypted at rest
    a.close();
    int port = listener.actualPort();
    get(listener.close()); // the control plane goes away

    List<Snapshot> served = new CopyOnWriteArrayList<>();
    NodeAgent b = agent("gw1", null, served);
    assertThat(b.served()).isNotNull(); // served from the cache before start returned
    assertThat(b.served().revision()).isEqualTo(cached);
    await("the control plane seen unreachable", () -> !b.reachable());

    long next = plane.apply(config("three"), "test", "while the listener was down").id();
    listener = get(cluster.listen(vertx, "127.0.0.1", port, List.of())); // back on its address
    await("the catch-up", () -> b.served().revision() == next);
    assertThat(b.served().config().backends()).extracting(BackendDef::name).containsExactly("three");
  }
}
