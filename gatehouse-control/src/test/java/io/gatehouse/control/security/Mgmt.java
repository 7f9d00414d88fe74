package io.gatehouse.control.security;

import com.fasterxml.jackson.databind.JsonNode;
import io.gatehouse.control.AdminTokens;
import io.gatehouse.control.ControlPlane;
import io.gatehouse.control.ManagementOptions;
import io.gatehouse.control.ManagementServer;
import io.gatehouse.control.ControlStore;
import io.gatehouse.control.TestStores;
import io.gatehouse.model.ConfigMapper;
import io.vertx.core.Vertx;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.function.Consumer;

/** A management server on an ephemeral loopback port over a fresh store, with a settable clock, for tests. */
final class Mgmt implements AutoCloseable {
  static final String OWNER_TOKEN = "test-owner-token-0123456789abcdef";

  /** A clock tests move by hand. */
  static final class TestClock extends Clock {
    volatile Instant now = Instant.parse("2026-01-01T00:00:00Z");

    void advance(Duration d) {
      now = now.plus(d);
    }

    @Override
    public ZoneOffset getZone() {
      return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(java.time.ZoneId zone) {
      return this;
    }

    @Override
    public Instant instant() {
      return now;
    }
  }

  record Res(int status, HttpResponse<String> raw) {
    String body() {
      return raw.body();
    }

    JsonNode json() {
      try {
        return ConfigMapper.json().readTree(raw.body());
      } catch (Exception e) {
        throw new AssertionError("not JSON: " + raw.body(), e);
      }
    }

    String header(String name) {
      return raw.headers().firstValue(name).orElse(null);
    }
  }

  final Path dir;
  final TestClock clock = new TestClock();
  final Vertx vertx = Vertx.vertx();
  final ControlStore store;
  final ControlPlane plane;
  final ManagementServer server;
  final HttpClient http = HttpClient.newHttpClient();

  Mgmt(Path dir, Consumer<ManagementOptions.Builder> options) throws Exception {
    this(TestStores.Kind.SQLITE, dir, options, null);
  }

  /** A server over the {@code kind} store of {@code dir}. */
  Mgmt(TestStores.Kind kind, Path dir, Consumer<ManagementOptions.Builder> options) throws Exception {
    this(kind, dir, options, null);
  }

  /** A server that also serves the debug-token routes over {@code debugging} (nullable for none). */
  Mgmt(Path dir, Consumer<ManagementOptions.Builder> options, io.gatehouse.control.RequestDebugging debugging)
      throws Exception {
    this(TestStores.Kind.SQLITE, dir, options, debugging);
  }

  /** A server over the {@code kind} store of {@code dir} that also serves the debug-token routes over {@code debugging}. */
  Mgmt(TestStores.Kind kind, Path dir, Consumer<ManagementOptions.Builder> options,
      io.gatehouse.control.RequestDebugging debugging) throws Exception {
    this.dir = dir;
    store = TestStores.open(kind, dir);
    AdminTokens.bootstrap(store, dir, OWNER_TOKEN);
    plane = ControlPlane.over(store);
    ManagementOptions.Builder b = ManagementOptions.builder().listen("127.0.0.1", 0).clock(clock).limits(10_000, 10_000);
    options.accept(b);
    // Backend runtime state of a gateway that uses no backend, so that its routes are in the document.
    io.gatehouse.control.BackendStates noBackends = new io.gatehouse.control.BackendStates() {
      @Override
      public List<?> all() {
        return List.of();
      }

      @Override
      public java.util.Optional<?> one(String name) {
        return java.util.Optional.empty();
      }
    };
    server = ManagementServer.start(vertx, b.build(), plane,
            new io.gatehouse.control.ManagementAddons(null, null, false, null, debugging, noBackends))
        .toCompletionStage().toCompletableFuture().get();
  }

  Res call(String token, String method, String path, String body) throws Exception {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.actualPort() + path))
        .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
    if (token != null) {
      b.header("Authorization", "Bearer " + token);
    }
    if (body != null) {
      b.header("Content-Type", "application/json");
    }
    HttpResponse<String> r = http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    return new Res(r.statusCode(), r);
  }

  /**
   * Sends one HTTP/1.1 request over a socket bound to {@code localAddress} (any 127.0.0.0/8
   * address), so that tests can be several clients; returns the status code and the whole response.
   */
  Raw from(String localAddress, String token, String method, String path, String body) throws Exception {
    try (java.net.Socket s = new java.net.Socket()) {
      s.bind(new java.net.InetSocketAddress(localAddress, 0));
      s.connect(new java.net.InetSocketAddress("127.0.0.1", server.actualPort()), 5000);
      s.setSoTimeout(10_000);
      byte[] payload = body == null ? new byte[0] : body.getBytes(java.nio.charset.StandardCharsets.UTF_8);
      StringBuilder head = new StringBuilder(method + " " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n");
      if (token != null) {
        head.append("Authorization: Bearer ").append(token).append("\r\n");
      }
      if (body != null) {
        head.append("Content-Type: application/json\r\nContent-Length: ").append(payload.length).append("\r\n");
      }
      s.getOutputStream().write(head.append("\r\n").toString().getBytes(java.nio.charset.StandardCharsets.US_ASCII));
      s.getOutputStream().write(payload);
      s.getOutputStream().flush();
      String text = new String(s.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
      return new Raw(Integer.parseInt(text.substring(9, 12)), text);
    }
  }

  /** A response read off a raw socket. */
  record Raw(int status, String text) {}

  Res owner(String method, String path, String body) throws Exception {
    return call(OWNER_TOKEN, method, path, body);
  }

  /** Creates a personal access token holding {@code roles}, as the owner; returns its value. */
  String tokenFor(String... roles) throws Exception {
    String list = String.join(",", List.of(roles).stream().map(r -> "\"" + r + "\"").toList());
    Res r = owner("POST", "/api/v1/tokens", "{\"name\":\"t-" + String.join("-", roles) + "\",\"roles\":[" + list + "]}");
    if (r.status() != 201) {
      throw new AssertionError("token creation answered " + r.status() + ": " + r.body());
    }
    return r.json().get("token").asText();
  }

  @Override
  public void close() throws Exception {
    server.close().toCompletionStage().toCompletableFuture().get();
    vertx.close().toCompletionStage().toCompletableFuture().get();
    store.close();
  }
}
