package io.gatehouse.gateway.internal.events;

import io.gatehouse.gateway.debug.DebugSessions;
import io.gatehouse.gateway.events.TrafficEvent;
import io.gatehouse.gateway.internal.tracing.Tracing;
import io.opentelemetry.api.trace.Span;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.http.HttpVersion;
import io.vertx.core.net.HostAndPort;
import io.vertx.core.net.SocketAddress;
import java.time.Instant;
import java.util.Locale;

/**
 * What the request path learns about one request, turned into exactly one {@link TrafficEvent}
 * when the response ends or the connection closes first. Confined to the request's event loop.
 *
 * <p>When no consumer is subscribed, {@link #start} returns a recorder that only carries the
 * request id and builds nothing.
 */
public final class Exchange {
  private final String requestId;
  private final HttpServerRequest req;
  private final EventQueue queue;
  private Runnable onClose;
  private Runnable onDone;
  private boolean hooked;
  private final long startMillis;
  private final long startNanos;
  private boolean done;
  private String api = "";
  private String operation = "";
  private String query;
  private String path; // the normalized path and host once the request passed those checks; else raw
  private String host;
  private String product;
  private String subscription;
  private String user;
  private int backendStatus = -1;
  private long backendStart;
  private long backendNanos;
  private String rejectedBy;
  private String error;
  private String cacheStatus;
  // WebSocket connection (after the upgrade): the event is finished by the relay, not the response
  private boolean upgraded;
  private io.gatehouse.gateway.events.WebSocketSession webSocket;
  private io.gatehouse.gateway.events.WafOutcome waf;
  private long wsBytesIn;
  private long wsBytesOut;
  // tracing (null when off): the request's server span and the open backend attempt's client span
  private final Tracing tracing;
  private final boolean recording;
  private Span span;
  private Span backendSpan;

  // request debugging (null when the request carries no debug token)
  private final DebugSessions debugSessions;
  private final String debugToken;
  private BodyTap tap; // body sampling (BodySampling), null when this exchange is not sampled
  private DebugSessions.Recorder debug;

  private Exchange(String requestId, HttpServerRequest req, EventQueue queue, Tracing tracing,
      DebugSessions debugSessions, String debugToken) {
    this.requestId = requestId;
    this.req = req;
    this.queue = queue;
    this.tracing = tracing;
    this.debugSessions = debugSessions;
    this.debugToken = debugToken;
    this.recording = queue != null || tracing != null || debugToken != null;
    this.startMillis = queue == null ? 0 : System.currentTimeMillis();
    this.startNanos = recording ? System.nanoTime() : 0;
  }

  /**
   * Starts recording {@code req}; the event is published to {@code queue} when the response ends
   * or is abandoned. Call before anything is written to the response.
   */
  public static Exchange start(String requestId, HttpServerRequest req, EventQueue queue) {
    return start(requestId, req, queue, null);
  }

  /**
   * Like {@link #start(String, HttpServerRequest, EventQueue)}, also tracing the request with
   * {@code tracing} when not null: a server span now, a client span per backend attempt.
   */
  public static Exchange start(String requestId, HttpServerRequest req, EventQueue queue, Tracing tracing) {
    return start(requestId, req, queue, tracing, null, null);
  }

