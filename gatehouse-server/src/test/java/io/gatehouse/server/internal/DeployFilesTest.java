package io.gatehouse.server.internal;

import static org.assertj.core.api.Assertions.assertThat;

import io.gatehouse.server.Main;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/**
 * The worked example's files (deploy/systemd, deploy/compose) and the commands of docs/cluster.md
 * stay runnable: every {@code gatehouse ...} command line in them parses with the real command line,
 * every option it names exists, every {@code serve} passes the role checks, and every
 * {@code GATEHOUSE_*} variable they set is one that {@code serve} reads.
 */
class DeployFilesTest {
  static final Path ROOT = Path.of("").toAbsolutePath().getParent();
  private static final Pattern COMMAND = Pattern.compile("(?:^|[\\s;&|(])gatehouse\\s+([a-z][\\w-]*(?:\\s.*)?)$");
  private static final Pattern SYSTEMD_VARIABLE = Pattern.compile("\\$\\{([A-Z_][A-Z0-9_]*)}");

  /** A command line found in a file. */
  record Found(String file, List<String> args) {}

  static String read(Path p) {
    try {
      return Files.readString(p, StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new AssertionError(e);
    }
  }

  /** Lines with backslash-newline continuations joined. */
  static List<String> logicalLines(String text) {
    return List.of(text.replaceAll("\\\\\\r?\\n\\s*", " ").split("\\r?\\n"));
  }

  /** The arguments after {@code gatehouse} in {@code line}, or null; a shell statement ends at ; && || a pipe, a redirection or a comment. */
  static List<String> command(String line) {
    Matcher m = COMMAND.matcher(line.strip());
    if (!m.find()) {
      return null;
    }
    String rest = m.group(1).split(";|&&|\\|\\||\\||\\s[<>]|\\s#")[0]; // a redirection or a comment ends it too
    List<String> args = new ArrayList<>();
    Matcher word = Pattern.compile("'([^']*)'|\"([^\"]*)\"|(\\S+)").matcher(rest);
    while (word.find()) {
      args.add(word.group(1) != null ? word.group(1) : word.group(2) != null ? word.group(2) : word.group(3));
    }
    return args;
  }

  static List<Found> systemd() throws IOException {
    List<Found> out = new ArrayList<>();
    try (Stream<Path> units = Files.list(ROOT.resolve("deploy/systemd"))) {
      for (Path unit : units.filter(p -> p.toString().endsWith(".service")).sorted().toList()) {
        for (String line : logicalLines(read(unit))) {
          if (line.startsWith("ExecStart=")) {
            // systemd replaces ${NAME} with the variable's value, one word
            String expanded = SYSTEMD_VARIABLE.matcher(line.substring("ExecStart=".length())).replaceAll("value.example");
            String[] words = expanded.strip().split("\\s+", 2);
            assertThat(words[0]).as(unit + ": the program").endsWith("/gatehouse");
            out.add(new Found(unit.getFileName().toString(), command("gatehouse " + words[1])));
          }
        }
      }
    }
    return out;
  }

  @SuppressWarnings("unchecked")
  static Map<String, Map<String, Object>> composeServices() {
    Object doc = new org.yaml.snakeyaml.Yaml().load(read(ROOT.resolve("deploy/compose/compose.yaml")));
    return (Map<String, Map<String, Object>>) ((Map<String, Object>) doc).get("services");
  }

  static List<Found> compose() {
    List<Found> out = new ArrayList<>();
    composeServices().forEach((name, service) -> {
      if (!"gatehouse:local".equals(service.get("image"))) {
        return;
      }
      Object command = service.get("command");
      String text = command instanceof List<?> l ? String.join("\n", l.stream().map(Object::toString).toList())
          : String.valueOf(command);
      if (service.get("entrypoint") == null) { // the image's entrypoint is gatehouse
        out.add(new Found("compose.yaml " + name, command("gatehouse " + text)));
        return;
      }
      for (String line : logicalLines(text.replace("\n", " "))) {
        List<String> args = command(line);
        if (args != null) {
          out.add(new Found("compose.yaml " + name, args));
        }
      }
    });
    return out;
  }

  static List<Found> docs() {
    List<Found> out = new ArrayList<>();
    boolean code = false;
    for (String line : logicalLines(read(ROOT.resolve("docs/cluster.md")))) {
      if (line.startsWith("```")) {
        code = !code && line.length() > 3;
        continue;
      }
      if (code && !line.strip().startsWith("#")) {
        List<String> args = command(line.replaceFirst("^\\s*(?:[A-Z_]+=\\S+\\s+)+", ""));
        if (args != null) {
          out.add(new Found("docs/cluster.md", args));
        }
      }
    }
    return out;
  }

  /** Parses {@code args} with the real command line; returns the serve command when it is one, after its checks. */
  static void parses(Found f) {
    CommandLine cli = CommandLineSetup.configure(new CommandLine(new Main()));
    CommandLine.ParseResult r;
    try {
      r = cli.parseArgs(f.args().toArray(String[]::new));
    } catch (CommandLine.ParameterException e) {
      throw new AssertionError(f.file() + ": gatehouse " + String.join(" ", f.args()) + "\n  " + e.getMessage(), e);
    }
    assertThat(r.hasSubcommand()).as(f.file() + ": a subcommand in " + f.args()).isTrue();
    assertThat(r.subcommand().unmatched()).as(f.file()).isEmpty();
    if (r.subcommand().commandSpec().userObject() instanceof ServeCommand serve) {
      assertThat(serve.role.problem(null)).as(f.file() + ": " + f.args()).isNull();
    }
  }

  static String roleOf(Found f) {
    int i = f.args().indexOf("--role");
    return i < 0 ? RoleOptions.ALL : f.args().get(i + 1);
  }

  @Test
  void everyGatehouseCommandInTheSystemdUnitsParsesAndPassesTheRoleChecks() throws IOException {
    List<Found> found = systemd();
    assertThat(found).extracting(DeployFilesTest::roleOf).containsExactlyInAnyOrder("control", "gateway");
    found.forEach(DeployFilesTest::parses);
  }

  @Test
  void everyGatehouseCommandInTheComposeFileParsesAndThereAreTwoControlAndThreeGatewayNodes() {
    List<Found> found = compose();
    assertThat(found).extracting(DeployFilesTest::roleOf)
        .containsExactlyInAnyOrder("control", "control", "gateway", "gateway", "gateway");
    found.forEach(DeployFilesTest::parses);
    for (Found f : found) {
      if (roleOf(f).equals("gateway")) {
        assertThat(f.args()).as("each gateway node knows both control nodes")
            .containsSubsequence("--control-plane", "https://control-1:8005,https://control-2:8005");
      }
    }
  }

  @Test
  void everyGatehouseCommandInTheClusterPageParses() {
    List<Found> found = docs();
    assertThat(found).hasSizeGreaterThanOrEqualTo(4);
    found.forEach(DeployFilesTest::parses);
  }

  @Test
  void everyGatehouseVariableTheDeployFilesSetIsOneThatServeReads() throws IOException {
    String help = CommandLineSetup.configure(new CommandLine(new Main())).getSubcommands().get("serve").getUsageMessage();
    String environment = help.substring(help.indexOf("Environment:"));
    List<String> set = new ArrayList<>();
    try (Stream<Path> units = Files.list(ROOT.resolve("deploy/systemd"))) {
      for (Path unit : units.filter(p -> p.toString().endsWith(".service")).toList()) {
        Matcher m = Pattern.compile("(?m)^Environment=(GATEHOUSE_[A-Z_]+)=").matcher(read(unit));
        while (m.find()) {
          set.add(m.group(1));
        }
      }
    }
    composeServices().forEach((name, service) -> {
      if (service.get("environment") instanceof Map<?, ?> env) {
        env.keySet().stream().map(Object::toString).filter(k -> k.startsWith("GATEHOUSE_")).forEach(set::add);
      }
    });
    assertThat(set).contains("GATEHOUSE_DATABASE", "GATEHOUSE_REDIS", "GATEHOUSE_MASTER_KEY");
    for (String name : set) {
      assertThat(environment).as(name + " in gatehouse serve --help").containsPattern("\\b" + name + "\\b");
    }
  }
}
