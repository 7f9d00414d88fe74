package io.gatehouse.gateway.internal;

import io.gatehouse.gateway.events.WebSocketSession;
import io.gatehouse.gateway.internal.events.Exchange;
import io.gatehouse.gateway.internal.upstream.Lease;
import io.gatehouse.gateway.internal.upstream.Member;
import io.gatehouse.gateway.internal.upstream.TokenSource;
import io.gatehouse.gateway.internal.upstream.Upstream;
import io.gatehouse.model.ApiDef;
import io.vertx.core.MultiMap;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.http.ServerWebSocket;
import io.vertx.core.http.UpgradeRejectedException;
import io.vertx.core.http.WebSocket;
import io.vertx.core.http.WebSocketBase;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.http.WebSocketConnectOptions;
import io.vertx.core.http.WebSocketFrame;
import io.vertx.core.http.WebSocketFrameType;
import io.vertx.core.net.SocketAddress;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * One proxied WebSocket connection: opens the backend WebSocket for an upgrade request that passed
 * the API's inbound checks, upgrades the client's connection with the subprotocol the backend
 * chose, then relays frames both ways with back-pressure until either side closes, and publishes
 * one traffic event for the whole connection.
 *
 * <p>Threading: created and run on the request's event loop; the backend WebSocket is opened from
 * it, so both sockets and the idle timer share that thread.
 */
final class WebSocketRelay {
  /** Largest single frame the gateway accepts on either side (a message may span several). */
  static final int MAX_FRAME_SIZE = 1024 * 1024;

  private final HttpServerRequest req;
  private final Exchange ev;
  private final long maxMessage;
  private final long idleNanos;
  private ServerWebSocket client;
  private WebSocket backend;

  private long messagesIn;
  private long messagesOut;
  private long bytesIn;
  private long bytesOut;
  private long currentIn;
  private long currentOut;
  private long lastActivity;
  private long timer = -1;
  private boolean clientClosed;
  private boolean backendClosed;
  private String closedBy;
  private Integer closeCode;
  private String closeReason;
  private boolean finished;

  private WebSocketRelay(HttpServerRequest req, Exchange ev, ApiDef.WebSocket settings) {
    this.req = req;
    this.ev = ev;
    this.maxMessage = settings.maxMessageSize();
    this.idleNanos = settings.idleTimeout().toNanos();
  }

  /** Whether {@code req} is a WebSocket handshake (RFC 6455 §4.1) the gateway can take over. */
  static boolean isHandshake(HttpServerRequest req) {
    MultiMap h = req.headers();
    return req.canUpgradeToWebSocket() && h.contains("Sec-WebSocket-Key") && "13".equals(h.get("Sec-WebSocket-Version"));
  }

  /**
   * Opens the backend WebSocket on a member of {@code up} with the forwarded {@code headers}, then
   * upgrades the client; answers with a problem (or the backend's refusal) when that fails.
   * {@code x}, when not null, is the policy exchange whose inbound section let the request through.
   */
  static void start(BackendCall call, ApiDef.WebSocket settings) {
    HttpServerRequest req = call.context().request();
    Upstream up = call.upstream();
    Exchange ev = call.context().event();
    PolicyExchange x = call.exchange();
    HttpServerResponse resp = req.response();
    long start = System.nanoTime();
    // The breaker's permission and a member, as one lease ended once with the handshake's verdict.
    Lease lease = up.acquire(start);
    if (Lease.CIRCUIT_OPEN.equals(lease.refusal())) {
      long ms = up.breaker().retryAfterMillis(start);
      resp.putHeader("Retry-After", Long.toString(Math.max(1, (ms + 999) / 1000)));
      refuse(req, x, 503, Lease.CIRCUIT_OPEN, "Service Unavailable",
          "the backend is failing; its circuit breaker is open", ev);
      return;
    }
    WebSocketClient wsClient = lease.refusal() != null ? null : up.webSocketClient(MAX_FRAME_SIZE);
    if (wsClient == null) {
      lease.abandon();
      refuse(req, x, 503, Lease.NO_MEMBER, "Service Unavailable",
          "no healthy member of the backend is available", ev);
      return;
    }
    Member member = lease.member();
    req.pause();
    // The member's address, resolved and checked by the outbound guard.
    up.target(member, start).onComplete(t -> {
      if (t.failed()) {
        lease.abandon(); // refused or unresolvable: no verdict for breaker or outlier detection
        req.resume();
        if (x != null) {
          x.backendFailed(t.cause());
        } else {
          ProxyHandler.failed(req, t.cause(), ev);
        }
        return;
      }
      connect(call, lease, t.result(), wsClient, settings);
    });
  }

