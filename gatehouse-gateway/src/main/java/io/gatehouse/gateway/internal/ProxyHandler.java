package io.gatehouse.gateway.internal;

import io.gatehouse.gateway.internal.events.EventQueue;
import io.gatehouse.gateway.internal.events.Exchange;
import io.gatehouse.gateway.internal.policy.Pipeline;
import io.gatehouse.model.SubscriptionKeys;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.MultiMap;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientRequest;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.http.HttpVersion;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.net.HostAndPort;
import io.gatehouse.gateway.internal.upstream.BackendCredentials;
import io.gatehouse.gateway.internal.upstream.Breaker;
import io.gatehouse.gateway.internal.upstream.TokenSource;
import io.gatehouse.gateway.internal.upstream.Member;
import io.gatehouse.gateway.internal.upstream.Upstream;
import java.net.ConnectException;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeoutException;
import java.util.function.Supplier;
import javax.net.ssl.SSLException;

/**
 * Serves one gateway request, as one readable list of stages: limits, route, operation,
 * subscription key, policies, forward, respond. Runs on the request's event loop and never blocks.
 */
public final class ProxyHandler implements Handler<HttpServerRequest> {
  /** Path of the health probe. */
  public static final String HEALTH_PATH = "/status-0123456789abcdef";

  private final Supplier<Snapshot> snapshot;
  private final HttpClient client;
  private final EventQueue events;
  private volatile io.gatehouse.gateway.internal.tracing.Tracing tracing; // null: tracing off, no spans
  private final io.gatehouse.gateway.debug.DebugSessions debug = new io.gatehouse.gateway.debug.DebugSessions();

  public ProxyHandler(Supplier<Snapshot> snapshot, HttpClient client, EventQueue events) {
    this.snapshot = snapshot;
    this.client = client;
    this.events = events;
  }

  /** The gateway's HTTP client. */
  HttpClient client() {
    return client;
  }

