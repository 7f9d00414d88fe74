package io.gatehouse.server.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** One writer per data directory: a second server or a restore over a held directory is one line, exit 4, no change. */
class ServeDataDirectoryLockTest {
  @TempDir Path dir;
  ServeCommand.Running first;
  Process child;

  @AfterEach
  void stop() throws Exception {
    if (first != null) {
      first.close();
    }
    if (child != null) {
      child.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
    }
  }

  ServeCommand.Running serveInProcess(Path data) throws Exception {
    ServeCommand cmd = new ServeCommand();
    new CommandLine(cmd).parseArgs("--data", data.toString(), "--gateway-host", "127.0.0.1",
        "--allowed-backend-networks", String.join(",", io.gatehouse.testing.GatehouseExtension.LOOPBACK_BACKENDS),
        "--gateway-port", "0", "--management-port", "0", "--portal-port", "0", "--drain-period", "0s", "--no-analytics");
    return cmd.start(null, new java.io.PrintStream(java.io.OutputStream.nullOutputStream()));
  }

  static ServeTest.Cli serveCli(Path data) {
    return ServePortInUseTest.serve(data, "--gateway-port", "0", "--management-port", "0", "--portal-port", "0", "--no-analytics");
  }

  /**
   * Every file of {@code data}, with size and modification time when {@code times} (false while a server runs in
   * this process: its own writes change its files) and always for the lock file.
   */
  static Map<String, String> snapshot(Path data, boolean times) throws Exception {
    Map<String, String> files = new TreeMap<>();
    try (Stream<Path> s = Files.walk(data)) {
      for (Path p : (Iterable<Path>) s::iterator) {
        boolean lock = p.getFileName().toString().equals(DataDirectoryLock.FILE_NAME);
        files.put(data.relativize(p).toString(), times || lock
            ? Files.size(p) + "@" + Files.getLastModifiedTime(p).toMillis() : "");
      }
    }
    return files;
  }

  @Test
  void aSecondServerInTheSameProcessIsRefusedWithOneLineAndChangesNothing() throws Exception {
    Path data = dir.resolve("data");
    first = serveInProcess(data);
    long pid = ProcessHandle.current().pid();
    Path lockFile = data.resolve(DataDirectoryLock.FILE_NAME);
    assertThat(Files.getPosixFilePermissions(lockFile)).isEqualTo(PosixFilePermissions.fromString("rw-------"));
    assertThat(Files.readString(lockFile).strip()).isEqualTo(String.valueOf(pid));
    Map<String, String> before = snapshot(data, false);

    ServeTest.Cli second = serveCli(data);

    assertThat(second.code()).isEqualTo(ExitCodes.ENVIRONMENT);
    assertThat(second.err().strip()).isEqualTo("error: data directory " + data + " is in use by another Gatehouse"
        + " server (pid " + pid + "); stop it or pass another --data");
    assertThat(second.out()).doesNotContain("admin token");
    assertThat(snapshot(data, false)).isEqualTo(before);
    // the refusal did not release the first server's lock: a restore is refused too, and changes nothing
    Path pass = Files.writeString(dir.resolve("pass"), "a long backup passphrase\n");
    ServeTest.Cli restore = ServeTest.Cli.run("restore", dir.resolve("none.ghb").toString(), "--data", data.toString(),
        "--passphrase-file", pass.toString());
    assertThat(restore.code()).isEqualTo(ExitCodes.ENVIRONMENT);
    assertThat(restore.err().strip()).isEqualTo(second.err().strip());
    assertThat(snapshot(data, false)).isEqualTo(before);
    // backup is made to run beside the server: it takes no lock
    ServeTest.Cli backup = ServeTest.Cli.run("backup", "--data", data.toString(), "-o",
        dir.resolve("b.ghb").toString(), "--passphrase-file", pass.toString());
    assertThat(backup.code()).as(backup.err()).isZero();
    assertThat(serveCli(data).code()).isEqualTo(ExitCodes.ENVIRONMENT);

    // released at shutdown: the next server starts on the same directory
    first.close();
    first = null;
    first = serveInProcess(data);
    assertThat(first.gateway().port()).isPositive();
  }

  @Test
  void aServerInAnotherProcessIsRefusedAndItsLockDiesWithIt() throws Exception {
    Path data = dir.resolve("data");
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    child = new ProcessBuilder(java, "-Xmx64m", "-cp", System.getProperty("java.class.path"),
        DataDirectoryLockHolder.class.getName(), data.toString())
        .redirectError(dir.resolve("child.err").toFile())
        .start();
    BufferedReader out = new BufferedReader(new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8));
    assertThat(out.readLine()).as("the child took the lock").isEqualTo("locked");
    Map<String, String> before = snapshot(data, true);

    ServeTest.Cli refused = serveCli(data);

    assertThat(refused.code()).isEqualTo(ExitCodes.ENVIRONMENT);
    assertThat(refused.err().strip()).isEqualTo("error: data directory " + data + " is in use by another Gatehouse"
        + " server (pid " + child.pid() + "); stop it or pass another --data");
    assertThat(snapshot(data, true)).isEqualTo(before);

    // a crashed holder: SIGKILL, no shutdown hook ran, the lock file stays, and it does not block
    child.destroyForcibly();
    assertThat(child.waitFor(10, TimeUnit.SECONDS)).isTrue();
    assertThat(data.resolve(DataDirectoryLock.FILE_NAME)).exists();
    first = serveInProcess(data);
    assertThat(Files.readString(data.resolve(DataDirectoryLock.FILE_NAME)).strip())
        .isEqualTo(String.valueOf(ProcessHandle.current().pid()));
  }
}
