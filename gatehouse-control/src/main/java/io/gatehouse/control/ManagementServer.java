package io.gatehouse.control;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.core.JsonProcessingException;
import io.gatehouse.control.internal.ApiException;
import io.gatehouse.control.internal.Call;
import io.gatehouse.control.internal.Endpoint;
import io.gatehouse.control.internal.ManagementApi;
import io.gatehouse.control.internal.OpenApiDocument;
import io.gatehouse.control.internal.Reply;
import io.gatehouse.model.ConfigMapper;
import io.gatehouse.model.ConfigProblem;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.HttpServerResponse;
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
 * Serves management REST API v1 over a {@link ControlPlane}: every route authenticated with an
 * admin bearer token, every error an RFC 9457 problem with a request id, blocking work on worker
 * threads.
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
  private static final Pattern SAFE_REQUEST_ID = Pattern.compile("[A-Za-z0-9._:-]{1,128}");
  private static final String PROBLEM_JSON = "application/problem+json";

  private final Vertx vertx;
  private final ControlPlane plane;
  private final ManagementAddons addons;
  private final Router router;
  private HttpServer server;

  private ManagementServer(Vertx vertx, ControlPlane plane, ManagementAddons addons) {
    this.vertx = vertx;
    this.plane = plane;
    this.addons = addons;
    this.router = buildRouter();
  }

  /**
   * Starts serving on {@code host}:{@code port} (0 picks a free port).
   *
   * @return a future completed once the server listens
   */
  public static Future<ManagementServer> start(Vertx vertx, String host, int port, ControlPlane plane) {
    return start(vertx, host, port, plane, ManagementAddons.NONE);
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
    requireNonNull(addons, "addons");
    requireNonNull(vertx, "vertx");
    requireNonNull(host, "host");
    requireNonNull(plane, "plane");
    if (port < 0 || port > 65535) {
      throw new IllegalArgumentException("expected a port from 0 to 65535 but got " + port);
    }
    ManagementServer ms = new ManagementServer(vertx, plane, addons);
    return vertx.createHttpServer(new HttpServerOptions().setHost(host).setPort(port))
        .requestHandler(ms.router)
        .listen(port, host)
        .map(s -> {
          ms.server = s;
          return ms;
        });
  }

  /** The port actually listened on. */
  public int actualPort() {
    return server.actualPort();
  }

  /** The router, for mounting further routes (they must authenticate through the same chain). */
  public Router router() {
    return router;
  }

  /** Stops listening. */
  public Future<Void> close() {
    return server == null ? Future.succeededFuture() : server.close();
  }

  private Router buildRouter() {
    Router r = Router.router(vertx);
    r.route().handler(this::prepare);
    r.route().handler(BodyHandler.create(false).setBodyLimit(MAX_BODY_BYTES));
    if (addons.metrics() != null && addons.metricsPublic()) {
      r.get(ManagementAddons.METRICS_PATH).handler(this::metrics);
    }
    r.route().handler(this::authenticate);
    if (addons.metrics() != null && !addons.metricsPublic()) {
      r.get(ManagementAddons.METRICS_PATH).handler(this::metrics);
    }

    ManagementApi api = new ManagementApi(plane);
    List<Endpoint> endpoints = new ArrayList<>(api.endpoints());
    if (addons.analytics() != null) {
      endpoints.addAll(new io.gatehouse.control.internal.AnalyticsApi(addons.analytics()).endpoints());
    }
    if (addons.debugging() != null) {
      endpoints.addAll(new io.gatehouse.control.internal.DebugApi(addons.debugging(), plane).endpoints());
    }
    AtomicReference<Map<String, Object>> document = new AtomicReference<>();
    endpoints.add(new Endpoint(HttpMethod.GET, OPENAPI_PATH, "meta", "This OpenAPI document", Endpoint.Body.NONE,
        200, List.of(), c -> false, c -> Reply.json(200, document.get())));
    document.set(OpenApiDocument.of(endpoints));

    for (Endpoint e : endpoints) {
      r.route(e.method(), e.path()).handler(ctx -> dispatch(ctx, e));
    }
    for (int status : new int[] {400, 401, 403, 404, 405, 413, 415, 500}) {
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
    ctx.next();
  }

  /** The one authentication choke point: resolves the bearer token to a principal or answers 401. */
  private void authenticate(RoutingContext ctx) {
    String header = ctx.request().getHeader(HttpHeaders.AUTHORIZATION);
    if (header == null || header.length() < 8 || !header.regionMatches(true, 0, "Bearer ", 0, 7)) {
      unauthorized(ctx, "missing 'Authorization: Bearer <token>'");
      return;
    }
    String token = header.substring(7).strip();
    if (token.isEmpty() || token.length() > 1024) {
      unauthorized(ctx, "invalid bearer token");
      return;
    }
    String hash = AdminTokens.hash(token);
    vertx.executeBlocking(() -> plane.adminTokenName(hash), false).onComplete(ar -> {
      if (ar.failed()) {
        ctx.fail(500, ar.cause());
      } else if (ar.result().isEmpty()) {
        unauthorized(ctx, "invalid bearer token");
      } else {
        ctx.put(PRINCIPAL, ar.result().get());
        ctx.next();
      }
    });
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

  private void unauthorized(RoutingContext ctx, String detail) {
    ctx.response().putHeader("WWW-Authenticate", "Bearer realm=\"gatehouse\"");
    problem(ctx, 401, detail, List.of());
  }

  private void dispatch(RoutingContext ctx, Endpoint e) {
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
    Map<String, String> query = new LinkedHashMap<>();
    ctx.queryParams().forEach(entry -> query.putIfAbsent(entry.getKey(), entry.getValue()));
    Call call = new Call(ctx.get(PRINCIPAL), Map.copyOf(ctx.pathParams()), query,
        e.body() == Endpoint.Body.NONE ? null : ctx.body().asString(), ctx.request().getHeader(HttpHeaders.ACCEPT));
    Optional<String> readOnly = plane.readOnlyReason();
    if (readOnly.isPresent() && e.mutates().test(call)) {
      problem(ctx, 409, readOnly.get(), List.of());
      return;
    }
    vertx.executeBlocking(() -> e.handler().apply(call), false).onComplete(ar -> {
      if (ar.succeeded()) {
        send(ctx, ar.result());
      } else if (ar.cause() instanceof ApiException a) {
        problem(ctx, a.status(), a.getMessage(), a.problems());
      } else {
        ctx.fail(500, ar.cause());
      }
    });
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
