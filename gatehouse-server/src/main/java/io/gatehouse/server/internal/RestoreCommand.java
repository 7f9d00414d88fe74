package io.gatehouse.server.internal;

import io.gatehouse.control.backup.BackupException;
import io.gatehouse.control.backup.Backups;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code gatehouse restore}: restores a backup into an absent or empty data directory, all checks before any move. */
@Command(name = "restore", mixinStandardHelpOptions = true,
    description = {"Restore a backup into an absent or empty data directory. The backup is decrypted beside the"
        + " target and checked (every file's SHA-256, database integrity, audit chain, master key) before it is moved"
        + " into place; on any failure the target is left as it was.",
        "The passphrase comes from --passphrase-file, env GATEHOUSE_BACKUP_PASSPHRASE, or a prompt."},
    exitCodeListHeading = "%nExit status:%n",
    exitCodeList = {"0:restored", "1:the audit chain in the backup is broken",
        "2:bad options, no passphrase, a wrong passphrase, the target directory is not empty, or the backup is from a"
            + " newer version",
        "3:the file is corrupted, truncated or not a Gatehouse backup",
        "4:a running server holds the target directory, the master key that opens the backup's secrets is not"
            + " available (the message names it), or the target cannot be written"},
    footer = {"GATEHOUSE_BACKUP_PASSPHRASE:the passphrase, when --passphrase-file is not given",
        "GATEHOUSE_MASTER_KEY:the master key (Base64 of 32 bytes), when it is not a key file",
        "GATEHOUSE_PKCS11_CONFIG:the master key in a PKCS#11 token (with GATEHOUSE_PKCS11_PIN)"})
public final class RestoreCommand implements Callable<Integer> {
  @Parameters(index = "0", paramLabel = "FILE", description = "The backup file.")
  Path file;

  @Option(names = {"--data", "--data-dir"}, paramLabel = "DIR", defaultValue = "${env:GATEHOUSE_DATA:-data}",
      description = "Data directory to restore into; must be absent or empty (env GATEHOUSE_DATA, default ./data of the"
          + " working directory).")
  Path data;

  @Option(names = "--passphrase-file", paramLabel = "FILE", description = "Read the passphrase from the first line of FILE.")
  Path passphraseFile;

  @Option(names = DatabaseOption.FLAG, paramLabel = "URL",
      description = "Restore into this empty PostgreSQL database (env GATEHOUSE_DATABASE), the master key and counters"
          + " into --data; default: the SQLite store in --data. A backup of either store restores into either.")
  String database;

  @Option(names = "--master-key-file", paramLabel = "FILE",
      description = "Install this master key file (for backups taken without --include-master-key), such as a copy of"
          + " the old DATA/master.key or the file 'rotate-keys --save-retired-keys' wrote.")
  Path masterKeyFile;

  @Override
  public Integer call() {
    try {
      DataDirectoryLock.refuseIfHeld(data); // a restore never writes beside a running server
    } catch (DataDirectoryLock.InUse | java.io.UncheckedIOException e) {
      System.err.println("error: " + e.getMessage());
      return ExitCodes.ENVIRONMENT;
    }
    char[] pass;
    try {
      pass = Passphrase.read(passphraseFile, false);
    } catch (Passphrase.Missing e) {
      System.err.println("error: " + e.getMessage());
      return ExitCodes.USAGE;
    }
    try {
      java.util.Optional<io.gatehouse.control.DatabaseUrl> url;
      try {
        url = DatabaseOption.parse(database, System.getenv());
      } catch (IllegalArgumentException e) {
        System.err.println("error: " + DatabaseOption.FLAG + ": " + e.getMessage());
        return ExitCodes.USAGE;
      }
      Backups.RestoreOptions options = new Backups.RestoreOptions(masterKeyFile, System.getenv());
      if (url.isPresent()) {
        Backups.Summary s;
        try (com.zaxxer.hikari.HikariDataSource pool = io.gatehouse.control.PostgresConfigStore.connect(url.get())) {
          s = Backups.restoreToPostgres(file, pool, url.get().toString(), data, pass, options);
        } catch (IllegalStateException e) {
          System.err.println("error: " + e.getMessage());
          return ExitCodes.ENVIRONMENT;
        }
        System.err.println("restored " + file + " (taken " + s.created() + ", schema " + s.schemaVersion() + ", "
            + s.auditRecords() + " audit records) into " + url.get() + " and " + data.toAbsolutePath()
            + "; 'gatehouse serve --data " + data + " --database ...' uses it");
        return ExitCodes.OK;
      }
      Backups.Summary s = Backups.restore(file, data, pass, options);
      System.err.println("restored " + file + " (taken " + s.created() + ", schema " + s.schemaVersion() + ", "
          + s.auditRecords() + " audit records) into " + data.toAbsolutePath() + "; 'gatehouse serve --data " + data
          + "' uses it");
      return ExitCodes.OK;
    } catch (BackupException e) {
      System.err.println("error: " + e.getMessage());
      return BackupCommand.exitCode(e.kind());
    } finally {
      Arrays.fill(pass, ' ');
    }
  }
}
