package io.gatehouse.server.internal;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.gatehouse.insight.advisor.DefenderRecommendations;
import io.gatehouse.server.Main;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** {@code gatehouse advise} and {@code gatehouse audit-spec} as a CI job runs them: formats and exit codes. */
class AdviseCommandTest {
  static final ObjectMapper JSON = new ObjectMapper();

  static final String WEAK = """
      backends:
        - name: b
          url: https://10.1.2.3
          tls: {verify: false}
      apis:
        - name: open
          path: /open
          backend: b
          subscriptionRequired: false
      namedValues:
        - name: api-secret
          value: s3cr3t-inline
      """;

  static final String LOW_ONLY = """
      policies:
        inbound:
          - rate-limit: {calls: 10, renewal-period: 1}
      backends:
        - name: b
          url: https://orders.example.com
      apis:
        - name: orders
          path: /orders
          protocols: [https]
          backend: b
      """;

  static final String SPEC = """
      openapi: 3.0.3
      info: {title: t, version: "1"}
      servers: [{url: "http://api.example.com"}]
      paths:
        /items:
          get:
            parameters:
              - {name: q, in: query, schema: {type: string}}
            responses:
              "200": {description: ok}
      """;

  @TempDir Path dir;
  final StringWriter out = new StringWriter();
  final StringWriter err = new StringWriter();

  int run(String... args) {
    CommandLine cli = new CommandLine(new Main());
    cli.setCaseInsensitiveEnumValuesAllowed(true);
    cli.setOut(new PrintWriter(out, true));
    cli.setErr(new PrintWriter(err, true));
    return cli.execute(args);
  }

  Path write(String name, String text) throws Exception {
    Path p = dir.resolve(name);
    Files.writeString(p, text);
    return p;
  }

  @Test
  void jsonOutputHasScoreAndFindingsAndFailOnHighExitsOne() throws Exception {
    Path cfg = write("weak.yaml", WEAK);
    assertThat(run("advise", "--config", cfg.toString(), "--format", "json", "--fail-on", "high")).isEqualTo(1);
    JsonNode doc = JSON.readTree(out.toString());
    assertThat(doc.get("score").asInt()).isBetween(0, 99);
    assertThat(doc.get("findings").size()).isPositive();
    JsonNode first = doc.get("findings").get(0);
    assertThat(first.fieldNames()).toIterable().contains("rule", "severity", "resource", "title", "remediation", "owasp");
    assertThat(doc.get("findings").findValuesAsText("rule"))
        .contains("api.no-authentication", "backend.tls-verify-off", "named-value.inline-secret");
  }

  @Test
  void exitsZeroWhenNoFindingReachesTheThreshold() throws Exception {
    Path cfg = write("ok.yaml", LOW_ONLY);
    assertThat(run("advise", "--config", cfg.toString(), "--fail-on", "medium")).isEqualTo(0);
    assertThat(out.toString()).contains("score").contains("finding");
    assertThat(run("advise", "--config", cfg.toString(), "--fail-on", "low")).isEqualTo(1);
    Path weak = write("weak.yaml", WEAK);
    assertThat(run("advise", "--config", weak.toString())).isEqualTo(0);
  }

  @Test
  void referencedSecretIsNotReportedAsInline() throws Exception {
    Path cfg = write("ref.yaml", LOW_ONLY + "namedValues:\n  - name: backend-token\n    value: ${env:HOME}\n");
    assertThat(run("advise", "--config", cfg.toString(), "--format", "json")).isEqualTo(0);
    assertThat(JSON.readTree(out.toString()).get("findings").findValuesAsText("rule"))
        .doesNotContain("named-value.inline-secret");
  }

  @Test
  void sarifOutputIsVersionTwoOneWithRulesAndResults() throws Exception {
    Path cfg = write("weak.yaml", WEAK);
    run("advise", "--config", cfg.toString(), "--format", "sarif");
    JsonNode doc = JSON.readTree(out.toString());
    assertThat(doc.get("version").asText()).isEqualTo("2.1.0");
    JsonNode run = doc.get("runs").get(0);
    assertThat(run.at("/tool/driver/name").asText()).isEqualTo("gatehouse");
    JsonNode results = run.get("results");
    assertThat(results.size()).isPositive();
    for (JsonNode r : results) {
      assertThat(r.get("level").asText()).isIn("error", "warning", "note");
      assertThat(run.at("/tool/driver/rules/" + r.get("ruleIndex").asInt() + "/id").asText()).isEqualTo(r.get("ruleId").asText());
      assertThat(r.at("/message/text").asText()).isNotBlank();
      assertThat(r.at("/locations/0/physicalLocation/artifactLocation/uri").asText()).endsWith("weak.yaml");
    }
  }

