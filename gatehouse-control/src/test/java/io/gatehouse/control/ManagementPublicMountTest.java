package io.gatehouse.control;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.vertx.core.Vertx;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@link ManagementServer#mountPublic}: static files without a token, and nothing else opened by it. */
class ManagementPublicMountTest {
  static final String TOKEN = "test-admin-token-0123456789abcdef";

  @TempDir Path dir;
  Vertx vertx;
  SqliteConfigStore store;
  ManagementServer server;
  final HttpClient http = HttpClient.newHttpClient();

  @BeforeEach
  void start() throws Exception {
    store = SqliteConfigStore.open(dir);
    AdminTokens.bootstrap(store, dir, TOKEN);
    vertx = Vertx.vertx();
    server = ManagementServer.start(vertx, "127.0.0.1", 0, ControlPlane.over(store))
        .toCompletionStage().toCompletableFuture().get();
    server.mountPublic("/pages/", ctx -> ctx.response().putHeader("Content-Type", "text/plain").end("page"));
  }

  @AfterEach
  void stop() throws Exception {
    server.close().toCompletionStage().toCompletableFuture().get();
    vertx.close().toCompletionStage().toCompletableFuture().get();
    store.close();
  }

  HttpResponse<String> call(String method, String path) throws Exception {
    return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.actualPort() + path))
        .method(method, HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString());
  }

  @Test
  void servesGetAndHeadUnderThePrefixWithoutAToken() throws Exception {
    HttpResponse<String> r = call("GET", "/pages/index.html");
    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(r.body()).isEqualTo("page");
    assertThat(r.headers().firstValue("X-Content-Type-Options")).contains("nosniff");
    assertThat(r.headers().firstValue("X-Request-Id")).isPresent();
    assertThat(call("HEAD", "/pages/").statusCode()).isEqualTo(200);
  }

  @Test
  void redirectsTheBarePrefixToItsSlash() throws Exception {
    HttpResponse<String> r = call("GET", "/pages");
    assertThat(r.statusCode()).isEqualTo(302);
    assertThat(r.headers().firstValue("Location")).contains("/pages/");
  }

  @Test
  void refusesOtherMethodsUnderThePrefixWithoutAToken() throws Exception {
    assertThat(call("POST", "/pages/index.html").statusCode()).isEqualTo(401);
    assertThat(call("PUT", "/pages/index.html").statusCode()).isEqualTo(401);
  }

  @Test
  void refusesApiRoutesReachedThroughDotSegmentsAfterThePrefix() throws Exception {
    assertThat(call("GET", "/pages/../api/v1/apis").statusCode()).isEqualTo(401);
    assertThat(call("GET", "/pages/%2e%2e/api/v1/apis").statusCode()).isEqualTo(401);
    assertThat(call("GET", "/pages/./../api/v1/config").statusCode()).isEqualTo(401);
    assertThat(call("GET", "/pagesx/index.html").statusCode()).isEqualTo(401);
  }

  @Test
  void refusesReservedMalformedAndDuplicatePrefixes() {
    assertThatThrownBy(() -> server.mountPublic("/api/", ctx -> ctx.end())).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("reserved");
    assertThatThrownBy(() -> server.mountPublic("/healthz/", ctx -> ctx.end()))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> server.mountPublic("/pages/", ctx -> ctx.end()))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("already");
    assertThatThrownBy(() -> server.mountPublic("/a/../b/", ctx -> ctx.end()))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("expected a prefix");
    assertThatThrownBy(() -> server.mountPublic("/", ctx -> ctx.end())).isInstanceOf(IllegalArgumentException.class);
  }
}