  @Override
  public void handle(HttpServerRequest req) {
    Snapshot snap = snapshot.get();
    MultiMap headers = req.headers();
    String requestId = Forwarding.requestId(headers);
    HttpServerResponse resp = req.response();
    String debugToken = debug.active() ? headers.get(io.gatehouse.gateway.debug.DebugSessions.HEADER) : null;
    // traffic event (and spans, debug trace): finished when the response ends
    Exchange ev = Exchange.start(requestId, req, events, tracing, debug, debugToken);
    resp.putHeader("X-Request-Id", requestId);
    boolean upgrade = headers.contains(HttpHeaders.UPGRADE);
    if (upgrade && req.version() != HttpVersion.HTTP_2) {
      // The gateway performs no upgrade; the HTTP/1.1 validator closes the connection after this
      // response when the client asked for one (Connection: upgrade).
      resp.putHeader(HttpHeaders.CONNECTION, "close");
    }

    // 1. Health probe and request sanity.
    String path = req.path();
    if (path == null || path.isEmpty() || path.charAt(0) != '/') {
      reject(req, 400, "bad-request", "Bad Request", "the request target must be an absolute path", ev);
      return;
    }
    if (path.equals(HEALTH_PATH) && (req.method() == HttpMethod.GET || req.method() == HttpMethod.HEAD)) {
      resp.putHeader(HttpHeaders.CONTENT_TYPE, "text/plain").end("OK");
      return;
    }
    if (Forwarding.hasDotSegment(path)) {
      reject(req, 400, "bad-request", "Bad Request", "the path must not contain '.' or '..' segments", ev);
      return;
    }
    long maxBody = snap.settings().maxBodySize();
    String contentLength = headers.get(HttpHeaders.CONTENT_LENGTH);
    if (contentLength != null && parseLength(contentLength) > maxBody) {
      reject(req, 413, "body-too-large", "Content Too Large",
          "the request body exceeds " + maxBody + " bytes", ev);
      return;
    }

    // 2. Route by host and longest path prefix.
    String host = host(req);
    CompiledApi api = snap.route(host, path);
    if (api == null) {
      reject(req, 404, "no-route", "Not Found", "no API is published at this path", ev);
      return;
    }
    ev.api(api.name(), snap.debugSecrets());
    boolean tls = req.isSSL();
    if (tls ? !api.https() : !api.http()) {
      reject(req, 403, "protocol-not-allowed", "Forbidden",
          "this API is served over " + (tls ? "HTTP" : "HTTPS") + " only", ev);
      return;
    }
    // 2b. Lifecycle (inventory metadata): a retired API is gone, a deprecated one says so.
    io.gatehouse.model.InventoryDef inventory = api.def().inventory();
    if (inventory.retired()) {
      reject(req, 410, "api-retired", "Gone", "this API has been retired", ev);
      return;
    }
    if (inventory.deprecated()) {
      resp.putHeader("Deprecation", "true");
    }
    String rest = path.length() == api.prefix().length() ? "/" : path.substring(api.prefix().length());

    // 3. Operation: method and path template.
    String operation = "";
    if (!api.operations().isEmpty()) {
      OperationMatcher.Match match = api.operations().match(req.method().name(), rest);
      if (!match.found()) {
        if (match.allowedMethods().isEmpty()) {
          reject(req, 404, "no-operation", "Not Found", "the API has no operation at this path", ev);
        } else {
          resp.putHeader(HttpHeaders.ALLOW, String.join(", ", match.allowedMethods()));
          reject(req, 405, "method-not-allowed", "Method Not Allowed",
              "the operation does not accept " + req.method().name(), ev);
        }
        return;
      }
      operation = match.operation();
      ev.operation(operation);
    }

    // 3b. Temporary blocks of a client address raised by threat detection.
    if (blocked(req, null, ev)) {
      return;
    }

    // 4. Subscription key.
    String query = req.query();
    Grant grant = null;
    if (api.subscriptionRequired()) {
      String key = headers.get(api.keyHeader());
      boolean fromQuery = false;
      if (key == null && api.keyQuery() != null) {
        key = req.getParam(api.keyQuery());
        fromQuery = key != null;
      }
      if (key == null || key.isEmpty()) {
        resp.putHeader("WWW-Authenticate", "SubscriptionKey header=\"" + api.keyHeader() + "\"");
        reject(req, 401, "subscription-key-missing", "Unauthorized",
            "a subscription key is required in the " + api.keyHeader() + " header", ev);
        return;
      }
      grant = snap.grant(SubscriptionKeys.hash(key));
      if (grant == null) {
        resp.putHeader("WWW-Authenticate", "SubscriptionKey header=\"" + api.keyHeader() + "\"");
        reject(req, 401, "subscription-key-invalid", "Unauthorized", "the subscription key is not valid", ev);
        return;
      }
      ev.subscription(grant.subscription(), grant.product(), grant.owner());
      String refusal = grant.refusal(System.currentTimeMillis());
      if (refusal == null && !grant.covers(api.name())) {
        refusal = "the subscription does not include this API";
      }
      if (refusal != null) {
        reject(req, 403, "subscription-not-allowed", "Forbidden", refusal, ev);
        return;
      }
      if (fromQuery) {
        query = QueryStrings.without(query, api.keyQuery());
        ev.query(query);
      }
    }

    // 4b. Temporary blocks of a subscription raised by threat detection.
    if (grant != null && blocked(req, grant.subscription(), ev)) {
      return;
    }

    // 4c. Body sampling for sensitive-data analysis (BodySampling): one volatile read when off.
    io.gatehouse.gateway.internal.events.BodyTap.begin(ev, api.name(), operation, req.method().name(), rest, query);

    // 5. Policies: the compiled pipeline of this API, operation and product runs around the
    //    forward (inbound, backend, outbound, on-error); nothing is allocated when there is none.
    Pipeline pipeline = api.policies().select(operation, grant == null ? null : grant.product());
    if (pipeline != null) {
      new PolicyExchange(this, req, snap, api, rest, query, ev, upgrade, pipeline, operation, grant).start();
      return;
    }

    // 6. Forward to the backend.
    forward(req, snap, api, rest, query, ev, upgrade, null);
  }

