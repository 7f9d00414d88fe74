package io.gatehouse.testing;

import static org.assertj.core.api.Assertions.assertThat;

import io.gatehouse.gateway.Gateway;
import io.gatehouse.gateway.GatewayOptions;
import io.gatehouse.model.ConfigLoader;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClientAgent;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpVersion;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.net.PemTrustOptions;
import io.vertx.core.net.SocketAddress;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class GatewayTlsAndHttp2Test {
  static Vertx vertx;
  static Gateway gateway;
  static MockUpstream upstream;
  static Path caFile;

  @BeforeAll
  static void start(@TempDir Path dir) throws Exception {
    vertx = Vertx.vertx();
    upstream = await(MockUpstream.start(vertx));
    TestCertificates.Issued ca = TestCertificates.authority("Test CA");
    caFile = ca.writePem(dir, "ca");
    Path a = TestCertificates.server(ca, "a.example").writePem(dir, "a");
    Path b = TestCertificates.server(ca, "b.example").writePem(dir, "b");
    GatewayOptions options = GatehouseExtension.gatewayOptions().withH2c(true).withTls(0, List.of(
        GatewayOptions.Certificate.pem(a, TestCertificates.Issued.keyPath(dir, "a")),
        GatewayOptions.Certificate.pem(b, TestCertificates.Issued.keyPath(dir, "b"))));
    gateway = await(Gateway.start(vertx, options));
    gateway.apply(ConfigLoader.withEnvironment(Map.of("UPSTREAM_URL", upstream.url())).parse("""
        backends: [{name: up, url: "${env:UPSTREAM_URL}"}]
        apis:
          - {name: both, path: /both, backend: up, subscriptionRequired: false}
          - {name: secure, path: /secure, backend: up, subscriptionRequired: false, protocols: [https]}
          - {name: scoped, path: /hs, hosts: [a.example], backend: up}
          - {name: anyhost, path: /hs, backend: up, subscriptionRequired: false}
        """, "test", null), 1);
  }

  @BeforeEach
  void forget() {
    upstream.reset();
  }

  @AfterAll
  static void stop() throws Exception {
    await(vertx.close());
  }

  static <T> T await(Future<T> f) throws Exception {
    return f.toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
  }

  private HttpClientResponse call(HttpClientAgent client, boolean tls, String sni, String path) throws Exception {
    int port = tls ? gateway.httpsPort() : gateway.port();
    RequestOptions ro = new RequestOptions().setMethod(HttpMethod.GET)
        .setServer(SocketAddress.inetSocketAddress(port, "127.0.0.1"))
        .setHost(sni).setPort(port).setURI(path).setSsl(tls);
    return await(client.request(ro).compose(r -> r.send().compose(resp -> resp.body().map(b -> resp))));
  }

  private HttpClientAgent client(boolean tls, HttpVersion version) {
    HttpClientOptions o = new HttpClientOptions().setProtocolVersion(version);
    if (tls) {
      o.setSsl(true).setUseAlpn(true).setForceSni(true).setVerifyHost(true)
          .setTrustOptions(new PemTrustOptions().addCertPath(caFile.toString()));
    } else if (version == HttpVersion.HTTP_2) {
      o.setHttp2ClearTextUpgrade(false);
    }
    return vertx.createHttpClient(o);
  }

  @Test
  void servesHttp2OverTlsWithAlpnAndPicksCertificateBySni() throws Exception {
    HttpClientAgent c = client(true, HttpVersion.HTTP_2);
    HttpClientResponse ra = call(c, true, "a.example", "/both/x");
    assertThat(ra.statusCode()).isEqualTo(200);
    assertThat(ra.version()).isEqualTo(HttpVersion.HTTP_2);
    X509Certificate certA = (X509Certificate) ra.request().connection().peerCertificates().get(0);
    assertThat(certA.getSubjectX500Principal().getName()).isEqualTo("CN=a.example");

    HttpClientResponse rb = call(client(true, HttpVersion.HTTP_2), true, "b.example", "/both/y");
    X509Certificate certB = (X509Certificate) rb.request().connection().peerCertificates().get(0);
    assertThat(certB.getSubjectX500Principal().getName()).isEqualTo("CN=b.example");
    assertThat(upstream.take(5).header("X-Forwarded-Proto")).isEqualTo("https");
  }

  @Test
  void servesCertificateFromPkcs12Store(@TempDir Path dir) throws Exception {
    TestCertificates.Issued ca = TestCertificates.authority("P12 CA");
    Path store = TestCertificates.server(ca, "p12.example").writePkcs12(dir, "p12", "changeit");
    Path caPem = ca.writePem(dir, "p12ca");
    Gateway g = await(Gateway.start(vertx, GatehouseExtension.gatewayOptions()
        .withTls(0, List.of(GatewayOptions.Certificate.pkcs12(store, "changeit")))));
    try {
      g.apply(ConfigLoader.withEnvironment(Map.of("UPSTREAM_URL", upstream.url())).parse(
          "backends: [{name: up, url: \"${env:UPSTREAM_URL}\"}]\napis: [{name: a, path: /a, backend: up, subscriptionRequired: false}]\n",
          "test", null), 1);
      HttpClientAgent c = vertx.createHttpClient(new HttpClientOptions().setSsl(true).setForceSni(true)
          .setTrustOptions(new PemTrustOptions().addCertPath(caPem.toString())));
      RequestOptions ro = new RequestOptions().setMethod(HttpMethod.GET)
          .setServer(SocketAddress.inetSocketAddress(g.httpsPort(), "127.0.0.1"))
          .setHost("p12.example").setPort(g.httpsPort()).setURI("/a/x").setSsl(true);
      HttpClientResponse r = await(c.request(ro).compose(q -> q.send().compose(resp -> resp.body().map(b -> resp))));
      assertThat(r.statusCode()).isEqualTo(200);
      X509Certificate cert = (X509Certificate) r.request().connection().peerCertificates().get(0);
      assertThat(cert.getSubjectX500Principal().getName()).isEqualTo("CN=p12.example");
    } finally {
      await(g.close());
    }
  }

  @Test
  void servesHttp11OverTls() throws Exception {
    HttpClientResponse r = call(client(true, HttpVersion.HTTP_1_1), true, "a.example", "/secure/z");
    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(r.version()).isEqualTo(HttpVersion.HTTP_1_1);
  }

  @Test
  void servesHttp2CleartextWithPriorKnowledge() throws Exception {
    HttpClientResponse r = call(client(false, HttpVersion.HTTP_2), false, "localhost", "/both/h2c");
    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(r.version()).isEqualTo(HttpVersion.HTTP_2);
    assertThat(upstream.take(5).uri()).isEqualTo("/h2c");
  }

  @Test
  void normalizesHttp2AuthorityAndPathLikeHttp11() throws Exception {
    HttpClientAgent c = client(false, HttpVersion.HTTP_2);
    HttpClientResponse scoped = call(c, false, "A.Example.", "/hs/x");
    assertThat(scoped.version()).isEqualTo(HttpVersion.HTTP_2);
    assertThat(scoped.statusCode()).isEqualTo(401); // the API scoped to a.example, not the open one
    assertThat(call(c, false, "b.example", "/hs/x").statusCode()).isEqualTo(200);
    assertThat(upstream.take(5).header("X-Forwarded-Host")).startsWith("b.example");
    assertThat(call(c, false, "b.example", "/both/a%2F..%2Fb").statusCode()).isEqualTo(400);
    assertThat(call(c, false, "b.example", "/both/files/..;/b").statusCode()).isEqualTo(400);
    assertThat(upstream.drain()).isEmpty();
  }

  @Test
  void refusesHttpsOnlyApiOverPlainHttp() throws Exception {
    HttpClientResponse r = call(client(false, HttpVersion.HTTP_1_1), false, "localhost", "/secure/z");
    assertThat(r.statusCode()).isEqualTo(403);
  }
}
