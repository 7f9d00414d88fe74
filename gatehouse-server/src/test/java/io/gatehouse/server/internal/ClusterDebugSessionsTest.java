package io.gatehouse.server.internal;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.gatehouse.control.secrets.MasterKeys;
import io.gatehouse.model.ConfigMapper;
import io.gatehouse.testing.Await;
import io.gatehouse.testing.GatehouseExtension;
import io.gatehouse.testing.postgres.PostgresServer;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Debug sessions across a cluster: a session opened through one server traces requests served by
 * another server on the same PostgreSQL database and by a hybrid gateway node, and every trace is
 * listed by the management API with the node that recorded it. Only a valid, unexpired token for
 * the session's API is traced.
 */
class ClusterDebugSessionsTest {
  static final String KEY = "alice-key-0123456789abcdef0123456789";
  @TempDir Path dir;
  final HybridModeServeTest cluster = new HybridModeServeTest();
  final List<ServeCommand.Running> servers = new ArrayList<>();

  @BeforeEach
  void setUp() throws Exception {
    cluster.dir = dir;
    cluster.setUp();
  }

  @AfterEach
  void tearDown() throws Exception {
    for (ServeCommand.Running r : servers) {
      r.close();
    }
    cluster.tearDown();
  }

  ServeCommand.Running serve(String url, Path data, String... extra) throws Exception {
    List<String> args = new ArrayList<>(List.of("--database", url, "--data", data.toString(),
        "--management-port", "0", "--no-portal", "--gateway-host", "127.0.0.1", "--gateway-port", "0",
        "--allowed-backend-networks", String.join(",", GatehouseExtension.LOOPBACK_BACKENDS),
        "--no-access-log", "--no-analytics", "--drain-period", "0s"));
    args.addAll(List.of(extra));
    ServeCommand.Running r = Serving.start(args.toArray(String[]::new));
    servers.add(r);
    return r;
  }

  HttpResponse<String> mgmt(ServeCommand.Running server, String token, String method, String path, String body)
      throws Exception {
    return Serving.mgmt(cluster.http, server, token, Duration.ofSeconds(20), method, path,
        body == null ? null : body.startsWith("{") ? "application/json" : "application/yaml", body);
  }

