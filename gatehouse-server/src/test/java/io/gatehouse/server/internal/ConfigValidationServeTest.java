package io.gatehouse.server.internal;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.gatehouse.model.ConfigProblem;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * One validation for every entry point: {@code validate}, {@code apply}, {@code apply --dry-run} and
 * {@code PUT /config} (with and without {@code dryRun}) refuse the same configuration with the same
 * problem, located at the same line.
 */
class ConfigValidationServeTest {
  static final String BLOK = """
      backends:
        - name: b
          url: http://127.0.0.1:9
      apis:
        - name: orders
          path: /orders
          backend: b
          policies:
            inbound:
              - injection-protection: {action: blok}
      """;
  static final String PROBLEM = "apis[0].policies.inbound[0].injection-protection.action: expected one of [block, detect]"
      + " but got 'blok'";

  @TempDir Path dir;
  final HttpClient http = HttpClient.newHttpClient();
  ServeCommand.Running running;
  String token;

  @AfterEach
  void close() throws Exception {
    if (running != null) {
      running.close();
    }
  }

  void serve() throws Exception {
    ServeCommand cmd = new ServeCommand();
    Path data = dir.resolve("data");
    new CommandLine(cmd).parseArgs("--data", data.toString(), "--gateway-host", "127.0.0.1",
        "--allowed-backend-networks", String.join(",", io.gatehouse.testing.GatehouseExtension.LOOPBACK_BACKENDS),
        "--gateway-port", "0", "--management-port", "0", "--portal-port", "0", "--drain-period", "0s");
    running = cmd.start(null, new PrintStream(new ByteArrayOutputStream()));
    token = Files.readString(data.resolve("admin-token")).trim();
  }

  String mgmt() {
    return "http://127.0.0.1:" + running.management().actualPort();
  }

  HttpResponse<String> putConfig(String query, String yaml) throws Exception {
    return http.send(HttpRequest.newBuilder(URI.create(mgmt() + "/api/v1/config" + query))
        .timeout(Duration.ofSeconds(30))
        .header("Authorization", "Bearer " + token)
        .header("Content-Type", "application/yaml")
        .PUT(HttpRequest.BodyPublishers.ofString(yaml)).build(), HttpResponse.BodyHandlers.ofString());
  }

  @Test
  void refusesAMisspelledPolicyOptionInEveryEntryPointWithTheSameProblem() throws Exception {
    serve();
    Path file = dir.resolve("blok.yaml");
    Files.writeString(file, BLOK);
    String expected = file + ":10: " + PROBLEM;

    ServeTest.Cli validate = ServeTest.Cli.run("validate", "-f", file.toString());
    assertThat(validate.code()).isEqualTo(ExitCodes.INVALID);
    assertThat(validate.err().strip()).isEqualTo(expected);

    ServeTest.Cli dry = ServeTest.Cli.run("apply", "-f", file.toString(), "--dry-run", "--server", mgmt(), "--token", token);
    assertThat(dry.code()).isEqualTo(ExitCodes.INVALID);
    assertThat(dry.err().strip()).isEqualTo(expected);
    assertThat(dry.out()).doesNotContain("created");

    for (String query : new String[] {"?dryRun=true", ""}) {
      HttpResponse<String> r = putConfig(query, BLOK);
      assertThat(r.statusCode()).as(query + " " + r.body()).isEqualTo(400);
      JsonNode problems = new ObjectMapper().readTree(r.body()).get("problems");
      assertThat(problems).hasSize(1);
      ConfigProblem p = new ObjectMapper().treeToValue(problems.get(0), ConfigProblem.class);
      assertThat(p.line()).isEqualTo(10); // the body's line: the same text sent as validate read it
      assertThat(p.field() + ": " + p.message()).isEqualTo(PROBLEM);
    }
    assertThat(running.plane().revision().id()).isZero();
  }

  @Test
  void fileModeRefusesTheSameProblemBeforeStarting() throws Exception {
    Path file = dir.resolve("blok.yaml");
    Files.writeString(file, BLOK);
    ServeTest.Cli serve = ServeTest.Cli.run("serve", "--config", file.toString(), "--data", dir.resolve("data").toString(),
        "--gateway-port", "0", "--management-port", "0", "--portal-port", "0", "--drain-period", "0s");
    assertThat(serve.code()).isEqualTo(ExitCodes.INVALID);
    assertThat(serve.err().strip()).isEqualTo(file + ":10: " + PROBLEM);
  }

  @Test
  void dryRunRefusesAnUnknownPolicyNamingFileAndLine() throws Exception {
    serve();
    Path file = dir.resolve("unknown.yaml");
    Files.writeString(file, BLOK.replace("injection-protection: {action: blok}", "no-such-policy: {}"));
    ServeTest.Cli dry = ServeTest.Cli.run("apply", "-f", file.toString(), "--dry-run", "--server", mgmt(), "--token", token);
    assertThat(dry.code()).isEqualTo(ExitCodes.INVALID);
    assertThat(dry.err()).startsWith(file + ":10: apis[0].policies.inbound[0].no-such-policy: unknown policy 'no-such-policy'");
  }

  @Test
  void serverSideDryRunRefusesWhatOnlyTheServerCanCheckAndApplyNamesTheFileLine() throws Exception {
    serve();
    Path file = dir.resolve("cert.yaml");
    Files.writeString(file, BLOK.replace("action: blok", "action: block")
        .replace("url: http://127.0.0.1:9", "url: https://127.0.0.1:9\n    tls: {clientCertificate: nope}"));
    assertThat(ServeTest.Cli.run("validate", "-f", file.toString()).code()).isEqualTo(ExitCodes.OK);

    ServeTest.Cli dry = ServeTest.Cli.run("apply", "-f", file.toString(), "--dry-run", "--server", mgmt(), "--token", token);
    assertThat(dry.code()).isEqualTo(ExitCodes.INVALID);
    assertThat(dry.err()).contains(file + ":4: backends[0].tls.clientCertificate: expected an uploaded certificate");
    assertThat(running.plane().revision().id()).isZero();
  }

  @Test
  void dryRunOfAValidFileStillPlans() throws Exception {
    serve();
    Path file = dir.resolve("ok.yaml");
    Files.writeString(file, BLOK.replace("action: blok", "action: block"));
    ServeTest.Cli dry = ServeTest.Cli.run("apply", "-f", file.toString(), "--dry-run", "--server", mgmt(), "--token", token);
    assertThat(dry.code()).as(dry.err()).isEqualTo(ExitCodes.OK);
    assertThat(dry.out()).contains("2 created, 0 updated, 0 deleted (dry run");
  }
}