  /**
   * Like {@link #start(String, HttpServerRequest, EventQueue, Tracing)}, also recording a debug trace
   * when {@code debugToken} (the {@code Gatehouse-Debug} header, nullable) opens a session of
   * {@code debugSessions} for the API the request is routed to.
   */
  public static Exchange start(String requestId, HttpServerRequest req, EventQueue queue, Tracing tracing,
      DebugSessions debugSessions, String debugToken) {
    boolean events = queue.active();
    if (!events && tracing == null && debugToken == null) {
      return new Exchange(requestId, req, null, null, null, null);
    }
    Exchange ex = new Exchange(requestId, req, events ? queue : null, tracing, debugToken == null ? null : debugSessions,
        debugToken);
    if (tracing != null) {
      ex.span = tracing.startServer(req, requestId);
    }
    ex.query = req.query();
    HttpServerResponse resp = req.response();
    resp.endHandler(v -> ex.finish());
    resp.closeHandler(v -> {
      if (ex.upgraded) {
        return; // a WebSocket connection's record is finished by its relay
      }
      // HTTP/2 closes the stream of every response, ended or not: only an unended one was aborted.
      if (!ex.done && ex.error == null && !resp.ended()) {
        ex.error = "client-aborted";
        ex.rejectedBy = "client";
      }
      if (ex.onClose != null) {
        ex.onClose.run();
      }
      ex.finish();
    });
    return ex;
  }

  /**
   * Runs {@code action} when the client's connection (or HTTP/2 stream) closes before the response
   * ended; the one close hook of an exchange, shared with event recording.
   */
  public void onClientClose(Runnable action) {
    HttpServerResponse resp = req.response();
    onClose = () -> {
      if (!resp.ended()) {
        action.run();
      }
    };
    hook();
  }

  /**
   * Runs {@code action} once when the response ends or the client's connection closes first
   * (after {@link #onClientClose}'s action); several actions run in the order they were added.
   */
  public void onDone(Runnable action) {
    Runnable previous = onDone;
    onDone = previous == null ? action : () -> {
      previous.run();
      action.run();
    };
    hook();
  }

  /** Without a consumer, {@link #start} installs no handlers: install them on first need. */
  private void hook() {
    if (recording || hooked) {
      return;
    }
    hooked = true;
    HttpServerResponse resp = req.response();
    resp.endHandler(v -> runDone());
    resp.closeHandler(v -> {
      if (upgraded) {
        return;
      }
      if (onClose != null) {
        onClose.run();
      }
      runDone();
    });
  }

  private void runDone() {
    Runnable r = onDone;
    if (r != null) {
      onDone = null;
      r.run();
    }
  }

  /** The body sample being taken of this exchange, or {@code null} when it is not sampled. */
  public BodyTap tap() {
    return tap;
  }

  void tap(BodyTap tap) {
    this.tap = tap;
  }

  /** The request id. */
  public String requestId() {
    return requestId;
  }

  /**
   * Records the routed API {@code name}; a debug trace, when the request's token opens one for it, redacts
   * every value containing one of {@code secrets} (the snapshot's secret named values).
   */
  public void api(String name, java.util.Collection<String> secrets) {
    if (recording) {
      api = name;
    }
    if (debugSessions != null) {
      String uri = req.uri();
      debug = debugSessions.recorder(debugToken, name, req.method().name(), uri == null ? req.path() : uri, requestId,
          startNanos, secrets);
      if (debug != null) {
        debug.step("route", "api " + name);
      }
    }
  }

  /** Whether this request records a debug trace (its debug header must not reach the backend). */
  public boolean debugging() {
    return debug != null;
  }

  /** The request's debug trace, or {@code null} when no debug session records it. */
  public DebugSessions.Recorder debugTrace() {
    return debug;
  }

  /** Records the matched operation. */
  public void operation(String name) {
    if (recording) {
      operation = name;
    }
    if (debug != null) {
      debug.step("operation", name);
    }
  }

  /** Records the subscription that authorised the request. */
  public void subscription(String name, String product, String user) {
    if (recording) {
      this.subscription = name;
      this.product = product;
      this.user = user;
    }
    if (debug != null) {
      debug.step("subscription-key", "subscription " + name + (product == null ? "" : " (product " + product + ")"));
    }
  }

  /** Records the authenticated user (a verified token's subject), replacing the subscription owner. */
  public void user(String user) {
    if (queue != null && user != null) {
      this.user = user;
    }
  }

