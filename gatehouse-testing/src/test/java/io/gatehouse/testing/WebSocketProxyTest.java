package io.gatehouse.testing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.gatehouse.gateway.accesslog.AccessLog;
import io.gatehouse.gateway.events.TrafficEvent;
import io.gatehouse.gateway.events.TrafficEventConsumer;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.ServerWebSocket;
import io.vertx.core.http.UpgradeRejectedException;
import io.vertx.core.http.WebSocket;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.http.WebSocketClientOptions;
import io.vertx.core.http.WebSocketConnectOptions;
import io.vertx.core.net.PemKeyCertOptions;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/** WebSocket passthrough through the gateway, against a real WebSocket backend on a real socket. */
class WebSocketProxyTest {
  @RegisterExtension static final GatehouseExtension GH = GatehouseExtension.create();

  static final String KEY = "ws-key-0123456789abcdef01";

  final AtomicInteger backendConnections = new AtomicInteger();
  final BlockingQueue<ServerWebSocket> backendSockets = new LinkedBlockingQueue<>();
  final BlockingQueue<String> plainPaths = new LinkedBlockingQueue<>();
  final BlockingQueue<TrafficEvent> events = new LinkedBlockingQueue<>();
  final BlockingQueue<String> accessLines = new LinkedBlockingQueue<>();
  final TrafficEventConsumer collect = events::add;
  final AccessLog accessLog = AccessLog.to(accessLines::add);
  HttpServer backend;
  WebSocketClient client;

  @BeforeEach
  void start() throws Exception {
    client = GH.vertx().createWebSocketClient(new WebSocketClientOptions().setMaxFrameSize(4 * 1024 * 1024));
    GH.gateway().events().subscribe(collect);
    GH.gateway().events().subscribe(accessLog);
  }

  @AfterEach
  void stop() throws Exception {
    GH.gateway().events().unsubscribe(collect);
    GH.gateway().events().unsubscribe(accessLog);
    if (backend != null) {
      await(backend.close());
    }
    await(client.close());
  }

  static <T> T await(Future<T> f) throws Exception {
    return f.toCompletionStage().toCompletableFuture().get(20, TimeUnit.SECONDS);
  }

  /** An echo backend: each text or binary message is sent back as it came. */
  int startEchoBackend(HttpServerOptions options) throws Exception {
    backend = GH.vertx().createHttpServer(options.setHost("127.0.0.1").setPort(0)
        .setWebSocketSubProtocols(List.of("chat.v2")))
        .webSocketHandler(ws -> {
          backendConnections.incrementAndGet();
          backendSockets.add(ws);
          ws.textMessageHandler(ws::writeTextMessage);
          ws.binaryMessageHandler(ws::writeBinaryMessage);
        })
        .requestHandler(r -> {
          plainPaths.add(r.path());
          r.response().end("plain");
        });
    return await(backend.listen()).actualPort();
  }

  void applyConfig(String backendUrl, String backendExtra, String websocket, String policies) {
    GH.apply("""
        backends:
          - {name: ws, url: "%s"%s}
        apis:
          - name: chat
            path: /chat
            backend: ws
            websocket: %s
            policies: %s
        subscriptions:
          - {name: sub-ws, scope: all, primaryKey: %s}
        """.formatted(backendUrl, backendExtra, websocket, policies, KEY));
  }

  /** The request id of this test's latest handshake: events of earlier tests' connections may still arrive. */
  String requestId;

  WebSocketConnectOptions gatewayOptions(String path) {
    requestId = "ws-" + java.util.UUID.randomUUID();
    return new WebSocketConnectOptions().setHost("127.0.0.1").setPort(GH.gateway().port()).setURI(path)
        .addHeader("X-Request-Id", requestId);
  }

  TrafficEvent nextWebSocketEvent() throws InterruptedException {
    for (;;) {
      TrafficEvent e = events.poll(20, TimeUnit.SECONDS);
      assertThat(e).as("a traffic event within 20 s").isNotNull();
      if (e.webSocket() != null && e.requestId().equals(requestId)) {
        return e;
      }
    }
  }

