package io.gatehouse.server.internal;

import io.gatehouse.control.backup.BackupException;
import io.gatehouse.control.backup.Backups;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code gatehouse backup}: writes an encrypted, consistent backup of a data directory, safe while the server runs. */
@Command(name = "backup", mixinStandardHelpOptions = true,
    description = {"Write an encrypted, consistent backup of the data directory (configuration, subscriptions, users,"
        + " secrets still encrypted, audit log); safe while the server runs.",
        "The passphrase comes from --passphrase-file, env GATEHOUSE_BACKUP_PASSPHRASE, or a prompt."},
    exitCodeListHeading = "%nExit status:%n",
    exitCodeList = {"0:backup written", "1:the audit chain of the data is broken",
        "2:bad options, no passphrase, no database in --data, or the output file exists",
        "4:the data could not be read or the backup could not be written"},
    footer = {"GATEHOUSE_BACKUP_PASSPHRASE:the passphrase, when --passphrase-file is not given",
        "GATEHOUSE_MASTER_KEY:when set (or GATEHOUSE_PKCS11_CONFIG), --include-master-key is refused: the key is not a"
            + " file"})
public final class BackupCommand implements Callable<Integer> {
  @Option(names = {"--data", "--data-dir"}, paramLabel = "DIR", defaultValue = "${env:GATEHOUSE_DATA:-data}",
      description = "Data directory to back up (env GATEHOUSE_DATA, default ./data of the working directory).")
  Path data;

  @Option(names = DatabaseOption.FLAG, paramLabel = "URL",
      description = "Back up the PostgreSQL store at this address (env GATEHOUSE_DATABASE) in one consistent snapshot,"
          + " with the master key and counters of --data; default: the SQLite store in --data.")
  String database;

  @Option(names = {"-o", "--output"}, paramLabel = "FILE", required = true,
      description = "The backup file to create, relative to the working directory (must not exist; mode 0600).")
  Path output;

  @Option(names = "--passphrase-file", paramLabel = "FILE",
      description = "Read the passphrase (at least 12 characters) from the first line of FILE.")
  Path passphraseFile;

  @Option(names = "--include-master-key",
      description = "Put the master key file inside the encrypted backup (key file only; not for GATEHOUSE_MASTER_KEY"
          + " or PKCS#11). Without it a restore needs the same master key.")
  boolean includeMasterKey;

  @Option(names = "--include-analytics", description = "Also back up analytics.db (traffic aggregates).")
  boolean includeAnalytics;

  /** The exit status of {@code backup} and {@code restore} for a failure of {@code kind}. */
  static int exitCode(BackupException.Kind kind) {
    return switch (kind) {
      case USAGE, WRONG_PASSPHRASE -> ExitCodes.USAGE;
      case CORRUPTED, TRUNCATED -> ExitCodes.INVALID;
      case FAILED -> ExitCodes.CHECK_FAILED;
      case MISSING_MASTER_KEY, IO -> ExitCodes.ENVIRONMENT;
    };
  }

  @Override
  public Integer call() {
    char[] pass;
    try {
      pass = Passphrase.read(passphraseFile, true);
    } catch (Passphrase.Missing e) {
      System.err.println("error: " + e.getMessage());
      return ExitCodes.USAGE;
    }
    try {
      Backups.Options options = new Backups.Options(includeAnalytics, includeMasterKey, System.getenv(),
          Backups.Kdf.DEFAULT);
      java.util.Optional<io.gatehouse.control.DatabaseUrl> url;
      try {
        url = DatabaseOption.parse(database, System.getenv());
      } catch (IllegalArgumentException e) {
        System.err.println("error: " + DatabaseOption.FLAG + ": " + e.getMessage());
        return ExitCodes.USAGE;
      }
      Backups.Summary s;
      if (url.isEmpty()) {
        s = Backups.create(data, output, pass, options);
      } else {
        try (com.zaxxer.hikari.HikariDataSource pool = io.gatehouse.control.PostgresConfigStore.connect(url.get())) {
          s = Backups.createFromPostgres(pool, url.get().toString(), data, output, pass, options);
        } catch (IllegalStateException e) {
          System.err.println("error: " + e.getMessage());
          return ExitCodes.ENVIRONMENT;
        }
      }
      System.err.println("wrote " + output.toAbsolutePath() + " (" + Files.size(output) + " bytes): "
          + s.files().stream().map(f -> f.name() + " " + f.size()).collect(Collectors.joining(", "))
          + "; " + s.auditRecords() + " audit records; schema " + s.schemaVersion());
      if (!s.masterKeyIncluded() && !s.masterKeyIds().isEmpty()) {
        System.err.println("note: the master key is not in the backup; a restore needs master key(s) " + s.masterKeyIds()
            + " (keep " + data.resolve("master.key") + ", GATEHOUSE_MASTER_KEY or the PKCS#11 token; 'rotate-keys'"
            + " retires them unless it saves them with --save-retired-keys)");
      }
      return ExitCodes.OK;
    } catch (BackupException e) {
      System.err.println("error: " + e.getMessage());
      return exitCode(e.kind());
    } catch (java.io.IOException e) {
      System.err.println("error: " + IoMessages.describe(e));
      return ExitCodes.ENVIRONMENT;
    } finally {
      Arrays.fill(pass, ' ');
    }
  }
}