  /**
   * Records the request's normalized path and host (lower case, without port or trailing dot),
   * which the event then carries instead of the raw ones.
   */
  public void target(String normalizedPath, String normalizedHost) {
    if (queue != null) {
      this.path = normalizedPath;
      this.host = normalizedHost;
    }
  }

  /** Records the query as forwarded (the subscription key parameter removed). */
  public void query(String forwarded) {
    if (queue != null) {
      this.query = forwarded;
    }
  }

  /** Records that the gateway answered with problem {@code type} instead of the backend. */
  public void rejected(String type) {
    if (recording && error == null) {
      error = type;
      rejectedBy = stageOf(type);
    }
    if (debug != null) {
      debug.step(stageOf(type), "rejected: " + type);
    }
    if (backendSpan != null) {
      Tracing.endClient(backendSpan, 0, type);
      backendSpan = null;
    }
  }

  /**
   * Records that the policy {@code by} (its name and scope, such as {@code validate-jwt@api:pets})
   * answered instead of the backend, with error code {@code type} when its answer is an error
   * ({@code null} otherwise, as for a cache hit).
   */
  public void answeredByPolicy(String by, String type) {
    if (recording && error == null && rejectedBy == null) {
      rejectedBy = by;
      error = type;
    }
    if (debug != null && type != null) {
      debug.step("policy", "rejected by " + by + ": " + type);
    }
  }

  /** Marks the moment the backend request is issued. */
  public void backendStarted() {
    if (queue != null) {
      backendStart = System.nanoTime();
    }
  }

  /**
   * Marks the moment the backend request described by {@code options}, try number {@code attempt}
   * (0 = the first, 1 = the first retry, ...), is issued; when tracing, starts its client span and
   * writes the trace context into {@code options}' headers; when debugging, records the attempt.
   */
  public void backendStarted(String method, RequestOptions options, int attempt) {
    backendStarted();
    if (debug != null) {
      debug.backendRequest(attempt + 1, (Boolean.TRUE.equals(options.isSsl()) ? "https://" : "http://")
          + options.getHost() + ":" + options.getPort(), method, options.getURI(), options.getHeaders());
    }
    if (span != null) {
      if (backendSpan != null) {
        Tracing.endClient(backendSpan, 0, "retried");
      }
      backendSpan = tracing.startClient(span, method, options);
    }
  }

  /** Records the backend's response head with its {@code headers} (nullable; recorded only when debugging). */
  public void backendAnswered(int status, io.vertx.core.MultiMap headers) {
    if (queue != null) {
      backendStatus = status;
      backendNanos = System.nanoTime() - backendStart;
    }
    if (debug != null) {
      debug.backendResponse(status, headers);
    }
    if (backendSpan != null) {
      Tracing.endClient(backendSpan, status, null);
      backendSpan = null;
    }
  }

  /**
   * Records that backend try {@code attempt} (0 = the first) failed ({@code cause}) or that its
   * answer ({@code status} > 0) is discarded for a retry; only a debug trace keeps this.
   */
  public void backendAttemptFailed(int attempt, int status, Throwable cause) {
    if (debug != null) {
      debug.backendFailed(attempt + 1, status, cause);
    }
  }

  /** Records the web application firewall's verdict (the last one recorded wins). */
  public void waf(io.gatehouse.gateway.events.WafOutcome outcome) {
    if (recording) {
      waf = outcome;
    }
  }

  /** Records the response cache's verdict, for example {@code HIT} or {@code MISS}. */
  public void cacheStatus(String status) {
    if (queue != null) {
      cacheStatus = status;
    }
  }

  /** Records that the backend response broke off while streaming. */
  public void backendAborted() {
    if (recording && error == null) {
      error = "backend-aborted";
      rejectedBy = "backend";
    }
  }

  /**
   * Records that the request was upgraded to a WebSocket connection: the event is then published
   * by {@link #webSocketClosed}, not when the HTTP response closes.
   */
  public void upgraded() {
    upgraded = true;
    if (debug != null) {
      debug.step("websocket", "upgraded");
    }
  }

