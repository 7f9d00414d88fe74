package io.gatehouse.server.internal;

import io.gatehouse.control.secrets.KeyRotation;
import io.gatehouse.control.secrets.MasterKeys;
import io.gatehouse.model.storage.PrivateFiles;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code gatehouse rotate-keys}: re-wraps every data key under a new master key, the server may keep running; the
 * old keys leave the key file, so it warns that older backups taken without their key then need the retired keys,
 * which {@code --save-retired-keys} writes to a file of their own.
 */
@Command(name = "rotate-keys", mixinStandardHelpOptions = true,
    description = {"Re-wrap every data key under a new master key (key file master keys); safe while the server runs.",
        "The old keys leave DATA/master.key: a backup taken before the rotation without --include-master-key can then"
            + " be restored only with them. Keep them with --save-retired-keys FILE (restore --master-key-file FILE"
            + " reads it), or take a new backup right after rotating."},
    exitCodeListHeading = "%nExit status:%n",
    exitCodeList = {"0:rotated", "2:bad options, no key file in --data, a key source other than the file,"
        + " or the --save-retired-keys file exists",
        "4:the key file or the database could not be read or written (every secret stays readable; run it again)"},
    footer = {"GATEHOUSE_MASTER_KEY:when set (or GATEHOUSE_PKCS11_CONFIG), the master key is not the key file and"
        + " rotate-keys refuses to run"})
public final class RotateKeysCommand implements Callable<Integer> {
  @Option(names = "--data", paramLabel = "DIR", defaultValue = "${env:GATEHOUSE_DATA:-data}",
      description = "Data directory holding master.key and gatehouse.db (env GATEHOUSE_DATA, default ./data of the"
          + " working directory).")
  Path data;

  @Option(names = DatabaseOption.FLAG, paramLabel = "URL",
      description = "Re-wrap the data keys of the PostgreSQL store at this address (env GATEHOUSE_DATABASE) under a new"
          + " key in --data's master.key; default: the SQLite store in --data. Every other server of the cluster needs"
          + " the new master.key (copy it to each) before it can read what was re-wrapped.")
  String database;

  @Option(names = "--save-retired-keys", paramLabel = "FILE",
      description = "Before rotating, write the keys about to be retired to FILE (a new file, mode 0600), for restoring"
          + " older backups with 'restore --master-key-file FILE'. Store it offline, apart from the data directory.")
  Path saveRetired;

  @Override
  public Integer call() {
    if (System.getenv("GATEHOUSE_MASTER_KEY") != null || System.getenv("GATEHOUSE_PKCS11_CONFIG") != null) {
      System.err.println("error: rotate-keys rotates the key file master key; GATEHOUSE_MASTER_KEY or"
          + " GATEHOUSE_PKCS11_CONFIG is set (see docs/security.md, \"Key hierarchy\")");
      return ExitCodes.USAGE;
    }
    Path keyFile = data.resolve(MasterKeys.FILE_NAME);
    if (!Files.isRegularFile(keyFile)) {
      System.err.println("error: no master key file " + keyFile.toAbsolutePath()
          + ": pass --data DIR naming the data directory, or set GATEHOUSE_DATA");
      return ExitCodes.USAGE;
    }
    java.util.Optional<io.gatehouse.control.DatabaseUrl> url;
    try {
      url = DatabaseOption.parse(database, System.getenv());
    } catch (IllegalArgumentException e) {
      System.err.println("error: " + DatabaseOption.FLAG + ": " + e.getMessage());
      return ExitCodes.USAGE;
    }
    if (saveRetired != null && Files.exists(saveRetired)) {
      System.err.println("error: " + saveRetired.toAbsolutePath() + " exists; --save-retired-keys expects a new file name");
      return ExitCodes.USAGE;
    }
    List<String> retiring;
    try {
      retiring = MasterKeys.keyFile(keyFile).keyIds();
      if (saveRetired != null) {
        Files.write(PrivateFiles.file(saveRetired), Files.readAllBytes(keyFile));
      }
    } catch (IOException | RuntimeException e) {
      System.err.println("error: cannot read " + keyFile.toAbsolutePath() + " or write " + saveRetired + ": "
          + (e instanceof IOException io ? IoMessages.describe(io) : io.gatehouse.model.ReadErrors.scrub(e.getMessage())));
      return ExitCodes.ENVIRONMENT;
    }
    if (saveRetired == null) {
      System.err.println("warning: master key(s) " + String.join(", ", retiring) + " will be retired: backups taken"
          + " before now without --include-master-key can no longer be restored with this data directory's key file."
          + " Take a new backup after this rotation (or rotate with --save-retired-keys FILE to keep the old keys).");
    }
    try {
      KeyRotation.Result r = url.isEmpty() ? KeyRotation.rotate(data) : rotate(url.get());
      System.err.println("rotated: new master key " + r.newKeyId() + ", " + r.rowsRewrapped()
          + " rows re-wrapped, retired " + String.join(", ", r.retiredKeyIds()));
      if (url.isPresent()) {
        System.err.println("copy " + keyFile.toAbsolutePath() + " to the data directory of every other server of"
            + " the cluster now: until it has the new key, a server cannot read what was re-wrapped");
      }
      if (saveRetired != null) {
        System.err.println("retired keys saved to " + saveRetired.toAbsolutePath() + " (mode 0600): restore older"
            + " backups with 'gatehouse restore --master-key-file " + saveRetired + "'; keep it offline");
      }
      return ExitCodes.OK;
    } catch (UncheckedIOException e) {
      System.err.println("error: " + e.getMessage() + ": " + IoMessages.describe(e.getCause()));
      return ExitCodes.ENVIRONMENT;
    } catch (RuntimeException e) {
      System.err.println("error: " + io.gatehouse.model.ReadErrors.scrub(e.getMessage()));
      return ExitCodes.ENVIRONMENT;
    }
  }

  private KeyRotation.Result rotate(io.gatehouse.control.DatabaseUrl url) {
    try (com.zaxxer.hikari.HikariDataSource pool = io.gatehouse.control.PostgresConfigStore.connect(url)) {
      return KeyRotation.rotate(data, pool);
    }
  }
}
