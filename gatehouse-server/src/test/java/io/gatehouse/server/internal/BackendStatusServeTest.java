package io.gatehouse.server.internal;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.gatehouse.model.ConfigLoader;
import io.gatehouse.model.GatewayConfig;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** Backend runtime state in the management API and in the metrics, as `gatehouse serve` wires them. */
class BackendStatusServeTest {
  static final ObjectMapper JSON = new ObjectMapper();
  final HttpClient http = HttpClient.newHttpClient();
  final Vertx vertx = Vertx.vertx();
  ServeCommand.Running running;

  @AfterEach
  void close() throws Exception {
    if (running != null) {
      running.close();
    }
    vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
  }

  HttpResponse<String> get(String url, String token) throws Exception {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(10));
    if (token != null) {
      b.header("Authorization", "Bearer " + token);
    }
    return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
  }

  @Test
  void managementApiAndMetricsShowMembersAndBreakerStateAsTheBackendDies(@TempDir Path dir) throws Exception {
    HttpServer backend = vertx.createHttpServer(new HttpServerOptions().setHost("127.0.0.1").setPort(0))
        .requestHandler(req -> req.response().end("ok"));
    backend.listen().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    String url = "http://127.0.0.1:" + backend.actualPort();
    Path file = dir.resolve("gatehouse.yaml");
    Files.writeString(file, """
        backends:
          - name: fragile
            url: %s
            circuitBreaker: {minimumCalls: 2, window: 2, failureRateThreshold: 50, openDuration: 60s}
            outlierDetection: {consecutiveFailures: 1000}
        apis:
          - {name: f, path: /f, backend: fragile, subscriptionRequired: false}
        """.formatted(url));
    GatewayConfig cfg = ConfigLoader.withEnvironment(Map.of()).load(file);
    ServeCommand cmd = new ServeCommand();
    new CommandLine(cmd).parseArgs("--data", dir.resolve("data").toString(), "--gateway-host", "127.0.0.1", "--allowed-backend-networks",
        String.join(",", io.gatehouse.testing.GatehouseExtension.LOOPBACK_BACKENDS),
        "--gateway-port", "0", "--management-port", "0", "--portal-port", "0", "--drain-period", "0s", "--no-access-log", "--no-analytics",
        "--config", file.toString());
    running = cmd.start(cfg, new PrintStream(new ByteArrayOutputStream()));
    String gw = "http://127.0.0.1:" + running.gateway().port();
    String mgmt = "http://127.0.0.1:" + running.management().actualPort();
    String token = Files.readString(dir.resolve("data").resolve("admin-token")).trim();

    assertThat(get(gw + "/f/x", null).statusCode()).isEqualTo(200);
    assertThat(get(mgmt + "/api/v1/backend-status", null).statusCode()).isEqualTo(401);
    HttpResponse<String> list = get(mgmt + "/api/v1/backend-status", token);
    assertThat(list.statusCode()).isEqualTo(200);
    JsonNode items = JSON.readTree(list.body()).get("items");
    assertThat(items).hasSize(1);
    JsonNode fragile = items.get(0);
    assertThat(fragile.get("name").asText()).isEqualTo("fragile");
    assertThat(fragile.get("breaker").asText()).isEqualTo("CLOSED");
    assertThat(fragile.get("failureRate").asDouble()).isEqualTo(0.0);
    assertThat(fragile.get("recordedCalls").asInt()).isEqualTo(1);
    JsonNode member = fragile.get("members").get(0);
    assertThat(member.get("url").asText()).isEqualTo(url);
    assertThat(member.get("healthy").asBoolean()).isTrue();
    assertThat(member.get("ejected").asBoolean()).isFalse();
    assertThat(member.get("outstanding").asInt()).isZero();
    assertThat(scrape(mgmt, token)).contains("gatehouse_backend_circuit_state{backend=\"fragile\"} 0.0")
        .contains("gatehouse_backend_member_healthy{backend=\"fragile\",member=\"" + url + "\"} 1.0");

    backend.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    int status = 0;
    for (int i = 0; i < 5 && status != 503; i++) {
      status = get(gw + "/f/x", null).statusCode();
    }
    assertThat(status).isEqualTo(503);
    HttpResponse<String> one = get(mgmt + "/api/v1/backend-status/fragile", token);
    assertThat(one.statusCode()).isEqualTo(200);
    JsonNode open = JSON.readTree(one.body());
    assertThat(open.get("breaker").asText()).isEqualTo("OPEN");
    assertThat(open.get("failureRate").asDouble()).isEqualTo(50.0);
    assertThat(scrape(mgmt, token)).contains("gatehouse_backend_circuit_state{backend=\"fragile\"} 2.0");
    assertThat(get(mgmt + "/api/v1/backend-status/nope", token).statusCode()).isEqualTo(404);
    assertThat(List.of(get(mgmt + "/api/v1/backends/fragile", token).body())).allMatch(b -> b.contains("\"url\""));
  }

  String scrape(String mgmt, String token) throws Exception {
    HttpResponse<String> m = get(mgmt + "/metrics", token);
    assertThat(m.statusCode()).isEqualTo(200);
    return m.body();
  }
}