  @Test
  void relaysTextAndBinaryMessagesBothWaysWithTheBackendsSubprotocol() throws Exception {
    int port = startEchoBackend(new HttpServerOptions());
    applyConfig("http://127.0.0.1:" + port, "", "{idleTimeout: 1m, maxMessageSize: 64KiB}",
        "{inbound: [{set-header: {name: X-Via-Policy, value: via}}]}");
    WebSocket ws = await(client.connect(gatewayOptions("/chat/room?x=1")
        .addHeader("Subscription-Key", KEY).setSubProtocols(List.of("chat.v1", "chat.v2"))));
    assertThat(ws.subProtocol()).isEqualTo("chat.v2");
    BlockingQueue<Object> received = new LinkedBlockingQueue<>();
    ws.textMessageHandler(received::add);
    ws.binaryMessageHandler(received::add);
    ws.writeTextMessage("hello");
    assertThat(received.poll(20, TimeUnit.SECONDS)).isEqualTo("hello");
    byte[] bytes = new byte[3000];
    for (int i = 0; i < bytes.length; i++) {
      bytes[i] = (byte) i;
    }
    ws.writeBinaryMessage(Buffer.buffer(bytes));
    assertThat(((Buffer) received.poll(20, TimeUnit.SECONDS)).getBytes()).isEqualTo(bytes);

    ServerWebSocket seen = backendSockets.poll(20, TimeUnit.SECONDS);
    assertThat(seen.path()).isEqualTo("/room");
    assertThat(seen.query()).isEqualTo("x=1");
    assertThat(seen.headers().get("X-Via-Policy")).isEqualTo("via");
    assertThat(seen.headers().get("X-Forwarded-For")).isEqualTo("127.0.0.1");
    assertThat(seen.headers().get("Subscription-Key")).isNull();
    await(ws.close((short) 1000, "bye"));
  }

  @Test
  void addsTheBackendsCredentialsToTheHandshakeWithoutRecordingThem() throws Exception {
    int port = startEchoBackend(new HttpServerOptions());
    GH.apply("""
        namedValues:
          - {name: ws-password, type: secret, value: ws-s3cret-pw}
          - {name: ws-token, type: secret, value: ws-s3cret-q}
        backends:
          - name: ws
            url: "http://127.0.0.1:%d"
            credentials:
              basic: {username: relay, password: "${nv:ws-password}"}
              query: {name: token, value: "${nv:ws-token}"}
        apis:
          - {name: chat, path: /chat, backend: ws, websocket: {}}
        subscriptions:
          - {name: sub-ws, scope: all, primaryKey: %s}
        """.formatted(port, KEY));
    WebSocket ws = await(client.connect(gatewayOptions("/chat/room?token=forged&x=1").addHeader("Subscription-Key", KEY)));

    ServerWebSocket seen = backendSockets.poll(20, TimeUnit.SECONDS);
    assertThat(seen.headers().get("Authorization")).isEqualTo("Basic " + java.util.Base64.getEncoder()
        .encodeToString("relay:ws-s3cret-pw".getBytes(java.nio.charset.StandardCharsets.UTF_8)));
    assertThat(seen.query()).isEqualTo("x=1&token=ws-s3cret-q");
    await(ws.close((short) 1000, "bye"));
    TrafficEvent event = nextWebSocketEvent();
    assertThat(event.toString()).doesNotContain("ws-s3cret");
    String line = accessLines.poll(20, TimeUnit.SECONDS);
    while (line != null && !line.contains(requestId)) {
      line = accessLines.poll(20, TimeUnit.SECONDS);
    }
    assertThat(line).isNotNull().doesNotContain("ws-s3cret");
  }

  @Test
  void relaysManyLargeMessagesInOrderUnderBackPressure() throws Exception {
    int port = startEchoBackend(new HttpServerOptions());
    applyConfig("http://127.0.0.1:" + port, "", "{}", "{}");
    WebSocket ws = await(client.connect(gatewayOptions("/chat/room").addHeader("Subscription-Key", KEY)));
    int count = 400;
    int size = 60 * 1024;
    BlockingQueue<Buffer> received = new LinkedBlockingQueue<>();
    ws.binaryMessageHandler(received::add);
    // 24 MB each way: far more than any socket or write-queue buffer, so both directions pause
    for (int i = 0; i < count; i++) {
      Buffer b = Buffer.buffer(new byte[size]);
      b.setInt(0, i);
      ws.writeBinaryMessage(b);
    }
    for (int i = 0; i < count; i++) {
      Buffer b = received.poll(30, TimeUnit.SECONDS);
      assertThat(b).as("message %d", i).isNotNull();
      assertThat(b.length()).isEqualTo(size);
      assertThat(b.getInt(0)).isEqualTo(i);
    }
    await(ws.close());
    TrafficEvent e = nextWebSocketEvent();
    assertThat(e.webSocket().messagesIn()).isEqualTo(count);
    assertThat(e.bytesOut()).isEqualTo((long) count * size);
  }

