package io.gatehouse.testing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.fail;

import io.gatehouse.gateway.ConnectionLimits;
import io.gatehouse.gateway.Gateway;
import io.gatehouse.gateway.GatewayOptions;
import io.gatehouse.gateway.metrics.MetricsEndpoint;
import io.gatehouse.model.ConfigLoader;
import io.vertx.core.Vertx;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.SocketException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManager;
import javax.net.ssl.X509TrustManager;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Connection limits and client timeouts of the gateway listeners (ConnectionLimits), over real
 * sockets: connections beyond the limits are closed at accept, slow heads and stalled bodies get 408,
 * idle connections are closed, and early rejections reach a client that keeps sending.
 */
class ConnectionLimitsTest {
  /**
   * The gateways of this class listen on a loopback address of their own: a client that another
   * test left reconnecting to 127.0.0.1 on a port number the kernel hands out again (a stopped
   * server's) would otherwise reach them and be counted, and these tests count every connection.
   */
  static final String HOST = "127.0.0.73";
  static final String HEALTH = "/status-0123456789abcdef";
  static final Duration SHORT = Duration.ofMillis(300);
  /** Long enough that the extra connection is tried while the idle HTTP/2 connection is still open, even on a loaded machine. */
  static final Duration IDLE = Duration.ofSeconds(5);
  /** A bound against hangs: every wait below ends long before it unless the gateway misbehaves. */
  static final int READ_TIMEOUT_MS = 10_000;

  Vertx vertx;
  MockUpstream upstream;
  Gateway gateway;
  final List<Socket> sockets = new ArrayList<>();

  @TempDir
  Path dir;

  void start(GatewayOptions options) throws Exception {
    vertx = Vertx.vertx();
    upstream = MockUpstream.start(vertx).toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    gateway = Gateway.start(vertx, options.withAllowedBackendNetworks(GatehouseExtension.LOOPBACK_BACKENDS)).toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    gateway.apply(ConfigLoader.withEnvironment(Map.of("UPSTREAM_URL", upstream.url())).parse("""
        backends:
          - name: echo
            url: ${env:UPSTREAM_URL}
        apis:
          - name: open
            path: /open
            backend: echo
            subscriptionRequired: false
        settings:
          maxBodySize: 1000
        """, "test.yaml", null), 1);
    gateway.ready();
  }

  void start(ConnectionLimits limits) throws Exception {
    start(GatewayOptions.plain(HOST, 0).withLimits(limits));
  }

  @AfterEach
  void stop() throws Exception {
    for (Socket s : sockets) {
      s.close();
    }
    if (vertx != null) {
      vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }
  }

  Socket connect(int port) throws IOException {
    Socket s = new Socket(HOST, port);
    s.setSoTimeout(READ_TIMEOUT_MS);
    sockets.add(s);
    return s;
  }

  @Test
  void closesConnectionsBeyondThePerAddressLimitAtAccept() throws Exception {
    start(ConnectionLimits.defaults().withConnections(100, 3));
    List<Socket> admitted = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      admitted.add(connect(gateway.port()));
    }
    Await.until("3 connections counted", gateway::activeConnections, n -> n == 3);

    Socket extra = connect(gateway.port());
    assertClosedByPeer(extra);
    assertThat(gateway.refusedConnections(true)).isEqualTo(1);
    assertThat(gateway.refusedConnections(false)).isZero();
    for (Socket s : admitted) {
      assertThat(get(s, HEALTH)).startsWith("HTTP/1.1 200");
    }

