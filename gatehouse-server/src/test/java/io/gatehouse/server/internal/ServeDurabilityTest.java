package io.gatehouse.server.internal;

import static org.assertj.core.api.Assertions.assertThat;

import io.gatehouse.control.SqliteConfigStore;
import io.gatehouse.control.security.AuditLog;
import io.gatehouse.control.security.AuditRecord;
import io.gatehouse.control.security.AuditVerification;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The real server in a child JVM is killed with SIGKILL while clients stream management writes; after a restart on
 * the same data directory every acknowledged write is there and the audit chain verifies.
 */
class ServeDurabilityTest {
  static final int ACKS_BEFORE_KILL = 150;
  static final int WRITERS = 3;
  static final Pattern MANAGEMENT = Pattern.compile("^\\s+management\\s+http://[^:]+:(\\d+)");
  static final Pattern TOKEN = Pattern.compile("^\\s+admin token (\\S+)");

  @TempDir Path dir;
  final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

  /** A server child process, its management port, and the admin token it printed on its first start (or null). */
  record Child(Process process, int port, String token) {}

  Child start(Path data, String name, boolean firstStart) throws Exception {
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    Process p = new ProcessBuilder(java, "-Xmx256m", "-cp", System.getProperty("java.class.path"),
        io.gatehouse.server.Main.class.getName(), "serve", "--data", data.toString(), "--gateway-host", "127.0.0.1",
        "--gateway-port", "0", "--management-port", "0", "--portal-port", "0", "--drain-period", "0s", "--no-analytics", "--no-access-log")
        .redirectError(dir.resolve(name + ".err").toFile())
        .start();
    CompletableFuture<Integer> port = new CompletableFuture<>();
    CompletableFuture<String> token = new CompletableFuture<>();
    Thread drain = new Thread(() -> {
      try (BufferedReader out = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
        String line;
        while ((line = out.readLine()) != null) {
          Matcher m = MANAGEMENT.matcher(line);
          if (m.find()) {
            port.complete(Integer.parseInt(m.group(1)));
          }
          Matcher t = TOKEN.matcher(line);
          if (t.find()) {
            token.complete(t.group(1));
          }
          if (line.contains("(shown once")) {
            token.complete(null);
          }
        }
      } catch (IOException e) {
        // the process died
      } finally {
        port.completeExceptionally(new AssertionError("the server exited before listening; see " + name + ".err"));
        token.complete(null);
      }
    }, name + "-stdout");
    drain.setDaemon(true);
    drain.start();
    int mgmt = port.get(120, TimeUnit.SECONDS);
    return new Child(p, mgmt, firstStart ? token.get(120, TimeUnit.SECONDS) : null);
  }

  HttpResponse<String> call(int port, String method, String path, String token, String json)
      throws IOException, InterruptedException {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
        .timeout(Duration.ofSeconds(30)).header("Authorization", "Bearer " + token).header("Accept", "application/json");
    if (json != null) {
      b.header("Content-Type", "application/json").method(method, HttpRequest.BodyPublishers.ofString(json));
    } else {
      b.method(method, HttpRequest.BodyPublishers.noBody());
    }
    return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
  }

  @Test
  void everyAcknowledgedManagementWriteAndTheAuditChainSurviveSigkill() throws Exception {
    Path data = dir.resolve("data");
    Child first = start(data, "first", true);
    String token = first.token();
    assertThat(token).as("the first start prints an admin token").isNotNull();
    Set<String> acked = ConcurrentHashMap.newKeySet();
    CountDownLatch enough = new CountDownLatch(ACKS_BEFORE_KILL);
    List<Thread> writers = new ArrayList<>();
    try {
      for (int w = 0; w < WRITERS; w++) {
        int id = w;
        Thread t = new Thread(() -> {
          for (int i = 0; ; i++) {
            String name = "nv-" + id + "-" + i;
            try {
              HttpResponse<String> r = call(first.port(), "POST", "/api/v1/named-values", token,
                  "{\"name\":\"" + name + "\",\"value\":\"value " + i + "\"}");
              if (r.statusCode() != 201) {
                return;
              }
              acked.add(name);
              enough.countDown();
            } catch (IOException | InterruptedException e) {
              return; // the server is gone
            }
          }
        }, "writer-" + w);
        t.start();
        writers.add(t);
      }
      assertThat(enough.await(120, TimeUnit.SECONDS)).as("writes acknowledged before the kill").isTrue();
      first.process().destroyForcibly(); // SIGKILL on Linux: no shutdown hook, no flush
      assertThat(first.process().waitFor(30, TimeUnit.SECONDS)).isTrue();
      for (Thread t : writers) {
        t.join(TimeUnit.SECONDS.toMillis(60));
      }
    } finally {
      first.process().destroyForcibly();
    }
    assertThat(first.process().exitValue()).as("killed by SIGKILL (128 + 9)").isEqualTo(137);
    assertThat(writers).noneMatch(Thread::isAlive);
    Set<String> written = Set.copyOf(acked);
    assertThat(written).hasSizeGreaterThanOrEqualTo(ACKS_BEFORE_KILL);

    Child second = start(data, "second", false);
    try {
      for (String name : written) {
        HttpResponse<String> r = call(second.port(), "GET", "/api/v1/named-values/" + name, token, null);
        assertThat(r.statusCode()).as("acknowledged write %s after the restart", name).isEqualTo(200);
      }
      assertThat(call(second.port(), "POST", "/api/v1/named-values", token,
          "{\"name\":\"after-restart\",\"value\":\"x\"}").statusCode()).isEqualTo(201);
    } finally {
      second.process().destroy();
      assertThat(second.process().waitFor(60, TimeUnit.SECONDS)).isTrue();
    }

    ServeTest.Cli verify = ServeTest.Cli.run("audit", "verify", "--data", data.toString());
    assertThat(verify.code()).as(verify.out() + verify.err()).isZero();
    try (SqliteConfigStore store = SqliteConfigStore.open(data, Map.of())) {
      AuditVerification v = AuditLog.of(store).verify();
      assertThat(v.intact()).as(v.detail()).isTrue();
      Set<String> audited = AuditLog.of(store).query(null, null, "named-values/", null, null, 0, 100_000).stream()
          .filter(r -> r.result().equals("success")).map(AuditRecord::entity)
          .map(e -> e.substring("named-values/".length())).collect(Collectors.toSet());
      assertThat(audited).as("every acknowledged write is audited").containsAll(written).contains("after-restart");
    }
    assertThat(Files.exists(data.resolve("gatehouse.db"))).isTrue();
  }
}