  @Test
  void forwardsPingsToTheBackend() throws Exception {
    BlockingQueue<String> pings = new LinkedBlockingQueue<>();
    backend = GH.vertx().createHttpServer(new HttpServerOptions().setHost("127.0.0.1").setPort(0))
        .webSocketHandler(ws -> ws.frameHandler(f -> {
          if (f.type() == io.vertx.core.http.WebSocketFrameType.PING) {
            pings.add(f.binaryData().toString());
          }
        }));
    int port = await(backend.listen()).actualPort();
    applyConfig("http://127.0.0.1:" + port, "", "{}", "{}");
    WebSocket ws = await(client.connect(gatewayOptions("/chat/room").addHeader("Subscription-Key", KEY)));
    BlockingQueue<String> pongs = new LinkedBlockingQueue<>();
    ws.pongHandler(b -> pongs.add(b.toString()));
    ws.writePing(Buffer.buffer("are-you-there"));
    assertThat(pings.poll(20, TimeUnit.SECONDS)).isEqualTo("are-you-there");
    assertThat(pongs.poll(20, TimeUnit.SECONDS)).isEqualTo("are-you-there");
    await(ws.close());
  }

  @Test
  void refusesAnUpgradeWithoutKeyBeforeAnyBackendConnection() throws Exception {
    int port = startEchoBackend(new HttpServerOptions());
    applyConfig("http://127.0.0.1:" + port, "", "{}", "{}");
    assertThatThrownBy(() -> await(client.connect(gatewayOptions("/chat/room"))))
        .isInstanceOf(ExecutionException.class)
        .cause().isInstanceOfSatisfying(UpgradeRejectedException.class, e -> {
          assertThat(e.getStatus()).isEqualTo(401);
          assertThat(e.getBody().toString()).contains("subscription-key-missing");
        });
    // a request that reaches the backend afterwards proves the refused one would have been seen
    await(client.connect(gatewayOptions("/chat/room").addHeader("Subscription-Key", KEY)).compose(WebSocket::close));
    assertThat(backendConnections.get()).isEqualTo(1);
  }

  @Test
  void relaysTheBackendsRefusalOfTheHandshakeWithoutDisclosureHeaders() throws Exception {
    backend = GH.vertx().createHttpServer(new HttpServerOptions().setHost("127.0.0.1").setPort(0))
        .requestHandler(r -> r.response().setStatusCode(403).putHeader("Server", "backend/1.0")
            .putHeader("X-Reason", "not-here").end("no websockets for you"));
    int port = await(backend.listen()).actualPort();
    applyConfig("http://127.0.0.1:" + port, "", "{}", "{}");
    assertThatThrownBy(() -> await(client.connect(gatewayOptions("/chat/room").addHeader("Subscription-Key", KEY))))
        .cause().isInstanceOfSatisfying(UpgradeRejectedException.class, e -> {
          assertThat(e.getStatus()).isEqualTo(403);
          assertThat(e.getBody().toString()).isEqualTo("no websockets for you");
          assertThat(e.getHeaders().get("X-Reason")).isEqualTo("not-here");
          assertThat(e.getHeaders().get("Server")).isNull();
        });
  }

  @Test
  void dropsBytesPipelinedAfterARefusedHandshakeAndClosesTheConnection() throws Exception {
    int port = startEchoBackend(new HttpServerOptions());
    applyConfig("http://127.0.0.1:" + port, "", "{}", "{}");
    String handshake = "GET /chat/room HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
        + "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n";
    String smuggled = "GET /chat/smuggled HTTP/1.1\r\nHost: 127.0.0.1\r\nSubscription-Key: " + KEY + "\r\n\r\n";
    // the connection must end after the 401 (the timeout only bounds a failing run)
    String got = new String(GH.raw((handshake + smuggled).getBytes(java.nio.charset.StandardCharsets.US_ASCII),
        java.time.Duration.ofSeconds(20)), java.nio.charset.StandardCharsets.US_ASCII);
    assertThat(got).startsWith("HTTP/1.1 401");
    assertThat(got.split("HTTP/1.1 ", -1)).hasSize(2);
    assertThat(got.toLowerCase(java.util.Locale.ROOT)).contains("connection: close");
    assertThat(backendConnections.get()).isZero();
    // the smuggled request never reached the backend: a later request is the first it sees
    assertThat(GH.get("/chat/after", "Subscription-Key", KEY).body()).isEqualTo("plain");
    assertThat(plainPaths).containsExactly("/after");
  }

