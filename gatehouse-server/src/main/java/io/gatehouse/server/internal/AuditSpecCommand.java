package io.gatehouse.server.internal;

import io.gatehouse.insight.Finding;
import io.gatehouse.insight.audit.OpenApiAuditor;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code gatehouse audit-spec}: audits an OpenAPI or Swagger document and exits 1 when a finding
 * reaches the {@code --fail-on} severity (2 when the file cannot be read or parsed).
 */
@Command(name = "audit-spec", mixinStandardHelpOptions = true,
    description = "Audit an OpenAPI (3.0, 3.1) or Swagger 2.0 document for security problems.")
public final class AuditSpecCommand implements Callable<Integer> {
  @Parameters(index = "0", paramLabel = "FILE", description = "The OpenAPI document (JSON or YAML).")
  Path file;

  @picocli.CommandLine.Mixin FindingReport.Options output;

  @Spec CommandSpec spec;

  @Override
  public Integer call() {
    // The OpenAPI parser logs every failure with a stack trace; this command says what is wrong in one line.
    ((ch.qos.logback.classic.Logger) org.slf4j.LoggerFactory.getLogger("io.swagger"))
        .setLevel(ch.qos.logback.classic.Level.OFF);
    List<Finding> findings;
    try {
      String document = Files.readString(file);
      try {
        io.gatehouse.model.ConfigMapper.yaml().readTree(document); // YAML or JSON: a syntax error told with its line
      } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
        io.gatehouse.model.ConfigProblem p = io.gatehouse.model.ReadErrors.describe(e, "YAML or JSON");
        spec.commandLine().getErr().println("error: cannot audit " + p.locate(file.toString(), p.line()));
        return ExitCodes.USAGE;
      }
      findings = OpenApiAuditor.audit(document);
    } catch (IOException e) {
      spec.commandLine().getErr().println("error: cannot audit " + file + ": " + IoMessages.describe(e));
      return ExitCodes.USAGE;
    } catch (RuntimeException e) {
      spec.commandLine().getErr().println("error: cannot audit " + file + ": "
          + io.gatehouse.model.ReadErrors.scrub(e.getMessage()));
      return ExitCodes.USAGE;
    }
    return output.report(spec, null, findings, List.of(), file.toString());
  }
}
