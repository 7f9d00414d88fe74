package io.gatehouse.server.internal;

import io.gatehouse.gateway.ConfigCheck;
import io.gatehouse.model.ConfigException;
import io.gatehouse.model.ConfigLoader;
import io.gatehouse.model.ConfigProblem;
import io.gatehouse.model.GatewayConfig;
import io.gatehouse.model.SourceLines;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * Reads a configuration file the one way every command does ({@code validate}, {@code advise},
 * {@code apply}, {@code serve --config}): the model's rules, then the gateway's compile check
 * ({@link ConfigCheck#offline}), every problem located as {@code file:line}.
 */
final class ConfigFiles {
  private ConfigFiles() {}

  /** A file that was read, with the configuration it holds and the lines of its fields. */
  record Loaded(Path file, GatewayConfig config, SourceLines lines) {}

  /** Thrown when a file cannot be used: the exit status and the lines to print, one per problem. */
  static final class Refused extends Exception {
    private static final long serialVersionUID = 1L;
    private final int status;
    private final transient List<String> lines;

    Refused(int status, List<String> lines) {
      super(String.join("\n", lines));
      this.status = status;
      this.lines = List.copyOf(lines);
    }

    /** {@link ExitCodes#USAGE} when the file is unreadable or not YAML/JSON, else {@link ExitCodes#INVALID}. */
    int status() {
      return status;
    }

    /** The lines to print, one per problem. */
    List<String> lines() {
      return lines;
    }

    /** Prints the lines to {@code err} and returns the exit status. */
    int print(PrintWriter err) {
      lines.forEach(err::println);
      err.flush();
      return status;
    }
  }

  /**
   * Reads {@code file} without secrets: {@code ${env:NAME}} stays as written and problems that
   * depend on a value not known here (environment, sealed secrets, references) are not reported.
   */
  static Loaded withoutSecrets(Path file) throws Refused {
    return load(file, ConfigLoader.keepingPlaceholders());
  }

  /** Reads {@code file} with {@code ${env:NAME}} expanded from this process's environment. */
  static Loaded withEnvironment(Path file) throws Refused {
    return load(file, ConfigLoader.fromSystemEnvironment());
  }

  private static Loaded load(Path file, ConfigLoader loader) throws Refused {
    String text;
    try {
      text = Files.readString(file, StandardCharsets.UTF_8);
    } catch (java.nio.charset.CharacterCodingException e) {
      throw new Refused(ExitCodes.USAGE, List.of("error: cannot read " + file + ": not UTF-8 text"));
    } catch (IOException e) {
      throw new Refused(ExitCodes.USAGE, List.of("error: cannot read " + file + ": " + IoMessages.describe(e)));
    }
    Path dir = file.toAbsolutePath().getParent();
    try {
      GatewayConfig config = loader.withCheck(ConfigCheck::offline).parse(text, file.toString(), dir);
      return new Loaded(file, config, SourceLines.of(text));
    } catch (ConfigException e) {
      throw new Refused(e.unreadable() ? ExitCodes.USAGE : ExitCodes.INVALID, lines(e.problems()));
    }
  }

  /** One line per problem: {@code file:line: field: message}. */
  static List<String> lines(List<ConfigProblem> problems) {
    return problems.stream().map(ConfigProblem::toString).toList();
  }
}
