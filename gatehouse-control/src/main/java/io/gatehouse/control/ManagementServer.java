package io.gatehouse.control;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.core.JsonProcessingException;
import io.gatehouse.control.internal.ApiException;
import io.gatehouse.control.internal.Call;
import io.gatehouse.control.internal.CidrList;
import io.gatehouse.control.internal.Endpoint;
import io.gatehouse.control.internal.EntityKind;
import io.gatehouse.control.internal.IdentityApi;
import io.gatehouse.control.internal.IdentityStore;
import io.gatehouse.control.internal.ManagementApi;
import io.gatehouse.control.internal.ManagementSecurity;
import io.gatehouse.control.internal.OpenApiDocument;
import io.gatehouse.control.internal.Reply;
import io.gatehouse.model.ConfigMapper;
import io.gatehouse.control.security.AuditLog;
import io.gatehouse.control.security.Principal;
import io.gatehouse.control.security.Roles;
import io.gatehouse.model.ConfigProblem;
import io.gatehouse.model.GatewayConfig;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.net.PemKeyCertOptions;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicReference;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Serves management REST API v1 over a {@link ControlPlane}: every route but login authenticated
 * (admin, personal access, session token or OIDC JWT) and authorized against the permission its
 * route declares, every mutation audited, every error an RFC 9457 problem with a request id,
 * blocking work on worker threads.
 */
public final class ManagementServer {
  /** The default listen address: loopback only. */
  public static final String DEFAULT_HOST = "127.0.0.1";
  /** The default port. */
  public static final int DEFAULT_PORT = 8001;
  /** The largest request body accepted (413 beyond). */
  public static final long MAX_BODY_BYTES = 4L * 1024 * 1024;
  /** The route of the OpenAPI document. */
  public static final String OPENAPI_PATH = ManagementApi.PREFIX + "/openapi.json";

  private static final Logger LOG = LoggerFactory.getLogger(ManagementServer.class);
  private static final String REQUEST_ID = "gatehouse.requestId";
  private static final String PRINCIPAL = "gatehouse.principal";
  private static final String WHO = "gatehouse.who";
  private static final Pattern SAFE_REQUEST_ID = Pattern.compile("[A-Za-z0-9._:-]{1,128}");
  private static final String PROBLEM_JSON = "application/problem+json";

  private final Vertx vertx;
  private final ControlPlane plane;
  private final ManagementSecurity security;
  private final CidrList allowlist;
  private final ManagementAddons addons;
  private final Router router;
  private io.gatehouse.control.internal.CertificateApi certificateApi;
  private final List<Endpoint> endpoints = new ArrayList<>();
  private final AtomicReference<Map<String, Object>> document = new AtomicReference<>();
  private HttpServer server;
  private PostureFacts postureFacts;
  private final List<String> publicPrefixes = new java.util.concurrent.CopyOnWriteArrayList<>();

  private ManagementServer(Vertx vertx, ControlPlane plane, ManagementSecurity security, CidrList allowlist,
      ManagementAddons addons) {
    this.vertx = vertx;
    this.plane = plane;
    this.security = security;
    this.allowlist = allowlist;
    this.addons = addons;
    this.router = buildRouter();
  }

  /**
   * Starts serving on {@code host}:{@code port} (0 picks a free port).
   *
   * @return a future completed once the server listens
   */
  public static Future<ManagementServer> start(Vertx vertx, String host, int port, ControlPlane plane) {
    return start(vertx, ManagementOptions.builder().listen(host, port).build(), plane);
  }

  /**
   * Starts serving on {@code host}:{@code port} (0 picks a free port) with {@code addons}: metrics
   * at {@code GET /metrics} (outside {@code /api/v1} and its OpenAPI document, authenticated unless
   * {@link ManagementAddons#metricsPublic()}) and the analytics routes.
   *
   * @return a future completed once the server listens
   */
  public static Future<ManagementServer> start(Vertx vertx, String host, int port, ControlPlane plane,
      ManagementAddons addons) {
    return start(vertx, ManagementOptions.builder().listen(host, port).build(), plane, addons);
  }

