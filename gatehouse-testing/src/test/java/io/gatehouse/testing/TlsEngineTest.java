package io.gatehouse.testing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.gatehouse.gateway.EventLoops;
import io.gatehouse.gateway.Gateway;
import io.gatehouse.gateway.GatewayOptions;
import io.gatehouse.gateway.TlsEngine;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.KeyStore;
import java.util.List;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLHandshakeException;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManagerFactory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The HTTPS listener offers the same TLS versions and cipher suites on both engines, and runs on
 * BoringSSL and the native epoll transport where they ship (Linux x86-64).
 */
class TlsEngineTest {
  static final boolean LINUX_X64 = System.getProperty("os.name").toLowerCase().contains("linux")
      && List.of("amd64", "x86_64").contains(System.getProperty("os.arch"));

  @TempDir
  Path dir;

  private record Running(Vertx vertx, Gateway gateway, SSLContext client) implements AutoCloseable {
    @Override
    public void close() throws Exception {
      await(vertx.close());
    }
  }

  private Running start(TlsEngine engine, boolean nativeTransport) throws Exception {
    TestCertificates.Issued ca = TestCertificates.authority("Engine CA");
    Path cert = TestCertificates.server(ca, "localhost").writePem(dir, "server");
    Vertx vertx = EventLoops.create(nativeTransport);
    Gateway gateway = await(Gateway.start(vertx, GatehouseExtension.gatewayOptions().withTlsEngine(engine)
        .withTls(0, List.of(GatewayOptions.Certificate.pem(cert, TestCertificates.Issued.keyPath(dir, "server"))))));
    KeyStore trust = KeyStore.getInstance("PKCS12");
    trust.load(null, null);
    trust.setCertificateEntry("ca", ca.certificate());
    TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
    tmf.init(trust);
    SSLContext context = SSLContext.getInstance("TLS");
    context.init(null, tmf.getTrustManagers(), null);
    return new Running(vertx, gateway, context);
  }

  /** Handshakes with only {@code protocol} and {@code cipher} offered, sends a request, returns the status line. */
  private static String handshake(Running r, String protocol, String cipher) throws Exception {
    try (SSLSocket socket = (SSLSocket) r.client().getSocketFactory().createSocket("127.0.0.1", r.gateway().httpsPort())) {
      socket.setSoTimeout(10_000);
      socket.setEnabledProtocols(new String[] {protocol});
      socket.setEnabledCipherSuites(new String[] {cipher});
      socket.startHandshake();
      assertThat(socket.getSession().getProtocol()).isEqualTo(protocol);
      assertThat(socket.getSession().getCipherSuite()).isEqualTo(cipher);
      OutputStream out = socket.getOutputStream();
      out.write("GET /nothing-here HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
      out.flush();
      InputStream in = socket.getInputStream();
      String head = new String(in.readNBytes(12), StandardCharsets.US_ASCII);
      return head;
    }
  }

  @ParameterizedTest
  @EnumSource(TlsEngine.class)
  void acceptsTls13AndForwardSecretAeadSuitesOfTls12(TlsEngine engine) throws Exception {
    try (Running r = start(engine, true)) {
      assertThat(handshake(r, "TLSv1.3", "TLS_AES_128_GCM_SHA256")).isEqualTo("HTTP/1.1 404");
      assertThat(handshake(r, "TLSv1.3", "TLS_AES_256_GCM_SHA384")).isEqualTo("HTTP/1.1 404");
      assertThat(handshake(r, "TLSv1.2", "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256")).isEqualTo("HTTP/1.1 404");
      assertThat(handshake(r, "TLSv1.2", "TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384")).isEqualTo("HTTP/1.1 404");
      assertThat(handshake(r, "TLSv1.2", "TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256")).isEqualTo("HTTP/1.1 404");
    }
  }

  @ParameterizedTest
  @EnumSource(TlsEngine.class)
  void refusesCbcSuitesOfTls12(TlsEngine engine) throws Exception {
    try (Running r = start(engine, true)) {
      for (String cbc : List.of("TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA256", "TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA384",
          "TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA")) {
        assertThatThrownBy(() -> handshake(r, "TLSv1.2", cbc)).as(cbc).isInstanceOf(SSLHandshakeException.class);
      }
      // the same connection settings with a suite of the policy succeed: the refusal was the cipher's
      assertThat(handshake(r, "TLSv1.2", "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256")).isEqualTo("HTTP/1.1 404");
    }
  }

  @Test
  void runsOnBoringSslAndEpollOnLinuxX64() throws Exception {
    assumeTrue(LINUX_X64, "the native libraries ship for Linux x86-64");
    try (Running r = start(TlsEngine.OPENSSL, true)) {
      assertThat(r.gateway().tlsEngine()).isEqualTo(TlsEngine.OPENSSL);
      assertThat(EventLoops.transport(r.vertx())).isEqualTo("epoll");
      assertThat(handshake(r, "TLSv1.3", "TLS_AES_128_GCM_SHA256")).isEqualTo("HTTP/1.1 404");
    }
  }

  @Test
  void usesNioAndTheJdkEngineWhenAskedTo() throws Exception {
    try (Running r = start(TlsEngine.JDK, false)) {
      assertThat(r.gateway().tlsEngine()).isEqualTo(TlsEngine.JDK);
      assertThat(EventLoops.transport(r.vertx())).isEqualTo("nio");
      assertThat(handshake(r, "TLSv1.3", "TLS_AES_128_GCM_SHA256")).isEqualTo("HTTP/1.1 404");
    }
  }

  static <T> T await(Future<T> f) throws Exception {
    return f.toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
  }
}
