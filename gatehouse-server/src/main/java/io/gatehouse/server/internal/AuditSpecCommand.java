package io.gatehouse.server.internal;

import com.fasterxml.jackson.core.JsonProcessingException;
import io.gatehouse.insight.Finding;
import io.gatehouse.insight.audit.OpenApiAuditor;
import io.gatehouse.model.ConfigMapper;
import io.gatehouse.model.ConfigProblem;
import io.gatehouse.model.ReadErrors;
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
 * reaches the {@code --fail-on} severity (2 when the file cannot be read, 3 when it is not an OpenAPI document).
 */
@Command(name = "audit-spec", mixinStandardHelpOptions = true,
    description = "Audit an OpenAPI (3.0, 3.1) or Swagger 2.0 document for security problems.",
    exitCodeListHeading = "%nExit status:%n",
    exitCodeList = {"0:no finding at --fail-on or above", "1:a finding at --fail-on or above",
        "2:bad options, or the file is missing or unreadable", "3:the file is not an OpenAPI or Swagger document"})
public final class AuditSpecCommand implements Callable<Integer> {
  @Parameters(index = "0", paramLabel = "FILE", description = "The OpenAPI document (JSON or YAML).")
  Path file;

  @picocli.CommandLine.Mixin FindingReport.Options output;

  @Spec CommandSpec spec;

  @Override
  public Integer call() {
    String unreadable = InputFiles.unreadable(file);
    if (unreadable != null) {
      spec.commandLine().getErr().println("error: " + unreadable);
      return ExitCodes.USAGE;
    }
    // The OpenAPI parser logs every failure with a stack trace; this command says what is wrong in one line.
    ((ch.qos.logback.classic.Logger) org.slf4j.LoggerFactory.getLogger("io.swagger"))
        .setLevel(ch.qos.logback.classic.Level.OFF);
    String text;
    try {
      text = Files.readString(file);
    } catch (IOException e) {
      spec.commandLine().getErr().println("error: cannot read " + file + ": " + IoMessages.describe(e));
      return ExitCodes.USAGE;
    }
    com.fasterxml.jackson.databind.JsonNode tree;
    try {
      tree = ConfigMapper.yaml().readTree(text); // YAML or JSON at all: a syntax error told with its line
    } catch (JsonProcessingException e) {
      ConfigProblem p = ReadErrors.describe(e, "YAML or JSON");
      spec.commandLine().getErr().println("error: cannot audit " + p.locate(file.toString(), p.line()));
      return ExitCodes.USAGE;
    }
    List<Finding> findings;
    try {
      findings = OpenApiAuditor.audit(text);
    } catch (RuntimeException e) {
      spec.commandLine().getErr().println("error: " + file + " is not an OpenAPI 3.x or Swagger 2.0 document: "
          + ReadErrors.scrub(e.getMessage()));
      return ExitCodes.INVALID;
    }
    return output.report(spec, new FindingReport.Report(null, findings, List.of(), List.of()),
        new FindingReport.Artifact(file, new OpenApiLocations(
            tree == null ? com.fasterxml.jackson.databind.node.MissingNode.getInstance() : tree,
            io.gatehouse.model.SourceLines.of(text))));
  }
}