  @Test
  void refusesAnUpgradeDeniedByAnInboundPolicy() throws Exception {
    int port = startEchoBackend(new HttpServerOptions());
    applyConfig("http://127.0.0.1:" + port, "", "{}", "{inbound: [{ip-filter: {deny: [\"127.0.0.1\"]}}]}");
    assertThatThrownBy(() -> await(client.connect(gatewayOptions("/chat/room").addHeader("Subscription-Key", KEY))))
        .cause().isInstanceOfSatisfying(UpgradeRejectedException.class, e -> assertThat(e.getStatus()).isEqualTo(403));
    assertThat(backendConnections.get()).isZero();
  }

  @Test
  void closesWith1009WhenAMessageExceedsTheMaximum() throws Exception {
    int port = startEchoBackend(new HttpServerOptions());
    applyConfig("http://127.0.0.1:" + port, "", "{maxMessageSize: 1024}", "{}");
    WebSocket ws = await(client.connect(gatewayOptions("/chat/room").addHeader("Subscription-Key", KEY)));
    CompletableFuture<Short> closed = new CompletableFuture<>();
    ws.closeHandler(v -> closed.complete(ws.closeStatusCode()));
    ws.writeTextMessage("a".repeat(1000));
    ws.writeTextMessage("b".repeat(2000));
    assertThat(closed.get(20, TimeUnit.SECONDS)).isEqualTo((short) 1009);
    TrafficEvent e = nextWebSocketEvent();
    assertThat(e.webSocket().closedBy()).isEqualTo("gateway");
    assertThat(e.webSocket().closeCode()).isEqualTo(1009);
    assertThat(e.webSocket().messagesIn()).isEqualTo(1);
  }

  @Test
  void closesBothSidesWhenIdle() throws Exception {
    int port = startEchoBackend(new HttpServerOptions());
    applyConfig("http://127.0.0.1:" + port, "", "{idleTimeout: 200ms}", "{}");
    WebSocket ws = await(client.connect(gatewayOptions("/chat/room").addHeader("Subscription-Key", KEY)));
    CompletableFuture<Short> closed = new CompletableFuture<>();
    ws.closeHandler(v -> closed.complete(ws.closeStatusCode()));
    ServerWebSocket atBackend = backendSockets.poll(20, TimeUnit.SECONDS);
    CompletableFuture<Short> backendClosed = new CompletableFuture<>();
    atBackend.closeHandler(v -> backendClosed.complete(atBackend.closeStatusCode()));
    assertThat(closed.get(20, TimeUnit.SECONDS)).isEqualTo((short) 1001);
    assertThat(backendClosed.get(20, TimeUnit.SECONDS)).isEqualTo((short) 1001);
    assertThat(nextWebSocketEvent().webSocket().closeReason()).isEqualTo("idle timeout");
  }

  @Test
  void logsOneRecordPerConnectionWithItsCounts() throws Exception {
    int port = startEchoBackend(new HttpServerOptions());
    applyConfig("http://127.0.0.1:" + port, "", "{}", "{}");
    WebSocket ws = await(client.connect(gatewayOptions("/chat/room").addHeader("Subscription-Key", KEY)));
    BlockingQueue<Object> received = new LinkedBlockingQueue<>();
    ws.textMessageHandler(received::add);
    ws.binaryMessageHandler(received::add);
    ws.writeTextMessage("one");
    ws.writeTextMessage("three");
    ws.writeBinaryMessage(Buffer.buffer(new byte[10]));
    for (int i = 0; i < 3; i++) {
      assertThat(received.poll(20, TimeUnit.SECONDS)).isNotNull();
    }
    await(ws.close((short) 1000, "done"));

    TrafficEvent e = nextWebSocketEvent();
    assertThat(e.api()).isEqualTo("chat");
    assertThat(e.subscription()).isEqualTo("sub-ws");
    assertThat(e.clientIp()).isEqualTo("127.0.0.1");
    assertThat(e.status()).isEqualTo(101);
    assertThat(e.bytesIn()).isEqualTo(18);
    assertThat(e.bytesOut()).isEqualTo(18);
    assertThat(e.webSocket().messagesIn()).isEqualTo(3);
    assertThat(e.webSocket().messagesOut()).isEqualTo(3);
    assertThat(e.webSocket().closeCode()).isEqualTo(1000);
    assertThat(e.webSocket().closeReason()).isEqualTo("done");
    assertThat(e.webSocket().closedBy()).isEqualTo("client");
    assertThat(e.webSocket().closedAt()).isAfterOrEqualTo(e.time());

    JsonNode line = null;
    for (;;) {
      String s = accessLines.poll(20, TimeUnit.SECONDS);
      assertThat(s).isNotNull();
      JsonNode n = new ObjectMapper().readTree(s);
      if (n.has("websocket") && n.get("requestId").asText().equals(e.requestId())) {
        line = n;
        break;
      }
    }
    assertThat(line.get("status").asInt()).isEqualTo(101);
    assertThat(line.get("websocket").get("messagesIn").asLong()).isEqualTo(3);
    assertThat(line.get("websocket").get("closedBy").asText()).isEqualTo("client");
    // one record for the connection: none other with its request id before a later marker request's
    assertThat(GH.get("/chat/marker", "Subscription-Key", KEY, "X-Request-Id", "marker-ws").statusCode()).isEqualTo(200);
    for (;;) {
      TrafficEvent later = events.poll(20, TimeUnit.SECONDS);
      assertThat(later).isNotNull();
      assertThat(later.requestId()).isNotEqualTo(e.requestId());
      if (later.requestId().equals("marker-ws")) {
        break;
      }
    }
  }

