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
    List<Finding> findings;
    try {
      findings = OpenApiAuditor.audit(Files.readString(file));
    } catch (IOException | RuntimeException e) {
      spec.commandLine().getErr().println("error: cannot audit " + file + ": " + e.getMessage());
      return 2;
    }
    return output.report(spec, new FindingReport.Report(null, findings, List.of(), List.of()),
        new FindingReport.Artifact(file, FindingLocations.NONE));
  }
}
