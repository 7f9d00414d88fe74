package io.gatehouse.gateway.internal;

import io.gatehouse.gateway.internal.policy.GatewayContext;
import io.gatehouse.gateway.internal.policy.MultiMapHeaders;
import io.gatehouse.gateway.internal.policy.Pipeline;
import io.gatehouse.gateway.internal.policy.SimpleResponse;
import io.gatehouse.gateway.internal.policy.Step;
import io.gatehouse.gateway.internal.policy.Traced;
import io.gatehouse.policy.AttributeKey;
import io.gatehouse.policy.Body;
import io.gatehouse.policy.BodyTooLargeException;
import io.gatehouse.policy.Headers;
import io.gatehouse.policy.Request;
import io.gatehouse.policy.Response;
import io.vertx.core.MultiMap;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpVersion;
import java.net.ConnectException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeoutException;
import javax.net.ssl.SSLException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One request run through a policy {@link Pipeline}: the {@link GatewayContext} and the
 * {@link Request} policies see, over Vert.x types, and the runner of the sections.
 *
 * <p>Runs of {@code SyncPolicy} execute in a plain loop; only an asynchronous {@code Policy}
 * brings in {@link CompletionStage}s. Outbound runs only when the backend answered; a response a
 * policy returns on the way in (a short-circuit) is sent as it is, after the response hooks of the
 * policies already passed. Any failure runs the on-error section on a problem response.
 *
 * <p>Threading: created and run on the request's event loop.
 */
final class PolicyExchange implements GatewayContext, Request {
  private static final Logger LOG = LoggerFactory.getLogger(PolicyExchange.class);

  private final ProxyHandler handler;
  private final RequestContext rc;
  private final HttpServerRequest req;
  private final Snapshot snap;
  private final CompiledApi api;
  private final String requestId;
  private final io.gatehouse.gateway.internal.events.Exchange ev;
  private final boolean upgrade;
  private final Pipeline pipeline;
  private final String operation;
  private final String subscription;
  private final String product;
  private final String clientIp;

  private String method;
  private String path;
  private String query;
  private final MultiMap headers;
  private final MultiMapHeaders headerView;
  private Body body;
  private StreamBody requestStream;

  private Map<String, Object> variables;
  private List<Runnable> onEnd;
  private Response response;
  private Throwable error;
  private Step current; // the policy running, for failure reports
  private boolean forwarded;
  private boolean done;
  private CompletableFuture<Response> pending;
  private HttpClientResponse backend;
  private StreamBody backendBody;
  private CompiledBackend backendOverride;
  private long forwardTimeoutMillis;
  // the request's debug trace; null unless a debug session records this exchange
  private final io.gatehouse.gateway.debug.DebugSessions.Recorder trace;

  PolicyExchange(ProxyHandler handler, RequestContext rc, Pipeline pipeline) {
    this.handler = handler;
    this.rc = rc;
    this.ev = rc.event();
    this.req = rc.request();
    this.snap = rc.snapshot();
    this.api = rc.api();
    this.requestId = ev.requestId();
    this.upgrade = rc.upgrade();
    this.pipeline = pipeline;
    this.operation = rc.operation();
    Grant grant = rc.grant();
    this.subscription = grant == null ? "" : grant.subscription();
    this.product = grant == null || grant.product() == null ? "" : grant.product();
    String peer = req.remoteAddress() == null ? "" : req.remoteAddress().hostAddress();
    this.clientIp = Forwarding.clientIp(peer, req.headers().get("X-Forwarded-For"), snap.trustedProxies());
    this.method = req.method().name();
    this.path = rc.rest();
    this.query = rc.query();
    // the client's headers without hop-by-hop fields (its Connection list applies here, to its own
    // fields only, never to what policies add), the key and the aliases the gateway drops
    this.headers = MultiMap.caseInsensitiveMultiMap();
    ProxyHandler.copyClientHeaders(req.headers(), headers, snap, api, snap.trustedProxies().contains(peer), false);
    this.headerView = new MultiMapHeaders(headers);
    this.trace = ev.debugTrace();
  }

  @Override
  public String requestTarget() {
    return req.uri();
  }

  @Override
  public String protocol() {
    return switch (req.version()) {
      case HTTP_1_0 -> "HTTP/1.0";
      case HTTP_2 -> "HTTP/2.0";
      default -> "HTTP/1.1";
    };
  }