  /** Breaks every configuration rule that matches a Defender recommendation (the rest need a running server). */
  static final String DEFENDER = """
      backends:
        - name: b
          url: https://orders.example.com
          tls: {verify: false}
      apis:
        - name: orders
          path: /orders
          protocols: [http, https]
          backend: b
          subscriptionRequired: false
      subscriptions:
        - name: everything
          scope: all
      namedValues:
        - name: db-password
          value: hunter2
      """;

  static final List<String> CONFIGURATION_DEFENDER_TITLES = List.of(
      DefenderRecommendations.ENDPOINTS_AUTHENTICATED, DefenderRecommendations.SUBSCRIPTIONS_NOT_ALL_APIS,
      DefenderRecommendations.BACKEND_CERTIFICATE_VALIDATION, DefenderRecommendations.ENCRYPTED_PROTOCOLS,
      DefenderRecommendations.SECRET_NAMED_VALUES, DefenderRecommendations.BACKEND_CALLS_AUTHENTICATED);

  @Test
  void findingsNameTheirDefenderRecommendationInJsonSarifAndText() throws Exception {
    Path cfg = write("defender.yaml", DEFENDER);
    run("advise", "--config", cfg.toString(), "--format", "json");
    assertThat(JSON.readTree(out.toString()).get("findings").findValuesAsText("defender"))
        .containsAll(CONFIGURATION_DEFENDER_TITLES);
    out.getBuffer().setLength(0);
    run("advise", "--config", cfg.toString(), "--format", "sarif");
    JsonNode results = JSON.readTree(out.toString()).at("/runs/0/results");
    List<String> sarif = new java.util.ArrayList<>();
    results.forEach(r -> {
      if (r.at("/properties/defender").isTextual()) {
        sarif.add(r.at("/properties/defender").asText());
      }
    });
    assertThat(sarif).containsAll(CONFIGURATION_DEFENDER_TITLES);
    out.getBuffer().setLength(0);
    run("advise", "--config", cfg.toString());
    for (String title : CONFIGURATION_DEFENDER_TITLES) {
      assertThat(out.toString()).contains("  defender: " + title + "\n");
    }
  }

  @Test
  void hardenedConfigurationNamesNoDefenderRecommendation() throws Exception {
    String hardened = """
        policies:
          inbound:
            - rate-limit: {calls: 10, renewal-period: 1}
        backends:
          - name: b
            url: https://orders.example.com
            credentials:
              header: {name: X-Api-Key, value: "${nv:backend-key}"}
        apis:
          - name: orders
            path: /orders
            protocols: [https]
            backend: b
        subscriptions:
          - name: s1
            scope: api:orders
        namedValues:
          - name: backend-key
            type: reference
            ref: env:HOME
        """;
    Path cfg = write("hardened.yaml", hardened);
    assertThat(run("advise", "--config", cfg.toString(), "--format", "json")).isEqualTo(0);
    JsonNode doc = JSON.readTree(out.toString());
    assertThat(doc.get("findings").findValuesAsText("defender")).isEmpty();
    assertThat(doc.get("findings").findValuesAsText("rule")).doesNotContain("backend.no-credentials");
  }

  @Test
  void invalidConfigurationExitsThree() throws Exception {
    Path cfg = write("bad.yaml", "apis:\n  - name: x\n    path: /x\n    backend: missing\n");
    assertThat(run("advise", "--config", cfg.toString())).isEqualTo(ExitCodes.INVALID);
    assertThat(err.toString()).contains("not a valid configuration");
  }

  @Test
  void auditSpecReportsFindingsInEachFormat() throws Exception {
    Path spec = write("api.yaml", SPEC);
    assertThat(run("audit-spec", spec.toString(), "--fail-on", "high")).isEqualTo(1);
    assertThat(out.toString()).contains("openapi.operation-without-security");
    out.getBuffer().setLength(0);
    assertThat(run("audit-spec", spec.toString(), "--format", "json")).isEqualTo(0);
    assertThat(JSON.readTree(out.toString()).get("findings").findValuesAsText("rule")).contains("openapi.http-server");
    out.getBuffer().setLength(0);
    run("audit-spec", spec.toString(), "--format", "sarif");
    assertThat(JSON.readTree(out.toString()).get("version").asText()).isEqualTo("2.1.0");
  }

  @Test
  void auditSpecOfADocumentThatIsNotOpenApiExitsThree() throws Exception {
    Path spec = write("junk.yaml", "hello: world\n");
    assertThat(run("audit-spec", spec.toString())).isEqualTo(ExitCodes.INVALID);
  }
}
