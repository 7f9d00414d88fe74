package io.gatehouse.server.internal;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.gatehouse.insight.Finding;
import io.gatehouse.insight.advisor.Advice;
import io.gatehouse.insight.advisor.Suppressed;
import io.gatehouse.insight.Severity;
import io.gatehouse.model.ConfigMapper;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.ToIntFunction;

/**
 * Renders findings (and suppressed findings with their reasons) as text, JSON
 * ({@code {"score", "findings", "suppressed"}}) or SARIF 2.1.0 for CI tools; a
 * finding that matches a Defender for Cloud recommendation carries its title as {@code defender}
 * (a JSON field, a SARIF result property, a {@code defender:} line of text).
 */
final class FindingReport {
  /** Output formats of {@code advise} and {@code audit-spec}. */
  enum Format { TEXT, JSON, SARIF }

  /**
   * What a report shows.
   *
   * @param score the score, or {@code null} when the analysis has none
   * @param findings the findings, most severe first
   * @param suppressed the findings accepted on purpose, with their reasons
   * @param notes remarks about the analysis
   */
  record Report(Integer score, List<Finding> findings, List<Suppressed> suppressed, List<String> notes) {
    Report {
      findings = List.copyOf(findings);
      suppressed = List.copyOf(suppressed);
      notes = List.copyOf(notes);
    }

    /** The report of the posture advisor's {@code advice}. */
    static Report of(Advice advice) {
      return new Report(advice.score(), advice.findings(), advice.suppressed(), advice.notes());
    }
  }

  /**
   * The file a report is about: SARIF names it relative to the working directory and points each
   * finding at the line {@code lines} gives (0: no line).
   */
  record Artifact(Path file, ToIntFunction<Finding> lines) {
    /** The file as a relative URI with '/' separators, relative to the working directory. */
    String uri() {
      Path absolute = file.toAbsolutePath().normalize();
      Path base = Path.of("").toAbsolutePath().normalize();
      Path relative = absolute.getRoot() != null && absolute.getRoot().equals(base.getRoot())
          ? base.relativize(absolute) : file.normalize();
      List<String> parts = new ArrayList<>();
      relative.forEach(part -> parts.add(URLEncoder.encode(part.toString(), StandardCharsets.UTF_8).replace("+", "%20")));
      return String.join("/", parts);
    }
  }

  /**
   * The options {@code advise} and {@code audit-spec} share: the output format and the severity at
   * which the command fails.
   */
  static final class Options {
    @picocli.CommandLine.Option(names = "--format", paramLabel = "FORMAT", defaultValue = "text", description = "text, json or sarif (default text).")
    Format format;

    @picocli.CommandLine.Option(names = "--fail-on", paramLabel = "SEVERITY",
        description = "Exit 1 when a finding that is not suppressed is at least this severe: high, medium or low.")
    Severity failOn;

    /**
     * Prints {@code report} about {@code artifact} to {@code spec}'s output; returns the exit status
     * (1 when a finding that is not suppressed is at {@code --fail-on}).
     */
    int report(picocli.CommandLine.Model.CommandSpec spec, Report report, Artifact artifact) {
      spec.commandLine().getOut().print(render(format, report, artifact));
      spec.commandLine().getOut().flush();
      return fails(report.findings(), failOn) ? ExitCodes.CHECK_FAILED : ExitCodes.OK;
    }
  }

  private FindingReport() {}

  static String render(Format format, Report report, Artifact artifact) {
    switch (format) {
      case JSON: return json(report);
      case SARIF: return sarif(report, artifact);
      default: return text(report);
    }
  }

  static String text(Report report) {
    StringBuilder sb = new StringBuilder();
    if (report.score() != null) {
      sb.append("score ").append(report.score()).append("/100, ");
    }
    List<Finding> findings = report.findings();
    sb.append(findings.size()).append(findings.size() == 1 ? " finding" : " findings");
    if (!report.suppressed().isEmpty()) {
      sb.append(", ").append(report.suppressed().size()).append(" suppressed");
    }
    sb.append('\n');
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
    for (Suppressed s : report.suppressed()) {
      Finding f = s.finding();
      sb.append('\n').append("SUPPRESSED  ").append(f.severity()).append("  ").append(f.rule()).append("  ")
          .append(f.resource()).append('\n')
          .append("  ").append(f.title()).append('\n')
          .append("  reason: ").append(s.reason()).append('\n');
    }
    for (String n : report.notes()) {
      sb.append("\nnote: ").append(n).append('\n');
    }
    return sb.toString();
  }

