package io.gatehouse.server.internal;

import static org.assertj.core.api.Assertions.assertThat;

import io.gatehouse.control.SqliteConfigStore;
import io.gatehouse.model.NamedValueDef;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** {@code gatehouse backup} and {@code restore} against a running server, through the command line. */
class BackupRestoreTest {
  static final String SECRET = "backend-key-91f3-do-not-leak";
  static final String PASSWORD = "ops-password-0123456789";

  @TempDir Path dir;
  final HttpClient http = HttpClient.newHttpClient();
  ServeCommand.Running source;
  ServeCommand.Running restored;

  @AfterEach
  void stop() throws Exception {
    if (restored != null) {
      restored.close();
    }
    if (source != null) {
      source.close();
    }
  }

  static ServeCommand.Running serve(Path data) throws Exception {
    ServeCommand cmd = new ServeCommand();
    new CommandLine(cmd).parseArgs("--data", data.toString(), "--gateway-host", "127.0.0.1", "--allowed-backend-networks",
        String.join(",", io.gatehouse.testing.GatehouseExtension.LOOPBACK_BACKENDS), "--gateway-port", "0",
        "--management-port", "0", "--portal-port", "0", "--drain-period", "0s", "--no-analytics");
    return cmd.start(null, new PrintStream(new ByteArrayOutputStream()));
  }

  static String mgmt(ServeCommand.Running r) {
    return "http://127.0.0.1:" + r.management().actualPort();
  }

