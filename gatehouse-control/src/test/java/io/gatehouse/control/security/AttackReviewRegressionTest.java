package io.gatehouse.control.security;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Attacks on the management API that an attack review tried and that held: spelling a route
 * differently to skip authentication, overriding the method to turn a read into a write, and
 * configuration documents built to exhaust the parser. Each request goes over a raw socket, so
 * the server sees exactly the bytes written here.
 */
class AttackReviewRegressionTest {
  @TempDir Path dir;
  Mgmt m;

  @BeforeEach
  void start() throws Exception {
    m = new Mgmt(dir, b -> {});
    assertThat(m.owner("POST", "/api/v1/backends", "{\"name\":\"b1\",\"url\":\"http://127.0.0.1:9000\"}").status())
        .isEqualTo(201);
    assertThat(m.owner("POST", "/api/v1/apis", "{\"name\":\"keepme\",\"path\":\"/k\",\"backend\":\"b1\"}").status())
        .isEqualTo(201);
  }

  @AfterEach
  void stop() throws Exception {
    m.close();
  }

  /** Sends one request with the given extra header lines and returns the whole response. */
  String raw(String method, String target, String token, String body, String... headers) throws Exception {
    try (Socket s = new Socket()) {
      s.connect(new InetSocketAddress("127.0.0.1", m.server.actualPort()), 5000);
      s.setSoTimeout(10_000);
      byte[] payload = body == null ? new byte[0] : body.getBytes(StandardCharsets.UTF_8);
      StringBuilder head = new StringBuilder(method + " " + target + " HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n");
      if (token != null) {
        head.append("Authorization: Bearer ").append(token).append("\r\n");
      }
      for (String h : headers) {
        head.append(h).append("\r\n");
      }
      if (body != null) {
        head.append("Content-Type: application/json\r\n");
      }
      head.append("Content-Length: ").append(payload.length).append("\r\n\r\n");
      OutputStream out = s.getOutputStream();
      out.write(head.toString().getBytes(StandardCharsets.US_ASCII));
      out.write(payload);
      out.flush();
      InputStream in = s.getInputStream();
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }
  }

  static int status(String response) {
    assertThat(response).as("an HTTP/1.1 response").startsWith("HTTP/1.1 ");
    return Integer.parseInt(response.substring(9, 12));
  }

  static final List<String> SPELLINGS_OF_APIS = List.of(
      "/api/v1/apis", "/api/v1//apis", "//api/v1/apis", "/api/v1/./apis", "/api/v1/%2e/apis", "/api/v1/%2E/apis",
      "/api/v1/x/../apis", "/api/v1/x/%2e%2e/apis", "/API/v1/apis", "/api/V1/APIS", "/api/v1/apis/", "/api/v1/apis//",
      "/api/v1/apis;x=1", "/api/v1;x=1/apis", "/api/v1/apis;", "/api/v1/%61pis", "/api/v1/apis%2f", "/api/v1/apis%00",
      "/api/v1/apis/.", "/api/v1/apis/..;/apis", "/api/v1/apis?x=/login", "/api/v1/login/../apis",
      "/api/v1/login/%2e%2e/apis", "/api/v1/apis#frag", "/./api/v1/apis", "/api/v1\\apis", "/api/v1/apis\t");

  @Test
  void noSpellingOfAnAuthenticatedRouteIsReachableWithoutAToken() throws Exception {
    List<String> reached = new ArrayList<>();
    for (String target : SPELLINGS_OF_APIS) {
      String r = raw("GET", target, null, null);
      int status = r.startsWith("HTTP/1.1 ") ? status(r) : 400;
      if (status < 400 || r.contains("keepme")) {
        reached.add(target + " -> " + r.lines().findFirst().orElse(""));
      }
    }
    assertThat(reached).as("spellings answered without a token").isEmpty();
    // the plain spelling with a token still works, so the loop above was refused for the token alone
    assertThat(raw("GET", "/api/v1/apis", Mgmt.OWNER_TOKEN, null)).startsWith("HTTP/1.1 200 ").contains("keepme");
  }

