package io.gatehouse.server.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code validate} and {@code advise} check a file offline and print only their own output: the gateway's runtime
 * warnings (such as the one for {@code tls.verify: false}) belong to a running server, not to a compile check. Both
 * streams are checked whole, since the tests' logging configuration writes to standard output and the product's to
 * standard error.
 */
class OfflineChecksStderrTest {
  static final String UNVERIFIED = """
      backends:
        - name: b
          url: https://10.1.2.3
          tls: {verify: false}
        - name: pool
          members:
            - url: https://10.1.2.4
            - url: https://10.1.2.5
          tls: {verify: false}
      apis:
        - name: orders
          path: /orders
          backend: b
          subscriptionRequired: false
          policies:
            inbound:
              - rate-limit: {calls: 10, period: 1s}
        - name: stock
          path: /stock
          backend: pool
          subscriptionRequired: false
      """;

  @TempDir Path dir;

  @Test
  void validatePrintsOnlyItsVerdictAndNoRuntimeWarning() throws Exception {
    Path file = Files.writeString(dir.resolve("gatehouse.yaml"), UNVERIFIED);

    ServeTest.Cli r = ServeTest.Cli.run("validate", "-f", file.toString());

    assertThat(r.code()).as(r.err()).isZero();
    assertThat(r.out()).isEqualTo(file + ": valid" + System.lineSeparator());
    assertThat(r.err()).isEmpty();
  }

  @Test
  void advisePrintsOnlyItsReportAndNoRuntimeWarning() throws Exception {
    Path file = Files.writeString(dir.resolve("gatehouse.yaml"), UNVERIFIED);

    ServeTest.Cli r = ServeTest.Cli.run("advise", "--config", file.toString());

    assertThat(r.code()).as(r.err()).isZero();
    assertThat(r.out()).contains("backend.tls-verify-off") // the advisor's finding says it
        .doesNotContain("NOT checked");
    assertThat(r.out().lines()).noneMatch(line -> line.matches("\\d\\d:\\d\\d:\\d\\d\\.\\d{3} .*")); // no log line
    assertThat(r.err()).isEmpty();
  }
}