  private static void connect(BackendCall call, Lease lease, SocketAddress server, WebSocketClient wsClient,
      ApiDef.WebSocket settings) {
    Member member = lease.member();
    HttpServerRequest req = call.context().request();
    Snapshot snap = call.context().snapshot();
    Upstream up = call.upstream();
    MultiMap headers = call.headers();
    String pathAndQuery = call.pathAndQuery();
    Exchange ev = call.context().event();
    PolicyExchange x = call.exchange();
    HttpServerResponse resp = req.response();
    WebSocketConnectOptions options = up.webSocketOptions(member, server, member.basePath() + pathAndQuery);
    List<String> protocols = new ArrayList<>();
    for (String value : req.headers().getAll("Sec-WebSocket-Protocol")) {
      for (String p : value.split(",")) {
        if (!p.isBlank()) {
          protocols.add(p.trim());
        }
      }
    }
    if (!protocols.isEmpty()) {
      options.setSubProtocols(protocols);
    }
    for (Map.Entry<String, String> h : headers) {
      String name = h.getKey().toLowerCase(Locale.ROOT);
      if (!name.startsWith("sec-websocket-") && !name.equals("host")) {
        options.addHeader(h.getKey(), h.getValue());
      }
    }
    ev.backendStarted("GET", options, 0);
    (up.credentials() == null ? wsClient.connect(options)
        : up.credentials().send(options, wsClient::connect, null)).onComplete(ar -> {
      if (ar.failed() && ar.cause() instanceof TokenSource.TokenException) {
        lease.abandon(); // not the backend's fault: no verdict for breaker or outlier detection
      } else {
        lease.done(ar.failed() && !(ar.cause() instanceof UpgradeRejectedException), System.nanoTime());
      }
      if (ar.failed()) {
        req.resume();
        Throwable cause = ar.cause();
        if (cause instanceof UpgradeRejectedException) {
          passRefusal(req, snap, (UpgradeRejectedException) cause, ev, x);
        } else if (x != null) {
          x.backendFailed(cause);
        } else {
          ProxyHandler.failed(req, cause, ev);
        }
        return;
      }
      WebSocket backend = ar.result();
      backend.pause();
      // The WebSocket client connects to the member's host name itself: check where it connected.
      RuntimeException refused = up.refusal(member, backend.remoteAddress());
      if (refused != null) {
        backend.close();
        req.resume();
        if (x != null) {
          x.backendFailed(refused);
        } else {
          ProxyHandler.failed(req, refused, ev);
        }
        return;
      }
      if (resp.closed()) {
        backend.close();
        return;
      }
      ev.backendAnswered(101, backend.headers());
      if (x != null) {
        x.upgraded();
      }
      new WebSocketRelay(req, ev, settings).upgrade(backend);
    });
  }

  /** Upgrades the client with the backend's subprotocol, then starts relaying. */
  private void upgrade(WebSocket ws) {
    this.backend = ws;
    String chosen = ws.subProtocol();
    // The listener accepts any subprotocol the client offered ("*"): offer only the backend's choice.
    if (chosen == null) {
      req.headers().remove("Sec-WebSocket-Protocol");
    } else {
      req.headers().set("Sec-WebSocket-Protocol", chosen);
    }
    ev.upgraded();
    req.response().headers().remove(HttpHeaders.CONNECTION); // set to close for declined upgrades
    req.resume();
    req.toWebSocket().onComplete(ar -> {
      if (ar.failed()) {
        closedBy = "gateway";
        clientClosed = true;
        backend.close((short) 1011, "client upgrade failed");
        backend.closeHandler(v -> {
          backendClosed = true;
          finish();
        });
        return;
      }
      this.client = ar.result();
      relay();
    });
  }

  private void relay() {
    lastActivity = System.nanoTime();
    if (req.connection() instanceof io.vertx.core.net.impl.ConnectionBase) {
      // the listener's connection idle timeout would drop the socket silently: the relay's own
      // idle timeout (with a close frame) replaces it
      io.netty.channel.ChannelPipeline p = ((io.vertx.core.net.impl.ConnectionBase) req.connection()).channel().pipeline();
      if (p.get("idle") != null) {
        p.remove("idle");
      }
    }
    client.frameHandler(f -> onFrame(f, true));
    backend.frameHandler(f -> onFrame(f, false));
    client.closeHandler(v -> onClosed(true));
    backend.closeHandler(v -> onClosed(false));
    client.exceptionHandler(t -> { });
    backend.exceptionHandler(t -> { });
    scheduleIdleCheck(idleNanos);
    backend.resume();
  }