  @Test
  void noSpellingOfAWriteRouteLetsAReaderWrite() throws Exception {
    String reader = m.tokenFor("reader");
    List<String> wrote = new ArrayList<>();
    for (String target : SPELLINGS_OF_APIS) {
      String write = target.replace("/apis", "/apis/keepme");
      String r = raw("DELETE", write, reader, null);
      if (r.startsWith("HTTP/1.1 2")) {
        wrote.add("DELETE " + write + " -> " + r.lines().findFirst().orElse(""));
      }
      r = raw("POST", target, reader, "{\"name\":\"sneaky\",\"path\":\"/s\",\"backend\":\"b1\"}");
      if (r.startsWith("HTTP/1.1 2")) {
        wrote.add("POST " + target + " -> " + r.lines().findFirst().orElse(""));
      }
    }
    assertThat(wrote).as("writes a reader got through").isEmpty();
    String list = m.owner("GET", "/api/v1/apis", null).body();
    assertThat(list).contains("keepme").doesNotContain("sneaky");
  }

  @Test
  void methodOverrideHeadersAndQueryNeverTurnAReadIntoAWrite() throws Exception {
    String reader = m.tokenFor("reader");
    List<String> overrides = List.of("X-HTTP-Method-Override: DELETE", "X-Method-Override: DELETE",
        "X-HTTP-Method: DELETE");
    for (String header : overrides) {
      String r = raw("GET", "/api/v1/apis/keepme", reader, null, header);
      assertThat(status(r)).as(header).isEqualTo(200);
      r = raw("POST", "/api/v1/apis/keepme", reader, "{}", header);
      assertThat(status(r)).as("POST with " + header).isNotEqualTo(204).isBetween(400, 499);
      // the owner's GET with an override is still a read
      r = raw("GET", "/api/v1/apis/keepme", Mgmt.OWNER_TOKEN, null, header);
      assertThat(status(r)).as("owner GET with " + header).isEqualTo(200);
    }
    for (String query : List.of("?_method=DELETE", "?_method=delete", "?method=DELETE")) {
      assertThat(status(raw("GET", "/api/v1/apis/keepme" + query, reader, null))).as(query).isEqualTo(200);
      assertThat(status(raw("POST", "/api/v1/apis/keepme" + query, reader, "{}"))).as("POST " + query)
          .isBetween(400, 499);
      assertThat(status(raw("GET", "/api/v1/apis/keepme" + query, Mgmt.OWNER_TOKEN, null))).as("owner " + query)
          .isEqualTo(200);
    }
    // a reader that overrides a GET into a write still holds only the read
    String r = raw("GET", "/api/v1/tokens", reader, null, "X-HTTP-Method-Override: POST");
    assertThat(status(r)).isEqualTo(200);
    assertThat(m.owner("GET", "/api/v1/apis/keepme", null).status()).as("the API survived every override").isEqualTo(200);
  }

  @Test
  void aTokenMintedByAScopedTokenNeverHoldsMoreThanItsCaller() throws Exception {
    assertThat(m.owner("POST", "/api/v1/named-values", "{\"name\":\"s\",\"type\":\"secret\",\"value\":\"v-123456\"}")
        .status()).isEqualTo(201);
    String admin = m.tokenFor("admin");
    Mgmt.Res up = m.call(admin, "POST", "/api/v1/tokens", "{\"name\":\"up\",\"roles\":[\"owner\"]}");
    assertThat(up.status()).as(up.body()).isEqualTo(403);
    assertThat(m.call(admin, "POST", "/api/v1/tokens", "{\"name\":\"both\",\"roles\":[\"admin\",\"owner\"]}").status())
        .isEqualTo(403);
    assertThat(m.call(admin, "POST", "/api/v1/roles", "{\"name\":\"all\",\"permissions\":[\"secrets:reveal\"]}")
        .status()).as("admin cannot define a role").isEqualTo(403);
    Mgmt.Res same = m.call(admin, "POST", "/api/v1/tokens", "{\"name\":\"same\",\"roles\":[\"admin\"]}");
    assertThat(same.status()).isEqualTo(201);
    String minted = same.json().get("token").asText();
    assertThat(m.call(minted, "POST", "/api/v1/named-values/s/reveal", null).status())
        .as("an admin-minted admin token cannot reveal").isEqualTo(403);
    assertThat(m.call(minted, "POST", "/api/v1/tokens", "{\"name\":\"up2\",\"roles\":[\"owner\"]}").status())
        .isEqualTo(403);

    String publisher = m.tokenFor("api-publisher");
    assertThat(m.call(publisher, "POST", "/api/v1/tokens", "{\"name\":\"op\",\"roles\":[\"operator\"]}").status())
        .as("operator holds subscriptions:write, which a publisher lacks").isEqualTo(403);
    Mgmt.Res narrow = m.call(publisher, "POST", "/api/v1/tokens", "{\"name\":\"narrow\",\"roles\":[\"reader\"]}");
    assertThat(narrow.status()).isEqualTo(201);
    String reader = narrow.json().get("token").asText();
    assertThat(m.call(reader, "POST", "/api/v1/apis", "{\"name\":\"r\",\"path\":\"/r\",\"backend\":\"b1\"}").status())
        .as("a token minted with fewer roles cannot do what its creator can").isEqualTo(403);
    assertThat(m.call(publisher, "POST", "/api/v1/apis", "{\"name\":\"p\",\"path\":\"/p\",\"backend\":\"b1\"}").status())
        .as("while its creator can").isEqualTo(201);
    assertThat(m.call(reader, "POST", "/api/v1/tokens", "{\"name\":\"back\",\"roles\":[\"api-publisher\"]}").status())
        .isEqualTo(403);
  }