  /** Answers 403 {@code client-blocked} when {@link io.gatehouse.gateway.security.ClientBlocks} blocks the peer. */
  private boolean blocked(HttpServerRequest req, String subscription, Exchange ev) {
    if (!io.gatehouse.gateway.security.ClientBlocks.active()) {
      return false;
    }
    String peer = req.remoteAddress() == null ? "" : req.remoteAddress().hostAddress();
    if (!io.gatehouse.gateway.security.ClientBlocks.isBlocked(peer, subscription)) {
      return false;
    }
    reject(req, 403, "client-blocked", "Forbidden", "the client is temporarily blocked", ev);
    return true;
  }

  /** The debug sessions of this gateway. */
  public io.gatehouse.gateway.debug.DebugSessions debugSessions() {
    return debug;
  }

  /** Turns tracing on with {@code t}, or off with {@code null}. */
  public void tracing(io.gatehouse.gateway.internal.tracing.Tracing t) {
    this.tracing = t;
  }

  /** Forwards the request; with {@code x} set, as the policies left it and answering to {@code x}. */
  void forward(HttpServerRequest req, Snapshot snap, CompiledApi api, String rest,
      String query, Exchange ev, boolean upgrade, PolicyExchange x) {
    CompiledBackend backend = x != null && x.backendOverride() != null ? x.backendOverride() : api.backend();
    MultiMap in = x == null ? req.headers() : x.headerMap();
    String connection = in.get(HttpHeaders.CONNECTION);
    MultiMap out = MultiMap.caseInsensitiveMultiMap();
    String keyHeader = api.subscriptionRequired() ? api.keyHeader() : null;
    for (Map.Entry<String, String> h : in) {
      String name = h.getKey();
      if (Forwarding.isHopByHop(name, connection) || (keyHeader != null && name.equalsIgnoreCase(keyHeader))
          || name.equalsIgnoreCase("x-forwarded-for") || name.equalsIgnoreCase("x-forwarded-proto")
          || name.equalsIgnoreCase("x-forwarded-host") || name.equalsIgnoreCase("forwarded")
          || name.equalsIgnoreCase("x-request-id")) {
        continue;
      }
      out.add(name, h.getValue());
    }
    if ("trailers".equalsIgnoreCase(in.get("TE"))) {
      out.add("TE", "trailers");
    }
    String peer = req.remoteAddress() == null ? "" : req.remoteAddress().hostAddress();
    boolean trustedPeer = snap.trustedProxies().contains(peer);
    String scheme = req.isSSL() ? "https" : "http";
    String originalHost = req.authority() == null ? "" : req.authority().toString();
    String xff = in.get("X-Forwarded-For");
    out.set("X-Forwarded-For", trustedPeer && xff != null ? xff + ", " + peer : peer);
    String proto = trustedPeer && in.contains("X-Forwarded-Proto") ? in.get("X-Forwarded-Proto") : scheme;
    out.set("X-Forwarded-Proto", proto);
    String fwdHost = trustedPeer && in.contains("X-Forwarded-Host") ? in.get("X-Forwarded-Host") : originalHost;
    if (fwdHost != null && !fwdHost.isEmpty()) {
      out.set("X-Forwarded-Host", fwdHost); // never an empty field when the request had no Host
    }
    String element = "for=" + Forwarding.forwardedNode(peer) + ";proto=" + scheme
        + (originalHost.isEmpty() ? "" : ";host=\"" + originalHost + "\"");
    String forwarded = in.get("Forwarded");
    out.set("Forwarded", trustedPeer && forwarded != null ? forwarded + ", " + element : element);
    out.set("X-Request-Id", ev.requestId());
    if (ev.debugging()) {
      out.remove(io.gatehouse.gateway.debug.DebugSessions.HEADER);
    }
    Upstream up = backend.upstream();
    up.onRequest(System.nanoTime());
    String pathAndQuery = rest + (query == null ? "" : "?" + query);
    io.gatehouse.model.ApiDef.WebSocket webSocket = api.def().websocket();
    if (upgrade && webSocket != null && WebSocketRelay.isHandshake(req)) {
      // WebSocket passthrough: the inbound checks passed; open the backend, then upgrade the client.
      WebSocketRelay.start(req, snap, up, out, pathAndQuery, webSocket, ev, x);
      return;
    }
    byte[] fixedBody = x == null ? null : x.fixedBody();
    if (fixedBody != null && ev.tap() != null) {
      ev.tap().request(fixedBody, out.get(HttpHeaders.CONTENT_TYPE), out.get(HttpHeaders.CONTENT_ENCODING));
    }
    if (fixedBody != null) {
      out.remove(HttpHeaders.TRANSFER_ENCODING);
      out.set(HttpHeaders.CONTENT_LENGTH, Integer.toString(fixedBody.length));
    }
    String length = in.get(HttpHeaders.CONTENT_LENGTH);
    boolean hasBody = fixedBody == null && ((length != null && !length.trim().equals("0"))
        || in.contains(HttpHeaders.TRANSFER_ENCODING)
        || (req.version() == HttpVersion.HTTP_2 && !req.isEnded()
            && req.method() != HttpMethod.GET && req.method() != HttpMethod.HEAD));
    if (hasBody) {
      req.pause();
    }
    attempt(req, snap, up, out, pathAndQuery, hasBody, ev, upgrade, 0, x);
  }

