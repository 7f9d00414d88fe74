package io.gatehouse.server.internal;

import static org.assertj.core.api.Assertions.assertThat;

import io.gatehouse.server.Main;
import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.lang.reflect.Field;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;
import picocli.CommandLine.Model.OptionSpec;

/** What every command shares: one-line errors with the ExitCodes status, and help that lists exit statuses and environment. */
class CommandLineConventionsTest {
  private static final Pattern ENV = Pattern.compile("\\$\\{env:([A-Za-z0-9_]+)");

  static List<CommandLine> everyCommand(CommandLine cli) {
    List<CommandLine> out = new ArrayList<>(List.of(cli));
    cli.getSubcommands().values().forEach(sub -> out.addAll(everyCommand(sub)));
    return out;
  }

  @Test
  void everyCommandsHelpListsItsExitStatusesAndEveryVariableItsOptionsRead() {
    List<CommandLine> all = everyCommand(CommandLineSetup.configure(new CommandLine(new Main())));
    assertThat(all).hasSizeGreaterThanOrEqualTo(14);
    for (CommandLine cli : all) {
      String help = cli.getUsageMessage();
      String name = cli.getCommandSpec().qualifiedName();
      assertThat(help).as(name).contains("Exit status:").contains("Environment:").contains("--verbose");
      assertThat(help).as(name).containsPattern("(?m)^\\s+0\\s+\\S").containsPattern("(?m)^\\s+2\\s+\\S");
      for (OptionSpec o : cli.getCommandSpec().options()) {
        if (o.userObject() instanceof Field f && f.getAnnotation(CommandLine.Option.class) != null) {
          Matcher m = ENV.matcher(f.getAnnotation(CommandLine.Option.class).defaultValue());
          if (m.find()) {
            assertThat(help.substring(help.indexOf("Environment:"))).as(name).contains(m.group(1));
          }
        }
      }
    }
  }

  @Test
  void anUnknownOptionIsOneLineNamingItAndTheHelpAndExitsTwo() {
    ServeTest.Cli r = ServeTest.Cli.run("apply", "-f", "g.yaml", "--nope");
    assertThat(r.code()).isEqualTo(ExitCodes.USAGE);
    assertThat(r.err().strip()).doesNotContain("\n").contains("--nope").contains("'gatehouse apply --help'");
    ServeTest.Cli typo = ServeTest.Cli.run("apply", "-f", "g.yaml", "--dryrun");
    assertThat(typo.code()).isEqualTo(ExitCodes.USAGE);
    assertThat(typo.err().strip()).doesNotContain("\n").contains("did you mean --dry-run?");
  }

  @Test
  void anUncaughtFailureIsOneLineWithoutJavaNamesAndVerboseAddsTheTrace(@TempDir Path dir) throws Exception {
    Path value = Files.writeString(dir.resolve("v"), "s3cret-value");
    ServeTest.Cli r = ServeTest.Cli.run("seal", "--value-file", value.toString(), "--token", "t", "--server", "http://[bad");
    assertThat(r.code()).isEqualTo(ExitCodes.USAGE);
    assertThat(r.err().strip()).startsWith("error: ").doesNotContain("\n").doesNotContain("Exception")
        .doesNotContain("java.").contains("--verbose");
    ServeTest.Cli verbose = ServeTest.Cli.run("seal", "--verbose", "--value-file", value.toString(), "--token", "t",
        "--server", "http://[bad");
    assertThat(verbose.code()).isEqualTo(ExitCodes.USAGE);
    assertThat(verbose.err()).contains("\tat ");
  }

  @Test
  void aMissingInputFileIsOneLineAndExitsTwoInEveryCommand(@TempDir Path dir) {
    String missing = dir.resolve("missing.yaml").toString();
    String[][] commands = {
        {"apply", "-f", missing, "--token", "t"},
        {"advise", "--config", missing},
        {"audit-spec", missing},
        {"audit", "verify", "--data", missing},
        {"import", "apim-policy", missing},
        {"serve", "--config", missing},
        {"seal", "--value-file", missing, "--token", "t"},
        {"restore", missing, "--data", dir.resolve("target").toString(), "--passphrase-file", missing},
    };
    for (String[] args : commands) {
      ServeTest.Cli r = ServeTest.Cli.run(args);
      assertThat(r.code()).as(String.join(" ", args) + ": " + r.err()).isEqualTo(ExitCodes.USAGE);
      assertThat(r.err().strip()).as(args[0]).startsWith("error: ").contains("missing").doesNotContain("\n")
          .doesNotContain("Exception");
    }
  }

  @Test
  void sealRefusesAnEmptyValue(@TempDir Path dir) throws Exception {
    InputStream in = System.in;
    try {
      System.setIn(new ByteArrayInputStream("\n".getBytes()));
      ServeTest.Cli r = ServeTest.Cli.run("seal", "--token", "t", "--server", "http://127.0.0.1:1");
      assertThat(r.code()).isEqualTo(ExitCodes.USAGE);
      assertThat(r.out()).isEmpty();
      assertThat(r.err().strip()).isEqualTo(
          "error: the value to seal is empty: pipe it on standard input or pass --value-file FILE");
    } finally {
      System.setIn(in);
    }
    Path empty = Files.writeString(dir.resolve("empty"), "");
    assertThat(ServeTest.Cli.run("seal", "--value-file", empty.toString(), "--token", "t").code())
        .isEqualTo(ExitCodes.USAGE);
  }

  @Test
  void anUnreachableServerExitsFour(@TempDir Path dir) throws Exception {
    Path file = Files.writeString(dir.resolve("g.yaml"), "backends: []\n");
    ServeTest.Cli r = ServeTest.Cli.run("apply", "-f", file.toString(), "--token", "t", "--server", "http://127.0.0.1:1");
    assertThat(r.code()).isEqualTo(ExitCodes.ENVIRONMENT);
    assertThat(r.err().strip()).startsWith("error: cannot reach http://127.0.0.1:1").doesNotContain("\n");
  }
}