  /**
   * Starts serving as {@code options} say over {@code plane}, whose store must be a
   * {@link ControlStore} (it also holds identities and the audit log).
   *
   * @throws IllegalArgumentException when a non-loopback address is asked for without TLS
   * @return a future completed once the server listens
   */
  public static Future<ManagementServer> start(Vertx vertx, ManagementOptions options, ControlPlane plane) {
    return start(vertx, options, plane, ManagementAddons.NONE);
  }

  /** Like {@link #start(Vertx, ManagementOptions, ControlPlane)}, with metrics, analytics and debugging {@code addons}. */
  public static Future<ManagementServer> start(Vertx vertx, ManagementOptions options, ControlPlane plane,
      ManagementAddons addons) {
    requireNonNull(addons, "addons");
    requireNonNull(vertx, "vertx");
    requireNonNull(options, "options");
    requireNonNull(plane, "plane");
    if (!(plane.store() instanceof ControlStore sqlite)) {
      throw new IllegalArgumentException("expected a control plane over a ControlStore but got "
          + plane.store().getClass().getName());
    }
    if (!isLoopback(options.host()) && options.tlsCert() == null) {
      throw new IllegalArgumentException("the management API binds to non-loopback address " + options.host()
          + " only with TLS (a certificate and key)");
    }
    ManagementSecurity security = new ManagementSecurity(plane, new IdentityStore(sqlite.jdbi(), options.clock()),
        AuditLog.of(sqlite), options);
    ManagementServer ms = new ManagementServer(vertx, plane, security, new CidrList(options.allowlist()), addons);
    HttpServerOptions http = new HttpServerOptions().setHost(options.host()).setPort(options.port())
        .setHttp2ClearTextEnabled(false);
    if (options.tlsCert() != null) {
      http.setSsl(true).setKeyCertOptions(new PemKeyCertOptions()
          .setCertPath(options.tlsCert().toString()).setKeyPath(options.tlsKey().toString()));
    }
    return vertx.createHttpServer(http)
        .requestHandler(ms.router)
        .listen(options.port(), options.host())
        .map(s -> {
          ms.server = s;
          return ms;
        });
  }

  /** The port actually listened on. */
  public int actualPort() {
    return server.actualPort();
  }

  /**
   * The router, for tests that inspect the registered routes. Add routes with
   * {@link #mount(MountedRoute)}: a route added here directly has no permission check and is
   * missing from the OpenAPI document (a test compares the two).
   */
  public Router router() {
    return router;
  }

  /**
   * Adds {@code route} behind the authentication chain and its permission check, and lists it in
   * the OpenAPI document at {@code GET /api/v1/openapi.json}. Call it while starting up, before
   * traffic arrives.
   *
   * @throws IllegalArgumentException when the method and path are already routed
   */
  public synchronized void mount(MountedRoute route) {
    requireNonNull(route, "route");
    for (Endpoint e : endpoints) {
      if (e.method().equals(route.method()) && e.path().equals(route.path())) {
        throw new IllegalArgumentException("route " + route.method() + " " + route.path() + " is already mounted");
      }
    }
    router.route(route.method(), route.path()).handler(requiring(route.permission())).handler(route.handler());
    endpoints.add(new Endpoint(route.method(), route.path(), route.tag(), route.summary(), Endpoint.Body.NONE, 200,
        route.queryParams(), c -> false, c -> {
          throw new IllegalStateException("mounted routes are served by their own handler");
        }, route.permission()));
    document.set(OpenApiDocument.of(List.copyOf(endpoints)));
  }