    admitted.get(0).close();
    Await.until("the closed connection uncounted", gateway::activeConnections, n -> n == 2);
    assertThat(get(connect(gateway.port()), HEALTH)).startsWith("HTTP/1.1 200");
    MetricsEndpoint metrics = MetricsEndpoint.attach(gateway);
    assertThat(metrics.scrape()).contains("gatehouse_connections_refused_total{limit=\"per-address\"} 1.0");
    metrics.close();
  }

  @Test
  void closesConnectionsBeyondTheTotalLimitAtAccept() throws Exception {
    start(ConnectionLimits.defaults().withConnections(2, 2));
    Socket first = connect(gateway.port());
    connect(gateway.port());
    Await.until("2 connections counted", gateway::activeConnections, n -> n == 2);

    assertClosedByPeer(connect(gateway.port()));
    assertThat(gateway.refusedConnections(false)).isEqualTo(1);
    assertThat(get(first, HEALTH)).startsWith("HTTP/1.1 200");
  }

  @Test
  void countsHttpsConnectionsBeforeTheirHandshakeWithThePlainOnes() throws Exception {
    TestCertificates.Issued ca = TestCertificates.authority("Limits CA");
    Path cert = TestCertificates.server(ca, "localhost").writePem(dir, "gw");
    start(GatewayOptions.plain(HOST, 0)
        .withTls(0, List.of(GatewayOptions.Certificate.pem(cert, TestCertificates.Issued.keyPath(dir, "gw"))))
        .withLimits(ConnectionLimits.defaults().withConnections(100, 2)));
    connect(gateway.port());
    connect(gateway.httpsPort()); // no ClientHello: counted from accept all the same
    Await.until("2 connections counted", gateway::activeConnections, n -> n == 2);

    assertClosedByPeer(connect(gateway.httpsPort()));
    assertClosedByPeer(connect(gateway.port()));
    assertThat(gateway.refusedConnections(true)).isEqualTo(2);
  }

  @Test
  void countsHttp2ConnectionsAndClosesThemWhenIdle() throws Exception {
    start(GatewayOptions.plain(HOST, 0).withH2c(true)
        .withLimits(ConnectionLimits.defaults().withConnections(100, 1).withIdleTimeout(IDLE)));
    long start = System.nanoTime();
    Socket h2 = connect(gateway.port());
    OutputStream out = h2.getOutputStream();
    out.write("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
    out.write(new byte[] {0, 0, 0, 4, 0, 0, 0, 0, 0}); // empty SETTINGS frame
    out.flush();
    Await.until("the HTTP/2 connection counted", gateway::activeConnections, n -> n == 1);

    assertClosedByPeer(connect(gateway.port()));
    assertThat(gateway.refusedConnections(true)).isEqualTo(1);
    byte[] frames = h2.getInputStream().readAllBytes(); // SETTINGS, ..., GOAWAY, then the close
    assertThat(frames.length).isGreaterThanOrEqualTo(9);
    assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start))
        .isGreaterThanOrEqualTo(IDLE.toMillis()).isLessThan(IDLE.toMillis() + 5_000);
  }

  @Test
  void answers408ToARequestHeadDribbledSlowerThanTheHeadTimeout() throws Exception {
    start(ConnectionLimits.defaults().withTimeouts(SHORT, Duration.ofSeconds(30), Duration.ofSeconds(30)));
    long start = System.nanoTime();
    Socket s = connect(gateway.port());
    // Slowloris: one byte at a time, each well within any per-byte timeout, never completing the head.
    Thread dribbler = dribble(s, "GET /open/x HTTP/1.1\r\nHost: a\r\nX-Slow: " + "a".repeat(10_000));

    String response = readAll(s.getInputStream());
    long elapsedMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
    dribbler.interrupt();
    assertThat(response).startsWith("HTTP/1.1 408 Request Timeout\r\n").contains("\"status\":408");
    assertThat(elapsedMs).isGreaterThanOrEqualTo(SHORT.toMillis()).isLessThan(5_000);
    assertThat(gateway.earlyRejections(true)).isEqualTo(1);
    assertThat(upstream.drain()).isEmpty();
  }

  @Test
  void answers408ToASlowHeadOverHttps() throws Exception {
    TestCertificates.Issued ca = TestCertificates.authority("Limits CA");
    Path cert = TestCertificates.server(ca, "localhost").writePem(dir, "gw");
    start(GatewayOptions.plain(HOST, 0)
        .withTls(0, List.of(GatewayOptions.Certificate.pem(cert, TestCertificates.Issued.keyPath(dir, "gw"))))
        .withLimits(ConnectionLimits.defaults().withTimeouts(SHORT, Duration.ofSeconds(30), Duration.ofSeconds(30))));
    SSLContext tls = SSLContext.getInstance("TLS");
    tls.init(null, new TrustManager[] {new TrustAll()}, null);
    SSLSocket s = (SSLSocket) tls.getSocketFactory().createSocket(HOST, gateway.httpsPort());
    s.setSoTimeout(READ_TIMEOUT_MS);
    sockets.add(s);
    s.startHandshake();
    long start = System.nanoTime();
    OutputStream out = s.getOutputStream();
    out.write("GET /open/x HTTP/1.1\r\nHost: a\r\n".getBytes(StandardCharsets.US_ASCII));
    out.flush();

    String response = readAll(s.getInputStream());
    assertThat(response).startsWith("HTTP/1.1 408 ");
    assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start)).isLessThan(5_000);
  }

  @Test
  void closesAConnectionThatSendsNothingWithinTheHeadTimeout() throws Exception {
    start(ConnectionLimits.defaults().withTimeouts(SHORT, Duration.ofSeconds(30), Duration.ofSeconds(30)));
    long start = System.nanoTime();
    Socket s = connect(gateway.port());
    assertThat(s.getInputStream().read()).isEqualTo(-1);
    assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start)).isGreaterThanOrEqualTo(SHORT.toMillis());
  }

  @Test
  void answers408WhenARequestBodyStalls() throws Exception {
    start(ConnectionLimits.defaults().withTimeouts(Duration.ofSeconds(30), SHORT, Duration.ofSeconds(30)));
    Socket s = connect(gateway.port());
    OutputStream out = s.getOutputStream();
    long start = System.nanoTime(); // before the write: the server's timer cannot start earlier
    out.write(("POST /open/upload HTTP/1.1\r\nHost: a\r\nContent-Length: 100\r\n\r\n" + "x".repeat(10))
        .getBytes(StandardCharsets.US_ASCII));
    out.flush();

    String response = readAll(s.getInputStream());
    assertThat(response).startsWith("HTTP/1.1 408 Request Timeout\r\n");
    assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start))
        .isGreaterThanOrEqualTo(SHORT.toMillis()).isLessThan(5_000);
  }

  @Test
  void closesAKeepAliveConnectionIdleForTheKeepAliveTimeout() throws Exception {
    start(ConnectionLimits.defaults().withTimeouts(Duration.ofSeconds(30), Duration.ofSeconds(30), SHORT));
    Socket s = connect(gateway.port());
    long start = System.nanoTime(); // before the request: the idle time counts from its response
    assertThat(get(s, HEALTH)).startsWith("HTTP/1.1 200");
    assertThat(s.getInputStream().read()).isEqualTo(-1);
    assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start))
        .isGreaterThanOrEqualTo(SHORT.toMillis()).isLessThan(5_000);
  }

  @Test
  void delivers431ToAClientThatKeepsSendingAfterAnOversizedHead() throws Exception {
    start(ConnectionLimits.defaults());
    Socket s = connect(gateway.port());
    String head = "POST /open/x HTTP/1.1\r\nHost: a\r\nX-Big: " + "b".repeat(20 * 1024)
        + "\r\nContent-Length: 10000000\r\n\r\n";
    Thread writer = flood(s, head);

    String response = readAll(s.getInputStream());
    writer.interrupt();
    assertThat(response).startsWith("HTTP/1.1 431 Request Header Fields Too Large\r\n")
        .contains("Content-Type: application/problem+json")
        .endsWith("}");
    assertThat(gateway.earlyRejections(false)).isEqualTo(1);
  }

  @Test
  void delivers414ToAClientThatKeepsSendingAfterAnOverlongTarget() throws Exception {
    start(ConnectionLimits.defaults());
    Socket s = connect(gateway.port());
    Thread writer = flood(s, "GET /open/" + "t".repeat(20 * 1024) + " HTTP/1.1\r\nHost: a\r\n\r\n");

    String response = readAll(s.getInputStream());
    writer.interrupt();
    assertThat(response).startsWith("HTTP/1.1 414 URI Too Long\r\n").endsWith("}");
  }

  @Test
  void halfClosesAndDiscardsInputUpToTheLingerBytesAfterAnEarlyRejection() throws Exception {
    start(ConnectionLimits.defaults().withLinger(Duration.ofSeconds(60), 16 * 1024));
    Socket s = connect(gateway.port());
    OutputStream out = s.getOutputStream();
    out.write(("GET /open/x HTTP/1.1\r\nHost: a\r\nX-Big: " + "b".repeat(20 * 1024) + "\r\n\r\n")
        .getBytes(StandardCharsets.US_ASCII));
    out.flush();

    String response = readAll(s.getInputStream()); // ends with the gateway's FIN: output shut down
    assertThat(response).startsWith("HTTP/1.1 431 ");
    assertThat(gateway.activeConnections()).as("still reading what the client sends").isEqualTo(1);
    out.write(new byte[8 * 1024]); // discarded, no reset: the gateway still reads
    out.flush();
    assertThat(gateway.activeConnections()).isEqualTo(1);
    out.write(new byte[16 * 1024]); // beyond the linger bytes: closed long before the 60 s
    out.flush();
    Await.until("the connection closed after the linger bytes", gateway::activeConnections, n -> n == 0);
  }

  @Test
  void delivers413ToAClientThatKeepsSendingAnOversizedBody() throws Exception {
    start(ConnectionLimits.defaults());
    Socket s = connect(gateway.port());
    Thread writer = flood(s, "POST /open/x HTTP/1.1\r\nHost: a\r\nContent-Length: 10000000\r\n\r\n");

    String response = readAll(s.getInputStream());
    writer.interrupt();
    assertThat(response).startsWith("HTTP/1.1 413 ").containsIgnoringCase("connection: close").endsWith("}");
    assertThat(upstream.drain()).isEmpty();
  }

  /** Sends a GET on {@code s} and returns the response head and body (Content-Length framed). */
  static String get(Socket s, String path) throws IOException {
    OutputStream out = s.getOutputStream();
    out.write(("GET " + path + " HTTP/1.1\r\nHost: a\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
    out.flush();
    InputStream in = s.getInputStream();
    ByteArrayOutputStream head = new ByteArrayOutputStream();
    while (true) {
      int b = in.read();
      if (b < 0) {
        fail("connection closed inside a response head: " + head);
      }
      head.write(b);
      byte[] h = head.toByteArray();
      int n = h.length;
      if (n >= 4 && h[n - 4] == '\r' && h[n - 3] == '\n' && h[n - 2] == '\r' && h[n - 1] == '\n') {
        break;
      }
    }
    String text = head.toString(StandardCharsets.ISO_8859_1);
    int length = 0;
    for (String line : text.split("\r\n")) {
      if (line.regionMatches(true, 0, "content-length:", 0, 15)) {
        length = Integer.parseInt(line.substring(15).trim());
      }
    }
    return text + new String(in.readNBytes(length), StandardCharsets.UTF_8);
  }

  /** Everything the gateway sends until it closes; a reset before the end fails the test. */
  static String readAll(InputStream in) throws IOException {
    ByteArrayOutputStream all = new ByteArrayOutputStream();
    byte[] buf = new byte[4096];
    try {
      int n;
      while ((n = in.read(buf)) >= 0) {
        all.write(buf, 0, n);
      }
    } catch (SocketException e) {
      fail("connection reset after " + all.size() + " bytes: '" + all.toString(StandardCharsets.ISO_8859_1)
          + "' (" + e.getMessage() + ")");
    }
    return all.toString(StandardCharsets.ISO_8859_1);
  }

  static void assertClosedByPeer(Socket s) throws IOException {
    try {
      assertThat(s.getInputStream().read()).isEqualTo(-1);
    } catch (SocketException e) {
      assertThat(e.getMessage()).containsIgnoringCase("reset");
    }
  }

  /** Writes {@code text} one byte every 20 ms until interrupted or the connection fails. */
  static Thread dribble(Socket s, String text) {
    Thread t = new Thread(() -> {
      try {
        OutputStream out = s.getOutputStream();
        for (byte b : text.getBytes(StandardCharsets.US_ASCII)) {
          out.write(b);
          out.flush();
          Thread.sleep(20);
        }
      } catch (IOException | InterruptedException e) {
        // closed by the gateway, or the test is over
      }
    }, "dribbler");
    t.setDaemon(true);
    t.start();
    return t;
  }

  /** Writes {@code head}, then body bytes as fast as the connection takes them, until it fails. */
  static Thread flood(Socket s, String head) {
    AtomicBoolean started = new AtomicBoolean();
    Thread t = new Thread(() -> {
      try {
        OutputStream out = s.getOutputStream();
        out.write(head.getBytes(StandardCharsets.US_ASCII));
        started.set(true);
        byte[] chunk = new byte[8192];
        java.util.Arrays.fill(chunk, (byte) 'z');
        while (!Thread.currentThread().isInterrupted()) {
          out.write(chunk);
        }
      } catch (IOException e) {
        // the gateway stopped reading and closed: expected
      }
    }, "flooder");
    t.setDaemon(true);
    t.start();
    return t;
  }

  static final class TrustAll implements X509TrustManager {
    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType) {}

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType) {}

    @Override
    public X509Certificate[] getAcceptedIssuers() {
      return new X509Certificate[0];
    }
  }
}
