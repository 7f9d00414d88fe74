package io.gatehouse.server.internal;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * The developer portal inside {@code serve --demo}: a developer signs up, subscribes to the demo
 * product and calls the demo API through the real gateway with the key shown once; a regenerated
 * key replaces the old one at the gateway; the gateway answers CORS for the portal's origin only.
 */
class PortalServeTest {
  static final ObjectMapper JSON = new ObjectMapper();
  static final String PASSWORD = "a long enough password";

  @TempDir Path dir;
  ServeCommand.Running running;
  String out;
  final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

  void serve(String... extra) throws Exception {
    ServeCommand cmd = new ServeCommand();
    String[] base = {"--data", dir.resolve("data").toString(), "--gateway-host", "127.0.0.1", "--gateway-port", "0",
        "--management-port", "0", "--portal-host", "127.0.0.1", "--portal-port", "0", "--drain-period", "0s",
        "--no-access-log", "--demo"};
    String[] all = new String[base.length + extra.length];
    System.arraycopy(base, 0, all, 0, base.length);
    System.arraycopy(extra, 0, all, base.length, extra.length);
    new CommandLine(cmd).parseArgs(all);
    ByteArrayOutputStream buf = new ByteArrayOutputStream();
    running = cmd.start(null, new PrintStream(buf, true, StandardCharsets.UTF_8));
    out = buf.toString(StandardCharsets.UTF_8);
  }

  @AfterEach
  void stop() throws Exception {
    if (running != null) {
      running.close();
    }
  }

  String portal() {
    return "http://127.0.0.1:" + running.portal().actualPort();
  }

  String gateway() {
    return "http://127.0.0.1:" + running.gateway().port();
  }