  HttpResponse<String> call(ServeCommand.Running r, String method, String path, String token, String json)
      throws IOException, InterruptedException {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(mgmt(r) + path)).header("Accept", "application/json");
    if (token != null) {
      b.header("Authorization", "Bearer " + token);
    }
    b.method(method, json == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(json));
    if (json != null) {
      b.header("Content-Type", "application/json");
    }
    return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
  }

  @Test
  void backupOfARunningServerRestoresToAnIdenticalExportAndAnIntactAuditChain() throws Exception {
    Path data = dir.resolve("data");
    source = serve(data);
    String token = Files.readString(data.resolve("admin-token")).strip();
    Path file = Files.writeString(dir.resolve("g.yaml"), """
        namedValues:
          - name: backend-key
            type: secret
            value: %s
        backends:
          - name: echo
            url: http://127.0.0.1:9
        apis:
          - name: orders
            path: /orders
            backend: echo
            subscriptionRequired: true
            policies:
              inbound:
                - set-header: {name: X-Backend-Key, value: "${nv:backend-key}"}
            operations:
              - GET /items
        subscriptions:
          - name: alice
            scope: api:orders
            primaryKey: alice-key-0123456789abcdef
        """.formatted(SECRET));
    ServeTest.Cli apply = ServeTest.Cli.run("apply", "-f", file.toString(), "--server", mgmt(source), "--token", token);
    assertThat(apply.code()).as(apply.err()).isZero();
    assertThat(call(source, "POST", "/api/v1/accounts", token,
        "{\"name\":\"ops\",\"password\":\"" + PASSWORD + "\",\"roles\":[\"admin\"]}").statusCode()).isEqualTo(201);
    Path pass = Files.writeString(dir.resolve("pass"), "a long backup passphrase\n");

    // a backup taken while management writes stream in
    Set<String> acked = ConcurrentHashMap.newKeySet();
    AtomicBoolean stop = new AtomicBoolean();
    CountDownLatch some = new CountDownLatch(10);
    Thread writer = new Thread(() -> {
      for (int i = 0; !stop.get(); i++) {
        try {
          if (call(source, "POST", "/api/v1/named-values", token, "{\"name\":\"nv-" + i + "\",\"value\":\"v" + i + "\"}")
              .statusCode() == 201) {
            acked.add("nv-" + i);
            some.countDown();
          }
        } catch (IOException | InterruptedException e) {
          return;
        }
      }
    });
    writer.start();
    some.await();
    Set<String> before = Set.copyOf(acked);
    ServeTest.Cli mid = ServeTest.Cli.run("backup", "--data", data.toString(), "-o", dir.resolve("mid.ghb").toString(),
        "--passphrase-file", pass.toString(), "--include-master-key");
    stop.set(true);
    writer.join();
    assertThat(mid.code()).as(mid.err()).isZero();
    assertThat(mid.err()).contains("wrote").contains("gatehouse.db").contains("master.key");
    Path midData = dir.resolve("restored-mid");
    ServeTest.Cli r1 = ServeTest.Cli.run("restore", dir.resolve("mid.ghb").toString(), "--data", midData.toString(),
        "--passphrase-file", pass.toString());
    assertThat(r1.code()).as(r1.err()).isZero();
    ServeTest.Cli verifyMid = ServeTest.Cli.run("audit", "verify", "--data", midData.toString());
    assertThat(verifyMid.code()).as(verifyMid.out()).isZero();
    try (SqliteConfigStore copy = SqliteConfigStore.open(midData, Map.of())) {
      Set<String> names = copy.current().config().namedValues().stream().map(NamedValueDef::name)
          .collect(Collectors.toSet());
      assertThat(names).containsAll(before);
    }
    assertThat(new String(Files.readAllBytes(dir.resolve("mid.ghb")), java.nio.charset.StandardCharsets.ISO_8859_1))
        .doesNotContain(SECRET).doesNotContain("alice").doesNotContain("nv-1");

    // a backup of the quiet server restores to the same export, users and audit chain
    ServeTest.Cli full = ServeTest.Cli.run("backup", "--data", data.toString(), "-o", dir.resolve("full.ghb").toString(),
        "--passphrase-file", pass.toString(), "--include-master-key");
    assertThat(full.code()).as(full.err()).isZero();
    Path copyData = dir.resolve("restored");
    ServeTest.Cli r2 = ServeTest.Cli.run("restore", dir.resolve("full.ghb").toString(), "--data-dir", copyData.toString(),
        "--passphrase-file", pass.toString());
    assertThat(r2.code()).as(r2.err()).isZero();
    assertThat(ServeTest.Cli.run("audit", "verify", "--data", copyData.toString()).code()).isZero();
    restored = serve(copyData);
    ServeTest.Cli exportSource = ServeTest.Cli.run("export", "--server", mgmt(source), "--token", token);
    ServeTest.Cli exportCopy = ServeTest.Cli.run("export", "--server", mgmt(restored), "--token", token);
    assertThat(exportSource.code()).isZero();
    // sealed values are sealed afresh on every export (randomized), so they are compared by applying them
    assertThat(unsealed(exportCopy.out())).isEqualTo(unsealed(exportSource.out())).contains("alice").contains("nv-")
        .doesNotContain(SECRET);
    Path exported = Files.writeString(dir.resolve("source-export.yaml"), exportSource.out());
    ServeTest.Cli again = ServeTest.Cli.run("apply", "-f", exported.toString(), "--server", mgmt(restored), "--token", token);
    assertThat(again.out()).as(again.err()).contains("(no change)");
    assertThat(call(restored, "POST", "/api/v1/login", null, "{\"name\":\"ops\",\"password\":\"" + PASSWORD + "\"}")
        .statusCode()).isEqualTo(200);
    assertThat(call(restored, "POST", "/api/v1/named-values/backend-key/reveal", token, null).body()).contains(SECRET);
  }

  static String unsealed(String yaml) {
    return yaml.replaceAll("sealed: v1:\\S+", "sealed: SEALED");
  }

  @Test
  void refusesDamagedArchivesWrongPassphrasesAndBusyTargetsWithTheirExitStatus() throws Exception {
    Path data = dir.resolve("data");
    source = serve(data);
    Path pass = Files.writeString(dir.resolve("pass"), "a long backup passphrase\n");
    Path archive = dir.resolve("b.ghb");
    assertThat(ServeTest.Cli.run("backup", "--data", data.toString(), "-o", archive.toString(), "--passphrase-file",
        pass.toString()).code()).isZero();
    Path target = dir.resolve("target");

    Path wrong = Files.writeString(dir.resolve("wrong"), "another passphrase entirely\n");
    ServeTest.Cli w = ServeTest.Cli.run("restore", archive.toString(), "--data", target.toString(), "--passphrase-file",
        wrong.toString());
    assertThat(w.code()).isEqualTo(ExitCodes.USAGE);
    assertThat(w.err().strip()).isEqualTo("error: the passphrase does not open b.ghb");

    byte[] bytes = Files.readAllBytes(archive);
    Path cut = Files.write(dir.resolve("cut.ghb"), Arrays.copyOf(bytes, bytes.length - 100));
    ServeTest.Cli t = ServeTest.Cli.run("restore", cut.toString(), "--data", target.toString(), "--passphrase-file",
        pass.toString());
    assertThat(t.code()).isEqualTo(ExitCodes.INVALID);
    assertThat(t.err()).startsWith("error: cut.ghb is truncated");

    bytes[bytes.length / 2] ^= 0x40;
    Path flipped = Files.write(dir.resolve("flipped.ghb"), bytes);
    ServeTest.Cli f = ServeTest.Cli.run("restore", flipped.toString(), "--data", target.toString(), "--passphrase-file",
        pass.toString());
    assertThat(f.code()).isEqualTo(ExitCodes.INVALID);
    assertThat(f.err()).startsWith("error: flipped.ghb is corrupted");
    assertThat(target).doesNotExist();

    ServeTest.Cli held = ServeTest.Cli.run("restore", archive.toString(), "--data", data.toString(), "--passphrase-file",
        pass.toString());
    assertThat(held.code()).isEqualTo(ExitCodes.ENVIRONMENT); // the running server holds it
    assertThat(held.err()).contains("is in use by another Gatehouse server");
    Path used = Files.createDirectories(dir.resolve("used"));
    Files.writeString(used.resolve("notes.txt"), "kept\n");
    ServeTest.Cli busy = ServeTest.Cli.run("restore", archive.toString(), "--data", used.toString(), "--passphrase-file",
        pass.toString());
    assertThat(busy.code()).isEqualTo(ExitCodes.USAGE);
    assertThat(busy.err()).contains("is not empty");

    ServeTest.Cli noKey = ServeTest.Cli.run("restore", archive.toString(), "--data", target.toString(),
        "--passphrase-file", pass.toString());
    assertThat(noKey.code()).as(noKey.err()).isEqualTo(ExitCodes.ENVIRONMENT); // the instance key is a secret under the master key
    assertThat(noKey.err()).contains("--master-key-file");
    assertThat(target).doesNotExist();
    ServeTest.Cli withKey = ServeTest.Cli.run("restore", archive.toString(), "--data", target.toString(),
        "--passphrase-file", pass.toString(), "--master-key-file", data.resolve("master.key").toString());
    assertThat(withKey.code()).as(withKey.err()).isZero();
    List<String> names;
    try (var s = Files.list(target)) {
      names = s.map(p -> p.getFileName().toString()).sorted().toList();
    }
    assertThat(names).contains("gatehouse.db", "audit-head", "master.key").doesNotContain("admin-token");
  }

  @Test
  void afterRotateKeysTheRestoreNamesTheRetiredKeyAndTheSavedRetiredKeysRestoreIt() throws Exception {
    Path data = dir.resolve("data");
    source = serve(data);
    Path pass = Files.writeString(dir.resolve("pass"), "a long backup passphrase\n");
    Path archive = dir.resolve("before.ghb");
    assertThat(ServeTest.Cli.run("backup", "--data", data.toString(), "-o", archive.toString(), "--passphrase-file",
        pass.toString()).code()).isZero();

    Path retired = dir.resolve("retired.keys");
    ServeTest.Cli saved = ServeTest.Cli.run("rotate-keys", "--data", data.toString(), "--save-retired-keys",
        retired.toString());
    assertThat(saved.code()).as(saved.err()).isZero();
    java.util.regex.Matcher retiredId = java.util.regex.Pattern.compile("retired (k[0-9a-f]{12})\\b").matcher(saved.err());
    assertThat(retiredId.find()).as(saved.err()).isTrue();
    String oldKey = retiredId.group(1);
    assertThat(oldKey).matches("k[0-9a-f]+");
    assertThat(saved.err()).contains("retired keys saved to").doesNotContain("warning");
    assertThat(Files.readString(retired)).contains(oldKey);
    assertThat(Files.getPosixFilePermissions(retired)).containsExactlyInAnyOrder(
        java.nio.file.attribute.PosixFilePermission.OWNER_READ, java.nio.file.attribute.PosixFilePermission.OWNER_WRITE);
    assertThat(ServeTest.Cli.run("rotate-keys", "--data", data.toString(), "--save-retired-keys", retired.toString())
        .code()).isEqualTo(ExitCodes.USAGE); // never overwrites a saved key file

    ServeTest.Cli unsaved = ServeTest.Cli.run("rotate-keys", "--data", data.toString());
    assertThat(unsaved.code()).isZero();
    assertThat(unsaved.err()).startsWith("warning: master key(s) ")
        .contains("backups taken before now without --include-master-key can no longer be restored");

    ServeTest.Cli current = ServeTest.Cli.run("restore", archive.toString(), "--data", dir.resolve("t1").toString(),
        "--passphrase-file", pass.toString(), "--master-key-file", data.resolve("master.key").toString());
    assertThat(current.code()).isEqualTo(ExitCodes.ENVIRONMENT);
    assertThat(current.err().strip()).doesNotContain("\n").contains("need master key " + oldKey)
        .contains("rotate-keys --save-retired-keys");
    assertThat(dir.resolve("t1")).doesNotExist();

    ServeTest.Cli old = ServeTest.Cli.run("restore", archive.toString(), "--data", dir.resolve("t2").toString(),
        "--passphrase-file", pass.toString(), "--master-key-file", retired.toString());
    assertThat(old.code()).as(old.err()).isZero();
  }
}
