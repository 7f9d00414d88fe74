package io.gatehouse.gateway.internal;

import io.gatehouse.gateway.internal.events.EventQueue;
import io.gatehouse.gateway.internal.events.Exchange;
import io.gatehouse.gateway.internal.policy.Pipeline;
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
import io.vertx.core.net.SocketAddress;
import io.gatehouse.gateway.internal.upstream.BackendCredentials;
import io.gatehouse.gateway.internal.upstream.Lease;
import io.gatehouse.gateway.internal.upstream.TokenSource;
import io.gatehouse.gateway.internal.outbound.OutboundGuard;
import io.gatehouse.gateway.internal.outbound.RefusedDestinationException;
import io.gatehouse.gateway.internal.upstream.Member;
import io.gatehouse.gateway.internal.upstream.StaleConnections;
import io.gatehouse.gateway.internal.upstream.Upstream;
import java.net.ConnectException;
import java.util.Map;
import java.util.concurrent.TimeoutException;
import java.util.function.Supplier;
import javax.net.ssl.SSLException;

/**
 * Serves one gateway request, as one readable list of stages: limits, route, operation,
 * subscription key, policies, forward, respond. Runs on the request's event loop and never blocks.
 */
public final class ProxyHandler implements Handler<HttpServerRequest> {
  /** Path of the readiness probe: 200 once the configuration is served, 503 before and while draining. */
  public static final String HEALTH_PATH = "/status-0123456789abcdef";
  /** The readiness probe under its explicit name; answers as {@link #HEALTH_PATH}. */
  public static final String READY_PATH = HEALTH_PATH + "/ready";
  /** The liveness probe: 200 while the listener runs. */
  public static final String LIVE_PATH = HEALTH_PATH + "/live";

  private final Supplier<Snapshot> snapshot;
  private final HttpClient client;
  private final OutboundGuard guard;
  private final EventQueue events;
  private volatile io.gatehouse.gateway.internal.tracing.Tracing tracing; // null: tracing off, no spans
  private final io.gatehouse.gateway.debug.DebugSessions debug = new io.gatehouse.gateway.debug.DebugSessions();

  private final java.util.function.BooleanSupplier ready;
  /** Lower-case origins answered with CORS on every API (the developer portal's); empty: none. */
  private volatile java.util.Set<String> portalOrigins = java.util.Set.of();
  private volatile java.util.function.BiPredicate<String, String> clientBlocks; // null: nobody is blocked

  public ProxyHandler(Supplier<Snapshot> snapshot, HttpClient client,
      OutboundGuard guard, EventQueue events, java.util.function.BooleanSupplier ready) {
    this.snapshot = snapshot;
    this.client = client;
    this.guard = guard;
    this.events = events;
    this.ready = ready;
  }

  /**
   * Answers CORS for {@code origins} (lower-case {@code scheme://host[:port]}) on every API from now
   * on: preflights get 204 with the requested method and headers allowed, other requests carry
   * {@code Access-Control-Allow-Origin} (no credentials). Other origins need a {@code cors} policy.
   */
  public void portalOrigins(java.util.Set<String> origins) {
    this.portalOrigins = java.util.Set.copyOf(origins);
  }

  /** Answers the readiness or liveness probe at {@code path}; false when {@code path} is neither. */
  private boolean probe(String path, HttpServerResponse resp) {
    boolean live = path.equals(LIVE_PATH);
    if (!live && !path.equals(HEALTH_PATH) && !path.equals(READY_PATH)) {
      return false;
    }
    boolean up = live || ready.getAsBoolean();
    resp.setStatusCode(up ? 200 : 503).putHeader(HttpHeaders.CACHE_CONTROL, "no-store")
        .putHeader(HttpHeaders.CONTENT_TYPE, "text/plain").end(up ? "OK" : "NOT READY");
    return true;
  }

