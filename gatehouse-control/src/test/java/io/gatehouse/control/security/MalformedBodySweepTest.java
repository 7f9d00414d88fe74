package io.gatehouse.control.security;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.gatehouse.control.RequestDebugging;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Sends many malformed bodies and parameters to every route of the OpenAPI document and checks
 * that no answer names a Java class, method or parser token, and that none is a 500.
 */
class MalformedBodySweepTest {
  private static final List<String> FORBIDDEN =
      List.of("java.", "com.fasterxml", "io.gatehouse", "Def", "JsonToken", "StreamReadConstraints", "Exception");

  @TempDir Path dir;

  private static final RequestDebugging DEBUGGING = new RequestDebugging() {
    @Override
    public Object open(String api, Duration ttl) {
      return Map.of("id", "d1", "api", api);
    }

    @Override
    public Optional<List<?>> traces(String id) {
      return Optional.empty();
    }
  };

  static List<byte[]> jsonBodies() {
    List<String> texts = new ArrayList<>(List.of("", " ", "{", "}", "[]", "[1,2]", "\"text\"", "42", "true", "null",
        "{\"name\":", "{\"name\" \"x\"}", "{name: 'x'}", "{\"name\":\"x\",}", "{\"name\":\"x\"} trailing",
        "{\"name\":\"x\"}{}", "{\"name\":\"a\",\"name\":\"b\"}", "{\"zzUnknown\":1}",
        "{\"name\":\"sweep\",\"zzUnknown\":{\"a\":1}}", "{\"name\":[1]}", "{\"name\":{}}", "{\"name\":1}",
        "{\"name\":true}", "{\"name\":\"sweep\",\"url\":[\"a\"]}", "{\"name\":\"sweep\",\"url\":\"http://u:p@host/\"}",
        "{\"name\":\"sweep\",\"url\":\"http://h/\",\"timeout\":\"banana\"}", "{\"name\":\"sweep\",\"timeout\":[]}",
        "{\"name\":\"sweep\",\"members\":\"m\"}", "{\"name\":\"sweep\",\"members\":[{\"url\":1}]}",
        "{\"name\":\"sweep\",\"members\":[{\"url\":\"http://h\",\"weight\":\"heavy\"}]}",
        "{\"name\":\"sweep\",\"operations\":{}}", "{\"name\":\"sweep\",\"operations\":[1]}",
        "{\"name\":\"sweep\",\"policies\":[]}", "{\"name\":\"sweep\",\"policies\":{\"inbound\":\"x\"}}",
        "{\"name\":\"sweep\",\"policies\":{\"inbound\":[{\"rate-limit\":{\"calls\":[]}}]}}",
        "{\"name\":\"sweep\",\"scope\":[]}", "{\"name\":\"sweep\",\"state\":{}}",
        "{\"name\":\"sweep\",\"expiresAt\":\"yesterday\"}", "{\"name\":\"sweep\",\"expiresAt\":[]}",
        "{\"name\":\"sweep\",\"type\":\"nope\"}", "{\"name\":\"sweep\",\"type\":[]}", "{\"name\":\"sweep\",\"secret\":\"maybe\"}",
        "{\"name\":\"sweep\",\"roles\":\"reader\"}", "{\"name\":\"sweep\",\"roles\":[{}]}",
        "{\"name\":\"sweep\",\"roles\":[\"reader\"],\"expiresIn\":5}",
        "{\"name\":\"sweep\",\"roles\":[\"reader\"],\"expiresIn\":\"P99999999999D\"}",
        "{\"name\":\"sweep\",\"permissions\":\"apis:read\"}", "{\"name\":\"sweep\",\"password\":[]}",
        "{\"api\":[]}", "{\"api\":\"x\",\"ttlSeconds\":\"x\"}", "{\"usage\":[],\"certificate\":1}",
        "{\"usage\":\"server\",\"certificate\":\"-----BEGIN CERTIFICATE-----\\nAAAA\\n-----END CERTIFICATE-----\"}",
        "{\"backends\":{}}", "{\"apis\":[{\"name\":1}]}", "{\"settings\":{\"maxBodySize\":\"big\"}}",
        "{\"apis\":[{\"name\":\"a\",\"name\":\"b\"}]}", "{\"backends\":[{\"name\":\"b\",\"url\":\"http://u:p@h\"}]}",
        "{\"name\":\"sweep\",\"openapi\":{\"inline\":\"{\\\"openapi\\\":[\"}}",
        "{\"name\":\"sweep\",\"openapi\":{\"inline\":\"openapi: 3.0.0\\ninfo: 5\\npaths: []\"}}",
        "{\"name\":\"\\u0000\"}", "{\"name\":\"\\ud800\"}", "{\"n\":1e99999}", "{\"n\":-}", "{\"n\":NaN}",
        "{\"name\":\"sweep\",\"inventory\":{\"tags\":{}}}", "{\"name\":\"sweep\",\"credentials\":{\"basic\":1}}"));
    texts.add("[".repeat(3000));
    texts.add("{\"a\":".repeat(1500) + "1" + "}".repeat(1500));
    texts.add("{\"n\":" + "1".repeat(2000) + "}");
    List<byte[]> out = new ArrayList<>();
    texts.forEach(t -> out.add(t.getBytes(StandardCharsets.UTF_8)));
    out.add(new byte[] {'{', '"', 'n', '"', ':', '"', (byte) 0xC3, (byte) 0x28, '"', '}'});
    out.add(new byte[] {(byte) 0xFF, (byte) 0xFE, 0, 0});
    return out;
  }

