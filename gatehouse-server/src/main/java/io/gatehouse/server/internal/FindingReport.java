package io.gatehouse.server.internal;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.gatehouse.insight.Finding;
import io.gatehouse.insight.Severity;
import io.gatehouse.model.ConfigMapper;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Renders findings as text, JSON ({@code {"score", "findings"}}) or SARIF 2.1.0 for CI tools; a
 * finding that matches a Defender for Cloud recommendation carries its title as {@code defender}
 * (a JSON field, a SARIF result property, a {@code defender:} line of text).
 */
final class FindingReport {
  /** Output formats of {@code advise} and {@code audit-spec}. */
  enum Format { TEXT, JSON, SARIF }

  /**
   * The options {@code advise} and {@code audit-spec} share: the output format and the severity at
   * which the command fails.
   */
  static final class Options {
    @picocli.CommandLine.Option(names = "--format", paramLabel = "FORMAT", defaultValue = "text", description = "text, json or sarif (default text).")
    Format format;

    @picocli.CommandLine.Option(names = "--fail-on", paramLabel = "SEVERITY",
        description = "Exit 1 when a finding is at least this severe: high, medium or low.")
    Severity failOn;

    /** Prints the report of {@code findings} to {@code spec}'s output; returns the exit status (1 at {@code --fail-on}). */
    int report(picocli.CommandLine.Model.CommandSpec spec, Integer score, List<Finding> findings, List<String> notes,
        String artifact) {
      spec.commandLine().getOut().print(render(format, score, findings, notes, artifact));
      spec.commandLine().getOut().flush();
      return fails(findings, failOn) ? ExitCodes.CHECK_FAILED : ExitCodes.OK;
    }
  }

  private FindingReport() {}

  static String render(Format format, Integer score, List<Finding> findings, List<String> notes, String artifact) {
    switch (format) {
      case JSON: return json(score, findings, notes);
      case SARIF: return sarif(findings, artifact);
      default: return text(score, findings, notes);
    }
  }

  static String text(Integer score, List<Finding> findings, List<String> notes) {
    StringBuilder sb = new StringBuilder();
    if (score != null) {
      sb.append("score ").append(score).append("/100, ");
    }
    sb.append(findings.size()).append(findings.size() == 1 ? " finding" : " findings").append('\n');
    for (Finding f : findings) {
      sb.append('\n').append(f.severity()).append("  ").append(f.rule()).append("  ").append(f.resource()).append('\n')
          .append("  ").append(f.title()).append('\n')
          .append("  why: ").append(f.explanation()).append('\n')
          .append("  fix: ").append(f.remediation()).append('\n')
          .append("  ").append(f.owasp()).append('\n');
      if (f.defender() != null) {
        sb.append("  defender: ").append(f.defender()).append('\n');
      }
    }
    for (String n : notes) {
      sb.append("\nnote: ").append(n).append('\n');
    }
    return sb.toString();
  }

  static String json(Integer score, List<Finding> findings, List<String> notes) {
    return tree(score, findings, notes).toPrettyString() + "\n";
  }

  /**
   * The JSON document of a report: {@code score} (when given), {@code findings}, and {@code notes}
   * (when any); also the body of {@code GET /api/v1/security/recommendations}.
   */
  static ObjectNode tree(Integer score, List<Finding> findings, List<String> notes) {
    ObjectMapper m = ConfigMapper.json();
    ObjectNode root = m.createObjectNode();
    if (score != null) {
      root.put("score", score);
    }
    ArrayNode arr = root.putArray("findings");
    for (Finding f : findings) {
      ObjectNode o = arr.addObject();
      o.put("rule", f.rule());
      o.put("severity", f.severity().name().toLowerCase(java.util.Locale.ROOT));
      o.put("resource", f.resource());
      o.put("title", f.title());
      o.put("explanation", f.explanation());
      o.put("remediation", f.remediation());
      o.put("owasp", f.owasp());
      if (f.defender() != null) {
        o.put("defender", f.defender());
      }
    }
    if (!notes.isEmpty()) {
      ArrayNode n = root.putArray("notes");
      notes.forEach(n::add);
    }
    return root;
  }

  static String sarif(List<Finding> findings, String artifact) {
    ObjectMapper m = ConfigMapper.json();
    ObjectNode root = m.createObjectNode();
    root.put("$schema", "https://json.schemastore.org/sarif-2.1.0.json");
    root.put("version", "2.1.0");
    ObjectNode run = root.putArray("runs").addObject();
    ObjectNode driver = run.putObject("tool").putObject("driver");
    driver.put("name", "gatehouse");
    driver.put("informationUri", "https://github.com/gatehouse/gatehouse");
    ArrayNode rules = driver.putArray("rules");
    Map<String, Integer> index = new LinkedHashMap<>();
    for (Finding f : findings) {
      if (index.containsKey(f.rule())) {
        continue;
      }
      index.put(f.rule(), index.size());
      ObjectNode r = rules.addObject();
      r.put("id", f.rule());
      r.putObject("shortDescription").put("text", f.title());
      r.putObject("fullDescription").put("text", f.explanation());
      r.putObject("help").put("text", f.remediation());
      r.putObject("defaultConfiguration").put("level", level(f.severity()));
      r.putObject("properties").putArray("tags").add("security").add(f.owasp());
    }
    ArrayNode results = run.putArray("results");
    for (Finding f : findings) {
      ObjectNode res = results.addObject();
      res.put("ruleId", f.rule());
      res.put("ruleIndex", index.get(f.rule()));
      res.put("level", level(f.severity()));
      res.putObject("message").put("text", f.title() + ": " + f.resource() + ". " + f.remediation());
      ObjectNode loc = res.putArray("locations").addObject();
      loc.putObject("physicalLocation").putObject("artifactLocation").put("uri", artifact);
      loc.putArray("logicalLocations").addObject().put("fullyQualifiedName", f.resource());
      ObjectNode properties = res.putObject("properties").put("owasp", f.owasp()).put("severity", f.severity().name());
      if (f.defender() != null) {
        properties.put("defender", f.defender());
      }
    }
    return root.toPrettyString() + "\n";
  }

  static String level(Severity s) {
    switch (s) {
      case HIGH: return "error";
      case MEDIUM: return "warning";
      default: return "note";
    }
  }

  /** Whether some finding is at {@code threshold} or more severe; {@code threshold} null means never. */
  static boolean fails(List<Finding> findings, Severity threshold) {
    return threshold != null && findings.stream().anyMatch(f -> f.severity().ordinal() <= threshold.ordinal());
  }
}
