package io.gatehouse.server;

import io.gatehouse.server.internal.AdviseCommand;
import io.gatehouse.server.internal.ApplyCommand;
import io.gatehouse.server.internal.AuditCommand;
import io.gatehouse.server.internal.AuditSpecCommand;
import io.gatehouse.server.internal.BackupCommand;
import io.gatehouse.server.internal.CommandLineSetup;
import io.gatehouse.server.internal.ExportCommand;
import io.gatehouse.server.internal.RotateKeysCommand;
import io.gatehouse.server.internal.SealCommand;
import io.gatehouse.server.internal.ImportCommand;
import io.gatehouse.server.internal.RestoreCommand;
import io.gatehouse.server.internal.RevisionsCommand;
import io.gatehouse.server.internal.ServeCommand;
import io.gatehouse.server.internal.ValidateCommand;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The {@code gatehouse} command line: serve, validate, apply, revisions, export, import, audit, seal, rotate-keys, advise, audit-spec, backup and restore. */
@Command(
    name = "gatehouse",
    mixinStandardHelpOptions = true,
    versionProvider = Main.Version.class,
    description = "Self-hosted API management: gateway, management API and security analysis.",
    subcommands = {ServeCommand.class, ValidateCommand.class, ApplyCommand.class, RevisionsCommand.class,
        ExportCommand.class, ImportCommand.class,
        AuditCommand.class, SealCommand.class, RotateKeysCommand.class, AdviseCommand.class,
        AuditSpecCommand.class, BackupCommand.class, RestoreCommand.class})
public final class Main {
  @CommandLine.Option(names = CommandLineSetup.VERBOSE, scope = CommandLine.ScopeType.INHERIT,
      description = "On an error, also print its cause and stack trace.")
  boolean verbose;

  /** Runs the command line and exits with its status. */
  public static void main(String[] args) {
    int code = run(args);
    if (code != 0 || (args.length > 0 && !args[0].equals("serve"))) {
      System.exit(code);
    }
  }

  /** Runs the command line and returns its exit status; {@code serve} returns once started. */
  public static int run(String... args) {
    return CommandLineSetup.configure(new CommandLine(new Main())).execute(args);
  }

  /** Reports the version from the jar manifest. */
  static final class Version implements CommandLine.IVersionProvider {
    @Override
    public String[] getVersion() {
      String v = Main.class.getPackage().getImplementationVersion();
      return new String[] {"gatehouse " + (v == null ? "development" : v)};
    }
  }
}
