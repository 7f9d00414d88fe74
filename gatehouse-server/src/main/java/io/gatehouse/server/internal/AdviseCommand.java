package io.gatehouse.server.internal;

import com.fasterxml.jackson.databind.JsonNode;
import io.gatehouse.insight.advisor.Advice;
import io.gatehouse.insight.advisor.PostureAdvisor;
import io.gatehouse.insight.advisor.RuntimeFacts;
import io.gatehouse.model.ConfigException;
import io.gatehouse.model.ConfigMapper;
import io.gatehouse.model.GatewayConfig;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code gatehouse advise}: runs the posture advisor over a configuration file without a server and
 * exits 1 when a finding reaches the {@code --fail-on} severity (2 when the file cannot be read, 3 when it is invalid).
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
    String unreadable = InputFiles.unreadable(config);
    if (unreadable != null) {
      spec.commandLine().getErr().println("error: " + unreadable);
      return ExitCodes.USAGE;
    }
    GatewayConfig cfg;
    try {
      cfg = FileSource.load(config);
    } catch (ConfigException e) {
      spec.commandLine().getErr().println("error: " + config + " is not a valid configuration:");
      e.problems().forEach(p -> spec.commandLine().getErr().println("  " + p));
      return ExitCodes.INVALID;
    }
    RuntimeFacts facts = RuntimeFacts.NONE.withNamedValueSources(namedValueSources(config));
    Advice advice = PostureAdvisor.defaults().advise(cfg, facts, Instant.now());
    return output.report(spec, advice.score(), advice.findings(), advice.notes(), config.toString());
  }

  /** Named values as written, before {@code ${env:...}} substitution, so references are told from inline values. */
  static Map<String, String> namedValueSources(Path file) {
    Map<String, String> out = new HashMap<>();
    try {
      JsonNode root = ConfigMapper.yaml().readTree(Files.readString(file));
      JsonNode nvs = root == null ? null : root.get("namedValues");
      if (nvs != null && nvs.isArray()) {
        for (JsonNode nv : nvs) {
          if (nv.hasNonNull("name") && nv.hasNonNull("value")) {
            out.put(nv.get("name").asText(), nv.get("value").asText());
          }
        }
      }
    } catch (IOException | RuntimeException e) {
      return Map.of();
    }
    return out;
  }
}