  /**
   * Serves {@code GET} and {@code HEAD} requests under {@code prefix} (which must end with {@code /})
   * with {@code handler} and no authentication: for static web pages (the admin console) whose
   * scripts then call the API with a bearer token. The listener's allowlist and response headers
   * still apply; the prefix is matched against the normalized path the router routes by, and may
   * not cover {@code /api/}, {@code /metrics} or {@code /healthz/}. Call it while starting up.
   *
   * @throws IllegalArgumentException when the prefix is malformed, reserved or already mounted
   */
  public synchronized void mountPublic(String prefix, io.vertx.core.Handler<RoutingContext> handler) {
    requireNonNull(prefix, "prefix");
    requireNonNull(handler, "handler");
    if (!prefix.matches("/[a-z][a-z0-9-]{0,30}/")) {
      throw new IllegalArgumentException("expected a prefix like '/console/' but got '" + prefix + "'");
    }
    if (prefix.equals("/api/") || prefix.equals("/healthz/") || prefix.equals(ManagementAddons.METRICS_PATH + "/")
        || publicPrefixes.contains(prefix)) {
      throw new IllegalArgumentException("prefix " + prefix + " is reserved or already mounted");
    }
    publicPrefixes.add(prefix);
    String bare = prefix.substring(0, prefix.length() - 1);
    router.get(bare).handler(ctx -> {
      if (ctx.normalizedPath().equals(bare)) { // Vert.x also routes bare + "/" here
        ctx.redirect(prefix);
      } else {
        ctx.next();
      }
    });
    router.route(HttpMethod.GET, prefix + "*").handler(handler);
    router.route(HttpMethod.HEAD, prefix + "*").handler(handler);
  }

  private boolean isPublic(RoutingContext ctx) {
    if (publicPrefixes.isEmpty()) {
      return false;
    }
    HttpMethod m = ctx.request().method();
    if (!m.equals(HttpMethod.GET) && !m.equals(HttpMethod.HEAD)) {
      return false;
    }
    String path = ctx.normalizedPath();
    for (String p : publicPrefixes) {
      if (path.startsWith(p) || path.equals(p.substring(0, p.length() - 1))) {
        return true;
      }
    }
    return false;
  }

  /** Answers a problem body (RFC 9457) with {@code status} and {@code detail}, as every route of this server does (mounted routes). */
  public static void problem(RoutingContext ctx, int status, String detail) {
    problem(ctx, status, detail, List.of());
  }

  /** The authenticated caller of a request that passed this server's authentication (mounted routes); null before. */
  public static Principal caller(RoutingContext ctx) {
    return ctx.get(WHO);
  }

  /**
   * A handler for routes mounted on {@link #router()} that lets the request through only when the
   * authenticated caller holds {@code permission}, answering 403 otherwise (the same rule as the
   * route table's).
   */
  public io.vertx.core.Handler<RoutingContext> requiring(String permission) {
    java.util.Objects.requireNonNull(permission, "permission");
    return ctx -> {
      Principal who = ctx.get(WHO);
      if (who == null || !who.permits(permission)) {
        problem(ctx, 403, "permission " + permission + " is required", List.of());
        return;
      }
      ctx.next();
    };
  }

  /**
   * The advisor's facts from this server's stores (administrators, key ages, audit chain; the
   * chain verification is cached for five minutes). Blocking: call on a worker thread.
   */
  public synchronized PostureFacts postureFacts() {
    if (postureFacts == null) {
      postureFacts = new PostureFacts(plane, security.identities(), security.audit(),
          security.identities().clock(), java.time.Duration.ofMinutes(5));
    }
    return postureFacts;
  }

  /** The audit log this server writes. */
  public AuditLog auditLog() {
    return security.audit();
  }

  /** Whether {@code host} is a loopback address (names are resolved). */
  public static boolean isLoopback(String host) {
    try {
      return java.net.InetAddress.getByName(host).isLoopbackAddress();
    } catch (java.net.UnknownHostException e) {
      return false;
    }
  }

  /** Stops listening. */
  public Future<Void> close() {
    return server == null ? Future.succeededFuture() : server.close();
  }