  @Override
  public io.gatehouse.gateway.debug.DebugSessions.Recorder debugTrace() {
    return trace;
  }

  // ---------------------------------------------------------------- running

  void start() {
    if (hasRequestBody()) {
      req.pause();
    }
    Step[] down = pipeline.down;
    int i = 0;
    try {
      for (; i < down.length && down[i].sync != null; i++) {
        current = down[i];
        Response r = trace == null ? down[i].sync.onRequest(this) : Traced.onRequest(trace, down[i], this);
        if (r != null) {
          answeredBy(down[i], r);
          unwind(i - 1, 0, r);
          finish(r);
          return;
        }
      }
    } catch (Throwable t) {
      fail(t);
      return;
    }
    if (i == down.length) {
      forwardNow();
      return;
    }
    int first = i;
    chainFrom(i).whenComplete((r, t) -> {
      if (t != null) {
        fail(unwrap(t));
        return;
      }
      try {
        unwind(first - 1, 0, r);
      } catch (Throwable e) {
        fail(e);
        return;
      }
      finish(r);
    });
  }

  private CompletionStage<Response> chainFrom(int start) {
    Step[] down = pipeline.down;
    try {
      for (int i = start; i < down.length; i++) {
        Step s = down[i];
        current = s;
        if (s.sync != null) {
          Response r = trace == null ? s.sync.onRequest(this) : Traced.onRequest(trace, s, this);
          if (r != null) {
            answeredBy(s, r);
            unwind(i - 1, start, r);
            return CompletableFuture.completedFuture(r);
          }
        } else {
          int at = i;
          int handle = trace == null ? -1 : Traced.start(trace, s);
          boolean[] passed = new boolean[1];
          return s.async.apply(this, ctx -> {
            passed[0] = true;
            if (handle >= 0) {
              Traced.end(trace, handle, null);
            }
            return chainFrom(at + 1);
          }).thenApply(r -> {
            if (handle >= 0) {
              Traced.end(trace, handle, r); // ignored when it called the chain (already ended)
            }
            if (!passed[0]) {
              answeredBy(s, r);
            }
            unwind(at - 1, start, r);
            return r;
          });
        }
      }
    } catch (Throwable t) {
      return CompletableFuture.failedFuture(t);
    }
    CompletableFuture<Response> f = new CompletableFuture<>();
    pending = f;
    forwardNow();
    int last = down.length - 1;
    return f.thenApply(r -> {
      unwind(last, start, r);
      return r;
    });
  }

  /** Runs the response hooks of sync steps {@code from} down to {@code to}. */
  private void unwind(int from, int to, Response r) {
    Step[] down = pipeline.down;
    response = r;
    for (int i = from; i >= to; i--) {
      if (down[i].sync != null) {
        current = down[i];
        down[i].sync.onResponse(this, r);
      }
    }
  }

  private void forwardNow() {
    forwarded = true;
    handler.forward(rc, this);
  }

  /** Called by the forward step with the backend's response. */
  void backendResponded(HttpClientResponse bres) {
    ev.backendAnswered(bres.statusCode(), bres.headers()); // the traffic event's backendStatus, as on the policy-free path
    bres.pause();
    backend = bres;
    MultiMap bh = bres.headers();
    MultiMap rh = MultiMap.caseInsensitiveMultiMap();
    snap.copyResponseHeaders(bh, rh);
    backendBody = new StreamBody(bres, parseLength(bh.get(HttpHeaders.CONTENT_LENGTH)));
    SimpleResponse r = new SimpleResponse(bres.statusCode(), rh, backendBody);
    if (pending != null) {
      CompletableFuture<Response> f = pending;
      pending = null;
      f.complete(r);
      return;
    }
    try {
      unwind(pipeline.down.length - 1, 0, r);
    } catch (Throwable t) {
      fail(t);
      return;
    }
    finish(r);
  }

  /**
   * Called by the WebSocket forward once it answers the client itself (upgraded, or relayed the
   * backend's refusal): the exchange is done and writes nothing.
   */
  void upgraded() {
    if (!done) {
      end();
    }
  }

  /** Called by the forward step when the backend call failed. */
  void backendFailed(Throwable cause) {
    BackendFailure failure = new BackendFailure(cause);
    if (pending != null) {
      CompletableFuture<Response> f = pending;
      pending = null;
      f.completeExceptionally(failure);
      return;
    }
    fail(failure);
  }

