package io.gatehouse.server.internal;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.gatehouse.control.AdminTokens;
import io.gatehouse.control.SqliteConfigStore;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * The whole server keeps the gateway away from the management listener and from loopback, and
 * keeps free backend URLs in policies to those who may write backends.
 */
class OutboundDestinationsServeTest {
  static final String TOKEN = "outbound-owner-token-0123456789abcdef";
  static final ObjectMapper JSON = new ObjectMapper();
  final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
  @TempDir Path data;
  ServeCommand.Running running;

  @AfterEach
  void stop() throws Exception {
    if (running != null) {
      running.close();
    }
  }

  String start(String... extra) throws Exception {
    List<String> args = new ArrayList<>(List.of("--data", data.toString(), "--gateway-host", "127.0.0.1",
        "--gateway-port", "0", "--management-port", "0", "--portal-port", "0", "--drain-period", "0s", "--no-access-log", "--no-analytics"));
    args.addAll(List.of(extra));
    ServeCommand cmd = new ServeCommand();
    new CommandLine(cmd).parseArgs(args.toArray(new String[0]));
    try (SqliteConfigStore store = SqliteConfigStore.open(data)) {
      AdminTokens.bootstrap(store, data, TOKEN);
    }
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    running = cmd.start(null, new PrintStream(out, true, StandardCharsets.UTF_8));
    return out.toString(StandardCharsets.UTF_8);
  }

