package io.gatehouse.model;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.gatehouse.model.internal.ExpandingParser;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads a declarative configuration (YAML or JSON): expands {@code ${env:NAME}} (or keeps it, see
 * {@link #keepingPlaceholders()}), maps it onto the model, resolves OpenAPI documents, validates
 * it with the model's rules and then with the added checks ({@link #withCheck}), and reports every
 * problem with its source, line and field.
 */
public final class ConfigLoader {
  private static final Pattern ENV = Pattern.compile("\\$\\{env:([A-Za-z_][A-Za-z0-9_]*)}");

  private final Map<String, String> environment;
  private final OpenApiImporter importer;
  private final boolean inlineOnly;
  private final boolean keepPlaceholders;
  private final List<Function<GatewayConfig, List<ConfigProblem>>> checks;

  private ConfigLoader(Map<String, String> environment, OpenApiImporter importer, boolean inlineOnly,
      boolean keepPlaceholders, List<Function<GatewayConfig, List<ConfigProblem>>> checks) {
    this.environment = requireNonNull(environment, "environment");
    this.importer = requireNonNull(importer, "importer");
    this.inlineOnly = inlineOnly;
    this.keepPlaceholders = keepPlaceholders;
    this.checks = List.copyOf(checks);
  }

  /** A loader that expands variables from {@code environment}. */
  public static ConfigLoader withEnvironment(Map<String, String> environment) {
    return new ConfigLoader(Map.copyOf(environment), new OpenApiImporter(), false, false, List.of());
  }

  /**
   * A loader that needs no environment: {@code ${env:NAME}} stays in the configuration as written,
   * and a problem in a value that holds such a placeholder is not reported (the value is not known
   * here); for checking a configuration's structure where its secrets are not available.
   */
  public static ConfigLoader keepingPlaceholders() {
    return new ConfigLoader(Map.of(), new OpenApiImporter(), false, true, List.of());
  }

  /**
   * Returns a loader like this one that also runs {@code check} on a configuration the model's own
   * rules accept, reporting its problems located like the model's (by field path, then line).
   */
  public ConfigLoader withCheck(Function<GatewayConfig, List<ConfigProblem>> check) {
    List<Function<GatewayConfig, List<ConfigProblem>>> all = new ArrayList<>(checks);
    all.add(requireNonNull(check, "check"));
    return new ConfigLoader(environment, importer, inlineOnly, keepPlaceholders, all);
  }

  /**
   * Returns a loader like this one that refuses OpenAPI {@code file} and {@code url} sources, for
   * documents that arrive over the network and must not make the server read its own files or
   * fetch URLs.
   */
  public ConfigLoader inlineDocumentsOnly() {
    return new ConfigLoader(environment, importer, true, keepPlaceholders, checks);
  }

  /**
   * Maps {@code node} onto {@code type} with the model's JSON rules (no variable expansion, no
   * OpenAPI resolution, no validation).
   *
   * @throws ConfigException naming the field path and what was expected when the node does not fit
   */
  public static <T> T mapValue(JsonNode node, Class<T> type) {
    requireNonNull(node, "node");
    requireNonNull(type, "type");
    try {
      T value = ConfigMapper.json().readerFor(type).readValue(node);
      if (value == null) {
        throw new ConfigException(ConfigProblem.at("", "expected a JSON object but got " + node.getNodeType()));
      }
      return value;
    } catch (JsonProcessingException e) {
      throw new ConfigException(ReadErrors.describe(e, "JSON"));
    } catch (IOException e) {
      throw new ConfigException(ConfigProblem.at("", ReadErrors.scrub(e.getMessage())));
    }
  }

  /** A loader that expands variables from this process's environment. */
  public static ConfigLoader fromSystemEnvironment() {
    return withEnvironment(System.getenv());
  }

  /**
   * Loads {@code file}.
   *
   * @throws ConfigException listing every problem, each with file, line and field
   */
  public GatewayConfig load(Path file) {
    String text;
    try {
      text = Files.readString(file, StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw ConfigException.unreadable(
          new ConfigProblem(file.toString(), 0, "", "cannot read file: " + e.getMessage()));
    }
    return parse(text, file.toString(), file.toAbsolutePath().getParent());
  }

  private static final Pattern FLOW_OPERATIONS =
      Pattern.compile("(?m)^(\\s*(?:-\\s+)?operations:\\s*)\\[([^\\]\\n]*\\{[^\\]\\n]*)\\]([ \\t]*(?:#.*)?)$");

  /**
   * Quotes the items of a one-line flow list of operations ({@code operations: [GET /items/{id}]}),
   * whose {@code {param}} braces YAML would otherwise read as flow mappings; lines stay where they
   * are, so problem locations are unchanged.
   */
  static String quoteFlowOperations(String text) {
    if (text.indexOf("operations:") < 0) {
      return text;
    }
    Matcher m = FLOW_OPERATIONS.matcher(text);
    StringBuilder out = new StringBuilder();
    while (m.find()) {
      List<String> items = new ArrayList<>();
      for (String item : m.group(2).split(",")) {
        String t = item.trim();
        if (t.isEmpty()) {
          continue;
        }
        boolean quoted = t.length() >= 2 && (t.startsWith("'") && t.endsWith("'") || t.startsWith("\"") && t.endsWith("\""));
        items.add(quoted ? t : "'" + t.replace("'", "''") + "'");
      }
      m.appendReplacement(out, Matcher.quoteReplacement(m.group(1) + "[" + String.join(", ", items) + "]" + m.group(3)));
    }
    m.appendTail(out);
    return out.toString();
  }

  /**
   * Parses {@code text}, naming {@code source} in problems; relative OpenAPI files resolve against
   * {@code baseDir} (may be {@code null} for the working directory).
   *
   * @throws ConfigException listing every problem found
   */
  public GatewayConfig parse(String text, String source, Path baseDir) {
    text = quoteFlowOperations(requireNonNull(text, "text"));
    ObjectMapper mapper = ConfigMapper.yaml();
    SourceLines index = SourceLines.ofQuoted(text);
    boolean keep = keepPlaceholders;
    List<ConfigProblem> problems = new ArrayList<>();
    GatewayConfig config;
    try (JsonParser parser = keep ? mapper.createParser(text)
        : new ExpandingParser(mapper.createParser(text), (s, line) -> expand(s, line, problems))) {
      config = mapper.readValue(parser, GatewayConfig.class);
      if (config == null) {
        config = GatewayConfig.EMPTY;
      }
    } catch (JsonProcessingException e) {
      List<ConfigProblem> located = index.locate(List.of(ReadErrors.describe(e, format(text))), source);
      boolean syntax = e instanceof com.fasterxml.jackson.core.exc.StreamReadException
          || e.getCause() instanceof com.fasterxml.jackson.core.exc.StreamReadException;
      throw syntax ? ConfigException.unreadable(located.get(0)) : new ConfigException(located);
    } catch (IOException e) {
      throw ConfigException.unreadable(new ConfigProblem(source, 0, "", ReadErrors.scrub(e.getMessage())));
    }
    if (!problems.isEmpty()) {
      throw new ConfigException(index.locate(problems, source));
    }
    if (inlineOnly) {
      for (int i = 0; i < config.apis().size(); i++) {
        OpenApiSource doc = config.apis().get(i).openapi();
        if (doc != null && (doc.file() != null || doc.url() != null)) {
          problems.add(ConfigProblem.at("apis[" + i + "].openapi",
              "expected the document 'inline'; 'file' and 'url' are not accepted here"));
        }
      }
      if (!problems.isEmpty()) {
        throw new ConfigException(index.locate(problems, source));
      }
    }
    config = importer.resolveAll(config, baseDir, problems);
    // An API whose document failed to import has its problem already: not also "not inline" or
    // "operationId not imported".
    java.util.Set<String> notImported = new java.util.HashSet<>();
    for (ConfigProblem p : problems) {
      notImported.add(p.field().replaceAll("^(apis\\[\\d+]).*$", "$1"));
    }
    Placeholders unknown = Placeholders.of(tree(mapper, text), keep);
    for (ConfigProblem p : unknown.without(ConfigValidator.validate(config))) {
      String api = p.field().replaceAll("^(apis\\[\\d+]).*$", "$1");
      boolean consequence = notImported.contains(api)
          && (p.field().equals(api + ".openapi") || p.message().contains("it was not imported"));
      if (!consequence) {
        problems.add(p);
      }
    }
    if (problems.isEmpty()) { // the model's problems first: they name the field, a compile check would only echo them
      for (Function<GatewayConfig, List<ConfigProblem>> check : checks) {
        problems.addAll(unknown.without(check.apply(config)));
      }
    }
    if (!problems.isEmpty()) {
      throw new ConfigException(index.locate(problems, source));
    }
    return config;
  }

  private static JsonNode tree(ObjectMapper mapper, String text) {
    try {
      return mapper.readTree(text);
    } catch (IOException e) {
      return null; // it parsed a moment ago; nothing is unknown then
    }
  }

  private String expand(String value, int line, List<ConfigProblem> problems) {
    if (value.indexOf("${env:") < 0) {
      return value;
    }
    Matcher m = ENV.matcher(value);
    StringBuilder out = new StringBuilder();
    while (m.find()) {
      String replacement = environment.get(m.group(1));
      if (replacement == null) {
        problems.add(new ConfigProblem(null, line, "", "environment variable " + m.group(1) + " is not set"));
        replacement = "";
      }
      m.appendReplacement(out, Matcher.quoteReplacement(replacement));
    }
    m.appendTail(out);
    return out.toString();
  }

  /** JSON for a document that starts with '{' (YAML reads it too), YAML otherwise: the word problems use. */
  private static String format(String text) {
    return text.stripLeading().startsWith("{") ? "JSON" : "YAML";
  }
}