  /**
   * Opens a call-out request {@code options} (absolute URI set) with the gateway's client, at the
   * address of its host that the outbound guard checked; fails with
   * {@link RefusedDestinationException} when the guard refuses it.
   */
  Future<HttpClientRequest> callOut(RequestOptions options) {
    return guard.resolve(options.getHost(), options.getPort())
        .compose(server -> client.request(options.setServer(server)));
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

    // 1. Health probe and request sanity: one normalized path (RequestPath) and one normalized
    //    host (HostName) for routing, matching, policies and forwarding.
    RequestTarget target = RequestTarget.of(req);
    String rawPath = target.rawPath();
    if (rawPath != null && rawPath.startsWith(HEALTH_PATH)
        && (req.method() == HttpMethod.GET || req.method() == HttpMethod.HEAD) && probe(rawPath, resp)) {
      return;
    }
    RequestPath requestPath = RequestPath.of(rawPath);
    if (requestPath.isRefused()) {
      reject(req, 400, "bad-request", "Bad Request", requestPath.refusal(), ev);
      return;
    }
    String path = requestPath.value();
    HostName host = null;
    String authority = target.authority();
    if (authority != null && !authority.isEmpty()) {
      host = HostName.parse(authority);
      if (host == null) {
        reject(req, 400, "bad-host", "Bad Request",
            "the host must be a DNS name, an IPv4 address or a bracketed IPv6 address, with an optional port", ev);
        return;
      }
    }
    ev.target(path, host == null ? "" : host.host());
    long maxBody = snap.settings().maxBodySize();
    String contentLength = headers.get(HttpHeaders.CONTENT_LENGTH);
    if (contentLength != null && parseLength(contentLength) > maxBody) {
      if (req.version() != HttpVersion.HTTP_2) {
        // The body is not read: the connection ends after the answer (with a lingering close).
        resp.putHeader(HttpHeaders.CONNECTION, "close");
      }
      reject(req, 413, "body-too-large", "Content Too Large",
          "the request body exceeds " + maxBody + " bytes", ev);
      return;
    }

    // 1b. CORS for the developer portal's origin (its Try it calls APIs from the browser).
    if (!portalOrigins.isEmpty()) {
      String origin = headers.get("Origin");
      if (origin != null && portalOrigins.contains(origin.toLowerCase(java.util.Locale.ROOT))) {
        resp.putHeader("Access-Control-Allow-Origin", origin).putHeader(HttpHeaders.VARY, "Origin")
            .putHeader("Access-Control-Expose-Headers", "*");
        String preflight = headers.get("Access-Control-Request-Method");
        if (req.method() == HttpMethod.OPTIONS && preflight != null) {
          String requested = headers.get("Access-Control-Request-Headers");
          resp.putHeader("Access-Control-Allow-Methods", preflight).putHeader("Access-Control-Max-Age", "600");
          if (requested != null && !requested.isBlank()) {
            resp.putHeader("Access-Control-Allow-Headers", requested);
          }
          resp.setStatusCode(204).end();
          return;
        }
      }
    }

    // 2. Route by host and longest path prefix.
    CompiledApi api = snap.route(host == null ? null : host.host(), path);
    if (api == null) {
      reject(req, 404, "no-route", "Not Found", "no API is published at this path", ev);
      return;
    }
    if (requestPath.encodedSlash() && !api.def().allowEncodedSlashes()) {
      reject(req, 400, "bad-request", "Bad Request",
          "the path must not contain an encoded '/' (%2F); this API does not allow it", ev);
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
      if (key == null && api.keyQuery() != null) {
        key = req.getParam(api.keyQuery());
      }
      if (key == null || key.isEmpty()) {
        resp.putHeader("WWW-Authenticate", "SubscriptionKey header=\"" + api.keyHeader() + "\"");
        reject(req, 401, "subscription-key-missing", "Unauthorized",
            "a subscription key is required in the " + api.keyHeader() + " header", ev);
        return;
      }
      grant = snap.grantOfKey(key);
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
    }
    // The key never reaches a backend, whether or not this API uses it.
    String keyQuery = api.def().subscriptionKeyQuery();
    if (query != null && (query.contains(keyQuery) || query.indexOf('%') >= 0)) {
      String without = QueryStrings.without(query, keyQuery);
      if (!java.util.Objects.equals(without, query)) {
        query = without;
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
    RequestContext routed = new RequestContext(req, snap, api, ev, upgrade, host, rest, query, operation, grant);
    Pipeline pipeline = api.policies().select(operation, grant == null ? null : grant.product());
    if (pipeline != null) {
      new PolicyExchange(this, routed, pipeline).start();
      return;
    }

    // 6. Forward to the backend.
    forward(routed, null);
  }

  /**
   * Copies the client's header fields {@code from} to {@code to} without those the gateway drops
   * ({@link Forwarding#dropsClientHeader}: hop-by-hop, the ones the client's Connection names, the
   * subscription key, underscores, untrusted client-IP fields) and, {@code forBackend}, without the
   * fields the gateway sets itself ({@link Forwarding#isGatewayOwned}; policies still see those).
   */
  static void copyClientHeaders(MultiMap from, MultiMap to, Snapshot snap, CompiledApi api, boolean trustedPeer,
      boolean forBackend) {
    String connection = from.get(HttpHeaders.CONNECTION);
    String keyHeader = api.keyHeader();
    boolean underscores = snap.settings().allowUnderscoresInHeaders();
    for (Map.Entry<String, String> h : from) {
      String name = h.getKey();
      if (!Forwarding.dropsClientHeader(name, connection, keyHeader, trustedPeer, underscores)
          && !(forBackend && Forwarding.isGatewayOwned(name))) {
        to.add(name, h.getValue());
      }
    }
  }

  /**
   * Checks blocked clients with {@code check(clientIp, subscriptionOrNull)} from the next request on,
   * on event loops (it must not block); {@code null}: no check.
   */
  public void clientBlocks(java.util.function.BiPredicate<String, String> check) {
    this.clientBlocks = check;
  }

  /** Answers 403 {@code client-blocked} when the {@link #clientBlocks} check blocks the peer. */
  private boolean blocked(HttpServerRequest req, String subscription, Exchange ev) {
    java.util.function.BiPredicate<String, String> check = clientBlocks;
    if (check == null) {
      return false;
    }
    String peer = req.remoteAddress() == null ? "" : req.remoteAddress().hostAddress();
    if (!check.test(peer, subscription)) {
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

  /**
   * Forwards the request; with {@code x} set, as the policies left it and answering to {@code x}.
   * The client's headers were filtered by {@link #copyClientHeaders} (here, or before the policies
   * ran); the backend request's framing and forwarding fields are the gateway's own.
   */
  void forward(RequestContext rc, PolicyExchange x) {
    HttpServerRequest req = rc.request();
    Snapshot snap = rc.snapshot();
    CompiledApi api = rc.api();
    Exchange ev = rc.event();
    HostName host = rc.host();
    String rest = x == null ? rc.rest() : x.path();
    String query = x == null ? rc.query() : x.query();
    CompiledBackend backend = x != null && x.backendOverride() != null ? x.backendOverride() : api.backend();
    MultiMap client = req.headers();
    String peer = req.remoteAddress() == null ? "" : req.remoteAddress().hostAddress();
    boolean trustedPeer = snap.trustedProxies().contains(peer);
    MultiMap out = MultiMap.caseInsensitiveMultiMap();
    if (x == null) {
      copyClientHeaders(client, out, snap, api, trustedPeer, true);
    } else {
      for (Map.Entry<String, String> h : x.headerMap()) {
        if (!Forwarding.isGatewayOwned(h.getKey())) {
          out.add(h.getKey(), h.getValue());
        }
      }
    }
    if ("trailers".equalsIgnoreCase(client.get("TE"))) {
      out.add("TE", "trailers");
    }
    String scheme = req.isSSL() ? "https" : "http";
    String originalHost = host == null ? "" : host.authority();
    String xff = client.get("X-Forwarded-For");
    out.set("X-Forwarded-For", trustedPeer && xff != null ? xff + ", " + peer : peer);
    String proto = trustedPeer && client.contains("X-Forwarded-Proto") ? client.get("X-Forwarded-Proto") : scheme;
    out.set("X-Forwarded-Proto", proto);
    String fwdHost = trustedPeer && client.contains("X-Forwarded-Host") ? client.get("X-Forwarded-Host") : originalHost;
    if (fwdHost != null && !fwdHost.isEmpty()) {
      out.set("X-Forwarded-Host", fwdHost); // never an empty field when the request had no Host
    }
    String element = "for=" + Forwarding.forwardedNode(peer) + ";proto=" + scheme
        + (originalHost.isEmpty() ? "" : ";host=\"" + originalHost + "\"");
    String forwarded = client.get("Forwarded");
    out.set("Forwarded", trustedPeer && forwarded != null ? forwarded + ", " + element : element);
    out.set("X-Request-Id", ev.requestId());
    if (ev.debugging()) {
      out.remove(io.gatehouse.gateway.debug.DebugSessions.HEADER);
    }
    String pathAndQuery = rest + (query == null ? "" : "?" + query);
    if (x != null) {
      // Policies may have copied client input into headers, path or query: refuse what HTTP cannot
      // carry here, before any member is picked, so that it never counts against the backend.
      String problem = BackendRequestCheck.problem(out, pathAndQuery);
      if (problem != null) {
        x.backendFailed(new BackendRequestCheck.RefusedException(problem));
        return;
      }
    }
    Upstream up = backend.upstream();
    up.onRequest(System.nanoTime());
    io.gatehouse.model.ApiDef.WebSocket webSocket = api.def().websocket();
    if (rc.upgrade() && webSocket != null && WebSocketRelay.isHandshake(req)) {
      // WebSocket passthrough: the inbound checks passed; open the backend, then upgrade the client.
      WebSocketRelay.start(new BackendCall(rc, up, out, pathAndQuery, false, x), webSocket);
      return;
    }
    byte[] fixedBody = x == null ? null : x.fixedBody();
    if (fixedBody != null && ev.tap() != null) {
      ev.tap().request(fixedBody, out.get(HttpHeaders.CONTENT_TYPE), out.get(HttpHeaders.CONTENT_ENCODING));
    }
    // Framing is computed here from the client's own framing (never from a Connection list or a
    // policy's header edits): the same length when the client's body streams through unchanged,
    // the new length when a policy replaced it, chunked (by the client) when the length is unknown.
    String length = client.get(HttpHeaders.CONTENT_LENGTH);
    if (fixedBody != null) {
      out.set(HttpHeaders.CONTENT_LENGTH, Integer.toString(fixedBody.length));
    } else if (length != null) {
      out.set(HttpHeaders.CONTENT_LENGTH, length.trim());
    }
    boolean hasBody = fixedBody == null && ((length != null && !length.trim().equals("0"))
        || client.contains(HttpHeaders.TRANSFER_ENCODING)
        || (req.version() == HttpVersion.HTTP_2 && !req.isEnded()
            && req.method() != HttpMethod.GET && req.method() != HttpMethod.HEAD));
    if (hasBody) {
      req.pause();
    }
    attempt(new BackendCall(rc, up, out, pathAndQuery, hasBody, x), 0, 0);
  }

  /**
   * One try at the backend: breaker permission, member choice, request, and on a failure before
   * any response byte reached the client (and a bodiless, retryable request within the budget)
   * another try after the backoff. {@code stale} counts the tries that went again because the
   * backend closed a pooled connection under the request (at most one; outside the retry budget).
   */
  private void attempt(BackendCall call, int attempt, int stale) {
    RequestContext rc = call.context();
    HttpServerRequest req = rc.request();
    Snapshot snap = rc.snapshot();
    Exchange ev = rc.event();
    Upstream up = call.upstream();
    MultiMap headers = call.headers();
    boolean hasBody = call.hasBody();
    PolicyExchange x = call.exchange();
    HttpServerResponse resp = req.response();
    if (resp.closed()) {
      return;
    }
    long start = System.nanoTime();
    // The breaker's permission and a member, as one lease ended once with the try's verdict.
    Lease lease = up.acquire(start);
    if (lease.refusal() != null) {
      refuseTry(req, up, lease, start, ev);
      return;
    }
    Member member = lease.member();
    // failure: TRUE/FALSE is the call's verdict; null means it ended without one (the client left,
    // the client's body failed, or the backend closed an idle pooled connection under the request).
    java.util.function.Consumer<Boolean> finish = failure -> {
      if (failure == null) {
        lease.abandon();
      } else {
        lease.done(failure, System.nanoTime());
      }
    };
    headers.set(HttpHeaders.HOST, member.hostHeader());
    HttpMethod method = x == null ? req.method() : x.httpMethod();
    // The member's address, resolved and checked by the outbound guard: cached, so usually complete.
    Future<SocketAddress> target = up.target(member, start);
    SocketAddress server = target.succeeded() ? target.result() : null;
    RequestOptions options = up.requestOptions(member, server, method, member.basePath() + call.pathAndQuery())
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
    Future<HttpClientRequest> requested = server != null
        ? (creds == null ? c.request(options) : creds.send(options, c::request, bearer))
        : target.compose(addr -> {
          options.setServer(addr);
          return creds == null ? c.request(options) : creds.send(options, c::request, bearer);
        });
    Runnable again = () -> attempt(call, attempt + 1, stale + 1);
    requested.onComplete(ar -> {
      if (ar.failed()) {
        if (ar.cause() instanceof TokenSource.TokenException || ar.cause() instanceof RefusedDestinationException) {
          finish.accept(null); // not the backend's fault: no verdict for breaker or outlier detection
        } else if (stale == 0 && !resp.headWritten() && !resp.closed()
            && ar.cause() instanceof io.vertx.core.http.HttpClosedException) {
          // A pooled connection closed before the request was handed to it: nothing was written.
          finish.accept(null);
          ev.backendAttemptFailed(attempt, 0, ar.cause());
          again.run();
          return;
        } else {
          finish.accept(true);
          ev.backendAttemptFailed(attempt, 0, ar.cause());
          if (retried(call, attempt, stale)) {
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
      up.reusing(breq.connection());
      // Per exchange, not per connection: a connection's close must never reset a backend
      // request that has already completed (its pooled connection may serve another request).
      ev.onClientClose(() -> {
        finish.accept(null); // first: the reset below fails the backend call, which is no verdict
        breq.reset();
      });
      byte[] fixedBody = x == null ? null : x.fixedBody();
      // What reached the connection: the last write's outcome, or the streamed body's progress.
      Future<Void> written = null;
      LimitedStream limited = null;
      Throwable[] clientFault = new Throwable[1];
      if (fixedBody != null) {
        written = breq.end(Buffer.buffer(fixedBody));
      } else if (hasBody) {
        limited = LimitedStream.of(req, maxBody);
        io.vertx.core.streams.ReadStream<Buffer> body = ev.tap() == null ? limited : ev.tap().request(
            limited, headers.get(HttpHeaders.CONTENT_TYPE), headers.get(HttpHeaders.CONTENT_ENCODING));
        if (!headers.contains(HttpHeaders.CONTENT_LENGTH)) {
          breq.setChunked(true);
        }
        // Never end the backend request after a failure of the client's side: a truncated body
        // must not reach the backend as a complete request. Reset instead (the connection closes).
        body.pipe().endOnFailure(false).to(breq).onFailure(t -> {
          if (t instanceof LimitedStream.ClientBodyException) {
            clientFault[0] = t;
            breq.reset(0, t);
          }
        });
      } else {
        written = breq.end();
      }
      Future<Void> wrote = written;
      LimitedStream streamed = limited;
      breq.response().onComplete(rr -> {
        if (rr.failed()) {
          Throwable cause = clientFault[0] != null ? clientFault[0] : rr.cause();
          breq.reset();
          ev.backendAttemptFailed(attempt, 0, cause);
          if (clientFault[0] != null) {
            finish.accept(null); // the client's failure, not the backend's
          } else if (staleRetry(req, method, breq, cause, wrote, streamed, stale)) {
            finish.accept(null); // the backend closed an idle connection: no verdict
            if (streamed != null) {
              req.pause();
            }
            again.run();
            return;
          } else {
            finish.accept(true);
            if (retried(call, attempt, stale)) {
              return;
            }
          }
          if (x != null) {
            x.backendFailed(cause);
            return;
          }
          failed(req, cause, ev);
          return;
        }
        HttpClientResponse bres = rr.result();
        int status = bres.statusCode();
        finish.accept(status >= 500);
        up.answered(bres);
        if (status == 401 && bearer != null && bearer[0] != null) {
          creds.tokens().reject(bearer[0]); // refused: the next call fetches a new token
        }
        if ((status == 502 || status == 503 || status == 504)
            && retried(call, attempt, stale)) {
          ev.backendAttemptFailed(attempt, status, null);
          bres.body(); // drain the discarded answer so that the connection can be reused
          return;
        }
        if (x != null) {
          x.backendResponded(bres);
          return;
        }
        respond(req, resp, bres, snap, rc.upgrade(), ev);
      });
    });
  }

  /**
   * Answers a try that {@code up} refused: 503 {@code backend-circuit-open} with
   * {@code Retry-After} while the breaker is open, else 503 {@code backend-unavailable}.
   */
  static void refuseTry(HttpServerRequest req, Upstream up, Lease lease, long now, Exchange ev) {
    if (Lease.CIRCUIT_OPEN.equals(lease.refusal())) {
      long ms = up.breaker().retryAfterMillis(now);
      req.response().putHeader("Retry-After", Long.toString(Math.max(1, (ms + 999) / 1000)));
      reject(req, 503, Lease.CIRCUIT_OPEN, "Service Unavailable",
          "the backend is failing; its circuit breaker is open", ev);
    } else {
      reject(req, 503, Lease.NO_MEMBER, "Service Unavailable",
          "no healthy member of the backend is available", ev);
    }
  }

  /**
   * Whether a request that failed with {@code cause} before any answer went again on another
   * connection: once per request, when the backend closed a reused pooled connection under it and
   * the backend cannot have processed it (an idempotent method with a replayable body, or nothing
   * written), and nothing was sent to the client yet.
   */
  private static boolean staleRetry(HttpServerRequest req, HttpMethod method, HttpClientRequest breq,
      Throwable cause, Future<Void> written, LimitedStream streamed, int stale) {
    HttpServerResponse resp = req.response();
    if (stale > 0 || resp.headWritten() || resp.closed() || !StaleConnections.closedUnder(cause)
        || !StaleConnections.reused(breq.connection())) {
      return false;
    }
    // A streamed body can be sent again only while none of it has been read from the client.
    boolean replayable = streamed == null || streamed.untouched();
    boolean nothingWritten = streamed != null ? streamed.untouched() : written != null && written.failed();
    return replayable && (nothingWritten || (streamed == null && StaleConnections.idempotent(method)));
  }

  private boolean retried(BackendCall call, int attempt, int stale) {
    HttpServerRequest req = call.context().request();
    Upstream up = call.upstream();
    boolean hasBody = call.hasBody();
    HttpServerResponse resp = req.response();
    // The configured retry count and budget cover retries of failures, not the stale-connection one.
    if (hasBody || resp.headWritten() || resp.closed()
        || !up.mayRetry(req.method(), attempt - stale + 1, System.nanoTime())) {
      return false;
    }
    long backoff = up.backoffMillis();
    Runnable again = () -> attempt(call, attempt + 1, stale); // hasBody is false here
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
      if (req.version() != HttpVersion.HTTP_2 && !resp.closed()) {
        // the rest of the body is not read: the HTTP/1.1 validator closes the connection after this
        // answer, reading and dropping what the client still sends for a bounded time
        resp.putHeader(HttpHeaders.CONNECTION, "close");
      }
      reject(req, 413, "body-too-large", "Content Too Large", cause.getMessage(), ev);
    } else if (cause instanceof RefusedDestinationException) {
      reject(req, 502, "backend-address-refused", "Bad Gateway",
          "the gateway does not send requests to the backend's address (see allowedBackendNetworks)", ev);
    } else if (cause instanceof BackendRequestCheck.RefusedException) {
      reject(req, 400, "bad-request", "Bad Request", cause.getMessage(), ev);
    } else if (cause instanceof LimitedStream.ClientBodyException) {
      if (!resp.closed() && req.version() != HttpVersion.HTTP_2) {
        resp.putHeader(HttpHeaders.CONNECTION, "close");
      }
      reject(req, 400, "bad-request-body", "Bad Request", "the request body could not be read", ev);
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

  private static long parseLength(String value) {
    try {
      return Long.parseLong(value.trim());
    } catch (NumberFormatException e) {
      return Long.MAX_VALUE;
    }
  }

}
