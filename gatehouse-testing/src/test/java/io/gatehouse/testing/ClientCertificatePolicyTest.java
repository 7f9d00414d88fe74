package io.gatehouse.testing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.gatehouse.gateway.Gateway;
import io.gatehouse.gateway.GatewayOptions;
import io.gatehouse.model.ConfigException;
import io.gatehouse.model.ConfigLoader;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClientAgent;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.net.PemKeyCertOptions;
import io.vertx.core.net.PemTrustOptions;
import io.vertx.core.net.SocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.CRLReason;
import org.bouncycastle.cert.X509v2CRLBuilder;
import org.bouncycastle.cert.jcajce.JcaX509CRLConverter;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** validate-client-certificate through a real HTTPS listener that requests client certificates. */
class ClientCertificatePolicyTest {
  static Vertx vertx;
  static MockUpstream upstream;
  static Gateway gateway;
  static Path dir;
  static Path caPem;
  static Path crlPem;

  @BeforeAll
  static void start(@TempDir Path tmp) throws Exception {
    dir = tmp;
    vertx = Vertx.vertx();
    upstream = await(MockUpstream.start(vertx));
    TestCertificates.Issued ca = TestCertificates.authority("Client CA");
    TestCertificates.Issued rogue = TestCertificates.authority("Rogue CA");
    caPem = ca.writePem(dir, "ca");
    Path serverCert = TestCertificates.server(ca, "gw.example").writePem(dir, "server");
    TestCertificates.server(ca, "alice").writePem(dir, "alice");
    TestCertificates.server(ca, "carol").writePem(dir, "carol");
    TestCertificates.server(rogue, "alice").writePem(dir, "rogue-alice");
    TestCertificates.server(ca, Instant.now().minus(Duration.ofDays(10)), Instant.now().minus(Duration.ofDays(1)),
        "alice").writePem(dir, "expired-alice");
    TestCertificates.Issued revoked = TestCertificates.server(ca, "alice");
    revoked.writePem(dir, "revoked-alice");
    X509v2CRLBuilder crl = new X509v2CRLBuilder(new X500Name(ca.certificate().getSubjectX500Principal().getName()),
        Date.from(Instant.now().minus(Duration.ofMinutes(1))));
    crl.setNextUpdate(Date.from(Instant.now().plus(Duration.ofDays(1))));
    crl.addCRLEntry(revoked.certificate().getSerialNumber(), new Date(), CRLReason.keyCompromise);
    crlPem = dir.resolve("ca.crl");
    Files.writeString(crlPem, TestCertificates.pem(new JcaX509CRLConverter().getCRL(
        crl.build(new JcaContentSignerBuilder("SHA256withRSA").build(ca.key())))));
    gateway = await(Gateway.start(vertx, GatehouseExtension.gatewayOptions()
        .withTls(0, List.of(GatewayOptions.Certificate.pem(serverCert, TestCertificates.Issued.keyPath(dir, "server"))))
        .withClientCertificates(true)));
    gateway.apply(ConfigLoader.withEnvironment(Map.of("UPSTREAM_URL", upstream.url())).parse("""
        backends: [{name: up, url: "${env:UPSTREAM_URL}"}]
        apis:
          - name: mtls
            path: /mtls
            backend: up
            subscriptionRequired: false
            policies:
              inbound:
                - validate-client-certificate:
                    trusted-ca: [%s]
                    crl-file: %s
                    identities: [{common-name: alice}]
          - name: open
            path: /open
            backend: up
            subscriptionRequired: false
        """.formatted(caPem, crlPem), "test", null), 1);
  }

  @AfterAll
  static void stop() throws Exception {
    await(vertx.close());
  }

  @BeforeEach
  void forget() {
    upstream.reset();
  }

  static <T> T await(Future<T> f) throws Exception {
    return f.toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
  }

  private int call(String clientName, String path) throws Exception {
    HttpClientOptions o = new HttpClientOptions().setSsl(true).setForceSni(true)
        .setTrustOptions(new PemTrustOptions().addCertPath(caPem.toString()));
    if (clientName != null) {
      o.setKeyCertOptions(new PemKeyCertOptions().setCertPath(dir.resolve(clientName + ".crt").toString())
          .setKeyPath(dir.resolve(clientName + ".key").toString()));
    }
    HttpClientAgent client = vertx.createHttpClient(o);
    try {
      RequestOptions ro = new RequestOptions().setMethod(HttpMethod.GET)
          .setServer(SocketAddress.inetSocketAddress(gateway.httpsPort(), "127.0.0.1"))
          .setHost("gw.example").setPort(gateway.httpsPort()).setURI(path).setSsl(true);
      HttpClientResponse r = await(client.request(ro).compose(q -> q.send().compose(resp -> resp.body().map(b -> resp))));
      return r.statusCode();
    } finally {
      await(client.close());
    }
  }

  @Test
  void admitsACertificateFromTheTrustedCaWithAnAcceptedIdentity() throws Exception {
    assertThat(call("alice", "/mtls/x")).isEqualTo(200);
    assertThat(upstream.take(5).uri()).isEqualTo("/x");
  }

  @Test
  void refusesMissingUntrustedExpiredRevokedAndUnlistedCertificates() throws Exception {
    assertThat(call(null, "/mtls/x")).isEqualTo(403);
    assertThat(call("rogue-alice", "/mtls/x")).isEqualTo(403);
    assertThat(call("expired-alice", "/mtls/x")).isEqualTo(403);
    assertThat(call("revoked-alice", "/mtls/x")).isEqualTo(403);
    assertThat(call("carol", "/mtls/x")).isEqualTo(403);
    assertThat(upstream.drain()).isEmpty();
  }

  @Test
  void apisWithoutThePolicyServeClientsWithoutCertificates() throws Exception {
    assertThat(call(null, "/open/x")).isEqualTo(200);
  }

  @Test
  void refusesConfigurationThatWouldAcceptAnyCertificate() {
    assertThatThrownBy(() -> gateway.apply(ConfigLoader.withEnvironment(Map.of("UPSTREAM_URL", upstream.url())).parse("""
        backends: [{name: up, url: "${env:UPSTREAM_URL}"}]
        apis:
          - name: mtls
            path: /mtls
            backend: up
            subscriptionRequired: false
            policies:
              inbound:
                - validate-client-certificate: {identities: [{common-name: alice}]}
        """, "test", null), 2))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("apis[0].policies.inbound[0].validate-client-certificate.trusted-ca");
    assertThatThrownBy(() -> gateway.apply(ConfigLoader.withEnvironment(Map.of("UPSTREAM_URL", upstream.url())).parse("""
        backends: [{name: up, url: "${env:UPSTREAM_URL}"}]
        apis:
          - name: mtls
            path: /mtls
            backend: up
            subscriptionRequired: false
            policies:
              inbound:
                - validate-client-certificate: {trusted-ca: [/no/such/ca.pem]}
        """, "test", null), 2))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("trusted-ca[0]");
  }

}