  private void onFrame(WebSocketFrame f, boolean fromClient) {
    WebSocketBase to = fromClient ? backend : client;
    WebSocketBase from = fromClient ? client : backend;
    lastActivity = System.nanoTime();
    WebSocketFrameType type = f.type();
    if (type == WebSocketFrameType.CLOSE || closedBy != null) {
      return; // the close handshake is handled by each side's close handler
    }
    if (type == WebSocketFrameType.PING) {
      to.writePing(f.binaryData());
      return;
    }
    if (type == WebSocketFrameType.PONG) {
      to.writePong(f.binaryData());
      return;
    }
    long len = f.binaryData().length();
    long current = (type == WebSocketFrameType.CONTINUATION ? (fromClient ? currentIn : currentOut) : 0) + len;
    if (current > maxMessage) {
      closeBoth((short) 1009, "message larger than " + maxMessage + " bytes");
      return;
    }
    if (fromClient) {
      currentIn = current;
      bytesIn += len;
      if (f.isFinal()) {
        messagesIn++;
      }
    } else {
      currentOut = current;
      bytesOut += len;
      if (f.isFinal()) {
        messagesOut++;
      }
    }
    to.writeFrame(f);
    if (to.writeQueueFull()) {
      from.pause();
      to.drainHandler(v -> from.resume());
    }
  }

  private void onClosed(boolean client) {
    WebSocketBase side = client ? this.client : backend;
    WebSocketBase other = client ? backend : this.client;
    if (client) {
      clientClosed = true;
    } else {
      backendClosed = true;
    }
    if (closedBy == null) {
      closedBy = client ? "client" : "backend";
      Short code = side.closeStatusCode();
      closeCode = code == null ? null : (int) code;
      closeReason = side.closeReason();
    }
    if (!other.isClosed()) {
      Short code = closeCode == null ? null : (short) (int) closeCode;
      if (code != null && sendable(code)) {
        other.close(code, closeReason);
      } else {
        other.close();
      }
    }
    finish();
  }

  /** The gateway closes both sides, for example on idle timeout or an oversized message. */
  private void closeBoth(short code, String reason) {
    if (closedBy != null) {
      return;
    }
    closedBy = "gateway";
    closeCode = (int) code;
    closeReason = reason;
    client.close(code, reason);
    backend.close(code, reason);
  }

  private void scheduleIdleCheck(long delayNanos) {
    io.vertx.core.Context ctx = io.vertx.core.Vertx.currentContext();
    if (ctx == null) {
      return;
    }
    timer = ctx.owner().setTimer(Math.max(1, delayNanos / 1_000_000), id -> {
      timer = -1;
      if (finished || closedBy != null) {
        return;
      }
      long idle = System.nanoTime() - lastActivity;
      if (idle >= idleNanos) {
        closeBoth((short) 1001, "idle timeout");
      } else {
        scheduleIdleCheck(idleNanos - idle);
      }
    });
  }

  private void finish() {
    if (finished || !clientClosed || !backendClosed) {
      return;
    }
    finished = true;
    if (timer >= 0) {
      io.vertx.core.Context ctx = io.vertx.core.Vertx.currentContext();
      if (ctx != null) {
        ctx.owner().cancelTimer(timer);
      }
    }
    ev.webSocketClosed(new WebSocketSession(Instant.now(), messagesIn, messagesOut, closeCode, closeReason,
        closedBy == null ? "gateway" : closedBy), bytesIn, bytesOut);
  }

  /** Whether {@code code} may be sent in a close frame (RFC 6455 §7.4). */
  private static boolean sendable(short code) {
    return (code >= 1000 && code <= 1003) || (code >= 1007 && code <= 1014) || (code >= 3000 && code <= 4999);
  }

  /** Relays the backend's refusal of the handshake (its status, headers and body) to the client. */
  private static void passRefusal(HttpServerRequest req, Snapshot snap, UpgradeRejectedException e, Exchange ev,
      PolicyExchange x) {
    if (x != null) {
      x.upgraded();
    }
    ev.backendAnswered(e.getStatus(), e.getHeaders());
    HttpServerResponse resp = req.response();
    if (resp.closed() || resp.headWritten()) {
      return;
    }
    resp.setStatusCode(e.getStatus());
    MultiMap bh = e.getHeaders();
    if (bh != null) {
      MultiMap copied = MultiMap.caseInsensitiveMultiMap();
      snap.copyResponseHeaders(bh, copied); // hop-by-hop and disclosure headers dropped as for HTTP
      copied.remove(HttpHeaders.CONTENT_LENGTH);
      copied.remove(HttpHeaders.TRANSFER_ENCODING);
      copied.remove("X-Request-Id");
      resp.headers().addAll(copied);
    }
    Buffer body = e.getBody();
    resp.end(body == null ? Buffer.buffer() : body);
  }

  private static void refuse(HttpServerRequest req, PolicyExchange x, int status, String type, String title,
      String detail, Exchange ev) {
    if (x != null) {
      x.upgraded(); // answered here, as the HTTP forward does for these refusals
    }
    ev.rejected(type);
    Problems.send(req.response(), status, type, title, detail, ev.requestId());
  }
}
