package io.gatehouse.server.internal;

import io.gatehouse.control.secrets.KeyRotation;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code gatehouse rotate-keys}: re-wraps every data key under a new master key, the server may keep running. */
@Command(name = "rotate-keys", mixinStandardHelpOptions = true,
    description = "Re-wrap every data key under a new master key (key file master keys); safe while the server runs.")
public final class RotateKeysCommand implements Callable<Integer> {
  @Option(names = "--data", paramLabel = "DIR", defaultValue = "${env:GATEHOUSE_DATA:-data}",
      description = "Data directory holding master.key and gatehouse.db (env GATEHOUSE_DATA, default ./data).")
  Path data;

  @Override
  public Integer call() {
    if (System.getenv("GATEHOUSE_MASTER_KEY") != null || System.getenv("GATEHOUSE_PKCS11_CONFIG") != null) {
      System.err.println("error: rotate-keys rotates the key file master key; GATEHOUSE_MASTER_KEY or"
          + " GATEHOUSE_PKCS11_CONFIG is set (see docs/security.md, \"Key hierarchy\")");
      return 2;
    }
    try {
      KeyRotation.Result r = KeyRotation.rotate(data);
      System.err.println("rotated: new master key " + r.newKeyId() + ", " + r.rowsRewrapped()
          + " rows re-wrapped, retired " + String.join(", ", r.retiredKeyIds()));
      return 0;
    } catch (RuntimeException e) {
      System.err.println("error: " + e.getMessage());
      return 1;
    }
  }
}
