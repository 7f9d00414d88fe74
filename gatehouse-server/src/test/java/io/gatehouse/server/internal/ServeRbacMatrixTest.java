package io.gatehouse.server.internal;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.gatehouse.control.security.Roles;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * The route x role matrix over the management API of a whole running server, routes mounted by the
 * server (security, discovery, analytics, debugging) included: every documented route enforces
 * exactly the permission it declares for every built-in role.
 */
class ServeRbacMatrixTest {
  static final String TOKEN = "rbac-owner-token-0123456789abcdef";
  static final ObjectMapper JSON = new ObjectMapper();
  final HttpClient http = HttpClient.newHttpClient();
  @TempDir Path data;
  ServeCommand.Running running;

  @BeforeEach
  void start() throws Exception {
    ServeCommand cmd = new ServeCommand();
    new CommandLine(cmd).parseArgs("--data", data.toString(), "--gateway-host", "127.0.0.1", "--allowed-backend-networks",
        String.join(",", io.gatehouse.testing.GatehouseExtension.LOOPBACK_BACKENDS), "--gateway-port", "0",
        "--management-port", "0", "--portal-port", "0", "--drain-period", "0s", "--no-access-log", "--auto-block", "10m");
    try (io.gatehouse.control.SqliteConfigStore store = io.gatehouse.control.SqliteConfigStore.open(data)) {
      io.gatehouse.control.AdminTokens.bootstrap(store, data, TOKEN);
    }
    running = cmd.start(null, new PrintStream(new ByteArrayOutputStream()));
  }

  @AfterEach
  void stop() throws Exception {
    running.close();
  }

  HttpResponse<String> call(String token, String method, String path, String body) throws Exception {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + running.management().actualPort() + path))
        .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
    if (token != null) {
      b.header("Authorization", "Bearer " + token);
    }
    if (body != null) {
      b.header("Content-Type", "application/json");
    }
    return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
  }

  @Test
  void everyDocumentedRouteEnforcesItsPermissionForEveryBuiltInRole() throws Exception {
    JsonNode doc = JSON.readTree(call(TOKEN, "GET", "/api/v1/openapi.json", null).body());
    record Op(String method, String path, String permission, boolean body) {}
    List<Op> ops = new ArrayList<>();
    doc.get("paths").fields().forEachRemaining(p -> p.getValue().fields().forEachRemaining(m -> ops.add(new Op(
        m.getKey().toUpperCase(Locale.ROOT), p.getKey(), m.getValue().path("x-gatehouse-permission").asText(null),
        m.getValue().has("requestBody")))));
    assertThat(ops).extracting(Op::path).contains("/api/v1/security/recommendations", "/api/v1/discovery/{api}");
    Map<String, String> tokens = new LinkedHashMap<>();
    for (String role : Roles.BUILT_IN.keySet()) {
      HttpResponse<String> r = call(TOKEN, "POST", "/api/v1/tokens", "{\"name\":\"t-" + role + "\",\"roles\":[\"" + role + "\"]}");
      assertThat(r.statusCode()).as(r.body()).isEqualTo(201);
      tokens.put(role, JSON.readTree(r.body()).get("token").asText());
    }
    List<String> mismatches = new ArrayList<>();
    for (Op op : ops) {
      assertThat(op.permission()).as("permission of %s %s", op.method(), op.path()).isNotNull();
      String path = op.path().replaceAll("\\{[^}]+}", "no-such-thing");
      for (Map.Entry<String, String> t : tokens.entrySet()) {
        boolean allowed = Roles.permits(Roles.BUILT_IN.get(t.getKey()), op.permission());
        HttpResponse<String> r = call(t.getValue(), op.method(), path, op.body() ? "{}" : null);
        boolean denied = r.statusCode() == 403 && r.body().contains("is required");
        if (allowed == denied || r.statusCode() == 401 || r.statusCode() >= 500) {
          mismatches.add(t.getKey() + " " + op.method() + " " + op.path() + " (" + op.permission() + ") -> " + r.statusCode());
        }
      }
    }
    assertThat(mismatches).isEmpty();
    // last, as anonymous failures soon put this client over its failure budget (429)
    for (Op op : ops) {
      if (!Roles.PUBLIC.equals(op.permission())) {
        String path = op.path().replaceAll("\\{[^}]+}", "no-such-thing");
        assertThat(call(null, op.method(), path, op.body() ? "{}" : null).statusCode())
            .as("anonymous %s %s", op.method(), op.path()).isIn(401, 429);
      }
    }
  }
}
