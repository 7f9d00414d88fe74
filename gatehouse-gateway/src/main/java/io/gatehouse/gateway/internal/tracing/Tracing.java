package io.gatehouse.gateway.internal.tracing;

import io.opentelemetry.api.OpenTelemetry;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.api.trace.propagation.W3CTraceContextPropagator;
import io.opentelemetry.context.Context;
import io.opentelemetry.context.propagation.TextMapGetter;
import io.opentelemetry.context.propagation.TextMapSetter;
import io.vertx.core.MultiMap;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.net.SocketAddress;

/**
 * OpenTelemetry spans for gateway requests: a server span per request continuing an incoming W3C
 * {@code traceparent} (or starting a trace), and a client span per backend attempt whose context
 * is injected into the backend request. Thread-safe; spans are confined to the request's event loop.
 */
public final class Tracing {
  /** Instrumentation scope name. */
  public static final String SCOPE = "io.gatehouse.gateway";
  public static final AttributeKey<String> METHOD = AttributeKey.stringKey("http.request.method");
  public static final AttributeKey<Long> STATUS = AttributeKey.longKey("http.response.status_code");
  public static final AttributeKey<String> URL_PATH = AttributeKey.stringKey("url.path");
  public static final AttributeKey<String> URL_SCHEME = AttributeKey.stringKey("url.scheme");
  public static final AttributeKey<String> URL_FULL = AttributeKey.stringKey("url.full");
  public static final AttributeKey<String> CLIENT_ADDRESS = AttributeKey.stringKey("client.address");
  public static final AttributeKey<String> SERVER_ADDRESS = AttributeKey.stringKey("server.address");
  public static final AttributeKey<Long> SERVER_PORT = AttributeKey.longKey("server.port");
  public static final AttributeKey<String> ERROR_TYPE = AttributeKey.stringKey("error.type");
  public static final AttributeKey<String> API = AttributeKey.stringKey("gatehouse.api");
  public static final AttributeKey<String> OPERATION = AttributeKey.stringKey("gatehouse.operation");
  public static final AttributeKey<String> SUBSCRIPTION = AttributeKey.stringKey("gatehouse.subscription");
  public static final AttributeKey<String> REQUEST_ID = AttributeKey.stringKey("gatehouse.request_id");

  private static final W3CTraceContextPropagator W3C = W3CTraceContextPropagator.getInstance();
  private static final TextMapGetter<MultiMap> GETTER = new TextMapGetter<>() {
    @Override
    public Iterable<String> keys(MultiMap carrier) {
      return carrier.names();
    }

    @Override
    public String get(MultiMap carrier, String key) {
      return carrier == null ? null : carrier.get(key);
    }
  };
  private static final TextMapSetter<MultiMap> SETTER = (carrier, key, value) -> carrier.set(key, value);

  private final Tracer tracer;

  private Tracing(Tracer tracer) {
    this.tracer = tracer;
  }

  /** Tracing with {@code otel}'s tracer provider (propagation is always W3C trace context). */
  public static Tracing of(OpenTelemetry otel) {
    return new Tracing(otel.getTracer(SCOPE));
  }

  /** Starts the server span of {@code req}, a child of its {@code traceparent} when valid. */
  public Span startServer(HttpServerRequest req, String requestId) {
    Context parent = W3C.extract(Context.root(), req.headers(), GETTER);
    String method = req.method().name();
    SocketAddress peer = req.remoteAddress();
    return tracer.spanBuilder(method)
        .setParent(parent)
        .setSpanKind(SpanKind.SERVER)
        .setAttribute(METHOD, method)
        .setAttribute(URL_PATH, req.path() == null ? "" : req.path())
        .setAttribute(URL_SCHEME, req.isSSL() ? "https" : "http")
        .setAttribute(CLIENT_ADDRESS, peer == null || peer.hostAddress() == null ? "" : peer.hostAddress())
        .setAttribute(REQUEST_ID, requestId)
        .startSpan();
  }

  /** Ends {@code server} with what the exchange learned. */
  public static void endServer(Span server, String method, String api, String operation, String subscription,
      int status, String error) {
    if (!api.isEmpty()) {
      server.updateName(method + " " + api);
      server.setAttribute(API, api);
    }
    if (!operation.isEmpty()) {
      server.setAttribute(OPERATION, operation);
    }
    if (subscription != null) {
      server.setAttribute(SUBSCRIPTION, subscription);
    }
    if (status > 0) {
      server.setAttribute(STATUS, (long) status);
    }
    if (status >= 500 || status == 0) {
      server.setStatus(StatusCode.ERROR);
    }
    if (error != null) {
      server.setAttribute(ERROR_TYPE, error);
    }
    server.end();
  }

  /**
   * Starts the client span of one backend attempt under {@code server} and writes its context into
   * the backend request's headers ({@code traceparent}, replacing any the client sent).
   */
  public Span startClient(Span server, String method, RequestOptions options) {
    boolean ssl = Boolean.TRUE.equals(options.isSsl());
    String host = options.getHost() == null ? "" : options.getHost();
    int port = options.getPort() == null ? (ssl ? 443 : 80) : options.getPort();
    Span client = tracer.spanBuilder(method)
        .setParent(Context.root().with(server))
        .setSpanKind(SpanKind.CLIENT)
        .setAttribute(METHOD, method)
        .setAttribute(URL_FULL, (ssl ? "https://" : "http://") + host + ":" + port + options.getURI())
        .setAttribute(SERVER_ADDRESS, host)
        .setAttribute(SERVER_PORT, (long) port)
        .startSpan();
    MultiMap headers = options.getHeaders();
    if (headers == null) {
      headers = MultiMap.caseInsensitiveMultiMap();
      options.setHeaders(headers);
    }
    W3C.inject(Context.root().with(client), headers, SETTER);
    return client;
  }

  /** Ends {@code client} with the backend's status, or 0 and {@code error} when none came. */
  public static void endClient(Span client, int status, String error) {
    if (status > 0) {
      client.setAttribute(STATUS, (long) status);
    }
    if (status >= 500 || status == 0) {
      client.setStatus(StatusCode.ERROR);
    }
    if (error != null) {
      client.setAttribute(ERROR_TYPE, error);
    }
    client.end();
  }
}
