package io.gatehouse.testing;

import static org.assertj.core.api.Assertions.assertThat;

import io.gatehouse.gateway.BackendStatus;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Requests that meet a pooled backend connection the backend is closing (its keep-alive timeout
 * ran out): sent again once when the backend cannot have processed them, never when it may have;
 * and connections are not kept longer than the pool idle timeout or the backend's announced one.
 */
class StaleBackendConnectionTest {
  @RegisterExtension static final GatehouseExtension GH = GatehouseExtension.create();

  private ScriptedBackend backend;

  @AfterEach
  void stopBackend() throws IOException {
    if (backend != null) {
      backend.close();
    }
  }

  private void serve(ScriptedBackend b, String timeouts) {
    backend = b;
    GH.apply("""
        backends:
          - name: s
            url: %s
            outlierDetection: {consecutiveFailures: 1, baseEjection: 60s}
            %s
        apis:
          - {name: s, path: /s, backend: s, subscriptionRequired: false}
        """.formatted(b.url(), timeouts));
  }

  /** One client connection to the gateway, kept open so that its requests share a backend pool. */
  private static final class Client implements AutoCloseable {
    final Socket socket;
    final InputStream in;
    final OutputStream out;

    Client() throws IOException {
      socket = new Socket("127.0.0.1", GH.gateway().port());
      socket.setSoTimeout(15_000);
      in = socket.getInputStream();
      out = socket.getOutputStream();
    }

    void write(String text) throws IOException {
      out.write(text.getBytes(StandardCharsets.ISO_8859_1));
      out.flush();
    }

    /** Reads one response with a Content-Length body: status line and body. */
    String[] read() throws IOException {
      ByteArrayOutputStream head = new ByteArrayOutputStream();
      while (!head.toString(StandardCharsets.ISO_8859_1).endsWith("\r\n\r\n")) {
        int b = in.read();
        if (b < 0) {
          throw new IOException("connection closed in the response head: " + head);
        }
        head.write(b);
      }
      String h = head.toString(StandardCharsets.ISO_8859_1);
      String lower = h.toLowerCase(java.util.Locale.ROOT);
      int at = lower.indexOf("\r\ncontent-length:");
      int length = Integer.parseInt(lower.substring(at + 17, lower.indexOf("\r\n", at + 2)).trim());
      String body = new String(in.readNBytes(length), StandardCharsets.ISO_8859_1);
      return new String[] {h.substring(0, h.indexOf("\r\n")), body};
    }

    String[] get(String path) throws IOException {
      write("GET " + path + " HTTP/1.1\r\nHost: gw\r\n\r\n");
      return read();
    }

    @Override
    public void close() throws IOException {
      socket.close();
    }
  }

  private static BackendStatus.MemberStatus member() {
    return GH.gateway().backendStatus().get(0).members().get(0);
  }

  @Test
  void retriesAGetOnceWhenTheBackendClosedAReusedConnectionAfterReadingIt() throws Exception {
    serve(new ScriptedBackend((connection, request) -> !(connection == 1 && request == 2)), "");
    try (Client c = new Client()) {
      assertThat(c.get("/s/1")).containsExactly("HTTP/1.1 200 OK", "c1r1");
      String[] second = c.get("/s/2");
      assertThat(second).containsExactly("HTTP/1.1 200 OK", "c2r1");
    }
    assertThat(backend.seen).extracting(s -> s.connection() + " " + s.method() + " " + s.target())
        .containsExactly("1 GET /1", "1 GET /2", "2 GET /2");
    assertThat(member().ejected()).as("closing an idle connection is no backend failure").isFalse();
  }

  @Test
  void answers502ForAPostTheBackendMayHaveProcessed() throws Exception {
    serve(new ScriptedBackend((connection, request) -> !(connection == 1 && request == 2)), "");
    try (Client c = new Client()) {
      assertThat(c.get("/s/1")[0]).isEqualTo("HTTP/1.1 200 OK");
      c.write("POST /s/order HTTP/1.1\r\nHost: gw\r\nContent-Length: 5\r\n\r\nhello");
      String[] r = c.read();
      assertThat(r[0]).isEqualTo("HTTP/1.1 502 Bad Gateway");
      assertThat(r[1]).contains("backend-failed");
    }
    assertThat(backend.seen).extracting(s -> (s.connection() + " " + s.method() + " " + s.target() + " " + s.body()).trim())
        .as("sent once, never again").containsExactly("1 GET /1", "1 POST /order hello");
  }