  /** GET {@code path} on {@code gw}'s gateway with debug token {@code debug} and subscription key {@code key} (both nullable). */
  int get(ServeCommand.Running gw, String path, String key, String debug) throws Exception {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + gw.gateway().port() + path))
        .timeout(Duration.ofSeconds(5));
    if (key != null) {
      b.header("Subscription-Key", key);
    }
    if (debug != null) {
      b.header("Gatehouse-Debug", debug);
    }
    return cluster.http.send(b.build(), HttpResponse.BodyHandlers.discarding()).statusCode();
  }

  static JsonNode json(HttpResponse<String> r, int status) throws Exception {
    assertThat(r.statusCode()).as(r.body()).isEqualTo(status);
    return ConfigMapper.json().readTree(r.body());
  }

  @Test
  void aSessionOpenedThroughOneServerTracesRequestsToTheOtherAndOnlyWithItsValidTokenForItsApi() throws Exception {
    PostgresServer pg = PostgresServer.shared();
    String url = pg.url(pg.createDatabase());
    ServeCommand.Running a = serve(url, dir.resolve("a"), "--advertise-address", "server-a.example.test:8080");
    String admin = Serving.adminToken(dir.resolve("a"));
    Files.createDirectories(dir.resolve("b"));
    Files.copy(dir.resolve("a").resolve(MasterKeys.FILE_NAME), dir.resolve("b").resolve(MasterKeys.FILE_NAME));
    ServeCommand.Running b = serve(url, dir.resolve("b"), "--advertise-address", "server-b.example.test:8080");
    assertThat(mgmt(a, admin, "PUT", "/config", cluster.yaml("v0")).statusCode()).isEqualTo(200);
    Await.until("B serves the configuration", () -> {
      try {
        return get(b, "/v0/hello", null, null) == 200;
      } catch (Exception e) {
        return false;
      }
    });

    JsonNode opened = json(mgmt(a, admin, "POST", "/debug-tokens", "{\"api\":\"public\",\"ttlSeconds\":600}"), 201);
    String id = opened.get("id").asText();
    String token = opened.get("token").asText();
    String wrong = token.substring(0, token.length() - 1) + (token.endsWith("0") ? "1" : "0");
    Await.until("B honours the session opened through A",
        () -> b.gateway().debugSessions().recorder(token, "public", "GET", "/", "probe", System.nanoTime()) != null);

    // untraced first: a wrong token, and the right token on another API; B files traces in order
    assertThat(get(b, "/v0/hello?wrong=1", null, wrong)).isEqualTo(200);
    assertThat(get(b, "/orders/items/1", KEY, token)).isEqualTo(200);
    assertThat(get(b, "/v0/hello?traced=1", null, token)).isEqualTo(200);
    Await.until("A lists the trace recorded by B",
        () -> mgmtBody(a, admin, "/debug-tokens/" + id + "/traces").contains("traced=1"));
    JsonNode items = json(mgmt(a, admin, "GET", "/debug-tokens/" + id + "/traces", null), 200).get("items");
    assertThat(items).as("only the valid token for the session's API is traced").singleElement().satisfies(t -> {
      assertThat(t.get("node").asText()).isEqualTo("server-b.example.test:8080");
      assertThat(t.get("path").asText()).isEqualTo("/v0/hello?traced=1");
      assertThat(t.get("status").asInt()).isEqualTo(200);
    });
    assertThat(items.toString()).as("the token never appears in a trace").doesNotContain(token);

    // a request through A lands in the same list, named after A; B lists both
    assertThat(get(a, "/v0/hello?onA=1", null, token)).isEqualTo(200);
    Await.until("B lists A's trace too",
        () -> mgmtBody(b, admin, "/debug-tokens/" + id + "/traces").contains("onA=1"));
    JsonNode both = json(mgmt(b, admin, "GET", "/debug-tokens/" + id + "/traces", null), 200).get("items");
    assertThat(both).extracting(t -> t.get("node").asText())
        .containsExactly("server-b.example.test:8080", "server-a.example.test:8080");
  }

  @Test
  void anExpiredSessionIsNotHonouredByAnyServer() throws Exception {
    PostgresServer pg = PostgresServer.shared();
    String url = pg.url(pg.createDatabase());
    ServeCommand.Running a = serve(url, dir.resolve("a"));
    String admin = Serving.adminToken(dir.resolve("a"));
    Files.createDirectories(dir.resolve("b"));
    Files.copy(dir.resolve("a").resolve(MasterKeys.FILE_NAME), dir.resolve("b").resolve(MasterKeys.FILE_NAME));
    ServeCommand.Running b = serve(url, dir.resolve("b"));
    assertThat(mgmt(a, admin, "PUT", "/config", cluster.yaml("v0")).statusCode()).isEqualTo(200);

    JsonNode opened = json(mgmt(a, admin, "POST", "/debug-tokens", "{\"api\":\"public\",\"ttlSeconds\":2}"), 201);
    String id = opened.get("id").asText();
    String token = opened.get("token").asText();
    Await.until("B honours the session",
        () -> b.gateway().debugSessions().recorder(token, "public", "GET", "/", "probe", System.nanoTime()) != null);
    Await.until("the session expires", () -> mgmtStatus(a, admin, "/debug-tokens/" + id + "/traces") == 404);
    assertThat(mgmtStatus(b, admin, "/debug-tokens/" + id + "/traces")).isEqualTo(404);
    for (ServeCommand.Running s : List.of(a, b)) {
      assertThat(s.gateway().debugSessions().recorder(token, "public", "GET", "/", "probe", System.nanoTime()))
          .as("an expired session traces nothing").isNull();
    }
  }

  @Test
  void aSessionOpenedOnTheControlNodeTracesRequestsToAGatewayNodeUnderTheNodesName() throws Exception {
    cluster.startControl();
    cluster.putConfig("v0");
    ServeCommand.Running gw = cluster.startGateway("gw1", cluster.token());
    Await.until("the node serves", () -> cluster.get(gw, "/v0/hello", null) == 200);
    JsonNode opened = json(cluster.mgmt("POST", "/debug-tokens", "application/json",
        "{\"api\":\"public\",\"ttlSeconds\":600}"), 201);
    String id = opened.get("id").asText();
    String token = opened.get("token").asText();
    Await.until("the node honours the session",
        () -> gw.gateway().debugSessions().recorder(token, "public", "GET", "/", "probe", System.nanoTime()) != null);
    assertThat(get(gw, "/v0/hello?bad=1", null, token + "0")).isEqualTo(200);
    assertThat(get(gw, "/v0/hello?node=1", null, token)).isEqualTo(200);
    Await.until("the control node lists the node's trace", () -> {
      try {
        return cluster.mgmt("GET", "/debug-tokens/" + id + "/traces", null, null).body().contains("node=1");
      } catch (Exception e) {
        return false;
      }
    });
    JsonNode items = json(cluster.mgmt("GET", "/debug-tokens/" + id + "/traces", null, null), 200).get("items");
    String nodeId = null;
    for (JsonNode n : json(cluster.mgmt("GET", "/nodes", null, null), 200).get("items")) {
      if (n.path("address").asText().equals("127.0.0.1:" + gw.gateway().port())) {
        nodeId = n.path("id").asText();
      }
    }
    assertThat(nodeId).isNotNull();
    String expectedNode = nodeId;
    assertThat(items).as("only the valid token is traced").singleElement().satisfies(t -> {
      assertThat(t.get("node").asText()).isEqualTo(expectedNode);
      assertThat(t.get("path").asText()).isEqualTo("/v0/hello?node=1");
    });
    assertThat(items.toString()).doesNotContain(token);
  }

  String mgmtBody(ServeCommand.Running s, String admin, String path) {
    try {
      return mgmt(s, admin, "GET", path, null).body();
    } catch (Exception e) {
      return "";
    }
  }

  int mgmtStatus(ServeCommand.Running s, String admin, String path) {
    try {
      return mgmt(s, admin, "GET", path, null).statusCode();
    } catch (Exception e) {
      return -1;
    }
  }
}