  @Test
  void relaysBackendCloseCodeToTheClient() throws Exception {
    int port = startEchoBackend(new HttpServerOptions());
    applyConfig("http://127.0.0.1:" + port, "", "{}", "{}");
    WebSocket ws = await(client.connect(gatewayOptions("/chat/room").addHeader("Subscription-Key", KEY)));
    CompletableFuture<String> closed = new CompletableFuture<>();
    ws.closeHandler(v -> closed.complete(ws.closeStatusCode() + " " + ws.closeReason()));
    backendSockets.poll(20, TimeUnit.SECONDS).close((short) 4001, "kicked");
    assertThat(closed.get(20, TimeUnit.SECONDS)).isEqualTo("4001 kicked");
    assertThat(nextWebSocketEvent().webSocket().closedBy()).isEqualTo("backend");
  }

  @Test
  void relaysToATlsBackendVerifiedWithTheConfiguredCa(@TempDir Path dir) throws Exception {
    TestCertificates.Issued ca = TestCertificates.authority("WS Test CA");
    Path caPem = ca.writePem(dir, "ca");
    Path cert = TestCertificates.server(ca, "localhost").writePem(dir, "backend");
    int port = startEchoBackend(new HttpServerOptions().setSsl(true).setKeyCertOptions(new PemKeyCertOptions()
        .setCertPath(cert.toString()).setKeyPath(TestCertificates.Issued.keyPath(dir, "backend").toString())));
    applyConfig("https://localhost:" + port, ", tls: {caFile: \"" + caPem + "\"}", "{}", "{}");
    WebSocket ws = await(client.connect(gatewayOptions("/chat/room").addHeader("Subscription-Key", KEY)));
    Promise<String> echoed = Promise.promise();
    ws.textMessageHandler(echoed::tryComplete);
    ws.writeTextMessage("over tls");
    assertThat(await(echoed.future())).isEqualTo("over tls");
    await(ws.close());

    // an untrusted backend certificate: the handshake never reaches the backend's WebSocket handler
    TestCertificates.Issued other = TestCertificates.authority("Other CA");
    Path otherPem = other.writePem(dir, "other");
    applyConfig("https://localhost:" + port, ", tls: {caFile: \"" + otherPem + "\"}", "{}", "{}");
    assertThatThrownBy(() -> await(client.connect(gatewayOptions("/chat/room").addHeader("Subscription-Key", KEY))))
        .cause().isInstanceOfSatisfying(UpgradeRejectedException.class, e -> {
          assertThat(e.getStatus()).isEqualTo(502);
          assertThat(e.getBody().toString()).contains("backend-tls");
        });
    assertThat(backendConnections.get()).isEqualTo(1);
  }

  @Test
  void declinesUpgradesOfAnApiWithoutWebSocketSettings() throws Exception {
    int port = startEchoBackend(new HttpServerOptions());
    GH.apply("""
        backends: [{name: ws, url: "http://127.0.0.1:%d"}]
        apis: [{name: plain, path: /plain, backend: ws, subscriptionRequired: false}]
        """.formatted(port));
    assertThatThrownBy(() -> await(client.connect(gatewayOptions("/plain/room"))))
        .cause().isInstanceOf(UpgradeRejectedException.class);
    assertThat(backendConnections.get()).isZero();
  }
}