  static List<String> yamlBodies() {
    return List.of("a: [", "apis:\n  - name: a\n    name: b\n", "backends: 5", "apis: {x: 1}", "? [a]\n: b",
        "a: &a [*a]", "apis:\n- name: x\n  backend: [\n", "\t-bad", "%YAML 9.9\n---\na: 1", "key: *undefined",
        "backends:\n  - name: b\n    url: http://u:p@h\n", "settings:\n  backendTimeout: soon\n",
        "backends:\n  - name: b\n    url: http://h\n    timeout: [1]\n", "apis:\n  - name: a\n    zzUnknown: 1\n",
        "a: !!binary xx", "a: !!int nope", "---\na: 1\n---\nb: 2\n");
  }

  @Test
  void noAnswerToAMalformedRequestNamesInternalsOrFails() throws Exception {
    try (Mgmt m = new Mgmt(dir, b -> {}, DEBUGGING)) {
      assertThat(m.owner("POST", "/api/v1/backends", "{\"name\":\"sweep\",\"url\":\"http://127.0.0.1:9/\"}").status())
          .isEqualTo(201);
      JsonNode doc = m.owner("GET", "/api/v1/openapi.json", null).json();
      List<String> failures = new ArrayList<>();
      int routes = 0;
      int refused = 0;
      for (Iterator<Map.Entry<String, JsonNode>> paths = doc.get("paths").fields(); paths.hasNext(); ) {
        Map.Entry<String, JsonNode> path = paths.next();
        for (Iterator<Map.Entry<String, JsonNode>> ops = path.getValue().fields(); ops.hasNext(); ) {
          Map.Entry<String, JsonNode> op = ops.next();
          String method = op.getKey().toUpperCase(java.util.Locale.ROOT);
          routes++;
          for (String value : List.of("sweep", "-1", "%C3%28", "a%00b")) {
            String target = path.getKey().replaceAll("\\{[^}]+}", value);
            JsonNode content = op.getValue().path("requestBody").path("content");
            if (content.isMissingNode()) {
              String query = "?limit=x&offset=-1&from=nope&to=nope&dryRun=maybe&latency=maybe&groupBy=nope&actor=%C3%28";
              refused += check(m, method, target + query, null, null, failures);
              continue;
            }
            if (!value.equals("sweep")) {
              refused += check(m, method, target, "application/json", "{}".getBytes(StandardCharsets.UTF_8), failures);
              continue;
            }
            for (byte[] body : jsonBodies()) {
              refused += check(m, method, target, "application/json", body, failures);
            }
            if (content.has("application/yaml")) {
              for (String body : yamlBodies()) {
                refused += check(m, method, target, "application/yaml", body.getBytes(StandardCharsets.UTF_8), failures);
              }
            }
          }
        }
      }
      assertThat(routes).as("routes in the OpenAPI document").isGreaterThan(50);
      assertThat(refused).as("malformed requests answered 4xx").isGreaterThan(1000);
      assertThat(failures).isEmpty();
    }
  }

  private static int check(Mgmt m, String method, String target, String type, byte[] body, List<String> failures)
      throws Exception {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + m.server.actualPort() + target))
        .header("Authorization", "Bearer " + Mgmt.OWNER_TOKEN)
        .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofByteArray(body));
    if (type != null) {
      b.header("Content-Type", type);
    }
    HttpResponse<String> r = m.http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    String shown = method + " " + target + (body == null ? "" : " " + abbreviate(new String(body, StandardCharsets.UTF_8)));
    if (r.statusCode() >= 500) {
      failures.add(shown + " -> " + r.statusCode() + " " + r.body());
    }
    for (String word : FORBIDDEN) {
      if (r.statusCode() >= 400 && r.body().contains(word)) {
        failures.add(shown + " -> " + r.statusCode() + " names '" + word + "': " + r.body());
      }
    }
    return r.statusCode() >= 400 && r.statusCode() < 500 ? 1 : 0;
  }

  private static String abbreviate(String s) {
    return s.length() > 80 ? s.substring(0, 80) + "…" : s;
  }
}