  HttpResponse<String> send(String method, String url, String body, Map<String, String> headers) throws Exception {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(url))
        .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
    if (body != null) {
      b.header("Content-Type", "application/json");
    }
    headers.forEach(b::header);
    return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
  }

  @Test
  void demoPrintsThePortalAndConsoleUrls() throws Exception {
    serve();
    assertThat(out).contains("  portal      http://127.0.0.1:" + running.portal().actualPort() + "/");
    assertThat(out).contains("  console     http://127.0.0.1:" + running.management().actualPort() + "/console/");
  }

  @Test
  void aDeveloperSignsUpSubscribesAndCallsTheDemoApiAndARegeneratedKeyReplacesTheOld() throws Exception {
    serve();
    Map<String, String> origin = Map.of("Origin", portal());
    HttpResponse<String> signUp = send("POST", portal() + "/portal/api/v1/signup",
        "{\"email\":\"dev@example.com\",\"password\":\"" + PASSWORD + "\",\"name\":\"Dev\"}", origin);
    assertThat(signUp.statusCode()).as(signUp.body()).isEqualTo(202);
    HttpResponse<String> signIn = send("POST", portal() + "/portal/api/v1/signin",
        "{\"email\":\"dev@example.com\",\"password\":\"" + PASSWORD + "\"}", origin);
    assertThat(signIn.statusCode()).as("--demo needs no verification: " + signIn.body()).isEqualTo(200);
    String cookie = signIn.headers().firstValue("Set-Cookie").orElseThrow().split(";")[0];
    String csrf = JSON.readTree(signIn.body()).path("csrfToken").asText();
    Map<String, String> session = Map.of("Origin", portal(), "Cookie", cookie, "X-CSRF-Token", csrf);

    JsonNode products = JSON.readTree(send("GET", portal() + "/portal/api/v1/products", null, Map.of()).body());
    assertThat(products.path("items").get(0).path("name").asText()).isEqualTo(Demo.PRODUCT);
    assertThat(products.path("items").get(0).path("approvalRequired").asBoolean()).isFalse();
    JsonNode ref = JSON.readTree(send("GET", portal() + "/portal/api/v1/apis/demo", null, Map.of()).body());
    assertThat(ref.path("baseUrl").asText()).isEqualTo(gateway() + "/demo");

    HttpResponse<String> sub = send("POST", portal() + "/portal/api/v1/subscriptions",
        "{\"product\":\"" + Demo.PRODUCT + "\"}", session);
    assertThat(sub.statusCode()).as(sub.body()).isEqualTo(201);
    String name = JSON.readTree(sub.body()).path("name").asText();
    String key = JSON.readTree(sub.body()).path("primaryKey").asText();
    assertThat(send("GET", gateway() + "/demo/hello", null, Map.of("Subscription-Key", key)).statusCode()).isEqualTo(200);

    HttpResponse<String> regen = send("POST", portal() + "/portal/api/v1/subscriptions/" + name + "/regenerate", "{}",
        session);
    assertThat(regen.statusCode()).as(regen.body()).isEqualTo(200);
    String fresh = JSON.readTree(regen.body()).path("primaryKey").asText();
    assertThat(send("GET", gateway() + "/demo/hello", null, Map.of("Subscription-Key", key)).statusCode())
        .as("the old key").isEqualTo(401);
    assertThat(send("GET", gateway() + "/demo/hello", null, Map.of("Subscription-Key", fresh)).statusCode())
        .as("the new key").isEqualTo(200);

    assertThat(send("DELETE", portal() + "/portal/api/v1/subscriptions/" + name, null, session).statusCode())
        .isEqualTo(204);
    assertThat(send("GET", gateway() + "/demo/hello", null, Map.of("Subscription-Key", fresh)).statusCode())
        .as("a cancelled subscription").isEqualTo(403);
  }

  @Test
  void theGatewayAnswersCorsForThePortalsOriginOnly() throws Exception {
    serve();
    HttpResponse<String> preflight = send("OPTIONS", gateway() + "/demo/hello", null, Map.of("Origin", portal(),
        "Access-Control-Request-Method", "GET", "Access-Control-Request-Headers", "subscription-key"));
    assertThat(preflight.statusCode()).isEqualTo(204);
    assertThat(preflight.headers().firstValue("Access-Control-Allow-Origin")).contains(portal());
    assertThat(preflight.headers().firstValue("Access-Control-Allow-Headers")).contains("subscription-key");
    assertThat(preflight.headers().firstValue("Access-Control-Allow-Credentials")).isEmpty();
    HttpResponse<String> unauthorized = send("GET", gateway() + "/demo/hello", null, Map.of("Origin", portal()));
    assertThat(unauthorized.statusCode()).isEqualTo(401);
    assertThat(unauthorized.headers().firstValue("Access-Control-Allow-Origin")).contains(portal());

    HttpResponse<String> other = send("OPTIONS", gateway() + "/demo/hello", null, Map.of("Origin", "https://evil.example",
        "Access-Control-Request-Method", "GET"));
    assertThat(other.headers().firstValue("Access-Control-Allow-Origin")).isEmpty();
    assertThat(send("GET", gateway() + "/demo/hello", null, Map.of("Origin", "https://evil.example")).headers()
        .firstValue("Access-Control-Allow-Origin")).isEmpty();
  }

  @Test
  void underTlsTheSessionCookieIsSecureAndHostPrefixed() throws Exception {
    io.gatehouse.testing.TestCertificates.Issued ca = io.gatehouse.testing.TestCertificates.authority("portal test CA");
    io.gatehouse.testing.TestCertificates.Issued cert = io.gatehouse.testing.TestCertificates.server(ca, "localhost");
    java.nio.file.Path certs = java.nio.file.Files.createDirectories(dir.resolve("certs"));
    java.nio.file.Path crt = cert.writePem(certs, "portal");
    serve("--portal-tls-cert", crt + "," + io.gatehouse.testing.TestCertificates.Issued.keyPath(certs, "portal"));
    java.security.KeyStore trust = java.security.KeyStore.getInstance("PKCS12");
    trust.load(null, null);
    trust.setCertificateEntry("ca", ca.certificate());
    javax.net.ssl.TrustManagerFactory tmf =
        javax.net.ssl.TrustManagerFactory.getInstance(javax.net.ssl.TrustManagerFactory.getDefaultAlgorithm());
    tmf.init(trust);
    javax.net.ssl.SSLContext tls = javax.net.ssl.SSLContext.getInstance("TLS");
    tls.init(null, tmf.getTrustManagers(), null);
    HttpClient https = HttpClient.newBuilder().sslContext(tls).version(HttpClient.Version.HTTP_1_1).build();
    String base = "https://localhost:" + running.portal().actualPort();
    assertThat(running.portal().origin()).startsWith("https://");
    HttpResponse<String> up = https.send(HttpRequest.newBuilder(URI.create(base + "/portal/api/v1/signup"))
        .header("Content-Type", "application/json").header("Origin", base)
        .POST(HttpRequest.BodyPublishers.ofString("{\"email\":\"tls@example.com\",\"password\":\"" + PASSWORD
            + "\",\"name\":\"T\"}")).build(), HttpResponse.BodyHandlers.ofString());
    assertThat(up.statusCode()).as(up.body()).isEqualTo(202);
    HttpResponse<String> in = https.send(HttpRequest.newBuilder(URI.create(base + "/portal/api/v1/signin"))
        .header("Content-Type", "application/json").header("Origin", base)
        .POST(HttpRequest.BodyPublishers.ofString("{\"email\":\"tls@example.com\",\"password\":\"" + PASSWORD
            + "\"}")).build(), HttpResponse.BodyHandlers.ofString());
    assertThat(in.statusCode()).as(in.body()).isEqualTo(200);
    String cookie = in.headers().firstValue("Set-Cookie").orElseThrow();
    assertThat(cookie).startsWith("__Host-gatehouse_portal=").containsIgnoringCase("Secure").containsIgnoringCase("HttpOnly")
        .contains("SameSite=Strict").contains("Path=/");
    assertThat(in.headers().firstValue("Strict-Transport-Security")).isPresent();
  }

  @Test
  void portalOidcNeedsAnIssuerAndAClientIdAndKeepsTheSecretOutOfItsText() {
    ServeCommand half = new ServeCommand();
    new CommandLine(half).parseArgs("--portal-oidc-issuer", "https://id.example.com/realm");
    org.assertj.core.api.Assertions.assertThatThrownBy(() -> half.portalOptions(8080))
        .isInstanceOf(CommandLine.ParameterException.class)
        .hasMessageContaining("--portal-oidc-issuer and --portal-oidc-client-id go together");
    ServeCommand bad = new ServeCommand();
    new CommandLine(bad).parseArgs("--portal-oidc-issuer", "id.example.com", "--portal-oidc-client-id", "portal");
    org.assertj.core.api.Assertions.assertThatThrownBy(() -> bad.portalOptions(8080))
        .isInstanceOf(CommandLine.ParameterException.class).hasMessageContaining("expected an http(s) issuer URL");
    ServeCommand full = new ServeCommand();
    new CommandLine(full).parseArgs("--portal-oidc-issuer", "https://id.example.com/realm",
        "--portal-oidc-client-id", "portal", "--portal-oidc-client-secret", "top-secret-value");
    io.gatehouse.portal.PortalOptions options = full.portalOptions(8080);
    assertThat(options.oidc().issuer()).isEqualTo("https://id.example.com/realm");
    assertThat(options.oidc().clientSecret()).isEqualTo("top-secret-value");
    assertThat(options.toString()).doesNotContain("top-secret-value");
    ServeCommand none = new ServeCommand();
    new CommandLine(none).parseArgs();
    assertThat(none.portalOptions(8080).oidc()).isNull();
  }

  @Test
  void noPortalStartsNoPortal() throws Exception {
    serve("--no-portal");
    assertThat(running.portal()).isNull();
    assertThat(out).doesNotContain("  portal ");
  }
}