  static String json(Report report) {
    return tree(report).toPrettyString() + "\n";
  }

  /**
   * The JSON document of a report: {@code score} (when given), {@code findings}, {@code suppressed}
   * (when any, each with its {@code reason}) and {@code notes} (when any); also the body of
   * {@code GET /api/v1/security/recommendations}.
   */
  static ObjectNode tree(Report report) {
    ObjectMapper m = ConfigMapper.json();
    ObjectNode root = m.createObjectNode();
    if (report.score() != null) {
      root.put("score", report.score());
    }
    ArrayNode arr = root.putArray("findings");
    for (Finding f : report.findings()) {
      finding(arr.addObject(), f);
    }
    if (!report.suppressed().isEmpty()) {
      ArrayNode sup = root.putArray("suppressed");
      for (Suppressed s : report.suppressed()) {
        finding(sup.addObject(), s.finding()).put("reason", s.reason());
      }
    }
    if (!report.notes().isEmpty()) {
      ArrayNode n = root.putArray("notes");
      report.notes().forEach(n::add);
    }
    return root;
  }

  private static ObjectNode finding(ObjectNode o, Finding f) {
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
    return o;
  }

  /**
   * SARIF 2.1.0: the artifact as a URI relative to the working directory ({@code uriBaseId}
   * {@code %SRCROOT%}), a {@code region.startLine} where the finding's entity is written, and each
   * suppressed finding as a result with an in-source suppression carrying its reason.
   */
  static String sarif(Report report, Artifact artifact) {
    ObjectMapper m = ConfigMapper.json();
    ObjectNode root = m.createObjectNode();
    root.put("$schema", "https://json.schemastore.org/sarif-2.1.0.json");
    root.put("version", "2.1.0");
    ObjectNode run = root.putArray("runs").addObject();
    ObjectNode driver = run.putObject("tool").putObject("driver");
    driver.put("name", "gatehouse");
    driver.put("informationUri", "https://github.com/gatehouse/gatehouse");
    ArrayNode rules = driver.putArray("rules");
    List<Finding> all = new ArrayList<>(report.findings());
    report.suppressed().forEach(s -> all.add(s.finding()));
    Map<String, Integer> index = new LinkedHashMap<>();
    for (Finding f : all) {
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
    String uri = artifact.uri();
    for (Finding f : report.findings()) {
      result(results.addObject(), f, index, uri, artifact.lines().applyAsInt(f));
    }
    for (Suppressed s : report.suppressed()) {
      ObjectNode res = result(results.addObject(), s.finding(), index, uri, artifact.lines().applyAsInt(s.finding()));
      res.putArray("suppressions").addObject().put("kind", "inSource").put("justification", s.reason());
    }
    return root.toPrettyString() + "\n";
  }

  private static ObjectNode result(ObjectNode res, Finding f, Map<String, Integer> index, String uri, int line) {
    res.put("ruleId", f.rule());
    res.put("ruleIndex", index.get(f.rule()));
    res.put("level", level(f.severity()));
    res.putObject("message").put("text", f.title() + ": " + f.resource() + ". " + f.remediation());
    ObjectNode loc = res.putArray("locations").addObject();
    ObjectNode physical = loc.putObject("physicalLocation");
    physical.putObject("artifactLocation").put("uri", uri).put("uriBaseId", "%SRCROOT%");
    if (line > 0) {
      physical.putObject("region").put("startLine", line);
    }
    loc.putArray("logicalLocations").addObject().put("fullyQualifiedName", f.resource());
    ObjectNode properties = res.putObject("properties").put("owasp", f.owasp()).put("severity", f.severity().name());
    if (f.defender() != null) {
      properties.put("defender", f.defender());
    }
    return res;
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