  /**
   * One try at the backend: breaker permission, member choice, request, and on a failure before
   * any response byte reached the client (and a bodiless, retryable request within the budget)
   * another try after the backoff.
   */
  private void attempt(HttpServerRequest req, Snapshot snap, Upstream up, MultiMap headers,
      String pathAndQuery, boolean hasBody, Exchange ev, boolean upgrade, int attempt, PolicyExchange x) {
    HttpServerResponse resp = req.response();
    if (resp.closed()) {
      return;
    }
    long start = System.nanoTime();
    Breaker breaker = up.breaker();
    if (breaker != null && !breaker.tryAcquire(start)) {
      long ms = breaker.retryAfterMillis(start);
      resp.putHeader("Retry-After", Long.toString(Math.max(1, (ms + 999) / 1000)));
      reject(req, 503, "backend-circuit-open", "Service Unavailable",
          "the backend is failing; its circuit breaker is open", ev);
      return;
    }
    Member member = up.pick(start);
    if (member == null) {
      if (breaker != null) {
        breaker.release();
      }
      reject(req, 503, "backend-unavailable", "Service Unavailable",
          "no healthy member of the backend is available", ev);
      return;
    }
    boolean[] finished = new boolean[1];
    // failure: TRUE/FALSE is the call's verdict; null means it ended without one (client left).
    java.util.function.Consumer<Boolean> finish = failure -> {
      if (!finished[0]) {
        finished[0] = true;
        long now = System.nanoTime();
        if (failure == null) {
          up.abandon(member);
          if (breaker != null) {
            breaker.release();
          }
          return;
        }
        up.done(member, failure, now);
        if (breaker != null) {
          breaker.onResult(failure, now - start, now);
        }
      }
    };
    headers.set(HttpHeaders.HOST, member.hostHeader());
    RequestOptions options = up.requestOptions(member, x == null ? req.method() : x.httpMethod(),
        member.basePath() + pathAndQuery)
        .setHeaders(headers);
    if (x != null && x.forwardTimeoutMillis() > 0) {
      options.setIdleTimeout(x.forwardTimeoutMillis());
    }
    HttpClient c = up.client() == null ? client : up.client();
    long maxBody = snap.settings().maxBodySize();
    ev.backendStarted(options.getMethod().name(), options, attempt);
    // Credentials go onto a copy of the headers after the events saw the request: never recorded.
    BackendCredentials creds = up.credentials();
    String[] bearer = creds == null ? null : new String[1];
    Future<HttpClientRequest> requested = creds == null ? c.request(options) : creds.send(options, c::request, bearer);
    requested.onComplete(ar -> {
      if (ar.failed()) {
        if (ar.cause() instanceof TokenSource.TokenException) {
          finish.accept(null); // not the backend's fault: no verdict for breaker or outlier detection
        } else {
          finish.accept(true);
          ev.backendAttemptFailed(attempt, 0, ar.cause());
          if (retried(req, snap, up, headers, pathAndQuery, hasBody, ev, upgrade, attempt, x)) {
            return;
          }
        }
        if (hasBody) {
          req.resume();
        }
        if (x != null) {
          x.backendFailed(ar.cause());
          return;
        }
        failed(req, ar.cause(), ev);
        return;
      }
      HttpClientRequest breq = ar.result();
      // Per exchange, not per connection: a connection's close must never reset a backend
      // request that has already completed (its pooled connection may serve another request).
      ev.onClientClose(() -> {
        breq.reset();
        finish.accept(null);
      });
      byte[] fixedBody = x == null ? null : x.fixedBody();
      var sent = fixedBody != null ? breq.send(Buffer.buffer(fixedBody))
          : hasBody ? BackendBody.send(breq, ev.tap() == null ? LimitedStream.of(req, maxBody) : ev.tap().request(
              LimitedStream.of(req, maxBody), headers.get(HttpHeaders.CONTENT_TYPE), headers.get(HttpHeaders.CONTENT_ENCODING)))
          : breq.send();
      sent.onComplete(rr -> {
        if (rr.failed()) {
          breq.reset();
          ev.backendAttemptFailed(attempt, 0, rr.cause());
          finish.accept(!(rr.cause() instanceof LimitedStream.TooLargeException));
          if (retried(req, snap, up, headers, pathAndQuery, hasBody, ev, upgrade, attempt, x)) {
            return;
          }
          if (x != null) {
            x.backendFailed(rr.cause());
            return;
          }
          failed(req, rr.cause(), ev);
          return;
        }
        HttpClientResponse bres = rr.result();
        int status = bres.statusCode();
        finish.accept(status >= 500);
        if (status == 401 && bearer != null && bearer[0] != null) {
          creds.tokens().reject(bearer[0]); // refused: the next call fetches a new token
        }
        if ((status == 502 || status == 503 || status == 504)
            && retried(req, snap, up, headers, pathAndQuery, hasBody, ev, upgrade, attempt, x)) {
          ev.backendAttemptFailed(attempt, status, null);
          bres.body(); // drain the discarded answer so that the connection can be reused
          return;
        }
        if (x != null) {
          x.backendResponded(bres);
          return;
        }
        respond(req, resp, bres, snap, upgrade, ev);
      });
    });
  }

