package io.gatehouse.gateway;

import static java.util.Objects.requireNonNull;

import io.gatehouse.gateway.events.TrafficEvents;
import io.gatehouse.gateway.internal.ProxyHandler;
import io.gatehouse.gateway.internal.events.EventQueue;
import io.gatehouse.gateway.internal.outbound.OutboundGuard;
import io.gatehouse.gateway.internal.http2.Http2Guard;
import io.gatehouse.gateway.internal.Snapshot;
import io.gatehouse.gateway.internal.counters.CounterStore;
import io.gatehouse.gateway.internal.counters.PolicyStates;
import io.gatehouse.gateway.internal.counters.SharedCounterStore;
import io.gatehouse.gateway.internal.counters.PostgresCounterTable;
import io.gatehouse.gateway.internal.counters.SqliteCounterFile;
import io.gatehouse.gateway.internal.counters.redis.RedisCounterStore;
import io.gatehouse.gateway.internal.conn.AcceptGate;
import io.gatehouse.gateway.internal.http1.Http1RejectionCounters;
import io.gatehouse.gateway.internal.http1.Http1Violation;
import io.gatehouse.gateway.internal.tls.ServerKeyCerts;
import io.gatehouse.gateway.internal.upstream.Upstreams;
import io.gatehouse.model.ConfigException;
import io.gatehouse.model.GatewayConfig;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpConnection;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.net.KeyCertOptions;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The data plane: HTTP (and, with certificates, HTTPS) listeners that route, check and forward
 * requests according to the current configuration snapshot.
 *
 * <p>{@link #apply} compiles a configuration and swaps it in atomically: requests in flight finish
 * on the snapshot they started with, and no request fails because of a reload.
 *
 * <p>Readiness: the probe answers 503 from start until {@link #ready()} and again once {@link
 * #drain} began; the liveness probe answers 200 while the listeners run.
 *
 * <p>Every request produces one traffic event on {@link #events()} once it completes; subscribe a
 * consumer there (access log, metrics) to receive them.
 */
public final class Gateway {
  private static final Logger LOG = LoggerFactory.getLogger(Gateway.class);

  private final AtomicReference<Snapshot> current = new AtomicReference<>(Snapshot.empty());
  private final List<HttpServer> servers = new ArrayList<>();
  private final HttpClient client;
  private final Upstreams upstreams;
  private final EventQueue events;
  private final CounterStore counters;
  private final PolicyStates states;
  private io.gatehouse.model.SubscriptionKeys.Hasher keyHasher;
  private final Readiness readiness = new Readiness();
  private AcceptGate gate;
  private final Http1RejectionCounters http1Rejections = new Http1RejectionCounters();
  private final List<HttpServer> tlsServers = new ArrayList<>();
  private volatile java.util.Map<String, TlsCertificate> certificates = java.util.Map.of();
  private Vertx vertx;
  private TlsEngine tlsEngine;
  private GatewayOptions options;
  private Handler<HttpConnection> guard;
  private HttpServerOptions tlsOptions;
  private int port = -1;
  private volatile int httpsPort = -1;
  private ProxyHandler handler;

  private final SharedCounterStore shared;

  private Gateway(HttpClient client, Upstreams upstreams, EventQueue events, CounterStore counters, PolicyClocks clocks,
      SharedCounterStore shared) {
    this.shared = shared;
    this.states = new PolicyStates(clocks, shared);
    this.counters = counters;
    this.client = client;
    this.upstreams = upstreams;
    this.events = events;
  }

  /** Default capacity of the traffic-event queue. */
  public static final int DEFAULT_EVENT_QUEUE_CAPACITY = 65_536;

  /** Starts the listeners described by {@code options}, serving an empty configuration. */
  public static Future<Gateway> start(Vertx vertx, GatewayOptions options) {
    return start(vertx, options, DEFAULT_EVENT_QUEUE_CAPACITY);
  }

  /**
   * Starts the listeners described by {@code options} with a traffic-event queue holding at most
   * {@code eventQueueCapacity} events (at least 1), serving an empty configuration.
   */
  public static Future<Gateway> start(Vertx vertx, GatewayOptions options, int eventQueueCapacity) {
    return start(vertx, options, eventQueueCapacity, PolicyClocks.system());
  }

  /**
   * Starts the listeners as {@link #start(Vertx, GatewayOptions, int)} does, with stateful policies
   * (rate limits, quotas) reading {@code clocks}.
   */
  public static Future<Gateway> start(Vertx vertx, GatewayOptions options, int eventQueueCapacity, PolicyClocks clocks) {
    return start(vertx, options, eventQueueCapacity, clocks, null);
  }

  /**
   * Starts the listeners as {@link #start(Vertx, GatewayOptions, int, PolicyClocks)} does, with
   * rate-limit, quota and concurrency counters shared with the other nodes in the Redis server of
   * {@code redis} (nullable: this node counts alone). The gateway starts even when Redis is
   * unreachable; its limits then follow their {@code on-store-failure} until Redis answers.
   */
  public static Future<Gateway> start(Vertx vertx, GatewayOptions options, int eventQueueCapacity, PolicyClocks clocks,
      RedisOptions redis) {
    return start(vertx, options, eventQueueCapacity, clocks, redis, null);
  }

  /**
   * Starts the listeners as {@link #start(Vertx, GatewayOptions, int, PolicyClocks, RedisOptions)}
   * does, keeping the durable copy of quota counters in table {@code quota_counters} of the
   * PostgreSQL database {@code quotaDatabase} (nullable: in {@link GatewayOptions#dataDir()}'s
   * {@code counters.db}, or in memory), shared with the other servers of that database: each adds
   * what it counted and reads back the totals every second.
   *
   * @throws IllegalStateException when the stored counters cannot be read
   */
  public static Future<Gateway> start(Vertx vertx, GatewayOptions options, int eventQueueCapacity, PolicyClocks clocks,
      RedisOptions redis, javax.sql.DataSource quotaDatabase) {
    requireNonNull(vertx, "vertx");
    requireNonNull(clocks, "clocks");
    requireNonNull(options, "options");
    if (eventQueueCapacity < 1) {
      throw new IllegalArgumentException("eventQueueCapacity must be at least 1 but was " + eventQueueCapacity);
    }
    HttpClient client = vertx.createHttpClient(
        new HttpClientOptions()
            .setKeepAlive(true)
            .setKeepAliveTimeout(60)
            .setTcpNoDelay(true)
            .setDecompressionSupported(false)
            .setMaxHeaderSize(64 * 1024)
            .setVerifyHost(true)
            .setTrustAll(false),
        new PoolOptions().setHttp1MaxSize(256).setHttp2MaxSize(16).setMaxWaitQueueSize(10_000));
    CounterStore counters = quotaDatabase != null ? PostgresCounterTable.store(quotaDatabase, 1000)
        : options.dataDir() == null ? CounterStore.inMemory() : SqliteCounterFile.store(options.dataDir());
    SharedCounterStore shared = redis == null ? null : RedisCounterStore.connect(redis);
    OutboundGuard outbound = OutboundGuard.create(vertx, options.allowedBackendNetworks());
    Gateway gateway = new Gateway(client, new Upstreams(vertx, outbound), new EventQueue(eventQueueCapacity), counters, clocks,
        shared);
    ProxyHandler handler = new ProxyHandler(gateway.current::get, client, outbound, gateway.events, gateway.readiness::ready);
    gateway.handler = handler;
    gateway.vertx = vertx;
    gateway.options = options;
    ConnectionLimits limits = options.limits();
    gateway.gate = new AcceptGate(limits.maxConnections(), limits.maxConnectionsPerAddress());
    HttpServerOptions base = new HttpServerOptions()
        .setHost(options.host())
        .setMaxHeaderSize(options.maxHeaderSize())
        .setMaxInitialLineLength(options.maxHeaderSize())
        .setIdleTimeout((int) Math.min(Integer.MAX_VALUE, limits.idleTimeout().toMillis()))
        .setIdleTimeoutUnit(TimeUnit.MILLISECONDS)
        .setHandle100ContinueAutomatically(true)
        .setCompressionSupported(false)
        .setDecompressionSupported(false)
        .setHttp2ClearTextEnabled(options.h2c())
        .setTcpNoDelay(true)
        // WebSocket passthrough (WebSocketRelay): frames up to 1 MiB, no compression, and any
        // subprotocol the relay leaves in the request (the one the backend chose).
        .setMaxWebSocketFrameSize(1024 * 1024)
        .setPerMessageWebSocketCompressionSupported(false)
        .setPerFrameWebSocketCompressionSupported(false)
        .addWebSocketSubProtocol("*");
    Http2Guard.configure(base, options.http2(), options.maxHeaderSize());
    // One server instance per event loop: Vert.x spreads accepted connections across them, and each
    // connection's requests, policies and backend calls then stay on that loop's thread.
    Handler<HttpConnection> http1 = Http1Guard.install(options.maxHeaderSize(), limits, gateway.http1Rejections);
    Handler<HttpConnection> http2 = Http2Guard.install(options.http2());
    Handler<HttpConnection> guard = conn -> {
      http1.handle(conn);
      http2.handle(conn);
    };
    gateway.guard = guard;
    HttpServerOptions plainOptions = new HttpServerOptions(base).setPort(options.port());
    gateway.tlsOptions = new HttpServerOptions(base)
        .setPort(options.httpsPort())
        .setSsl(true)
        .setUseAlpn(true)
        .setSni(true); // the TLS handshake has its own limit: 10 s, Vert.x's default
    TlsEngine engine = io.gatehouse.gateway.internal.tls.TlsPolicy.apply(gateway.tlsOptions, options.tlsEngine());
    if (engine != options.tlsEngine()) {
      LOG.warn("TLS engine {} is not available on this platform: the HTTPS listener uses the JDK's", options.tlsEngine());
    }
    gateway.tlsEngine = engine;
    if (options.clientCertificates()) {
      // TLS asks for and accepts any client certificate; validate-client-certificate judges it per API.
      gateway.tlsOptions.setClientAuth(io.vertx.core.http.ClientAuth.REQUEST)
          .setTrustOptions(io.vertx.core.net.TrustOptions.wrap(io.gatehouse.gateway.internal.AnyClientCertificate.INSTANCE));
    }
    KeyCertOptions fileCerts = ServerKeyCerts.options(options.certificates(), List.of());
    int instances = Math.max(1, options.eventLoops());
    HttpServerOptions tls = fileCerts == null ? null : new HttpServerOptions(gateway.tlsOptions).setKeyCertOptions(fileCerts);
    Future<Void> started = gateway.listen(vertx, plainOptions, guard, handler, instances)
        .compose(port -> {
          gateway.port = port;
          outbound.listener(options.host(), port);
          return tls == null ? Future.succeededFuture(-1) : gateway.listenTls(tls);
        })
        .map(port -> {
          gateway.httpsPort = port;
          if (port > 0) {
            outbound.listener(options.host(), port);
          }
          return null;
        });
    return started.map(all -> {
      LOG.info("gateway listening on {}:{}{} ({} transport{})", options.host(), gateway.port,
          gateway.httpsPort > 0 ? " and https port " + gateway.httpsPort : "", EventLoops.transport(vertx),
          gateway.httpsPort > 0 ? ", TLS engine " + engine : "");
      return gateway;
    });
  }

  /**
   * Starts {@code instances} servers with {@code options}, each on its own event-loop context,
   * sharing one port; completes with the port. Port 0 (a free port, as tests use) starts a single
   * instance, because Vert.x shares a listening socket only between servers asking for the same port.
   */
  private Future<Integer> listen(Vertx vertx, HttpServerOptions options, Handler<HttpConnection> guard,
      ProxyHandler handler, int instances) {
    int count = options.getPort() == 0 ? 1 : instances;
    List<Future<HttpServer>> all = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      all.add(listenOne(vertx, options, guard, handler));
    }
    return Future.all(all).map(v -> all.get(0).result().actualPort());
  }

  private Future<Integer> listenTls(HttpServerOptions tls) {
    int before;
    synchronized (servers) {
      before = servers.size();
    }
    return listen(vertx, tls, guard, handler, Math.max(1, options.eventLoops())).map(p -> {
      synchronized (servers) {
        tlsServers.addAll(servers.subList(before, servers.size()));
      }
      return p;
    });
  }

  /**
   * Replaces the uploaded certificates: server certificates are served on the HTTPS listener for
   * their DNS names from the next handshake on (the listener starts on {@code httpsPort} with the
   * first one when no certificate file started it), without a restart; client and CA certificates
   * are used by backends from the next {@link #apply}. Completes once the listener serves the new set.
   *
   * @throws IllegalArgumentException when two certificates share a name
   */
  public Future<Void> certificates(java.util.Collection<TlsCertificate> uploaded) {
    requireNonNull(uploaded, "uploaded");
    java.util.Map<String, TlsCertificate> byName = new java.util.LinkedHashMap<>();
    for (TlsCertificate c : uploaded) {
      if (byName.put(c.name(), c) != null) {
        throw new IllegalArgumentException("expected unique certificate names but '" + c.name() + "' repeats");
      }
    }
    synchronized (this) {
      certificates = java.util.Map.copyOf(byName);
      KeyCertOptions keyCerts = ServerKeyCerts.options(options.certificates(), byName.values());
      List<HttpServer> running;
      synchronized (servers) {
        running = List.copyOf(tlsServers);
      }
      if (keyCerts == null) {
        return Future.succeededFuture();
      }
      if (running.isEmpty()) {
        return listenTls(new HttpServerOptions(tlsOptions).setKeyCertOptions(keyCerts)).map(p -> {
          httpsPort = p;
          upstreams.guard().listener(options.host(), p);
          LOG.info("gateway listening on https port {} for uploaded certificates", p);
          return null;
        });
      }
      io.vertx.core.net.ServerSSLOptions ssl = tlsOptions.getSslOptions().copy().setKeyCertOptions(keyCerts);
      List<Future<Boolean>> updates = new ArrayList<>();
      for (HttpServer s : running) {
        updates.add(s.updateSSLOptions(ssl, true));
      }
      return Future.all(updates).mapEmpty();
    }
  }

  private Future<HttpServer> listenOne(Vertx vertx, HttpServerOptions options, Handler<HttpConnection> guard,
      ProxyHandler handler) {
    io.vertx.core.internal.ContextInternal context = ((io.vertx.core.internal.VertxInternal) vertx).createEventLoopContext();
    io.vertx.core.Promise<HttpServer> promise = context.promise();
    context.runOnContext(v -> {
      HttpServer server = vertx.createHttpServer(options).connectionHandler(guard).requestHandler(handler);
      synchronized (servers) {
        servers.add(server);
      }
      server.listen().<HttpServer>map(s -> {
        gate.guard(s); // connection limits from the first accept on
        return s;
      }).onComplete(promise);
    });
    return promise.future();
  }

  /**
   * Looks subscription keys up by their keyed hashes ({@code hmac-sha256:}) under {@code hasher}
   * from the next {@link #apply} on; without a hasher only unkeyed ({@code sha256:}) hashes match.
   */
  public synchronized void subscriptionKeyHasher(io.gatehouse.model.SubscriptionKeys.Hasher hasher) {
    this.keyHasher = java.util.Objects.requireNonNull(hasher, "hasher");
    current.get().keyHasher(hasher);
  }

  /**
   * Compiles {@code config} as revision {@code revision} and makes it current.
   *
   * @throws ConfigException when the configuration cannot be compiled; the current one stays
   */
  public synchronized void apply(GatewayConfig config, long revision) {
    Snapshot next;
    try {
      next = Snapshot.compile(config, revision, upstreams, counters, states, certificates);
      next.keyHasher(keyHasher);
    } catch (RuntimeException e) {
      upstreams.retain(current.get().upstreams());
      states.retain(current.get().stateIdentities());
      throw e;
    }
    upstreams.retain(next.upstreams());
    current.set(next);
    states.retain(next.stateIdentities());
    LOG.info("gateway serving configuration revision {}", revision);
  }

  /**
   * Answers CORS for the developer portal's {@code origins} ({@code scheme://host[:port]}) on every
   * API, so that its Try it can call them from the browser; other origins still need a
   * {@code cors} policy. Empty turns it off.
   */
  public void portalOrigins(java.util.Collection<String> origins) {
    handler.portalOrigins(origins.stream().map(o -> o.toLowerCase(java.util.Locale.ROOT))
        .collect(java.util.stream.Collectors.toUnmodifiableSet()));
  }

  /**
   * Declares another listener of this process (such as the management API) at {@code host} and
   * {@code port}: no backend, call-out, token or key request of this gateway reaches it, whatever
   * {@link GatewayOptions#allowedBackendNetworks()} allows. The gateway's own listeners are declared
   * when they start.
   */
  public void ownListener(String host, int port) {
    upstreams.guard().listener(requireNonNull(host, "host"), port);
  }

  /**
   * The runtime state of every backend of the current configuration: member health and ejection,
   * requests in flight and circuit-breaker state. Read-only.
   */
  public List<BackendStatus> backendStatus() {
    return current.get().backendStatus();
  }

  /** The revision of the configuration being served. */
  public long revision() {
    return current.get().revision();
  }

  /** The traffic-event stream: every completed request, for consumers to subscribe to. */
  public TrafficEvents events() {
    return events;
  }

  /** Client connections open now, over all listeners, counted from their accept. */
  public long activeConnections() {
    return gate.open();
  }

  /** Commands to the shared counter store (Redis) that failed: unreachable, timed out or refused; 0 without one. */
  public long counterStoreFailures() {
    return shared == null ? 0 : shared.failures();
  }

  /**
   * Limit decisions taken while the shared counter store was unreachable: by the per-node local
   * limit ({@code open}) or refused with 503; 0 without a shared store.
   */
  public long counterFallbackDecisions(boolean open) {
    return shared == null ? 0 : shared.fallbackDecisions(open);
  }

  /** Whether the shared counter store (Redis) answers; true without one (nothing to reach). */
  public boolean counterStoreAvailable() {
    return shared == null || shared.available();
  }

  /** The gateway nodes counted live in the shared counter store at its last answer; 1 without one. */
  public int counterLiveNodes() {
    return shared == null ? 1 : shared.liveNodes();
  }

  /**
   * Client connections closed at accept because they would exceed the limit of {@link ConnectionLimits}:
   * the total limit when {@code perAddress} is false, the limit per client address when it is true.
   */
  public long refusedConnections(boolean perAddress) {
    return perAddress ? gate.refusedPerAddress() : gate.refusedTotal();
  }

  /**
   * HTTP/1.1 requests the gateway answered itself before routing, for breaking a framing rule (400,
   * 414, 431, 505) or for taking too long (408); {@code timeout} selects the 408s.
   */
  public long earlyRejections(boolean timeout) {
    long n = 0;
    for (Http1Violation v : Http1Violation.values()) {
      boolean isTimeout = v == Http1Violation.HEAD_TIMEOUT || v == Http1Violation.BODY_TIMEOUT;
      if (isTimeout == timeout) {
        n += http1Rejections.count(v);
      }
    }
    return n;
  }

  /** The plain HTTP port actually bound. */
  public int port() {
    return port;
  }

  /** The TLS implementation the HTTPS listener runs on: the configured one, or the JDK's when that is not available. */
  public TlsEngine tlsEngine() {
    return tlsEngine;
  }

  /** The HTTPS port actually bound, or -1 without TLS. */
  public int httpsPort() {
    return httpsPort;
  }

  /**
   * Answers 403 {@code client-blocked} (after routing, before the key check) to every later request
   * whose client address or subscription {@code blocked(clientIp, subscriptionOrNull)} names;
   * called on event loops, so it must not block. {@code null} blocks nobody (the default).
   */
  public void clientBlocks(java.util.function.BiPredicate<String, String> blocked) {
    handler.clientBlocks(blocked);
  }

  /**
   * Traces every later request with {@code otel}: a server span per request continuing an incoming
   * W3C {@code traceparent}, a client span per backend attempt propagated to the backend; {@code null}
   * turns tracing off (then no span is created). Span names and attributes are listed in
   * {@code docs/observability.md}.
   */
  public void tracing(io.opentelemetry.api.OpenTelemetry otel) {
    handler.tracing(otel == null ? null : io.gatehouse.gateway.internal.tracing.Tracing.of(otel));
  }

  /** The request-debugging sessions: open one for an API, then send {@code Gatehouse-Debug: <token>}. */
  public io.gatehouse.gateway.debug.DebugSessions debugSessions() {
    return handler.debugSessions();
  }

  /**
   * Says the gateway serves the configuration of its source: from now on the readiness probes
   * ({@value ProxyHandler#HEALTH_PATH} and {@code .../ready}) answer 200. Call it once the first
   * snapshot from the configured source is applied; a no-op once draining.
   */
  public void ready() {
    readiness.serving();
  }

  /** Whether the readiness probes answer 200: {@link #ready()} was called and draining has not started. */
  public boolean isReady() {
    return readiness.ready();
  }

  /**
   * Starts draining: the readiness probes answer 503 from now on while requests are still served;
   * completes after {@code period}, when the caller may {@link #close()} the listeners.
   */
  public Future<Void> drain(java.time.Duration period) {
    requireNonNull(period, "period");
    if (period.isNegative()) {
      throw new IllegalArgumentException("period must be zero or more but was " + period);
    }
    readiness.draining();
    LOG.info("gateway draining: readiness answers 503, listeners close in {} ms", period.toMillis());
    if (period.isZero()) {
      return Future.succeededFuture();
    }
    return vertx.timer(period.toMillis()).mapEmpty();
  }

  /** Stops the listeners and closes backend connections. */
  public Future<Void> close() {
    List<Future<Void>> closing = new ArrayList<>();
    servers.forEach(s -> closing.add(s.close()));
    closing.add(client.close());
    upstreams.close();
    return Future.join(closing).andThen(ar -> counters.close()).andThen(ar -> {
      if (shared != null) {
        shared.close();
      }
    }).<Void>mapEmpty().andThen(ar -> events.close());
  }
}
