package io.gatehouse.testing;

import io.gatehouse.gateway.Gateway;
import io.gatehouse.gateway.GatewayOptions;
import io.gatehouse.model.ConfigLoader;
import io.gatehouse.model.GatewayConfig;
import io.vertx.core.Vertx;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * A JUnit 5 extension that runs an in-process gateway and a {@link MockUpstream} on loopback for
 * the test class; register it as a static field with {@code @RegisterExtension}.
 *
 * <p>Configurations are given as YAML in which {@code ${env:UPSTREAM_URL}} names the mock
 * upstream. The upstream's recorded requests are cleared before each test.
 *
 * <p>The gateway of {@link #create()} allows loopback backends ({@link #LOOPBACK_BACKENDS}), where
 * the mock upstream listens; the one of {@link #allowing} allows only the networks it is given.
 */
public final class GatehouseExtension implements BeforeAllCallback, AfterAllCallback, BeforeEachCallback {
  /**
   * The backend networks test gateways allow: loopback, where mock upstreams listen. The one place
   * tests widen the default (which refuses loopback backends).
   */
  public static final java.util.List<String> LOOPBACK_BACKENDS = java.util.List.of("127.0.0.0/8", "::1/128");

  private final AtomicLong revisions = new AtomicLong();
  private final java.util.List<String> allowedBackendNetworks;
  private Vertx vertx;
  private Gateway gateway;
  private MockUpstream upstream;
  private HttpClient http;

  private GatehouseExtension(java.util.List<String> allowedBackendNetworks) {
    this.allowedBackendNetworks = allowedBackendNetworks;
  }

  /**
   * A new extension whose gateway allows loopback backends (the mock upstream); the servers start
   * before the first test of the class.
   */
  public static GatehouseExtension create() {
    return new GatehouseExtension(LOOPBACK_BACKENDS);
  }

  /**
   * A new extension whose gateway allows loopback, link-local and unspecified backends only in
   * {@code networks} (CIDR notation; empty keeps the production default, which refuses them all),
   * for tests that prove a refusal.
   */
  public static GatehouseExtension allowing(java.util.List<String> networks) {
    return new GatehouseExtension(java.util.List.copyOf(networks));
  }

  /** Options of a test gateway on a free loopback port that allows loopback backends ({@link #LOOPBACK_BACKENDS}). */
  public static GatewayOptions gatewayOptions() {
    return GatewayOptions.plain("127.0.0.1", 0).withAllowedBackendNetworks(LOOPBACK_BACKENDS);
  }

  @Override
  public void beforeAll(ExtensionContext context) throws Exception {
    vertx = Vertx.vertx();
    upstream = MockUpstream.start(vertx).toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    gateway = Gateway.start(vertx, GatewayOptions.plain("127.0.0.1", 0).withAllowedBackendNetworks(allowedBackendNetworks))
        .toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
  }

  @Override
  public void beforeEach(ExtensionContext context) {
    upstream.reset();
  }

  @Override
  public void afterAll(ExtensionContext context) throws Exception {
    if (vertx != null) {
      vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }
  }

  /** Parses {@code yaml} (with {@code ${env:UPSTREAM_URL}} available) and serves it. */
  public GatewayConfig apply(String yaml) {
    GatewayConfig config = ConfigLoader.withEnvironment(Map.of("UPSTREAM_URL", upstream.url()))
        .parse(yaml, "test.yaml", null);
    apply(config);
    return config;
  }

  /** Serves {@code config} as the next revision; the gateway is ready (its probe answers 200) from then on. */
  public void apply(GatewayConfig config) {
    gateway.apply(config, revisions.incrementAndGet());
    gateway.ready();
  }

  /** The running gateway. */
  public Gateway gateway() {
    return gateway;
  }

  /** The mock upstream. */
  public MockUpstream upstream() {
    return upstream;
  }

  /** The Vert.x instance both servers run on. */
  public Vertx vertx() {
    return vertx;
  }

  /** The gateway's base URL, {@code http://127.0.0.1:PORT}. */
  public String url() {
    return "http://127.0.0.1:" + gateway.port();
  }

  /** A request builder for {@code path} on the gateway. */
  public HttpRequest.Builder request(String path) {
    return HttpRequest.newBuilder(URI.create(url() + path)).timeout(Duration.ofSeconds(10));
  }

  /** Sends {@code request} and returns the response with its body as text. */
  public HttpResponse<String> send(HttpRequest request) throws IOException, InterruptedException {
    return http.send(request, HttpResponse.BodyHandlers.ofString());
  }

  /** {@code GET path} with header pairs {@code name, value, ...}. */
  public HttpResponse<String> get(String path, String... headers) throws IOException, InterruptedException {
    HttpRequest.Builder b = request(path).GET();
    for (int i = 0; i + 1 < headers.length; i += 2) {
      b.header(headers[i], headers[i + 1]);
    }
    return send(b.build());
  }

  /**
   * Writes {@code bytes} on a new connection and returns everything the gateway sent until it
   * closed the connection or {@code timeout} passed (send {@code Connection: close} to end early).
   */
  public byte[] raw(byte[] bytes, Duration timeout) throws IOException {
    try (Socket socket = new Socket("127.0.0.1", gateway.port())) {
      socket.setSoTimeout((int) timeout.toMillis());
      OutputStream out = socket.getOutputStream();
      out.write(bytes);
      out.flush();
      InputStream in = socket.getInputStream();
      java.io.ByteArrayOutputStream got = new java.io.ByteArrayOutputStream();
      byte[] buf = new byte[8192];
      try {
        int n;
        while ((n = in.read(buf)) >= 0) {
          got.write(buf, 0, n);
        }
      } catch (java.net.SocketTimeoutException e) {
        // return what arrived
      }
      return got.toByteArray();
    }
  }
}