  @Test
  void retriesAPostWhoseConnectionClosedBeforeAnythingWasWritten() throws Exception {
    serve(new ScriptedBackend((connection, request) -> true), "");
    try (Client c = new Client()) {
      assertThat(c.get("/s/1")).containsExactly("HTTP/1.1 200 OK", "c1r1");
      // The head arrives; the body does not yet, so nothing goes to the pooled connection ...
      c.write("POST /s/order HTTP/1.1\r\nHost: gw\r\nTransfer-Encoding: chunked\r\n\r\n");
      Await.until("the gateway picked the backend", () -> member().outstanding() == 1);
      // ... which the backend now closes, as at the end of its keep-alive timeout.
      backend.closeIdle();
      // The gateway notices and opens another connection for the request, whose body then follows.
      Await.until("a second backend connection", () -> backend.connections() == 2);
      c.write("5\r\nhello\r\n0\r\n\r\n");
      assertThat(c.read()).containsExactly("HTTP/1.1 200 OK", "c2r1");
    }
    assertThat(backend.seen).extracting(s -> (s.connection() + " " + s.method() + " " + s.target() + " " + s.body()).trim())
        .containsExactly("1 GET /1", "2 POST /order hello");
    assertThat(member().ejected()).isFalse();
  }

  @Test
  void closesAConnectionBeforeTheTimeoutTheBackendAnnouncesInKeepAlive() throws Exception {
    ScriptedBackend b = new ScriptedBackend((connection, request) -> true);
    b.extraHeaders = "Keep-Alive: timeout=2\r\n";
    serve(b, "");
    try (Client c = new Client()) {
      assertThat(c.get("/s/1")).containsExactly("HTTP/1.1 200 OK", "c1r1");
      Await.until("the gateway closes the idle connection", () -> b.closedByGatewayAt.containsKey(1));
      long idleMillis = TimeUnit.NANOSECONDS.toMillis(b.closedByGatewayAt.get(1) - b.answeredAt.get(1));
      assertThat(idleMillis).as("closed before the backend's 2 s").isLessThan(2000);
      assertThat(c.get("/s/2")).containsExactly("HTTP/1.1 200 OK", "c2r1");
    }
    assertThat(b.connections()).isEqualTo(2);
  }

  @Test
  void closesIdleConnectionsAfterThePoolIdleTimeout() throws Exception {
    ScriptedBackend b = new ScriptedBackend((connection, request) -> true);
    serve(b, "timeouts: {poolIdle: 1s}");
    try (Client c = new Client()) {
      assertThat(c.get("/s/1")).containsExactly("HTTP/1.1 200 OK", "c1r1");
      Await.until("the gateway closes the idle connection", () -> b.closedByGatewayAt.containsKey(1));
      long idleMillis = TimeUnit.NANOSECONDS.toMillis(b.closedByGatewayAt.get(1) - b.answeredAt.get(1));
      assertThat(idleMillis).isGreaterThanOrEqualTo(900);
      assertThat(c.get("/s/2")).containsExactly("HTTP/1.1 200 OK", "c2r1");
    }
  }

  @Test
  void learnsWhenTheBackendClosesIdleConnectionsAndRetiresLaterOnesBeforeThat() throws Exception {
    ScriptedBackend b = new ScriptedBackend((connection, request) -> true);
    serve(b, "");
    try (Client c = new Client()) {
      assertThat(c.get("/s/1")).containsExactly("HTTP/1.1 200 OK", "c1r1");
      // The backend closes the connection once it has been idle for a second, announcing nothing
      // (as nginx's keepalive_timeout does), well before the gateway's own pool idle timeout.
      // the client can read the answer before the backend has noted when it sent it
      Await.until("a second of idleness", () -> b.answeredAt.get(1) != null
          && System.nanoTime() - b.answeredAt.get(1) >= TimeUnit.SECONDS.toNanos(1));
      long backendIdleMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - b.answeredAt.get(1));
      b.closeIdle();
      Await.until("the gateway saw the close", () -> GH.gateway().backendStatus().get(0).idleCloseMillis() != null);
      assertThat(GH.gateway().backendStatus().get(0).idleCloseMillis()).isGreaterThanOrEqualTo(1000);
      assertThat(c.get("/s/2")).containsExactly("HTTP/1.1 200 OK", "c2r1");
      // Having seen it, the gateway retires the next connection itself before that idle time.
      Await.until("the gateway closes the idle connection", () -> b.closedByGatewayAt.containsKey(2));
      long idleMillis = TimeUnit.NANOSECONDS.toMillis(b.closedByGatewayAt.get(2) - b.answeredAt.get(2));
      assertThat(idleMillis).as("retired before the backend's %d ms", backendIdleMillis).isLessThan(backendIdleMillis);
    }
    assertThat(b.connections()).isEqualTo(2);
    assertThat(member().ejected()).isFalse();
  }
}
