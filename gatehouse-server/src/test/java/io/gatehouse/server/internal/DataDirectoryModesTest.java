package io.gatehouse.server.internal;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.gatehouse.control.backup.Backups;
import io.gatehouse.model.ConfigLoader;
import io.gatehouse.model.GatewayConfig;
import io.gatehouse.testing.Await;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;
import picocli.CommandLine;

/** Every directory the server writes in the data directory is 0700 and every file 0600; looser ones are reported. */
class DataDirectoryModesTest {
  static final String YAML = """
      apis:
        - name: counted
          path: /counted
          backend: none
          subscriptionRequired: false
          policies:
            inbound:
              - quota: {calls: 100, renewal-period: 1d}
              - return-response: {status: 200, content-type: text/plain, body: hi}
      backends:
        - name: none
          url: http://192.0.2.1:9
      """;

  ServeCommand.Running serve(Path dir, Path data) throws Exception {
    Path file = Files.writeString(dir.resolve("gatehouse.yaml"), YAML);
    GatewayConfig cfg = ConfigLoader.withEnvironment(Map.of()).parse(YAML, "gatehouse.yaml", null);
    ServeCommand cmd = new ServeCommand();
    new CommandLine(cmd).parseArgs("--data", data.toString(), "--gateway-host", "127.0.0.1", "--allowed-backend-networks",
        String.join(",", io.gatehouse.testing.GatehouseExtension.LOOPBACK_BACKENDS), "--gateway-port", "0",
        "--management-port", "0", "--portal-port", "0", "--config", file.toString(), "--no-access-log", "--analytics-flush-interval", "50",
        "--drain-period", "0s");
    return cmd.start(cfg, new PrintStream(new ByteArrayOutputStream()));
  }

  /** Path (relative to {@code root}) to mode of {@code root} and everything below it. */
  static Map<String, String> modes(Path root) throws Exception {
    Map<String, String> modes = new TreeMap<>();
    try (Stream<Path> all = Files.walk(root)) {
      for (Path p : all.toList()) {
        modes.put(root.relativize(p).toString() + (Files.isDirectory(p) ? "/" : ""),
            PosixFilePermissions.toString(Files.getPosixFilePermissions(p, LinkOption.NOFOLLOW_LINKS)));
      }
    }
    return modes;
  }

  static void assertPrivate(Map<String, String> modes) {
    Map<String, String> expected = new TreeMap<>();
    modes.keySet().forEach(path -> expected.put(path, path.endsWith("/") ? "rwx------" : "rw-------"));
    assertThat(modes).isEqualTo(expected);
  }

  @Test
  void aFreshDataDirectoryIsPrivateToTheServersUser(@TempDir Path dir) throws Exception {
    Path data = dir.resolve("var").resolve("data");
    HttpClient http = HttpClient.newHttpClient();
    Map<String, String> running;
    try (ServeCommand.Running server = serve(dir, data)) {
      String url = "http://127.0.0.1:" + server.gateway().port() + "/counted/x";
      assertThat(http.send(HttpRequest.newBuilder(URI.create(url)).build(), HttpResponse.BodyHandlers.ofString())
          .statusCode()).isEqualTo(200);
      Await.until("counters and analytics are written", () -> Files.exists(data.resolve("counters.db-wal"))
          && Files.exists(data.resolve("analytics.db-wal")));
      running = modes(data);
    }
    assertThat(running).containsKeys("/", "gatehouse.db", "gatehouse.db-wal", "gatehouse.db-shm", "counters.db",
        "counters.db-wal", "counters.db-shm", "analytics.db", "analytics.db-wal", "admin-token", "master.key");
    assertPrivate(running);
    assertPrivate(modes(data));
    assertThat(modes(dir.resolve("var"))).containsEntry("/", "rwx------"); // created parents too

    // a backup, and a data directory restored from it
    Path backup = dir.resolve("backups").resolve("b.ghb");
    Backups.create(data, backup, "a long backup passphrase".toCharArray(),
        new Backups.Options(true, true, Map.of(), new Backups.Kdf(1024, 1, 1)));
    assertThat(modes(dir.resolve("backups"))).containsEntry("b.ghb", "rw-------").containsEntry("/", "rwx------");
    Path restored = dir.resolve("restored");
    Backups.restore(backup, restored, "a long backup passphrase".toCharArray(),
        new Backups.RestoreOptions(null, Map.of()));
    assertThat(modes(restored)).containsKeys("gatehouse.db", "counters.db");
    assertPrivate(modes(restored));
  }

  @Test
  void warnsOncePerLooseExistingPathNamingItAndItsMode(@TempDir Path dir) throws Exception {
    Path data = Files.createDirectories(dir.resolve("data"));
    Files.setPosixFilePermissions(data, PosixFilePermissions.fromString("rwxr-xr-x"));
    Path loose = Files.writeString(data.resolve("notes.txt"), "left by an operator");
    Files.setPosixFilePermissions(loose, PosixFilePermissions.fromString("rw-r--r--"));
    Logger logger = (Logger) LoggerFactory.getLogger(ServeCommand.class);
    ListAppender<ILoggingEvent> log = new ListAppender<>();
    log.start();
    logger.addAppender(log);
    try (ServeCommand.Running server = serve(dir, data)) {
      List<String> warnings = log.list.stream().filter(e -> e.getLevel() == Level.WARN)
          .map(ILoggingEvent::getFormattedMessage).filter(m -> m.contains(data.toString())).toList();
      assertThat(warnings).hasSize(2);
      assertThat(warnings).anySatisfy(w -> assertThat(w).contains(data + " ").contains("rwxr-xr-x"));
      assertThat(warnings).anySatisfy(w -> assertThat(w).contains(loose.toString()).contains("rw-r--r--"));
    } finally {
      logger.detachAppender(log);
    }
    assertPrivate(modes(data.resolve("..").normalize().resolve("data")).entrySet().stream()
        .filter(e -> !e.getKey().equals("/") && !e.getKey().equals("notes.txt"))
        .collect(java.util.stream.Collectors.toMap(Map.Entry::getKey, Map.Entry::getValue)));
  }
}
