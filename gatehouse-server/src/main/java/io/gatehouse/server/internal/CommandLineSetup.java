package io.gatehouse.server.internal;

import io.gatehouse.model.ConfigException;
import io.gatehouse.model.ReadErrors;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.lang.reflect.Field;
import java.net.BindException;
import java.nio.file.AccessDeniedException;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import picocli.CommandLine;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParseResult;

/**
 * Gives every {@code gatehouse} command the same error style and help: an error is one line naming what
 * is wrong and what to do, with the status of {@link ExitCodes} ({@code --verbose} adds the stack trace),
 * and every {@code --help} lists its exit statuses and the environment variables it reads.
 *
 * <p>A command that lists no exit statuses of its own gets the common table. The "Environment" section
 * names each variable an option reads ({@code defaultValue = "${env:NAME...}"}), then the variables the
 * command reads besides its options, which its {@code footer} lists as {@code NAME:description} entries.
 */
public final class CommandLineSetup {
  /** The name of the global option that adds causes and stack traces to error output. */
  public static final String VERBOSE = "--verbose";

  private static final Pattern ENV = Pattern.compile("\\$\\{env:([A-Za-z0-9_]+)");
  private static final String ENVIRONMENT_HEADING = "environmentHeading";
  private static final String ENVIRONMENT = "environment";

  private CommandLineSetup() {}

  /** {@code cli} with the error handlers and help sections installed on it and all its subcommands. */
  public static CommandLine configure(CommandLine cli) {
    cli.setCaseInsensitiveEnumValuesAllowed(true);
    cli.setParameterExceptionHandler(CommandLineSetup::usageError);
    cli.setExecutionExceptionHandler((e, command, parseResult) -> failure(e, command, verbose(parseResult)));
    help(cli);
    return cli;
  }

  private static void help(CommandLine cli) {
    CommandSpec spec = cli.getCommandSpec();
    if (spec.usageMessage().exitCodeList().isEmpty()) {
      Map<String, String> codes = new LinkedHashMap<>();
      codes.put("0", "done as asked");
      codes.put("1", "the answer is no: a check failed");
      codes.put("2", "bad usage or unreadable input: an unknown option, a missing file");
      codes.put("3", "the input was read but is invalid");
      codes.put("4", "the environment failed: a server unreachable, a port in use, a disk error");
      spec.usageMessage().exitCodeListHeading("%nExit status:%n").exitCodeList(codes);
    }
    List<String> keys = new ArrayList<>(cli.getHelpSectionKeys());
    if (!keys.contains(ENVIRONMENT)) {
      // the footer's NAME:description entries are printed in the environment table instead
      keys.remove(CommandLine.Model.UsageMessageSpec.SECTION_KEY_FOOTER_HEADING);
      int at = keys.indexOf(CommandLine.Model.UsageMessageSpec.SECTION_KEY_FOOTER);
      keys.add(at, ENVIRONMENT_HEADING);
      keys.add(at + 1, ENVIRONMENT);
      keys.remove(CommandLine.Model.UsageMessageSpec.SECTION_KEY_FOOTER);
      Map<String, CommandLine.IHelpSectionRenderer> sections = new LinkedHashMap<>(cli.getHelpSectionMap());
      sections.put(ENVIRONMENT_HEADING, h -> String.format("%nEnvironment:%n"));
      sections.put(ENVIRONMENT, h -> h.createTextTable(environment(h.commandSpec())).toString());
      cli.setHelpSectionMap(sections);
      cli.setHelpSectionKeys(keys);
    }
    for (CommandLine sub : cli.getSubcommands().values()) {
      help(sub);
    }
  }

  /**
   * The variables the command of {@code spec} reads: one per option that reads one ({@code defaultValue =
   * "${env:NAME...}"}), then the {@code NAME:description} entries of its footer; "none" when there are none.
   */
  static Map<String, String> environment(CommandSpec spec) {
    Map<String, String> vars = new LinkedHashMap<>();
    for (OptionSpec o : spec.options()) {
      if (o.userObject() instanceof Field f && f.getAnnotation(Option.class) != null) {
        Matcher m = ENV.matcher(f.getAnnotation(Option.class).defaultValue());
        if (m.find()) {
          vars.putIfAbsent(m.group(1), "sets " + o.names()[0]);
        }
      }
    }
    for (String entry : spec.usageMessage().footer()) {
      int colon = entry.indexOf(':');
      vars.put(entry.substring(0, colon).strip(), entry.substring(colon + 1).strip());
    }
    if (vars.isEmpty()) {
      vars.put("none", "");
    }
    return vars;
  }

  /** Whether {@value #VERBOSE} was given on any level of the command line. */
  static boolean verbose(ParseResult result) {
    for (ParseResult r = result; r != null; r = r.subcommand()) {
      if (r.hasMatchedOption(VERBOSE)) {
        return true;
      }
    }
    return false;
  }

  private static int usageError(CommandLine.ParameterException e, String[] args) {
    CommandLine cli = e.getCommandLine();
    PrintWriter err = cli.getErr();
    String hint = "";
    if (e instanceof CommandLine.UnmatchedArgumentException u && !u.getSuggestions().isEmpty()) {
      hint = "; did you mean " + String.join(" or ", u.getSuggestions().subList(0, Math.min(3, u.getSuggestions().size())))
          + "?";
    }
    err.println("error: " + ReadErrors.scrub(e.getMessage()) + hint + " (see '" + cli.getCommandSpec().qualifiedName()
        + " --help')");
    err.flush();
    return ExitCodes.USAGE;
  }

  private static int failure(Exception e, CommandLine command, boolean verbose) {
    Throwable cause = rootOf(e);
    PrintWriter err = command.getErr();
    err.println("error: " + describe(cause) + (verbose ? "" : " (--verbose shows the cause)"));
    if (verbose) {
      e.printStackTrace(err);
    }
    err.flush();
    return exitCode(cause);
  }

  /** The failure behind wrappers that add nothing for the operator. */
  static Throwable rootOf(Throwable e) {
    Throwable t = e;
    while (t.getCause() != null && (t instanceof java.util.concurrent.ExecutionException
        || t instanceof java.util.concurrent.CompletionException || t instanceof UncheckedIOException
        || t instanceof java.lang.reflect.InvocationTargetException
        || t instanceof CommandLine.ExecutionException)) {
      t = t.getCause();
    }
    return t;
  }

  /** What {@code e} means for the operator, in words, never naming a Java class. */
  static String describe(Throwable e) {
    if (e instanceof BindException) {
      return "an address or port is already in use: stop the other process or choose another port";
    }
    if (e instanceof IOException io) {
      return IoMessages.describe(io);
    }
    if (e instanceof ConfigException c) {
      return c.problems().size() == 1 ? c.problems().get(0).toString()
          : c.problems().get(0) + " (and " + (c.problems().size() - 1) + " more problems)";
    }
    return ReadErrors.scrub(e.getMessage());
  }

  /** The exit status of an uncaught {@code e}: the same cause gives the same status in every command. */
  static int exitCode(Throwable e) {
    if (e instanceof NoSuchFileException || e instanceof AccessDeniedException || e instanceof NotDirectoryException
        || e instanceof IllegalArgumentException) {
      return ExitCodes.USAGE;
    }
    if (e instanceof ConfigException) {
      return ExitCodes.INVALID;
    }
    return ExitCodes.ENVIRONMENT;
  }
}