  private Router buildRouter() {
    Router r = Router.router(vertx);
    r.route().handler(this::prepare);
    r.route().handler(BodyHandler.create(false).setBodyLimit(MAX_BODY_BYTES));
    // probes for load balancers and orchestrators: no token, they reveal only up or not
    r.get(ManagementAddons.LIVE_PATH).handler(ctx -> probe(ctx, true));
    r.get(ManagementAddons.READY_PATH).handler(ctx -> probe(ctx,
        addons.readiness() == null || addons.readiness().getAsBoolean()));
    if (addons.metrics() != null && addons.metricsPublic()) {
      r.get(ManagementAddons.METRICS_PATH).handler(this::metrics);
    }
    r.route().handler(this::authenticate);
    if (addons.metrics() != null && !addons.metricsPublic()) {
      r.get(ManagementAddons.METRICS_PATH).handler(this::metrics);
    }

    ManagementApi api = new ManagementApi(plane);
    endpoints.addAll(api.endpoints());
    endpoints.addAll(new IdentityApi(security).endpoints());
    certificateApi = new io.gatehouse.control.internal.CertificateApi(
        ((ControlStore) plane.store()).certificates(), plane);
    endpoints.addAll(certificateApi.endpoints());
    endpoints.addAll(new io.gatehouse.control.internal.DeveloperApi(io.gatehouse.control.developers.DeveloperStore.over(
        (ControlStore) plane.store(), security.identities().clock()), plane).endpoints());
    if (addons.analytics() != null) {
      endpoints.addAll(new io.gatehouse.control.internal.AnalyticsApi(addons.analytics()).endpoints());
    }
    if (addons.debugging() != null) {
      endpoints.addAll(new io.gatehouse.control.internal.DebugApi(addons.debugging(), plane).endpoints());
    }
    if (addons.backends() != null) {
      endpoints.addAll(new io.gatehouse.control.internal.BackendStatusApi(addons.backends()).endpoints());
    }
    if (addons.cluster() != null) {
      endpoints.addAll(new io.gatehouse.control.internal.NodesApi(addons.cluster()).endpoints());
    }
    endpoints.add(new Endpoint(HttpMethod.GET, OPENAPI_PATH, "meta", "This OpenAPI document", Endpoint.Body.NONE,
        200, List.of(), c -> false, c -> Reply.json(200, document.get()), "meta:read"));
    document.set(OpenApiDocument.of(List.copyOf(endpoints)));

    for (Endpoint e : endpoints) {
      r.route(e.method(), e.path()).handler(ctx -> dispatch(ctx, e));
    }
    for (int status : new int[] {400, 401, 403, 404, 405, 413, 415, 429, 500}) {
      r.errorHandler(status, ctx -> {
        Throwable failure = ctx.failure();
        if (status == 500 && failure != null) {
          LOG.error("request {} failed", ctx.<String>get(REQUEST_ID), failure);
        }
        String detail = switch (status) {
          case 404 -> "no route " + ctx.request().path();
          case 405 -> "method " + ctx.request().method() + " is not allowed on " + ctx.request().path();
          case 413 -> "the request body exceeds " + MAX_BODY_BYTES + " bytes";
          case 500 -> "internal error; quote the request id when reporting it";
          default -> HttpResponseStatus.valueOf(status).reasonPhrase();
        };
        problem(ctx, status, detail, List.of());
      });
    }
    return r;
  }

  private void prepare(RoutingContext ctx) {
    String given = ctx.request().getHeader("X-Request-Id");
    String id = given != null && SAFE_REQUEST_ID.matcher(given).matches() ? given : UUID.randomUUID().toString();
    ctx.put(REQUEST_ID, id);
    ctx.response()
        .putHeader("X-Request-Id", id)
        .putHeader(HttpHeaders.CACHE_CONTROL, "no-store")
        .putHeader("X-Content-Type-Options", "nosniff");
    if (!allowlist.isEmpty() && !allowlist.contains(clientIp(ctx))) {
      if (ctx.request().version() != io.vertx.core.http.HttpVersion.HTTP_2) {
        ctx.response().putHeader(HttpHeaders.CONNECTION, "close"); // a hop-by-hop field HTTP/2 forbids
      }
      problem(ctx, 403, "client address " + clientIp(ctx) + " is not in the management allowlist", List.of());
      return;
    }
    ctx.next();
  }

  private static String clientIp(RoutingContext ctx) {
    return ctx.request().remoteAddress() == null ? "" : ctx.request().remoteAddress().hostAddress();
  }

