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
          - rate-limit: {calls: 10, period: 1s}
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
            - rate-limit: {calls: 10, period: 1s}
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
  void invalidConfigurationExitsThreeNamingFileAndLine() throws Exception {
    Path cfg = write("bad.yaml", "apis:\n  - name: x\n    path: /x\n    backend: missing\n");
    assertThat(run("advise", "--config", cfg.toString())).isEqualTo(ExitCodes.INVALID);
    assertThat(err.toString()).contains(cfg + ":4: apis[0].backend: unknown backend 'missing'");
    assertThat(out.toString()).doesNotContain("score");
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

  @Test
  void refusesAConfigurationThatWouldNotDeployInsteadOfScoringIt() throws Exception {
    String blok = LOW_ONLY.replace("    - rate-limit: {calls: 10, period: 1s}",
        "    - rate-limit: {calls: 10, period: 1s}\n    - injection-protection: {action: blok}");
    assertThat(blok).contains("blok");
    Path cfg = write("blok.yaml", blok);
    assertThat(run("advise", "--config", cfg.toString())).isEqualTo(ExitCodes.INVALID);
    assertThat(err.toString()).contains(cfg + ":4: policies.inbound[1].injection-protection.action: expected one of"
        + " [block, detect] but got 'blok'");
    assertThat(out.toString()).doesNotContain("score");
    err.getBuffer().setLength(0);
    Path unknown = write("unknown.yaml", blok.replace("injection-protection: {action: blok}", "no-such-policy: {}"));
    assertThat(run("advise", "--config", unknown.toString())).isEqualTo(ExitCodes.INVALID);
    assertThat(err.toString()).contains(unknown + ":4: policies.inbound[1].no-such-policy: unknown policy 'no-such-policy'");
  }

  @Test
  void runsWithoutTheEnvironmentVariablesTheFileNames() throws Exception {
    assertThat(System.getenv("GATEHOUSE_TEST_UNSET_SECRET")).isNull();
    Path cfg = write("env.yaml", LOW_ONLY.replace("https://orders.example.com", "${env:GATEHOUSE_TEST_UNSET_URL}")
        + "namedValues:\n  - name: backend-token\n    type: secret\n    value: ${env:GATEHOUSE_TEST_UNSET_SECRET}\n");
    assertThat(run("advise", "--config", cfg.toString(), "--format", "json")).as(err.toString()).isEqualTo(ExitCodes.OK);
    assertThat(JSON.readTree(out.toString()).get("findings").findValuesAsText("rule"))
        .doesNotContain("named-value.inline-secret");
  }

  static final String PUBLIC_BY_DESIGN = WEAK + """
      advisor:
        suppress:
          - rule: api.no-authentication
            api: open
            reason: public catalogue, by design
      """;

  @Test
  void suppressedFindingIsListedWithItsReasonAndNeitherLowersTheScoreNorFails() throws Exception {
    Path weak = write("weak.yaml", WEAK);
    run("advise", "--config", weak.toString(), "--format", "json");
    int before = JSON.readTree(out.toString()).get("score").asInt();
    out.getBuffer().setLength(0);

    Path cfg = write("public.yaml", PUBLIC_BY_DESIGN);
    assertThat(run("advise", "--config", cfg.toString(), "--format", "json")).isEqualTo(ExitCodes.OK);
    JsonNode doc = JSON.readTree(out.toString());
    assertThat(doc.get("findings").findValuesAsText("rule")).doesNotContain("api.no-authentication");
    assertThat(doc.at("/suppressed/0/rule").asText()).isEqualTo("api.no-authentication");
    assertThat(doc.at("/suppressed/0/resource").asText()).isEqualTo("api open");
    assertThat(doc.at("/suppressed/0/reason").asText()).isEqualTo("public catalogue, by design");
    assertThat(doc.get("score").asInt()).isEqualTo(before + 15); // a high finding weighs 15
    out.getBuffer().setLength(0);

    run("advise", "--config", cfg.toString());
    assertThat(out.toString()).contains(", 1 suppressed").contains("SUPPRESSED  HIGH  api.no-authentication  api open")
        .contains("reason: public catalogue, by design");
    out.getBuffer().setLength(0);

    // only the API named is covered, and the suppressed finding does not trip --fail-on
    String onlyHigh = PUBLIC_BY_DESIGN.replace("    tls: {verify: false}\n", "")
        .replace("value: s3cr3t-inline", "value: not-a-secret").replace("api-secret", "greeting");
    Path quiet = write("quiet.yaml", onlyHigh);
    assertThat(run("advise", "--config", quiet.toString(), "--fail-on", "high")).as(out.toString()).isEqualTo(ExitCodes.OK);
  }

  @Test
  void staleSuppressionIsNoted() throws Exception {
    Path cfg = write("stale.yaml", LOW_ONLY + "advisor:\n  suppress:\n    - {rule: api.no-authentication, reason: legacy}\n");
    run("advise", "--config", cfg.toString(), "--format", "json");
    assertThat(JSON.readTree(out.toString()).get("notes").toString()).contains("api.no-authentication matches no finding");
  }

  @Test
  void sarifNamesTheFileRelativeToTheWorkingDirectoryWithTheLineOfEachFinding() throws Exception {
    Path inTree = Path.of("target", "advise-sarif", "public.yaml");
    Files.createDirectories(inTree.getParent());
    Files.writeString(inTree, PUBLIC_BY_DESIGN);
    run("advise", "--config", inTree.toAbsolutePath().toString(), "--format", "sarif");
    JsonNode results = JSON.readTree(out.toString()).at("/runs/0/results");
    java.util.Map<String, Integer> lines = new java.util.HashMap<>();
    for (JsonNode r : results) {
      JsonNode physical = r.at("/locations/0/physicalLocation");
      assertThat(physical.at("/artifactLocation/uri").asText()).isEqualTo("target/advise-sarif/public.yaml");
      assertThat(physical.at("/artifactLocation/uriBaseId").asText()).isEqualTo("%SRCROOT%");
      lines.put(r.get("ruleId").asText(), physical.at("/region/startLine").asInt());
      if (r.get("ruleId").asText().equals("api.no-authentication")) {
        assertThat(r.at("/suppressions/0/kind").asText()).isEqualTo("inSource");
        assertThat(r.at("/suppressions/0/justification").asText()).isEqualTo("public catalogue, by design");
      } else {
        assertThat(r.has("suppressions")).isFalse();
      }
    }
    assertThat(lines).containsEntry("backend.tls-verify-off", 2).containsEntry("api.no-authentication", 6)
        .containsEntry("api.plain-http", 6).containsEntry("named-value.inline-secret", 11);
    out.getBuffer().setLength(0);

    Path elsewhere = write("weak.yaml", WEAK);
    run("advise", "--config", elsewhere.toString(), "--format", "sarif");
    String uri = JSON.readTree(out.toString()).at("/runs/0/results/0/locations/0/physicalLocation/artifactLocation/uri").asText();
    assertThat(uri).endsWith("/weak.yaml").doesNotStartWith("/").doesNotStartWith("file:");
  }
}
