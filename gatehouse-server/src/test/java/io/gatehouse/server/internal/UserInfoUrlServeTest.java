package io.gatehouse.server.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * No URL the gateway sends traffic to may carry user-info, wherever it is configured; the refusal
 * names the field and never shows the password.
 */
class UserInfoUrlServeTest {
  static final String PASSWORD = "pw-4e1f-do-not-show";

  @TempDir Path dir;
  ServeCommand.Running running;
  final HttpClient http = HttpClient.newHttpClient();

  @BeforeEach
  void start() throws Exception {
    ServeCommand cmd = new ServeCommand();
    new CommandLine(cmd).parseArgs("--data", dir.resolve("data").toString(), "--gateway-host", "127.0.0.1",
        "--gateway-port", "0", "--management-port", "0", "--portal-port", "0");
    running = cmd.start(null, new PrintStream(new ByteArrayOutputStream()));
  }

  @AfterEach
  void stop() throws Exception {
    running.close();
  }

  HttpResponse<String> mgmt(String method, String path, String type, String body) throws Exception {
    String token = Files.readString(dir.resolve("data").resolve("admin-token")).trim();
    return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + running.management().actualPort() + path))
        .header("Authorization", "Bearer " + token).header("Content-Type", type)
        .method(method, HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
  }

  static String api(String policy) {
    return """
        backends:
          - name: b
            url: http://127.0.0.1:9/
        apis:
          - name: a
            path: /a
            backend: b
            subscriptionRequired: false
            policies:
              inbound:
                - %s
        """.formatted(policy);
  }

  @Test
  void refusesUserInfoInEveryConfiguredUrl() throws Exception {
    String creds = "user:" + PASSWORD + "@";
    Map<String, String> cases = Map.of(
        "backends[0].url", "backends:\n  - name: b\n    url: http://" + creds + "127.0.0.1:9/\n",
        "backends[0].members[0].url",
        "backends:\n  - name: b\n    members:\n      - url: https://" + creds + "10.0.0.1/\n",
        "backends[0].credentials.oauth2.tokenUrl", """
            backends:
              - name: b
                url: http://127.0.0.1:9/
                credentials:
                  oauth2: {tokenUrl: "https://%s10.0.0.1/token", clientId: c, clientSecret: s}
            """.formatted(creds),
        "set-backend-service.base-url", api("set-backend-service: {base-url: \"http://" + creds + "127.0.0.1:9/\"}"),
        "send-request.url", api("send-request: {url: \"http://" + creds + "127.0.0.1:9/\", response-variable-name: r}"),
        "validate-jwt.jwksUrl", api("validate-jwt: {jwksUrl: \"https://" + creds + "idp.example/jwks\"}"),
        "validate-jwt.openidConfigUrl",
        api("validate-jwt: {openidConfigUrl: \"https://" + creds + "idp.example/.well-known/openid-configuration\"}"));
    for (Map.Entry<String, String> c : cases.entrySet()) {
      HttpResponse<String> r = mgmt("PUT", "/api/v1/config", "application/yaml", c.getValue());
      assertThat(r.statusCode()).as(c.getKey() + ": " + r.body()).isEqualTo(400);
      assertThat(r.body()).as(c.getKey()).contains(c.getKey()).contains("user-info").contains("credentials")
          .doesNotContain(PASSWORD);
    }
    HttpResponse<String> entity = mgmt("POST", "/api/v1/backends", "application/json",
        "{\"name\":\"b\",\"url\":\"http://" + creds + "127.0.0.1:9/\"}");
    assertThat(entity.statusCode()).isEqualTo(400);
    assertThat(entity.body()).contains("url").contains("user-info").doesNotContain(PASSWORD);
    assertThat(mgmt("GET", "/api/v1/config", "application/json", "").body()).doesNotContain(PASSWORD);
  }

  @Test
  void refusesUserInfoThatANamedValueBringsIntoABackendUrl() throws Exception {
    HttpResponse<String> r = mgmt("PUT", "/api/v1/config", "application/yaml", """
        namedValues:
          - name: upstream
            value: "http://user:%s@127.0.0.1:9/"
        backends:
          - name: b
            url: ${nv:upstream}
        """.formatted(PASSWORD));
    assertThat(r.statusCode()).as(r.body()).isEqualTo(400);
    assertThat(r.body()).contains("user-info").doesNotContain(PASSWORD);
  }
}