  private boolean retried(HttpServerRequest req, Snapshot snap, Upstream up, MultiMap headers,
      String pathAndQuery, boolean hasBody, Exchange ev, boolean upgrade, int attempt, PolicyExchange x) {
    HttpServerResponse resp = req.response();
    if (hasBody || resp.headWritten() || resp.closed()
        || !up.mayRetry(req.method(), attempt + 1, System.nanoTime())) {
      return false;
    }
    long backoff = up.backoffMillis();
    Runnable again = () -> attempt(req, snap, up, headers, pathAndQuery, false, ev, upgrade, attempt + 1, x);
    io.vertx.core.Context ctx = io.vertx.core.Vertx.currentContext();
    if (backoff > 0 && ctx != null) {
      ctx.owner().setTimer(backoff, id -> again.run());
    } else {
      again.run();
    }
    return true;
  }

  private static void respond(HttpServerRequest req, HttpServerResponse resp, HttpClientResponse bres,
      Snapshot snap, boolean upgrade, Exchange ev) {
    ev.backendAnswered(bres.statusCode(), bres.headers());
    if (resp.closed()) {
      bres.request().reset();
      return;
    }
    resp.setStatusCode(bres.statusCode());
    MultiMap bh = bres.headers();
    MultiMap rh = resp.headers();
    snap.copyResponseHeaders(bh, rh);
    if (upgrade && req.version() != HttpVersion.HTTP_2) {
      rh.set(HttpHeaders.CONNECTION, "close");
    }
    if (!bh.contains(HttpHeaders.CONTENT_LENGTH) && req.version() != HttpVersion.HTTP_2
        && req.method() != HttpMethod.HEAD && bres.statusCode() != 204 && bres.statusCode() != 304) {
      resp.setChunked(true);
    }
    io.vertx.core.streams.ReadStream<Buffer> body = ev.tap() == null ? bres
        : ev.tap().response(bres, bres.statusCode(), bh.get(HttpHeaders.CONTENT_TYPE), bh.get(HttpHeaders.CONTENT_ENCODING));
    relayBody(bres, body, resp, () -> {
      ev.backendAborted();
      resp.reset();
    });
  }

