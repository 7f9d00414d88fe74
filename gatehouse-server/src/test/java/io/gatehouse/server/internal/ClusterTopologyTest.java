package io.gatehouse.server.internal;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.gatehouse.model.ConfigMapper;
import io.gatehouse.testing.Await;
import io.gatehouse.testing.MockUpstream;
import io.gatehouse.testing.postgres.PostgresServer;
import io.gatehouse.testing.redis.RedisServer;
import io.vertx.core.Vertx;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The topology of the worked example in docs/cluster.md, on real servers: one PostgreSQL, one Redis,
 * two {@code serve --role control} nodes (in this JVM) and three {@code serve --role gateway} nodes
 * (child processes, so that one can be killed with SIGKILL), every gateway node given both control
 * nodes.
 */
class ClusterTopologyTest {
  static final Pattern GATEWAY = Pattern.compile("^\\s+gateway\\s+http://[^:]+:(\\d+)");
  static final String READY = "/status-0123456789abcdef";

  @TempDir Path dir;
  final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
  final ExecutorService pool = Executors.newFixedThreadPool(40);
  final List<ServeCommand.Running> controls = new ArrayList<>();
  final List<Node> gateways = new ArrayList<>();
  Vertx vertx;
  MockUpstream upstream;
  RedisServer redis;
  String database;
  int[] nodePorts = new int[2];
  String adminToken;

  /** A gateway node child process and its gateway port. */
  record Node(String name, Process process, int port, StringBuffer out, Path err) {
    String output() throws IOException {
      return out + Files.readString(err, StandardCharsets.UTF_8);
    }
  }

  @BeforeEach
  void startTopology() throws Exception {
    PostgresServer pg = PostgresServer.shared();
    database = pg.url(pg.createDatabase());
    redis = RedisServer.start();
    vertx = Vertx.vertx();
    upstream = MockUpstream.start(vertx).toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
    for (int i = 0; i < 2; i++) {
      nodePorts[i] = Serving.freePort();
    }
    controls.add(control("cp1", nodePorts[0]));
    adminToken = Serving.adminToken(dir.resolve("cp1"));
    // every control node needs the same master key (in production: GATEHOUSE_MASTER_KEY from one secret)
    Files.createDirectories(dir.resolve("cp2"));
    Files.copy(dir.resolve("cp1/master.key"), dir.resolve("cp2/master.key"), StandardCopyOption.COPY_ATTRIBUTES);
    controls.add(control("cp2", nodePorts[1]));

    HttpResponse<String> put = mgmt(0, "PUT", "/config", "application/yaml", """
        backends:
          - name: echo
            url: %s
        apis:
          - name: orders
            path: /orders
            backend: echo
            subscriptionRequired: false
          - name: limited
            path: /limited
            backend: echo
            subscriptionRequired: false
            policies:
              inbound:
                - rate-limit-by-key: {calls: 30, period: 1d, key: "request.headers['x-k']"}
        """.formatted(upstream.url()));
    assertThat(put.statusCode()).as(put.body()).isEqualTo(200);
    String both = "https://127.0.0.1:" + nodePorts[0] + ",https://127.0.0.1:" + nodePorts[1];
    // all three enrol with tokens made through control node 1; gw3 lists control node 2 first and enrols there
    List<CompletableFuture<Node>> starting = new ArrayList<>();
    for (int i = 1; i <= 3; i++) {
      String name = "gw" + i;
      String token = enrolmentToken();
      List<String> planes = i == 3
          ? List.of("--control-plane", "https://127.0.0.1:" + nodePorts[1], "--control-plane", "https://127.0.0.1:" + nodePorts[0])
          : List.of("--control-plane", both);
      starting.add(CompletableFuture.supplyAsync(() -> gatewayNode(name, token, planes), pool));
    }
    for (CompletableFuture<Node> f : starting) {
      gateways.add(f.get(180, TimeUnit.SECONDS));
    }
    // three JVMs enrol and compile their first snapshot: on a loaded machine that takes longer than Await's deadline
    waitUntil("three gateway nodes ready", Duration.ofSeconds(120),
        () -> gateways.stream().allMatch(g -> status(g.port(), READY) == 200));
  }

  /** Polls {@code condition} until it holds; fails naming {@code what} after {@code deadline} (a functional bound). */
  static void waitUntil(String what, Duration deadline, java.util.function.BooleanSupplier condition)
      throws InterruptedException {
    long end = System.nanoTime() + deadline.toNanos();
    while (!condition.getAsBoolean()) {
      assertThat(System.nanoTime() - end).as("still waiting after %s for %s", deadline, what).isNegative();
      Thread.sleep(10);
    }
  }

  @AfterEach
  void stopTopology() throws Exception {
    pool.shutdownNow();
    for (Node g : gateways) {
      g.process().destroyForcibly();
      g.process().waitFor(30, TimeUnit.SECONDS);
    }
    List<ServeCommand.Running> reversed = new ArrayList<>(controls);
    Collections.reverse(reversed);
    for (ServeCommand.Running r : reversed) {
      try {
        r.close();
      } catch (Exception e) {
        // closed by the test
      }
    }
    if (redis != null) {
      redis.close();
    }
    if (vertx != null) {
      vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }
  }

