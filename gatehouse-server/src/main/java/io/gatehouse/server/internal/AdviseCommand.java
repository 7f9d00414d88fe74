package io.gatehouse.server.internal;

import io.gatehouse.insight.advisor.Advice;
import io.gatehouse.insight.advisor.PostureAdvisor;
import io.gatehouse.insight.advisor.RuntimeFacts;
import java.nio.file.Path;
import java.time.Instant;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code gatehouse advise}: runs the posture advisor over a configuration file without a server and
 * without its secrets ({@code ${env:NAME}} stays a placeholder), after the same checks as
 * {@code validate}; exits 1 when a finding that is not suppressed reaches {@code --fail-on}, 3 when
 * the configuration is invalid, 2 when the file cannot be read.
 */
@Command(name = "advise", mixinStandardHelpOptions = true,
    description = "Check a configuration file against the security posture rules.",
    exitCodeListHeading = "%nExit status:%n",
    exitCodeList = {"0:no finding at --fail-on or above", "1:a finding at --fail-on or above",
        "2:bad options, or the file is missing or unreadable", "3:the file is not a valid configuration"})
public final class AdviseCommand implements Callable<Integer> {
  @Option(names = "--config", required = true, paramLabel = "FILE", description = "Configuration file (YAML or JSON).")
  Path config;

  @picocli.CommandLine.Mixin FindingReport.Options output;

  @Spec CommandSpec spec;

  @Override
  public Integer call() {
    ConfigFiles.Loaded loaded;
    try {
      loaded = ConfigFiles.withoutSecrets(config);
    } catch (ConfigFiles.Refused e) {
      return e.print(spec.commandLine().getErr());
    }
    Advice advice = PostureAdvisor.defaults().advise(loaded.config(), RuntimeFacts.NONE, Instant.now());
    return output.report(spec, FindingReport.Report.of(advice),
        new FindingReport.Artifact(config, new FindingLocations(loaded.config(), loaded.lines())));
  }
}