  /** A YAML "billion laughs": nine levels of anchors, each alias list ten wide. */
  static String billionLaughs() {
    StringBuilder y = new StringBuilder("a0: &a0 [\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\"]\n");
    for (int i = 1; i <= 9; i++) {
      String p = "*a" + (i - 1);
      y.append("a").append(i).append(": &a").append(i).append(" [")
          .append(String.join(",", java.util.Collections.nCopies(10, p))).append("]\n");
    }
    return y.append("apis: *a9\n").toString();
  }

  Mgmt.Res putConfig(String yaml) throws Exception {
    java.net.http.HttpRequest req = java.net.http.HttpRequest.newBuilder(
            java.net.URI.create("http://127.0.0.1:" + m.server.actualPort() + "/api/v1/config"))
        .header("Authorization", "Bearer " + Mgmt.OWNER_TOKEN).header("Content-Type", "application/yaml")
        .timeout(java.time.Duration.ofSeconds(10))
        .PUT(java.net.http.HttpRequest.BodyPublishers.ofString(yaml)).build();
    java.net.http.HttpResponse<String> r = m.http.send(req, java.net.http.HttpResponse.BodyHandlers.ofString());
    return new Mgmt.Res(r.statusCode(), r);
  }

  @Test
  void refusesYamlAliasBombsDeepNestingAndHugeScalarsQuickly() throws Exception {
    long started = System.nanoTime();
    List<String> bombs = List.of(
        billionLaughs(),
        // the same through a key that the configuration reads
        billionLaughs().replace("apis: *a9", "backends:\n  - name: b\n    url: http://h\n    members: *a9"),
        "apis: " + "[".repeat(2000) + "]".repeat(2000) + "\n",
        "apis:\n" + "  ".repeat(1) + ("- ".repeat(2000)) + "x\n",
        "settings:\n  maxBodySize: " + "9".repeat(5000) + "\n",
        "settings:\n  maxBodySize: 1e999999999\n",
        "backends:\n  - name: " + "n".repeat(100_000) + "\n    url: http://h\n");
    for (String bomb : bombs) {
      Mgmt.Res r;
      try {
        r = putConfig(bomb);
      } catch (java.net.http.HttpTimeoutException e) {
        throw new AssertionError("no answer within 10 s to " + bomb.substring(0, Math.min(120, bomb.length())), e);
      }
      assertThat(r.status()).as("answer to a %d-byte bomb: %s", bomb.length(),
          r.body().substring(0, Math.min(300, r.body().length()))).isBetween(400, 499);
      assertThat(r.body()).doesNotContain("lol".repeat(20)).doesNotContain("Exception").doesNotContain("com.fasterxml")
          .doesNotContain("org.yaml");
    }
    for (String json : List.of("[".repeat(10_000), "{\"name\":\"" + "x".repeat(100_000) + "\",\"url\":\"http://h\"}",
        "{\"name\":\"b\",\"url\":\"http://h\",\"timeout\":" + "9".repeat(10_000) + "}")) {
      Mgmt.Res r = m.owner("POST", "/api/v1/backends", json);
      assertThat(r.status()).as("JSON of %d bytes", json.length()).isBetween(400, 499);
      assertThat(r.body()).doesNotContain("Exception").doesNotContain("com.fasterxml");
    }
    long millis = (System.nanoTime() - started) / 1_000_000;
    assertThat(millis).as("milliseconds to refuse every bomb").isLessThan(15_000);
    // nothing was applied and the server still answers
    assertThat(m.owner("GET", "/api/v1/apis", null).body()).contains("keepme");
  }
}