  /**
   * Streams {@code body} (the body of {@code bres}, possibly tapped) to {@code resp} with
   * back-pressure, then copies the backend's trailers (gRPC's {@code grpc-status}, for example) and
   * ends {@code resp}; runs {@code onAbort} when the backend response broke off before its end.
   */
  static void relayBody(HttpClientResponse bres, io.vertx.core.streams.ReadStream<Buffer> body,
      HttpServerResponse resp, Runnable onAbort) {
    body.pipe().endOnComplete(false).to(resp).onComplete(ar -> {
      if (resp.ended() || resp.closed()) {
        return;
      }
      if (ar.failed()) {
        onAbort.run();
        return;
      }
      MultiMap trailers = bres.trailers();
      if (trailers != null && !trailers.isEmpty()) {
        for (Map.Entry<String, String> t : trailers) {
          String name = t.getKey();
          if (!name.equalsIgnoreCase("content-length") && !name.equalsIgnoreCase("transfer-encoding")
              && !name.equalsIgnoreCase("host")) {
            resp.trailers().add(name, t.getValue());
          }
        }
      }
      resp.end();
    });
  }

  static void failed(HttpServerRequest req, Throwable cause, Exchange ev) {
    HttpServerResponse resp = req.response();
    if (cause instanceof LimitedStream.TooLargeException) {
      reject(req, 413, "body-too-large", "Content Too Large", cause.getMessage(), ev);
    } else if (cause instanceof TokenSource.TokenException) {
      reject(req, 502, "backend-credentials", "Bad Gateway", "the gateway could not obtain credentials for the backend",
          ev);
    } else if (cause instanceof TimeoutException) {
      reject(req, 504, "backend-timeout", "Gateway Timeout", "the backend did not answer in time", ev);
    } else if (causedBy(cause, SSLException.class) || causedBy(cause, java.security.cert.CertificateException.class)) {
      reject(req, 502, "backend-tls", "Bad Gateway", "the TLS handshake with the backend failed", ev);
    } else if (causedBy(cause, ConnectException.class)) {
      reject(req, 502, "backend-unreachable", "Bad Gateway", "the backend refused the connection", ev);
    } else if (resp.headWritten() || resp.closed()) {
      ev.backendAborted();
      resp.reset();
    } else {
      reject(req, 502, "backend-failed", "Bad Gateway", "the backend connection failed", ev);
    }
  }

  private static boolean causedBy(Throwable t, Class<? extends Throwable> type) {
    for (int i = 0; t != null && i < 10; i++, t = t.getCause()) {
      if (type.isInstance(t)) {
        return true;
      }
    }
    return false;
  }

  private static void reject(HttpServerRequest req, int status, String type, String title, String detail,
      Exchange ev) {
    ev.rejected(type);
    Problems.send(req.response(), status, type, title, detail, ev.requestId());
  }

  private static String host(HttpServerRequest req) {
    HostAndPort authority = req.authority();
    if (authority == null) {
      return null;
    }
    String h = authority.host();
    return h == null ? null : h.toLowerCase(Locale.ROOT);
  }

  private static long parseLength(String value) {
    try {
      return Long.parseLong(value.trim());
    } catch (NumberFormatException e) {
      return Long.MAX_VALUE;
    }
  }

}