  ServeCommand.Running control(String name, int nodePort) throws Exception {
    return Serving.start("--role", "control", "--database", database, "--data", dir.resolve(name).toString(),
        "--management-port", "0", "--no-portal", "--node-host", "127.0.0.1", "--node-port", Integer.toString(nodePort),
        "--no-access-log", "--no-analytics", "--heartbeat-interval", "500ms", "--drain-period", "0s");
  }

  Node gatewayNode(String name, String token, List<String> controlPlanes) {
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    List<String> command = new ArrayList<>(List.of(java, "-Xmx192m", "-XX:TieredStopAtLevel=1", "-cp",
        System.getProperty("java.class.path"), io.gatehouse.server.Main.class.getName(), "serve", "--role", "gateway",
        "--data", dir.resolve(name).toString(), "--gateway-host", "127.0.0.1", "--gateway-port", "0",
        "--allowed-backend-networks", "127.0.0.1/32", "--no-access-log", "--drain-period", "0s",
        "--heartbeat-interval", "500ms", "--snapshot-wait", "5s", "--redis", redis.uri()));
    command.addAll(controlPlanes);
    Path err = dir.resolve(name + ".err");
    try {
      ProcessBuilder pb = new ProcessBuilder(command).redirectError(err.toFile());
      pb.environment().put("GATEHOUSE_ENROL_TOKEN", token);
      Serving.Child child = Serving.spawn(pb, name, GATEWAY);
      Process p = child.process();
      StringBuffer out = child.out();
      CompletableFuture<Integer> port = child.ports().get(0);
      try {
        return new Node(name, p, port.get(150, TimeUnit.SECONDS), out, err);
      } catch (java.util.concurrent.ExecutionException e) {
        p.waitFor(30, TimeUnit.SECONDS);
        throw new AssertionError(name + " did not start: " + out + Files.readString(err, StandardCharsets.UTF_8), e);
      }
    } catch (Exception e) {
      throw new AssertionError(e);
    }
  }

  HttpResponse<String> mgmt(int control, String method, String path, String contentType, String body) throws Exception {
    return Serving.mgmt(http, controls.get(control), adminToken, Duration.ofSeconds(30), method, path, contentType, body);
  }

  String enrolmentToken() throws Exception {
    HttpResponse<String> r = mgmt(0, "POST", "/nodes/enrolment-tokens", "application/json", "{\"ttlSeconds\":600}");
    assertThat(r.statusCode()).as(r.body()).isEqualTo(201);
    return ConfigMapper.json().readTree(r.body()).get("token").asText();
  }

  int status(int port, String path) {
    return status(port, path, null);
  }

  int status(int port, String path, String key) {
    try {
      HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
          .timeout(Duration.ofSeconds(15));
      if (key != null) {
        b.header("x-k", key);
      }
      return http.send(b.build(), HttpResponse.BodyHandlers.discarding()).statusCode();
    } catch (Exception e) {
      return -1;
    }
  }

  void addApi(int control, String name) throws Exception {
    HttpResponse<String> r = mgmt(control, "POST", "/apis", "application/json", "{\"name\":\"" + name
        + "\",\"path\":\"/" + name + "\",\"backend\":\"echo\",\"subscriptionRequired\":false}");
    assertThat(r.statusCode()).as(r.body()).isEqualTo(201);
  }

  @Test
  void aChangeMadeThroughControlNodeOneIsServedByAllThreeGatewayNodes() throws Exception {
    for (Node g : gateways) {
      assertThat(status(g.port(), "/fresh/x")).as(g.name()).isEqualTo(404);
    }
    addApi(0, "fresh");
    Await.until("all three gateway nodes serve /fresh",
        () -> gateways.stream().allMatch(g -> status(g.port(), "/fresh/x") == 200));
  }

  @Test
  void anExactGlobalRateLimitOfNAdmitsExactlyNOfNPlusOneConcurrentCallsOverTheThreeGatewayNodes() throws Exception {
    String key = UUID.randomUUID().toString();
    CountDownLatch go = new CountDownLatch(1);
    List<java.util.concurrent.Future<Integer>> calls = new ArrayList<>();
    for (int i = 0; i < 31; i++) {
      int port = gateways.get(i % 3).port();
      calls.add(pool.submit((Callable<Integer>) () -> {
        go.await();
        return status(port, "/limited/x", key);
      }));
    }
    go.countDown();
    List<Integer> statuses = new ArrayList<>();
    for (java.util.concurrent.Future<Integer> f : calls) {
      statuses.add(f.get(60, TimeUnit.SECONDS));
    }
    assertThat(statuses.stream().filter(s -> s == 200).count()).as("admitted of %s", statuses).isEqualTo(30);
    assertThat(statuses.stream().filter(s -> s == 429).count()).as("refused of %s", statuses).isEqualTo(1);
  }

  /** One request the client sent: to which node, whether the balancer had dropped that node's victim yet, its status. */
  record Sent(int node, boolean afterDrop, int status) {}