  HttpResponse<String> mgmt(String token, String method, String path, String body) throws Exception {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + running.management().actualPort() + path))
        .timeout(Duration.ofSeconds(10))
        .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body))
        .header("Authorization", "Bearer " + token);
    if (body != null) {
      b.header("Content-Type", "application/json");
    }
    return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
  }

  HttpResponse<String> gateway(String path, String... headers) throws Exception {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + running.gateway().port() + path))
        .timeout(Duration.ofSeconds(10));
    for (int i = 0; i + 1 < headers.length; i += 2) {
      b.header(headers[i], headers[i + 1]);
    }
    return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
  }

  String token(String role) throws Exception {
    HttpResponse<String> r = mgmt(TOKEN, "POST", "/api/v1/tokens", "{\"name\":\"t-" + role + "\",\"roles\":[\"" + role + "\"]}");
    assertThat(r.statusCode()).as(r.body()).isEqualTo(201);
    return JSON.readTree(r.body()).get("token").asText();
  }

  /** The reproduction: an API whose policy points at the management listener, then whoami through the gateway. */
  void exposeManagementThroughTheGateway() throws Exception {
    String mgmtUrl = "http://127.0.0.1:" + running.management().actualPort();
    assertThat(mgmt(TOKEN, "POST", "/api/v1/backends", "{\"name\":\"public\",\"url\":\"http://192.0.2.10\"}").statusCode())
        .isEqualTo(201);
    HttpResponse<String> api = mgmt(TOKEN, "POST", "/api/v1/apis", """
        {"name":"mgmt","path":"/mgmt","backend":"public","subscriptionRequired":false,
         "policies":{"inbound":[{"set-backend-service":{"base-url":"%s"}}]}}""".formatted(mgmtUrl));
    assertThat(api.statusCode()).as(api.body()).isEqualTo(201);
  }

  @Test
  void gatewayDoesNotReachTheManagementListener() throws Exception {
    start();
    exposeManagementThroughTheGateway();
    HttpResponse<String> r = gateway("/mgmt/api/v1/whoami", "Authorization", "Bearer " + TOKEN);
    assertThat(r.statusCode()).as(r.body()).isEqualTo(502);
    assertThat(r.body()).contains("backend-address-refused").doesNotContain("owner")
        .doesNotContain(Integer.toString(running.management().actualPort()));
  }

  @Test
  void gatewayDoesNotReachTheManagementListenerEvenWhenLoopbackIsAllowed() throws Exception {
    start("--allowed-backend-networks", "127.0.0.0/8,::1/128");
    exposeManagementThroughTheGateway();
    HttpResponse<String> r = gateway("/mgmt/api/v1/whoami", "Authorization", "Bearer " + TOKEN);
    assertThat(r.statusCode()).as(r.body()).isEqualTo(502);
    assertThat(r.body()).contains("backend-address-refused").doesNotContain("owner");
  }

  @Test
  void refusesAMalformedAllowedNetwork() {
    ServeTest.Cli bad = ServeTest.Cli.run("serve", "--allowed-backend-networks", "127.0.0.0/40");
    assertThat(bad.code()).isEqualTo(ExitCodes.USAGE);
    assertThat(bad.err()).contains("--allowed-backend-networks").contains("127.0.0.0/40");
  }

  @Test
  void publisherMayNameConfiguredBackendsButNotWriteFreeUrls() throws Exception {
    start();
    String publisher = token("api-publisher");
    assertThat(mgmt(TOKEN, "POST", "/api/v1/backends", "{\"name\":\"orders\",\"url\":\"http://192.0.2.10\"}").statusCode())
        .isEqualTo(201);
    String free = """
        {"name":"x","path":"/x","backend":"orders","subscriptionRequired":false,
         "policies":{"inbound":[{"set-backend-service":{"base-url":"http://127.0.0.1:%d"}}]}}"""
        .formatted(running.management().actualPort());
    HttpResponse<String> denied = mgmt(publisher, "POST", "/api/v1/apis", free);
    assertThat(denied.statusCode()).as(denied.body()).isEqualTo(403);
    assertThat(denied.body()).contains("backends:write").contains("backend-id");

    String callOut = """
        {"name":"y","path":"/y","backend":"orders","subscriptionRequired":false,
         "policies":{"inbound":[{"choose":{"when":[{"condition":"true","policies":[
           {"send-request":{"url":"http://169.254.169.254/latest","response-variable-name":"v"}}]}]}}]}}""";
    HttpResponse<String> nested = mgmt(publisher, "POST", "/api/v1/apis", callOut);
    assertThat(nested.statusCode()).as(nested.body()).isEqualTo(403);

    String named = """
        {"name":"x","path":"/x","backend":"orders","subscriptionRequired":false,
         "policies":{"inbound":[{"set-backend-service":{"backend-id":"orders"}}]}}""";
    HttpResponse<String> ok = mgmt(publisher, "POST", "/api/v1/apis", named);
    assertThat(ok.statusCode()).as(ok.body()).isEqualTo(201);
    HttpResponse<String> replaced = mgmt(publisher, "PUT", "/api/v1/apis/x", free);
    assertThat(replaced.statusCode()).as(replaced.body()).isEqualTo(403);

    // Whole-configuration writes follow the same rule (config:write granted through a custom role).
    HttpResponse<String> role = mgmt(TOKEN, "POST", "/api/v1/roles",
        "{\"name\":\"config-writer\",\"permissions\":[\"config:read\",\"config:write\"]}");
    assertThat(role.statusCode()).as(role.body()).isEqualTo(201);
    String configWriter = token("config-writer");
    String config = mgmt(TOKEN, "GET", "/api/v1/config", null).body();
    String withFree = config.replace("{\"backend-id\":\"orders\"}", "{\"base-url\":\"http://127.0.0.1:1\"}");
    assertThat(withFree).isNotEqualTo(config);
    HttpResponse<String> put = mgmt(configWriter, "PUT", "/api/v1/config", withFree);
    assertThat(put.statusCode()).as(put.body()).isEqualTo(403);
    assertThat(mgmt(configWriter, "PUT", "/api/v1/config", config).statusCode()).isEqualTo(200);

    // An owner (backends:write) may; a publisher may then edit the rest of that API, keeping the URL.
    assertThat(mgmt(TOKEN, "PUT", "/api/v1/apis/x", free).statusCode()).isEqualTo(200);
    HttpResponse<String> kept = mgmt(publisher, "PUT", "/api/v1/apis/x", free.replace("\"path\":\"/x\"", "\"path\":\"/x2\""));
    assertThat(kept.statusCode()).as(kept.body()).isEqualTo(200);
  }

  @Test
  void demoServesItsBuiltInMockWithoutAnyAllowedNetwork() throws Exception {
    String out = start("--demo");
    Matcher m = Pattern.compile("Subscription-Key: ([A-Za-z0-9_-]+)' http://\\S+(/demo/hello)").matcher(out);
    assertThat(m.find()).as(out).isTrue();
    HttpResponse<String> ok = gateway(m.group(2), "Subscription-Key", m.group(1));
    assertThat(ok.statusCode()).as(ok.body()).isEqualTo(200);
    assertThat(ok.body()).contains("Hello");
  }
}
