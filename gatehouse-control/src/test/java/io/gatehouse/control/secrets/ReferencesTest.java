package io.gatehouse.control.secrets;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ReferencesTest {
  static final String TOKEN = "s.fake-vault-token";
  static final String REF = "vault:secret/app/db#password";

  @TempDir Path dir;
  HttpServer vault;
  final AtomicReference<String> password = new AtomicReference<>("first-password");
  final AtomicInteger logins = new AtomicInteger();
  References refs;

  /** A fake Vault: KV v2 reads under mount 'secret' with X-Vault-Token, and AppRole login. */
  @BeforeEach
  void startVault() throws IOException {
    vault = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    vault.createContext("/v1/secret/data/app/db", ex -> {
      if (!TOKEN.equals(ex.getRequestHeaders().getFirst("X-Vault-Token"))) {
        send(ex, 403, "{\"errors\":[\"permission denied\"]}");
      } else {
        send(ex, 200, "{\"data\":{\"data\":{\"password\":\"" + password.get() + "\"},\"metadata\":{\"version\":3}}}");
      }
    });
    vault.createContext("/v1/auth/approle/login", ex -> {
      String body = new String(ex.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
      if ("POST".equals(ex.getRequestMethod()) && body.contains("\"role_id\":\"role-1\"") && body.contains("\"secret_id\":\"sec-1\"")) {
        logins.incrementAndGet();
        send(ex, 200, "{\"auth\":{\"client_token\":\"" + TOKEN + "\",\"lease_duration\":3600}}");
      } else {
        send(ex, 400, "{\"errors\":[\"invalid role or secret ID\"]}");
      }
    });
    vault.start();
  }

  @AfterEach
  void stop() {
    vault.stop(0);
    if (refs != null) {
      refs.close();
    }
  }

  private static void send(HttpExchange ex, int status, String body) throws IOException {
    byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
    ex.getResponseHeaders().set("Content-Type", "application/json");
    ex.sendResponseHeaders(status, bytes.length);
    ex.getResponseBody().write(bytes);
    ex.close();
  }

  private String vaultAddr() {
    return "http://127.0.0.1:" + vault.getAddress().getPort();
  }

  @Test
  void readsVaultRefreshesAndKeepsLastGoodValueWhenUnreachable() {
    refs = References.create(Map.of("VAULT_ADDR", vaultAddr(), "VAULT_TOKEN", TOKEN), ReferenceAllowlist.none(), Duration.ofHours(1));
    AtomicInteger changes = new AtomicInteger();
    refs.onChange(changes::incrementAndGet);
    assertThat(refs.value(REF)).contains("first-password");

    password.set("second-password");
    assertThat(refs.refreshNow()).isTrue();
    assertThat(refs.value(REF)).contains("second-password");
    assertThat(changes).hasValue(1);

    vault.stop(0);
    assertThat(refs.refreshNow()).isFalse();
    assertThat(refs.value(REF)).contains("second-password");
    References.Health h = refs.health().get(0);
    assertThat(h.ref()).isEqualTo(REF);
    assertThat(h.resolved()).isTrue();
    assertThat(h.lastAttemptOk()).isFalse();
    assertThat(h.error()).isNotBlank().doesNotContain("second-password");
    assertThat(h.lastSuccess()).isBefore(h.lastAttempt());
  }

  @Test
  void logsInWithAppRole() {
    refs = References.create(Map.of("VAULT_ADDR", vaultAddr(), "VAULT_ROLE_ID", "role-1", "VAULT_SECRET_ID", "sec-1"),
        ReferenceAllowlist.none(), Duration.ofHours(1));
    assertThat(refs.value(REF)).contains("first-password");
    assertThat(refs.refreshNow()).isFalse();
    assertThat(logins).hasValue(1);
  }

  @Test
  void reportsAWrongTokenWithoutAValue() {
    refs = References.create(Map.of("VAULT_ADDR", vaultAddr(), "VAULT_TOKEN", "wrong"), ReferenceAllowlist.none(), Duration.ofHours(1));
    assertThat(refs.value(REF)).isEmpty();
    assertThat(refs.health().get(0).error()).contains("403");
  }

  @Test
  void readsVaultOverHttpsTrustingOnlyTheGivenCa() throws Exception {
    Path keytool = Path.of(System.getProperty("java.home"), "bin", "keytool");
    Path store = dir.resolve("vault.p12");
    Path ca = dir.resolve("vault-ca.pem");
    run(keytool.toString(), "-genkeypair", "-alias", "vault", "-keyalg", "EC", "-groupname", "secp256r1",
        "-dname", "CN=127.0.0.1", "-ext", "san=ip:127.0.0.1", "-validity", "2", "-storetype", "PKCS12",
        "-keystore", store.toString(), "-storepass", "changeit");
    run(keytool.toString(), "-exportcert", "-rfc", "-alias", "vault", "-keystore", store.toString(),
        "-storepass", "changeit", "-file", ca.toString());
    java.security.KeyStore ks = java.security.KeyStore.getInstance("PKCS12");
    try (var in = Files.newInputStream(store)) {
      ks.load(in, "changeit".toCharArray());
    }
    javax.net.ssl.KeyManagerFactory kmf = javax.net.ssl.KeyManagerFactory.getInstance("PKIX");
    kmf.init(ks, "changeit".toCharArray());
    javax.net.ssl.SSLContext tls = javax.net.ssl.SSLContext.getInstance("TLS");
    tls.init(kmf.getKeyManagers(), null, null);
    com.sun.net.httpserver.HttpsServer https = com.sun.net.httpserver.HttpsServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    https.setHttpsConfigurator(new com.sun.net.httpserver.HttpsConfigurator(tls));
    https.createContext("/v1/secret/data/app/db", ex -> send(ex, 200, "{\"data\":{\"data\":{\"password\":\"over-tls\"}}}"));
    https.start();
    try {
      String addr = "https://127.0.0.1:" + https.getAddress().getPort();
      refs = References.create(Map.of("VAULT_ADDR", addr, "VAULT_TOKEN", TOKEN, "VAULT_CACERT", ca.toString()),
          ReferenceAllowlist.none(), Duration.ofHours(1));
      assertThat(refs.value(REF)).contains("over-tls");
      References untrusting = References.create(Map.of("VAULT_ADDR", addr, "VAULT_TOKEN", TOKEN), ReferenceAllowlist.none(), Duration.ofHours(1));
      assertThat(untrusting.value(REF)).isEmpty();
      assertThat(untrusting.health().get(0).error()).isNotBlank();
    } finally {
      https.stop(0);
    }
  }

  private static void run(String... cmd) throws Exception {
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(p.waitFor()).as(out).isZero();
  }

  @Test
  void readsEnvironmentAndFiles() throws IOException {
    Path file = Files.writeString(dir.resolve("token.txt"), "from-file\n");
    refs = References.create(Map.of("API_KEY", "from-env"),
        ReferenceAllowlist.parse("env:API_*,file:" + dir, dir.resolve("data")), Duration.ofHours(1));
    assertThat(refs.value("env:API_KEY")).contains("from-env");
    assertThat(refs.value("file:" + file)).contains("from-file");
    assertThat(refs.value("env:MISSING")).isEmpty();
    Files.writeString(file, "rotated");
    assertThat(refs.refreshNow()).isTrue();
    assertThat(refs.value("file:" + file)).contains("rotated");
    Files.delete(file);
    refs.refreshNow();
    assertThat(refs.value("file:" + file)).contains("rotated");
  }

  @Test
  void readsOnlyWhatTheAllowlistNamesAndNeverTheDataDirectory() throws IOException {
    Path data = Files.createDirectories(dir.resolve("data"));
    Files.writeString(data.resolve("master.key"), "k1 the-master-key");
    Path allowed = Files.createDirectories(dir.resolve("allowed"));
    Path ok = Files.writeString(allowed.resolve("token"), "fine");
    Files.createSymbolicLink(allowed.resolve("link"), data.resolve("master.key"));
    Files.createSymbolicLink(allowed.resolve("dangling"), data.resolve("admin-token"));
    ReferenceAllowlist list = ReferenceAllowlist.parse("file:" + allowed + "/,file:" + data + ",env:APP_*,env:ONE,env:VAULT_*",
        data);
    refs = References.create(Map.of("APP_KEY", "a", "ONE", "1", "ONE_MORE", "x", "VAULT_TOKEN", "v", "HOME", "/root"),
        list, Duration.ofHours(1));
    assertThat(refs.value("file:" + ok)).contains("fine");
    assertThat(refs.value("env:APP_KEY")).contains("a");
    assertThat(refs.value("env:ONE")).contains("1");
    for (String refused : List.of("env:ONE_MORE", "env:HOME", "env:VAULT_TOKEN", "file:" + data.resolve("master.key"),
        "file:" + allowed.resolve("link"), "file:" + allowed.resolve("dangling"), "file:" + allowed + "/../data/master.key",
        "file:relative/token", "file:" + allowed + "x/token")) {
      assertThat(list.refusal(refused)).as(refused).isPresent();
      assertThat(list.refusal(refused).get()).as(refused).contains(ReferenceAllowlist.FLAG);
      assertThat(refs.value(refused)).as(refused).isEmpty();
    }
    assertThat(refs.health()).allSatisfy(h -> assertThat(String.valueOf(h.error())).doesNotContain("the-master-key"));
    assertThat(ReferenceAllowlist.none().refusal("env:APP_KEY")).isPresent();
    assertThat(ReferenceAllowlist.none().refusal("vault:secret/x#y")).isEmpty();
    assertThatThrownBy(() -> ReferenceAllowlist.parse("/etc/secrets", data)).hasMessageContaining("--reference-allow");
  }
}