  private void finish(Response r) {
    response = r;
    if (!forwarded || pipeline.outbound.length == 0) {
      write(r);
      return;
    }
    section(pipeline.outbound, 0, r, false);
  }

  /** Runs a response section from step {@code i}; then writes the response. */
  private void section(Step[] steps, int i, Response r, boolean onError) {
    try {
      for (; i < steps.length; i++) {
        Step s = steps[i];
        current = s;
        response = r;
        if (s.sync != null) {
          if (trace != null) {
            Response replaced = Traced.onResponseSection(trace, s, this, r);
            if (replaced != null) {
              r = replaced;
              break;
            }
            continue;
          }
          Response replaced = s.sync.onRequest(this);
          if (replaced != null) {
            r = replaced;
            break;
          }
          s.sync.onResponse(this, r);
        } else {
          Response now = r;
          int next = i + 1;
          int handle = trace == null ? -1 : Traced.start(trace, s);
          s.async.apply(this, ctx -> CompletableFuture.completedFuture(now)).whenComplete((out, t) -> {
            if (handle >= 0 && t == null) {
              Traced.end(trace, handle, out == null || out == now ? null : out);
            }
            if (t != null) {
              sectionFailed(unwrap(t), onError);
            } else {
              section(steps, next, out == null ? now : out, onError);
            }
          });
          return;
        }
      }
    } catch (Throwable t) {
      sectionFailed(t, onError);
      return;
    }
    write(r);
  }

  private void sectionFailed(Throwable t, boolean onError) {
    if (trace != null) {
      trace.policiesFailed(t);
    }
    if (onError) {
      LOG.warn("policy {} failed in on-error for request {}", current, requestId, t);
      write(problemResponse(500, "policy-failed", "Internal Server Error", "a policy failed"));
    } else {
      fail(t);
    }
  }

  private void fail(Throwable t) {
    if (done) {
      return;
    }
    if (trace != null) {
      trace.policiesFailed(t instanceof BackendFailure b ? b.getCause() : t);
    }
    error = t;
    if (t instanceof BackendFailure b && pipeline.onError.length == 0) {
      end();
      ProxyHandler.failed(req, b.getCause(), ev);
      return;
    }
    SimpleResponse r;
    if (t instanceof BackendFailure b) {
      r = backendProblem(b.getCause());
      ev.rejected(r.problemType());
    } else {
      if (t instanceof BodyTooLargeException) {
        r = problemResponse(413, "body-too-large", "Content Too Large", t.getMessage());
      } else {
        LOG.warn("policy {} failed for request {}", current, requestId, t);
        r = problemResponse(500, "policy-failed", "Internal Server Error", "a policy failed");
      }
      if (current != null) {
        ev.answeredByPolicy(current.label, r.problemType());
      }
    }
    if (pipeline.onError.length == 0) {
      write(r);
    } else {
      section(pipeline.onError, 0, r, true);
    }
  }

  private SimpleResponse backendProblem(Throwable cause) {
    if (cause instanceof LimitedStream.TooLargeException) {
      return problemResponse(413, "body-too-large", "Content Too Large", cause.getMessage());
    } else if (cause instanceof BackendRequestCheck.RefusedException) {
      return problemResponse(400, "bad-request", "Bad Request", cause.getMessage());
    } else if (cause instanceof LimitedStream.ClientBodyException) {
      return problemResponse(400, "bad-request-body", "Bad Request", "the request body could not be read");
    } else if (cause instanceof TimeoutException) {
      return problemResponse(504, "backend-timeout", "Gateway Timeout", "the backend did not answer in time");
    } else if (cause instanceof SSLException || cause.getCause() instanceof SSLException) {
      return problemResponse(502, "backend-tls", "Bad Gateway", "the TLS handshake with the backend failed");
    } else if (cause instanceof ConnectException || cause.getCause() instanceof ConnectException) {
      return problemResponse(502, "backend-unreachable", "Bad Gateway", "the backend refused the connection");
    }
    return problemResponse(502, "backend-failed", "Bad Gateway", "the backend connection failed");
  }

  private void write(Response r) {
    if (done) {
      return;
    }
    end();
    if (!forwarded && (requestStream == null || !requestStream.aggregating())) {
      drainRequest(); // the client's body was never sent on: read and drop it
    }
    ResponseWriter.write(rc, r, backendBody, backend, () -> discardBackend(r));
  }

  private void discardBackend(Response r) {
    if (backend != null && (!backendBody.aggregating() || backendBody.spilled())) {
      backend.handler(b -> { });
      backend.resume();
    }
  }