  /**
   * The one authentication choke point: lets only the login route (and GET/HEAD under the
   * {@link #mountPublic public prefixes}) through unauthenticated (it
   * counts its own failures after checking the password), resolves every other bearer token to a
   * principal, and answers a request whose credential is missing or invalid with 401, or with 429
   * once its address or its token has failed too often. The credential is checked first, so a
   * valid one is never refused however many failures its address has.
   */
  private void authenticate(RoutingContext ctx) {
    if (ctx.request().path().equals(IdentityApi.LOGIN_PATH) || isPublic(ctx)) {
      ctx.next();
      return;
    }
    String header = ctx.request().getHeader(HttpHeaders.AUTHORIZATION);
    if (header == null || header.length() < 8 || !header.regionMatches(true, 0, "Bearer ", 0, 7)) {
      unauthorized(ctx, null, "missing 'Authorization: Bearer <token>'");
      return;
    }
    String token = header.substring(7).strip();
    if (token.isEmpty() || token.length() > 8192) {
      unauthorized(ctx, null, "invalid bearer token");
      return;
    }
    vertx.executeBlocking(() -> security.authenticate(token), false).onComplete(ar -> {
      if (ar.failed()) {
        if (!storageUnavailable(ctx, ar.cause())) { // the token cannot be checked while the database is away
          ctx.fail(500, ar.cause());
        }
      } else if (ar.result().isEmpty()) {
        unauthorized(ctx, token, "invalid, expired or revoked bearer token");
      } else {
        ctx.put(PRINCIPAL, ar.result().get().name());
        ctx.put(WHO, ar.result().get());
        ctx.next();
      }
    });
  }

  private static void probe(RoutingContext ctx, boolean up) {
    ctx.response().setStatusCode(up ? 200 : 503).putHeader(HttpHeaders.CONTENT_TYPE, "text/plain")
        .end(up ? "OK" : "NOT READY");
  }

  private void metrics(RoutingContext ctx) {
    vertx.executeBlocking(() -> addons.metrics().get(), false).onComplete(ar -> {
      if (ar.failed()) {
        ctx.fail(500, ar.cause());
      } else {
        ctx.response().putHeader(HttpHeaders.CONTENT_TYPE, addons.metricsContentType()).end(ar.result());
      }
    });
  }

  /** Counts a failed authentication presenting {@code token} (null when none) and answers 401, or 429 when over the limit. */
  private void unauthorized(RoutingContext ctx, String token, String detail) {
    long wait = security.failures().failedToken(clientIp(ctx), token);
    if (wait > 0) {
      tooMany(ctx, wait, "too many failed authentications from " + clientIp(ctx)
          + (token == null ? "" : " or with this token") + "; a valid token is still accepted");
      return;
    }
    ctx.response().putHeader("WWW-Authenticate", "Bearer realm=\"gatehouse\"");
    problem(ctx, 401, detail, List.of());
  }

  private static void tooMany(RoutingContext ctx, long retryAfter, String detail) {
    ctx.response().putHeader("Retry-After", Long.toString(retryAfter));
    problem(ctx, 429, detail, List.of());
  }

