package io.gatehouse.server.internal;

import static org.assertj.core.api.Assertions.assertThat;

import io.gatehouse.server.Main;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** {@code gatehouse validate -f} as a CI job runs it: offline, without secrets, one line per problem. */
class ValidateCommandTest {
  /** Valid, with every kind of value a CI runner does not have: environment, sealed secret, reference. */
  static final String GOOD = """
      policies:
        inbound:
          - rate-limit: {calls: 10, period: 1s}
      backends:
        - name: b
          url: ${env:GATEHOUSE_TEST_UNSET_BACKEND_URL}
          credentials:
            header: {name: X-Api-Key, value: "${nv:backend-key}"}
      apis:
        - name: orders
          path: /orders
          protocols: [https]
          backend: b
          policies:
            inbound:
              - injection-protection: {action: block}
              - set-header: {name: X-Signed, value: "${nv:sealed-one}"}
              - set-header: {name: X-Env, value: "${nv:from-env}"}
      namedValues:
        - name: backend-key
          type: reference
          ref: env:GATEHOUSE_TEST_UNSET_KEY
        - name: sealed-one
          type: secret
          sealed: v1:not-a-real-sealed-value
        - name: from-env
          type: secret
          value: ${env:GATEHOUSE_TEST_UNSET_SECRET}
      """;

  @TempDir Path dir;
  final StringWriter out = new StringWriter();
  final StringWriter err = new StringWriter();

  int run(String... args) {
    CommandLine cli = new CommandLine(new Main());
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
  void acceptsAValidFileWhoseSecretsAndEnvironmentAreNotAvailable() throws Exception {
    assertThat(System.getenv("GATEHOUSE_TEST_UNSET_BACKEND_URL")).isNull();
    Path cfg = write("good.yaml", GOOD);
    assertThat(run("validate", "-f", cfg.toString())).as(err.toString()).isEqualTo(ExitCodes.OK);
    assertThat(err.toString()).isEmpty();
    assertThat(out.toString()).contains("valid");
  }

  @Test
  void refusesAMisspelledPolicyOptionNamingFileAndLine() throws Exception {
    Path cfg = write("blok.yaml", GOOD.replace("{action: block}", "{action: blok}"));
    assertThat(run("validate", "-f", cfg.toString())).isEqualTo(ExitCodes.INVALID);
    assertThat(err.toString()).isEqualTo(cfg + ":16: apis[0].policies.inbound[0].injection-protection.action: "
        + "expected one of [block, detect] but got 'blok'" + System.lineSeparator());
  }

  @Test
  void refusesAnUnknownPolicyNamingFileAndLine() throws Exception {
    Path cfg = write("unknown.yaml", GOOD.replace("injection-protection: {action: block}", "no-such-policy: {}"));
    assertThat(run("validate", "-f", cfg.toString())).isEqualTo(ExitCodes.INVALID);
    assertThat(err.toString()).startsWith(cfg + ":16: apis[0].policies.inbound[0].no-such-policy: unknown policy "
        + "'no-such-policy'; known policies are [");
    assertThat(err.toString().lines()).hasSize(1);
  }

  @Test
  void printsOneLinePerProblem() throws Exception {
    Path cfg = write("two.yaml", GOOD.replace("{action: block}", "{action: blok}").replace("backend: b", "backend: c"));
    assertThat(run("validate", "-f", cfg.toString())).isEqualTo(ExitCodes.INVALID);
    // the model's problem comes first; the compile check runs once the model accepts the file
    assertThat(err.toString().lines()).containsExactly(cfg + ":13: apis[0].backend: unknown backend 'c'; expected one of [b]");
  }

  @Test
  void missingOrUnreadableFileExitsTwo() throws Exception {
    assertThat(run("validate", "-f", dir.resolve("absent.yaml").toString())).isEqualTo(ExitCodes.USAGE);
    assertThat(err.toString()).contains("cannot read").contains("absent.yaml").doesNotContain("Exception");
    err.getBuffer().setLength(0);
    Path junk = write("junk.yaml", "apis: [\n  {name: x\n");
    assertThat(run("validate", "-f", junk.toString())).isEqualTo(ExitCodes.USAGE);
    assertThat(err.toString()).startsWith(junk + ":");
  }

  @Test
  void suppressionNeedsAReason() throws Exception {
    Path without = write("noreason.yaml", GOOD + "advisor:\n  suppress:\n    - rule: api.no-rate-limit\n      api: orders\n");
    assertThat(run("validate", "-f", without.toString())).isEqualTo(ExitCodes.INVALID);
    assertThat(err.toString()).contains(without + ":31: advisor.suppress[0].reason: missing required field 'reason'");
    err.getBuffer().setLength(0);
    Path with = write("reason.yaml", GOOD
        + "advisor:\n  suppress:\n    - {rule: api.no-rate-limit, api: orders, reason: internal batch client}\n");
    assertThat(run("validate", "-f", with.toString())).as(err.toString()).isEqualTo(ExitCodes.OK);
    Path unknownApi = write("unknownapi.yaml", GOOD
        + "advisor:\n  suppress:\n    - {rule: api.no-rate-limit, api: nope, reason: r}\n");
    assertThat(run("validate", "-f", unknownApi.toString())).isEqualTo(ExitCodes.INVALID);
    assertThat(err.toString()).contains("advisor.suppress[0].api: unknown API 'nope'");
  }
}