  private void end() {
    done = true;
    if (onEnd != null) {
      for (Runnable r : onEnd) {
        try {
          r.run();
        } catch (RuntimeException e) {
          LOG.warn("end hook failed for request {}", requestId, e);
        }
      }
      onEnd = null;
    }
  }

  /**
   * Records in the traffic event that step {@code s} answered with {@code r} instead of the
   * backend (a short-circuit), with an error code when {@code r} is an error.
   */
  private void answeredBy(Step s, Response r) {
    ev.answeredByPolicy(s.label, errorCode(r));
  }

  /**
   * The error code of a response a policy made: its problem type when the gateway made it a problem
   * response, else the status's reason phrase as a code (such as {@code forbidden}); {@code null}
   * below 400 (a cache hit, a CORS preflight answer, a mock response).
   */
  static String errorCode(Response r) {
    int status = r.status();
    if (status < 400) {
      return null;
    }
    if (r instanceof SimpleResponse s && s.problemType() != null) {
      return s.problemType();
    }
    String phrase = io.netty.handler.codec.http.HttpResponseStatus.valueOf(status).reasonPhrase();
    return phrase.toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9]+", "-").replaceAll("^-|-$", "");
  }

  private static Throwable unwrap(Throwable t) {
    while (t instanceof CompletionException && t.getCause() != null) {
      t = t.getCause();
    }
    return t;
  }

  // ---------------------------------------------------------------- forward support

  private boolean hasRequestBody() {
    MultiMap in = req.headers();
    return in.contains(HttpHeaders.CONTENT_LENGTH) || in.contains(HttpHeaders.TRANSFER_ENCODING)
        || (req.version() == HttpVersion.HTTP_2 && !req.isEnded());
  }

  /** The request headers as policies left them. */
  MultiMap headerMap() {
    return headers;
  }

  /** The method as policies left it. */
  HttpMethod httpMethod() {
    return HttpMethod.valueOf(method);
  }

  /**
   * The body to send instead of the client's stream when a policy replaced or read it, else
   * {@code null} (stream the client's body).
   */
  byte[] fixedBody() {
    byte[] bytes = null;
    if (body != null) {
      CompletableFuture<byte[]> f = body.aggregate(Integer.MAX_VALUE).toCompletableFuture();
      bytes = f.isDone() && !f.isCompletedExceptionally() ? f.join() : new byte[0];
      if (requestStream == null || !requestStream.aggregating()) {
        drainRequest();
      }
    } else if (requestStream != null && requestStream.aggregating()) {
      bytes = requestStream.bytes();
    }
    return bytes;
  }

  private void drainRequest() {
    if (hasRequestBody() && !req.isEnded()) {
      req.handler(b -> { });
      req.resume();
    }
  }

  // ---------------------------------------------------------------- GatewayContext

  @Override
  public Request request() {
    return this;
  }

  @Override
  public String requestId() {
    return requestId;
  }

  @Override
  public String clientIp() {
    return clientIp;
  }

  @Override
  public String apiName() {
    return api.name();
  }

  @Override
  public String operation() {
    return operation.isEmpty() ? null : operation;
  }

  @Override
  public <T> T get(AttributeKey<T> key) {
    return rc.get(key);
  }

  @Override
  public <T> void set(AttributeKey<T> key, T value) {
    rc.set(key, value);
  }

  @Override
  public Response respond(int status, String contentType, byte[] bytes) {
    SimpleResponse r = SimpleResponse.of(status);
    if (contentType != null) {
      r.headers().set("Content-Type", contentType);
    }
    r.body(Body.of(bytes == null ? new byte[0] : bytes));
    return r;
  }

  @Override
  public Response problem(int status, String title, String detail) {
    String type = title.toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9]+", "-").replaceAll("^-|-$", "");
    return problemResponse(status, type, title, detail);
  }

  private SimpleResponse problemResponse(int status, String type, String title, String detail) {
    SimpleResponse r = SimpleResponse.of(status).problemType(type);
    r.headers().set("Content-Type", Problems.PROBLEM_JSON).set("Cache-Control", "no-store");
    r.body(Body.of(Problems.body(status, type, title, detail, requestId).getBytes()));
    return r;
  }

  @Override
  public CompletionStage<Response> completed(Response r) {
    return CompletableFuture.completedFuture(r);
  }

  @Override
  public Response response() {
    return response;
  }

  @Override
  public Map<String, Object> variables() {
    if (variables == null) {
      variables = new HashMap<>();
    }
    return variables;
  }

  @Override
  public String subscriptionName() {
    return subscription;
  }

  @Override
  public String productName() {
    return product;
  }

  @Override
  public Throwable error() {
    return error;
  }

  @Override
  public void onEnd(Runnable action) {
    if (done) { // ended while an asynchronous policy waited (e.g. the client left): run it now
      action.run();
      return;
    }
    if (onEnd == null) {
      onEnd = new ArrayList<>(2);
    }
    onEnd.add(action);
  }

  @Override
  public void user(String user) {
    ev.user(user);
  }

  @Override
  public void onComplete(java.util.function.LongConsumer action) {
    ev.onDone(() -> action.accept(req.bytesRead() + req.response().bytesWritten()));
  }

  @Override
  public java.security.cert.X509Certificate[] clientCertificates() {
    if (!req.isSSL()) {
      return new java.security.cert.X509Certificate[0];
    }
    try {
      java.security.cert.Certificate[] peer = req.sslSession().getPeerCertificates();
      java.security.cert.X509Certificate[] out = new java.security.cert.X509Certificate[peer.length];
      for (int i = 0; i < peer.length; i++) {
        out[i] = (java.security.cert.X509Certificate) peer[i];
      }
      return out;
    } catch (javax.net.ssl.SSLPeerUnverifiedException e) {
      return new java.security.cert.X509Certificate[0];
    }
  }

  @Override
  public Response newResponse(int status) {
    return SimpleResponse.of(status);
  }

  @Override
  public void waf(io.gatehouse.gateway.events.WafOutcome outcome) {
    ev.waf(outcome);
  }

  @Override
  public void cacheStatus(String status) {
    ev.cacheStatus(status);
  }

  @Override
  public void backend(Object backend) {
    this.backendOverride = (CompiledBackend) backend;
  }

  /** The backend a policy chose instead of the API's, or {@code null}. */
  CompiledBackend backendOverride() {
    return backendOverride;
  }

  @Override
  public void forwardTimeout(long millis) {
    this.forwardTimeoutMillis = millis;
  }

  /** The response timeout a policy set, or 0. */
  long forwardTimeoutMillis() {
    return forwardTimeoutMillis;
  }

  @Override
  public io.vertx.core.Future<io.vertx.core.http.HttpClientRequest> callOut(io.vertx.core.http.RequestOptions options) {
    return handler.callOut(options);
  }

  @Override
  public CompletionStage<byte[]> bufferUpTo(Body b, int maxBytes) {
    if (b instanceof StreamBody s && !s.aggregating()) {
      return s.aggregateOrSpill(maxBytes);
    }
    if (b.length() > maxBytes) {
      return CompletableFuture.completedFuture(null);
    }
    return b.aggregate(maxBytes).handle((bytes, t) -> t == null ? bytes : null);
  }

  // ---------------------------------------------------------------- Request

  @Override
  public String method() {
    return method;
  }

  @Override
  public void method(String method) {
    this.method = method.toUpperCase(Locale.ROOT);
  }

  @Override
  public String path() {
    return path;
  }

  @Override
  public void path(String path) {
    this.path = path.startsWith("/") ? path : "/" + path;
  }

  @Override
  public String query() {
    return query;
  }

  @Override
  public void query(String query) {
    this.query = query == null || query.isEmpty() ? null : query;
  }

  @Override
  public Headers headers() {
    return headerView;
  }

  @Override
  public Body body() {
    if (body != null) {
      return body;
    }
    if (!hasRequestBody()) {
      return Body.empty();
    }
    if (requestStream == null) {
      requestStream = new StreamBody(req, parseLength(req.headers().get(HttpHeaders.CONTENT_LENGTH)));
    }
    return requestStream;
  }

  @Override
  public void body(Body body) {
    this.body = body == null ? Body.empty() : body;
  }

  private static long parseLength(String value) {
    if (value == null) {
      return -1;
    }
    try {
      return Long.parseLong(value.trim());
    } catch (NumberFormatException e) {
      return -1;
    }
  }

  /** A failure of the backend call, as opposed to a policy's. */
  static final class BackendFailure extends RuntimeException {
    private static final long serialVersionUID = 1L;

    BackendFailure(Throwable cause) {
      super(cause.getMessage(), cause, false, false);
    }
  }
}