  private void dispatch(RoutingContext ctx, Endpoint e) {
    Principal who = ctx.get(WHO);
    boolean audited = !Roles.PUBLIC.equals(e.permission())
        && (e.method() != HttpMethod.GET || Roles.SECRETS_REVEAL.equals(e.permission()));
    if (!Roles.PUBLIC.equals(e.permission()) && (who == null || !who.permits(e.permission()))) {
      String detail = e.permission() == null ? "route " + e.method() + " " + e.path() + " declares no permission"
          : "permission " + e.permission() + " is required; " + (who == null ? "nobody" : who.name()) + " holds roles "
              + (who == null ? "[]" : new java.util.TreeSet<>(who.roles()));
      if (audited && who != null) {
        Call denied = new Call(who.name(), Map.copyOf(ctx.pathParams()), Map.of(), null, null, who, clientIp(ctx),
            ctx.get(REQUEST_ID), null);
        vertx.executeBlocking(() -> record(e, denied, null, null, 403), false)
            .onComplete(ar -> problem(ctx, 403, detail, List.of()));
        return;
      }
      problem(ctx, 403, detail, List.of());
      return;
    }
    Map<String, String> query = new LinkedHashMap<>();
    ctx.queryParams().forEach(entry -> query.putIfAbsent(entry.getKey(), entry.getValue()));
    Call call = new Call(ctx.get(PRINCIPAL), Map.copyOf(ctx.pathParams()), query,
        e.body() == Endpoint.Body.NONE ? null : ctx.body().asString(), ctx.request().getHeader(HttpHeaders.ACCEPT),
        who, clientIp(ctx), ctx.get(REQUEST_ID), ctx.request().getHeader(HttpHeaders.IF_MATCH));
    // A configuration managed by a file refuses every change first: whatever the body, the answer is 409.
    Optional<String> readOnly = plane.readOnlyReason();
    if (readOnly.isPresent() && e.mutates().test(call)) {
      problem(ctx, 409, readOnly.get(), List.of());
      return;
    }
    if (e.body() != Endpoint.Body.NONE) {
      String type = mediaType(ctx.request().getHeader(HttpHeaders.CONTENT_TYPE));
      boolean json = type.equals("application/json") || type.endsWith("+json");
      boolean yaml = type.equals("application/yaml") || type.equals("application/x-yaml") || type.equals("text/yaml");
      if (!json && !(e.body() == Endpoint.Body.CONFIG && yaml)) {
        String expected = e.body() == Endpoint.Body.CONFIG ? "application/json or application/yaml" : "application/json";
        problem(ctx, 415, "expected Content-Type " + expected + " but got '" + (type.isEmpty() ? "none" : type) + "'",
            List.of());
        return;
      }
    }
    vertx.executeBlocking(() -> audited ? audit(e, call) : e.handler().apply(call), false).onComplete(ar -> {
      if (ar.succeeded()) {
        send(ctx, ar.result());
      } else if (ar.cause() instanceof ApiException a) {
        a.headers().forEach(ctx.response()::putHeader);
        problem(ctx, a.status(), a.getMessage(), a.problems());
      } else if (!storageUnavailable(ctx, ar.cause())) {
        ctx.fail(500, ar.cause());
      }
    });
  }

  /**
   * Answers 503 with {@code Retry-After} and returns true when {@code failure} comes from storage
   * that is away for a while (locked, full, unreachable); returns false for any other failure.
   */
  private boolean storageUnavailable(RoutingContext ctx, Throwable failure) {
    Optional<String> unavailable = io.gatehouse.control.internal.StorageFailures.unavailable(failure);
    if (unavailable.isEmpty()) {
      return false;
    }
    LOG.warn("request {} refused: {} ({})", ctx.<String>get(REQUEST_ID), unavailable.get(), failure.toString());
    ctx.response().putHeader("Retry-After", "5");
    problem(ctx, 503, unavailable.get(), List.of());
    return true;
  }

  /** Runs {@code e}'s handler and records the attempt, its result and the entity before and after. */
  private Reply audit(Endpoint e, Call call) {
    GatewayConfig before = plane.config();
    long revision = plane.revision().id();
    boolean certificate = e.tag().equals(io.gatehouse.control.internal.CertificateApi.TAG);
    Object certificateBefore = certificate ? certificateApi.state(call.path("name")) : null;
    try {
      Reply reply = e.handler().apply(call);
      if (certificate) { // not part of the configuration: metadata before and after, never key material
        Object certificateAfter = certificateApi.state(call.path("name"));
        record(e, call, null, certificateBefore, certificateAfter, reply.status());
        return reply;
      }
      String location = reply.headers().get("Location");
      Object after = e.tag().equals("config") || e.tag().equals("revisions")
          ? Map.of("revision", plane.revision().id()) : entityState(e, call, plane.config(), location);
      if (after == null && reply.json() != null && !isEntityKind(e.tag())) {
        after = reply.json();
      }
      Object prior = e.tag().equals("config") || e.tag().equals("revisions")
          ? Map.of("revision", revision) : entityState(e, call, before, location);
      record(e, call, location, prior, after, reply.status());
      return reply;
    } catch (ApiException a) {
      record(e, call, null, certificate ? certificateBefore : entityState(e, call, before, null), null, a.status());
      throw a;
    } catch (RuntimeException x) {
      record(e, call, null, null, null, 500);
      throw x;
    }
  }

