package io.gatehouse.server.internal;

import io.gatehouse.control.security.AuditLog;
import io.gatehouse.control.security.AuditVerification;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code gatehouse audit}: works on the audit log of a data directory. */
@Command(name = "audit", mixinStandardHelpOptions = true, description = "Work on the audit log.",
    subcommands = {AuditCommand.Verify.class})
public final class AuditCommand implements Callable<Integer> {
  @Override
  public Integer call() {
    System.err.println("error: expected a subcommand: verify (see 'gatehouse audit --help')");
    return ExitCodes.USAGE;
  }

  /** {@code gatehouse audit verify}: exit 0 when the hash chain is intact, 1 naming the first bad record. */
  @Command(name = "verify", mixinStandardHelpOptions = true,
      description = "Check the audit hash chain; name the first altered, inserted or missing record.",
      exitCodeListHeading = "%nExit status:%n",
      exitCodeList = {"0:the chain is intact", "1:the chain is broken (the first bad record is named)",
          "2:bad options, or no data directory", "4:the PostgreSQL database cannot be reached"})
  public static final class Verify implements Callable<Integer> {
    @Option(names = "--data", paramLabel = "DIR", defaultValue = "${env:GATEHOUSE_DATA:-data}",
        description = "Data directory (env GATEHOUSE_DATA, default ./data of the working directory).")
    Path data;

    @Option(names = DatabaseOption.FLAG, paramLabel = "URL",
        description = "Check the audit log of the PostgreSQL store at this address (env GATEHOUSE_DATABASE); needs no"
            + " master key. Default: the SQLite store in --data.")
    String database;

    @Override
    public Integer call() {
      java.util.Optional<io.gatehouse.control.DatabaseUrl> url;
      try {
        url = DatabaseOption.parse(database, System.getenv());
      } catch (IllegalArgumentException e) {
        System.err.println("error: " + DatabaseOption.FLAG + ": " + e.getMessage());
        return ExitCodes.USAGE;
      }
      if (url.isPresent()) {
        AuditVerification v;
        try (com.zaxxer.hikari.HikariDataSource pool = io.gatehouse.control.PostgresConfigStore.connect(url.get())) {
          v = AuditLog.verify(pool);
        } catch (RuntimeException e) {
          System.err.println("error: cannot read the audit log of " + url.get() + ": "
              + io.gatehouse.model.ReadErrors.scrub(e.getMessage()));
          return ExitCodes.ENVIRONMENT;
        }
        return report(v);
      }
      if (!Files.isDirectory(data)) {
        System.err.println("error: no data directory " + data.toAbsolutePath() + ": pass --data DIR or set GATEHOUSE_DATA");
        return ExitCodes.USAGE;
      }
      return report(AuditLog.verify(data));
    }

    private static int report(AuditVerification v) {
      if (v.intact()) {
        System.out.println(v.detail());
        return ExitCodes.OK;
      }
      System.out.println("TAMPERED: " + v.detail());
      return ExitCodes.CHECK_FAILED;
    }
  }
}
