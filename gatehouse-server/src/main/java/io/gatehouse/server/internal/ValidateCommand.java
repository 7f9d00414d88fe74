package io.gatehouse.server.internal;

import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code gatehouse validate -f FILE}: checks a configuration file offline (no server, no master key,
 * no secret), with the same rules and messages as {@code apply} and the management API, and exits
 * 0 when it is valid, 3 with one {@code file:line: problem} line per problem, 2 when it cannot be read.
 */
@Command(name = "validate", mixinStandardHelpOptions = true,
    description = "Check a configuration file offline, policies included, without its secrets.")
public final class ValidateCommand implements Callable<Integer> {
  @Option(names = {"-f", "--file"}, required = true, paramLabel = "FILE", description = "YAML or JSON file.")
  Path file;

  @Spec CommandSpec spec;

  @Override
  public Integer call() {
    try {
      ConfigFiles.withoutSecrets(file);
    } catch (ConfigFiles.Refused e) {
      return e.print(spec.commandLine().getErr());
    }
    spec.commandLine().getOut().println(file + ": valid");
    spec.commandLine().getOut().flush();
    return ExitCodes.OK;
  }
}