  /**
   * A client balancing round-robin over the nodes its health check finds ready (every 100 ms, one
   * failed check drops a node) keeps sending while gateway node 2 is killed with SIGKILL. What a
   * balancer cannot avoid is counted, not hidden: requests already sent to the victim, or sent before
   * the check noticed, may fail. Every request sent after the balancer dropped the victim, and every
   * request to a surviving node, must succeed.
   */
  @Test
  void aGatewayNodeKilledUnderLoadLosesNoRequestOnceTheBalancerHasDroppedIt() throws Exception {
    List<Integer> live = new CopyOnWriteArrayList<>(List.of(0, 1, 2));
    AtomicBoolean dropped = new AtomicBoolean();
    AtomicBoolean running = new AtomicBoolean(true);
    ConcurrentLinkedQueue<Sent> sent = new ConcurrentLinkedQueue<>();
    java.util.concurrent.Future<?> health = pool.submit(() -> {
      while (running.get()) {
        for (Integer n : live) {
          if (status(gateways.get(n).port(), READY) != 200) {
            live.remove(n);
            dropped.set(true);
          }
        }
        try {
          Thread.sleep(100); // the balancer's check interval
        } catch (InterruptedException e) {
          return;
        }
      }
    });
    java.util.concurrent.atomic.AtomicLong turn = new java.util.concurrent.atomic.AtomicLong();
    List<java.util.concurrent.Future<?>> clients = new ArrayList<>();
    for (int c = 0; c < 6; c++) {
      clients.add(pool.submit(() -> {
        while (running.get()) {
          boolean after = dropped.get(); // read before the live list: the victim leaves that list before this is set
          List<Integer> now = List.copyOf(live);
          int node = now.get((int) (turn.getAndIncrement() % now.size()));
          sent.add(new Sent(node, after, status(gateways.get(node).port(), "/orders/x")));
        }
      }));
    }
    waitUntil("500 requests served before the kill", Duration.ofSeconds(120), () -> sent.size() >= 500);
    gateways.get(1).process().destroyForcibly(); // SIGKILL
    assertThat(gateways.get(1).process().waitFor(30, TimeUnit.SECONDS)).isTrue();
    Await.until("the balancer drops the killed node", dropped::get);
    long atDrop = sent.stream().filter(Sent::afterDrop).count();
    waitUntil("1000 requests sent after the drop", Duration.ofSeconds(120),
        () -> sent.stream().filter(Sent::afterDrop).count() >= atDrop + 1000);
    running.set(false);
    for (java.util.concurrent.Future<?> f : clients) {
      f.get(30, TimeUnit.SECONDS);
    }
    health.cancel(true);

    assertThat(live).as("the balancer dropped exactly the killed node").containsExactly(0, 2);
    List<Sent> all = List.copyOf(sent);
    List<Sent> failed = all.stream().filter(s -> s.status() != 200).toList();
    assertThat(failed).as("only requests sent to the killed node before the balancer dropped it may fail")
        .allMatch(s -> s.node() == 1 && !s.afterDrop());
    assertThat(all.stream().filter(s -> s.afterDrop() && s.node() == 1)).as("nothing sent to it after the drop").isEmpty();
    long afterDrop = all.stream().filter(Sent::afterDrop).count();
    assertThat(afterDrop).isGreaterThanOrEqualTo(1000);
    System.out.printf("gateway node killed under load: %d requests, %d failed (all to the killed node before the"
        + " balancer dropped it), %d sent after the drop, all 200%n", all.size(), failed.size(), afterDrop);
  }

  @Test
  void gatewayNodesFailOverToControlNodeTwoWhenControlNodeOneIsKilledAndStillCheckItsSignatures() throws Exception {
    addApi(0, "before");
    Await.until("all three serve /before", () -> gateways.stream().allMatch(g -> status(g.port(), "/before/x") == 200));
    controls.get(0).close(); // control node 1 stops: its node listener and its long polls are gone
    addApi(1, "after");
    long deadline = System.nanoTime() + Duration.ofSeconds(15).toNanos();
    Await.until("all three serve /after, changed through control node 2",
        () -> gateways.stream().allMatch(g -> status(g.port(), "/after/x") == 200));
    assertThat(System.nanoTime()).isLessThan(deadline);
    for (Node g : gateways) {
      assertThat(g.output()).as(g.name()).doesNotContain("snapshot refused");
    }
    // the heartbeats reach control node 2 too: it lists every gateway node at its revision
    long revision = controls.get(1).plane().revision().id();
    Await.until("control node 2 lists three gateway nodes at revision " + revision, () -> {
      try {
        JsonNode items = ConfigMapper.json().readTree(mgmt(1, "GET", "/nodes", null, null).body()).get("items");
        long atRevision = 0;
        for (JsonNode n : items) {
          if (n.path("role").asText().equals("gateway") && n.path("revision").asLong() == revision) {
            atRevision++;
          }
        }
        return atRevision == 3;
      } catch (Exception e) {
        return false;
      }
    });
  }
}
