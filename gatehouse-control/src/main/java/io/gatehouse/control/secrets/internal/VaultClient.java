package io.gatehouse.control.secrets.internal;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.time.Duration;
import java.util.Map;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

/**
 * Reads fields of Vault / OpenBao KV version 2 secrets over HTTP(S) with a token, or with an
 * AppRole login that yields one; configured from {@code VAULT_ADDR}, {@code VAULT_TOKEN} or
 * {@code VAULT_ROLE_ID} + {@code VAULT_SECRET_ID}, {@code VAULT_CACERT} (PEM to trust) and
 * {@code VAULT_NAMESPACE}. Thread-safe.
 */
public final class VaultClient {
  private static final ObjectMapper JSON = new ObjectMapper();

  private final URI address;
  private final HttpClient http;
  private final String roleId;
  private final String secretId;
  private final String namespace;
  private volatile String token;

  private VaultClient(URI address, HttpClient http, String token, String roleId, String secretId, String namespace) {
    this.address = address;
    this.http = http;
    this.token = token;
    this.roleId = roleId;
    this.secretId = secretId;
    this.namespace = namespace;
  }

  /** The client {@code env} configures, or {@code null} when {@code VAULT_ADDR} is not set. */
  public static VaultClient fromEnvironment(Map<String, String> env) {
    String addr = env.get("VAULT_ADDR");
    if (addr == null || addr.isBlank()) {
      return null;
    }
    HttpClient.Builder b = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5))
        .followRedirects(HttpClient.Redirect.NEVER);
    String caCert = env.get("VAULT_CACERT");
    if (caCert != null && !caCert.isBlank()) {
      b.sslContext(trusting(Path.of(caCert.strip())));
    }
    return new VaultClient(URI.create(addr.strip().replaceAll("/+$", "")), b.build(), env.get("VAULT_TOKEN"),
        env.get("VAULT_ROLE_ID"), env.get("VAULT_SECRET_ID"), env.get("VAULT_NAMESPACE"));
  }

  /**
   * The field {@code field} of the KV v2 secret at {@code path} ({@code MOUNT/SECRET/PATH}).
   *
   * @throws IOException when Vault cannot be reached or answers with an error
   */
  public String read(String path, String field) throws IOException, InterruptedException {
    requireNonNull(path, "path");
    requireNonNull(field, "field");
    int slash = path.indexOf('/');
    if (slash <= 0 || slash == path.length() - 1) {
      throw new IllegalArgumentException("expected MOUNT/PATH but got '" + path + "'");
    }
    String url = address + "/v1/" + path.substring(0, slash) + "/data/" + path.substring(slash + 1);
    HttpResponse<String> r = get(url, token());
    if (r.statusCode() == 403 && roleId != null) {
      token = null;
      r = get(url, token());
    }
    if (r.statusCode() != 200) {
      throw new IOException("Vault answered " + r.statusCode() + " for " + path);
    }
    JsonNode value = JSON.readTree(r.body()).path("data").path("data").path(field);
    if (!value.isValueNode() || value.isNull()) {
      throw new IOException("Vault secret " + path + " has no field '" + field + "'");
    }
    return value.asText();
  }

  private HttpResponse<String> get(String url, String bearer) throws IOException, InterruptedException {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(10)).GET();
    if (bearer != null) {
      b.header("X-Vault-Token", bearer);
    }
    if (namespace != null && !namespace.isBlank()) {
      b.header("X-Vault-Namespace", namespace);
    }
    return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
  }

  private String token() throws IOException, InterruptedException {
    String t = token;
    if (t != null && !t.isBlank()) {
      return t;
    }
    if (roleId == null || secretId == null) {
      throw new IOException("no Vault credentials: set VAULT_TOKEN, or VAULT_ROLE_ID and VAULT_SECRET_ID");
    }
    ObjectNode body = JSON.createObjectNode().put("role_id", roleId).put("secret_id", secretId);
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(address + "/v1/auth/approle/login"))
        .timeout(Duration.ofSeconds(10)).header("Content-Type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString(JSON.writeValueAsString(body)));
    if (namespace != null && !namespace.isBlank()) {
      b.header("X-Vault-Namespace", namespace);
    }
    HttpResponse<String> r = http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    if (r.statusCode() != 200) {
      throw new IOException("Vault AppRole login answered " + r.statusCode());
    }
    t = JSON.readTree(r.body()).path("auth").path("client_token").asText(null);
    if (t == null || t.isBlank()) {
      throw new IOException("Vault AppRole login returned no client_token");
    }
    token = t;
    return t;
  }

  private static SSLContext trusting(Path pem) {
    try {
      KeyStore ks = KeyStore.getInstance(KeyStore.getDefaultType());
      ks.load(null, null);
      int i = 0;
      for (Certificate c : CertificateFactory.getInstance("X.509")
          .generateCertificates(new ByteArrayInputStream(Files.readAllBytes(pem)))) {
        ks.setCertificateEntry("ca" + i++, c);
      }
      TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
      tmf.init(ks);
      SSLContext ctx = SSLContext.getInstance("TLS");
      ctx.init(null, tmf.getTrustManagers(), null);
      return ctx;
    } catch (IOException | GeneralSecurityException e) {
      throw new IllegalArgumentException("cannot use VAULT_CACERT " + pem + ": " + e.getMessage(), e);
    }
  }
}