  /**
   * Finishes the event of an upgraded connection with its session record and the message payload
   * bytes read from the client ({@code bytesIn}) and written to it ({@code bytesOut}).
   */
  public void webSocketClosed(io.gatehouse.gateway.events.WebSocketSession session, long bytesIn, long bytesOut) {
    if (recording) {
      webSocket = session;
      wsBytesIn = bytesIn;
      wsBytesOut = bytesOut;
    }
    finish();
  }

  private void finish() {
    runDone();
    if (done || !recording) {
      return;
    }
    done = true;
    if (debug != null) {
      HttpServerResponse r = req.response();
      debug.finish(upgraded ? 101 : r.headWritten() ? r.getStatusCode() : 0);
    }
    if (span != null) {
      if (backendSpan != null) {
        Tracing.endClient(backendSpan, 0, error == null ? "client-aborted" : error);
        backendSpan = null;
      }
      HttpServerResponse r = req.response();
      Tracing.endServer(span, req.method().name(), api, operation, subscription,
          upgraded ? 101 : r.headWritten() ? r.getStatusCode() : 0,
          error);
    }
    if (queue == null) {
      return;
    }
    long total = System.nanoTime() - startNanos;
    if (backendStart != 0 && backendStatus < 0) {
      backendNanos = System.nanoTime() - backendStart;
    }
    HttpServerResponse resp = req.response();
    SocketAddress peer = req.remoteAddress();
    HostAndPort authority = req.authority();
    String host = this.host != null ? this.host
        : authority == null || authority.host() == null ? "" : authority.host().toLowerCase(Locale.ROOT);
    String path = this.path != null ? this.path : req.path();
    queue.publish(new TrafficEvent(
        Instant.ofEpochMilli(startMillis),
        requestId,
        traceId(req.getHeader("traceparent")),
        peer == null || peer.hostAddress() == null ? "" : peer.hostAddress(),
        req.method().name(),
        host,
        path == null ? "" : path,
        query,
        api,
        operation,
        product,
        subscription,
        user,
        upgraded ? 101 : resp.headWritten() ? resp.getStatusCode() : 0,
        backendStatus < 0 ? null : backendStatus,
        total,
        backendNanos,
        upgraded ? wsBytesIn : req.bytesRead(),
        upgraded ? wsBytesOut : resp.bytesWritten(),
        cacheStatus,
        rejectedBy,
        error,
        req.getHeader("User-Agent"),
        protocol(req.version()),
        webSocket,
        waf));
  }

  /** The stage of the request lifecycle that makes problems of {@code type}. */
  static String stageOf(String type) {
    switch (type) {
      case "bad-request":
      case "body-too-large":
        return "limits";
      case "no-route":
      case "protocol-not-allowed":
        return "route";
      case "no-operation":
      case "method-not-allowed":
        return "operation";
      case "subscription-key-missing":
      case "subscription-key-invalid":
      case "subscription-not-allowed":
        return "subscription-key";
      default:
        return type.startsWith("backend-") ? "backend" : type;
    }
  }

  /** The trace id of a W3C {@code traceparent} value, or {@code null} when it is malformed. */
  static String traceId(String traceparent) {
    if (traceparent == null || traceparent.length() < 55 || traceparent.charAt(2) != '-'
        || traceparent.charAt(35) != '-' || traceparent.charAt(52) != '-') {
      return null;
    }
    boolean nonZero = false;
    for (int i = 3; i < 35; i++) {
      char c = traceparent.charAt(i);
      if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) {
        return null;
      }
      nonZero |= c != '0';
    }
    return nonZero ? traceparent.substring(3, 35) : null;
  }

  private static String protocol(HttpVersion version) {
    switch (version) {
      case HTTP_1_0: return "HTTP/1.0";
      case HTTP_2: return "HTTP/2";
      default: return "HTTP/1.1";
    }
  }
}