  private Void record(Endpoint e, Call call, Object before, Object after, int status) {
    record(e, call, null, before, after, status);
    return null;
  }

  private void record(Endpoint e, Call call, String location, Object before, Object after, int status) {
    try {
      Principal who = call.who();
      security.audit().append(call.principal(), who == null ? "" : String.join(",", new java.util.TreeSet<>(who.roles())),
          call.clientIp(), OpenApiDocument.operationId(e), entity(e, call, location), before, after,
          status < 400 ? "success" : status == 403 ? "denied" : "failed " + status, call.requestId());
    } catch (RuntimeException x) {
      LOG.error("could not write the audit record of request {}", call.requestId(), x);
    }
  }

  private static String entity(Endpoint e, Call call, String location) {
    if (location != null && location.startsWith(ManagementApi.PREFIX + "/")) {
      return location.substring(ManagementApi.PREFIX.length() + 1);
    }
    StringBuilder out = new StringBuilder(e.tag());
    for (String p : e.pathParams()) {
      out.append('/').append(call.path(p));
    }
    return out.toString();
  }

  private static boolean isEntityKind(String tag) {
    return EntityKind.ALL.stream().anyMatch(k -> k.segment().equals(tag));
  }

  /** The entity a route names (from its path, or the Location it answered) in {@code config}, as the API shows it. */
  private static Object entityState(Endpoint e, Call call, GatewayConfig config, String location) {
    for (EntityKind<?> kind : EntityKind.ALL) {
      if (!kind.segment().equals(e.tag())) {
        continue;
      }
      String name = call.path("name");
      if (name == null && location != null) {
        name = location.substring(location.lastIndexOf('/') + 1);
      }
      if (name == null) {
        return null;
      }
      return kind.find(config, name).map(ManagementApi::view).orElse(null);
    }
    return null;
  }

  private static String mediaType(String header) {
    if (header == null) {
      return "";
    }
    int semi = header.indexOf(';');
    return (semi < 0 ? header : header.substring(0, semi)).strip().toLowerCase(Locale.ROOT);
  }

  private static void send(RoutingContext ctx, Reply reply) {
    HttpServerResponse response = ctx.response().setStatusCode(reply.status());
    reply.headers().forEach(response::putHeader);
    if (reply.json() != null) {
      response.putHeader(HttpHeaders.CONTENT_TYPE, "application/json").end(json(reply.json()));
    } else if (reply.text() != null) {
      response.putHeader(HttpHeaders.CONTENT_TYPE, reply.contentType()).end(reply.text());
    } else {
      response.end();
    }
  }

  private static void problem(RoutingContext ctx, int status, String detail, List<ConfigProblem> problems) {
    HttpServerResponse response = ctx.response();
    if (response.ended() || response.headWritten()) {
      return;
    }
    Map<String, Object> body = new LinkedHashMap<>();
    body.put("type", "about:blank");
    body.put("title", HttpResponseStatus.valueOf(status).reasonPhrase());
    body.put("status", status);
    body.put("detail", detail);
    body.put("instance", ctx.request().path());
    body.put("requestId", ctx.get(REQUEST_ID));
    if (!problems.isEmpty()) {
      List<Map<String, Object>> list = new ArrayList<>();
      for (ConfigProblem p : problems) {
        Map<String, Object> item = new LinkedHashMap<>();
        item.put("field", p.field());
        item.put("message", p.message());
        if (p.line() > 0) {
          item.put("line", p.line());
        }
        if (p.column() > 0) {
          item.put("column", p.column());
        }
        list.add(item);
      }
      body.put("problems", list);
    }
    response.setStatusCode(status).putHeader(HttpHeaders.CONTENT_TYPE, PROBLEM_JSON).end(json(body));
  }

  private static String json(Object value) {
    try {
      return ConfigMapper.json().writeValueAsString(value);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("cannot write JSON: " + e.getOriginalMessage(), e);
    }
  }
}
