package io.gatehouse.gateway.internal.upstream;

import io.gatehouse.gateway.BackendStatus;
import io.gatehouse.gateway.internal.outbound.OutboundGuard;
import io.gatehouse.gateway.internal.outbound.RefusedDestinationException;
import io.gatehouse.model.BackendDef;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpVersion;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.net.ClientSSLOptions;
import io.vertx.core.net.SocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A backend's runtime: its members with health and load state, breaker, retry budget, HTTP client
 * and health-check timer. One instance lives as long as the backend's definition is unchanged, so
 * reloads keep its state. Member selection and state changes are synchronized on this object.
 */
public final class Upstream {
  private static final Logger LOG = LoggerFactory.getLogger(Upstream.class);
  /** How often expired idle connections are looked for, in milliseconds. */
  static final int SWEEP_MILLIS = 100;

  private final String name;
  private final BackendDef def;
  private final Member[] members;
  private final LoadBalancer balancer;
  // the available members of the best priority, refilled by each pick (under the lock)
  private final Member[] candidates;
  private final Breaker breaker;
  private final RetryBudget budget;
  private final Set<String> retryMethods;
  private final ClientSSLOptions ssl;
  private final long connectMillis;
  private final long responseMillis;
  private final long idleMillis;
  private final long poolIdleMillis;
  // Idle closes faster than this teach nothing (a backend that closes at once is not timing out).
  private static final long MIN_LEARNED_IDLE_MILLIS = 100;
  // Idle pooled HTTP/1.x connections with the System.nanoTime() after which they must not be
  // reused (pool idle timeout, or earlier when the backend announced `Keep-Alive: timeout=N`);
  // a connection leaves the map when a request takes it. Swept every SWEEP_MILLIS.
  private final java.util.concurrent.ConcurrentHashMap<io.vertx.core.http.HttpConnection, Idle> idleDeadlines =
      new java.util.concurrent.ConcurrentHashMap<>();
  // Connections whose close is watched, to learn the backend's own idle timeout.
  private final java.util.Set<io.vertx.core.http.HttpConnection> watched =
      java.util.concurrent.ConcurrentHashMap.newKeySet();
  // The shortest idle time after which the backend was seen to close a pooled connection itself
  // (Long.MAX_VALUE until seen); later connections retire before it, as under Keep-Alive: timeout.
  private volatile long learnedIdleMillis = Long.MAX_VALUE;
  private volatile long idleSweep = -1;
  private final BackendCredentials credentials;
  private final OutboundGuard guard;
  private volatile HttpClient client;
  private HttpClientOptions clientOptions;
  private PoolOptions poolOptions;
  // One client per event loop, so that a request and its backend connection share a thread.
  private final java.util.concurrent.ConcurrentHashMap<Thread, HttpClient> perLoop =
      new java.util.concurrent.ConcurrentHashMap<>();
  private Vertx vertx;
  // WebSocket passthrough: HTTP/1.1 TLS options (no h2 ALPN) and a client made on first use
  private final ClientSSLOptions webSocketSsl;
  private io.vertx.core.http.WebSocketClient webSockets;
  private long healthTimer = -1;
  private boolean closed;

  Upstream(BackendDef def, Duration defaultTimeout, BackendMaterial material, OutboundGuard guard) {
    this.name = def.name();
    this.guard = guard;
    this.def = def;
    List<BackendDef.Member> pool = def.pool();
    this.members = new Member[pool.size()];
    boolean anySsl = false;
    for (int i = 0; i < members.length; i++) {
      BackendDef.Member m = pool.get(i);
      members[i] = new Member(m.url(), m.weight(), m.priority());
      anySsl |= members[i].ssl;
    }
    this.balancer = LoadBalancer.of(def.algorithm());
    this.candidates = new Member[members.length];
    this.breaker = def.circuitBreaker() == null ? null : new Breaker(def.circuitBreaker());
    this.budget = def.retry() == null ? null : new RetryBudget(def.retry().budgetRatio());
    this.retryMethods = def.retry() == null ? Set.of() : Set.copyOf(def.retry().methods());
    boolean h2 = Boolean.TRUE.equals(def.http2());
    this.ssl = anySsl ? BackendTls.options(def.tls(), h2, material) : null;
    this.webSocketSsl = anySsl ? (h2 ? BackendTls.options(def.tls(), false, material) : ssl) : null;
    Duration response = def.timeouts() != null && def.timeouts().response() != null
        ? def.timeouts().response() : def.timeout() != null ? def.timeout() : defaultTimeout;
    this.responseMillis = response.toMillis();
    this.connectMillis = def.timeouts() != null && def.timeouts().connect() != null
        ? def.timeouts().connect().toMillis() : responseMillis;
    this.idleMillis = def.timeouts() != null && def.timeouts().idle() != null
        ? def.timeouts().idle().toMillis() : responseMillis;
    this.poolIdleMillis = (def.timeouts() != null && def.timeouts().poolIdle() != null
        ? def.timeouts().poolIdle() : BackendDef.Timeouts.DEFAULT_POOL_IDLE).toMillis();
    this.credentials = def.credentials() == null ? null : new BackendCredentials(def.credentials());
  }

  /** Creates the client and starts health checks; called once when the upstream goes live. */
  synchronized void activate(Vertx vertx) {
    if (this.vertx != null || closed) {
      return;
    }
    this.vertx = vertx;
    // said when the backend goes live, not when a configuration is compiled (validate, advise, a dry run)
    if (ssl != null && def.tls() != null && !def.tls().verify()) {
      LOG.warn("backend '{}' has tls.verify: false; its certificates and host names are NOT checked", name);
    }
    boolean h2 = Boolean.TRUE.equals(def.http2());
    HttpClientOptions options = new HttpClientOptions()
        .setKeepAlive(true)
        // A backstop only: idle connections are closed on time by sweepIdle.
        .setKeepAliveTimeout((int) (poolIdleMillis / 1000) + 2)
        .setTcpNoDelay(true)
        .setDecompressionSupported(false)
        .setMaxHeaderSize(64 * 1024)
        .setForceSni(true);
    if (h2) {
      options.setProtocolVersion(HttpVersion.HTTP_2).setHttp2ClearTextUpgrade(false);
    }
    int max = def.maxConnections() == null ? 256 : def.maxConnections();
    clientOptions = options;
    poolOptions = new PoolOptions().setHttp1MaxSize(max).setHttp2MaxSize(Math.max(1, Math.min(max, 16)))
        .setMaxWaitQueueSize(10_000);
    client = vertx.createHttpClient(clientOptions, poolOptions);
    if (credentials != null) {
      credentials.activate(name, vertx, Math.max(connectMillis, responseMillis), guard);
    }
    BackendDef.HealthCheck hc = def.healthCheck();
    if (hc != null) {
      healthTimer = vertx.setPeriodic(0, hc.interval().toMillis(), id -> probeAll(hc));
    }
  }

  /** Stops health checks and closes connections. */
  synchronized void close() {
    closed = true;
    if (vertx != null && healthTimer >= 0) {
      vertx.cancelTimer(healthTimer);
    }
    if (vertx != null && idleSweep >= 0) {
      vertx.cancelTimer(idleSweep);
    }
    idleDeadlines.clear();
    watched.clear();
    if (client != null) {
      client.close();
    }
    perLoop.values().forEach(HttpClient::close);
    perLoop.clear();
    if (credentials != null) {
      credentials.close();
    }
    if (webSockets != null) {
      webSockets.close();
    }
  }

  /**
   * The WebSocket client for this backend (HTTP/1.1 handshakes, frames up to {@code maxFrameSize}
   * bytes), created on first use; {@code null} before activation or after close.
   */
  public synchronized io.vertx.core.http.WebSocketClient webSocketClient(int maxFrameSize) {
    if (vertx == null || closed) {
      return null;
    }
    if (webSockets == null) {
      webSockets = vertx.createWebSocketClient(new io.vertx.core.http.WebSocketClientOptions()
          .setMaxConnections(Integer.MAX_VALUE)
          .setMaxFrameSize(maxFrameSize)
          .setMaxMessageSize(Math.max(maxFrameSize, 16 * 1024 * 1024))
          .setTryUsePerMessageCompression(false)
          .setTryUsePerFrameCompression(false)
          .setTcpNoDelay(true));
    }
    return webSockets;
  }

  /**
   * The WebSocket handshake options for {@code uri} on {@code m} at the checked address
   * {@code server} ({@link #target}): address, TLS and timeouts.
   */
  public io.vertx.core.http.WebSocketConnectOptions webSocketOptions(Member m, SocketAddress server, String uri) {
    io.vertx.core.http.WebSocketConnectOptions o = new io.vertx.core.http.WebSocketConnectOptions();
    o.setHost(m.host).setPort(m.port).setSsl(m.ssl).setURI(uri).setAllowOriginHeader(false);
    o.setServer(server);
    o.setConnectTimeout(connectMillis);
    o.setTimeout(responseMillis);
    if (m.ssl) {
      // Vert.x 5.1's WebSocketClient connects to the host it verifies (it ignores setServer), so
      // tls.serverName cannot apply here: the member's own host name is sent and verified.
      o.setSslOptions(webSocketSsl);
    }
    return o;
  }

  private void probeAll(BackendDef.HealthCheck hc) {
    for (Member m : members) {
      target(m, System.nanoTime()).onComplete(t -> {
        if (t.failed()) {
          healthResult(m, hc, false); // refused or not resolvable: never probed, never healthy
        } else {
          probe(m, t.result(), hc);
        }
      });
    }
  }

  private void probe(Member m, SocketAddress server, BackendDef.HealthCheck hc) {
    RequestOptions o = requestOptions(m, server, HttpMethod.GET, m.basePath + hc.path())
        .setConnectTimeout(hc.timeout().toMillis())
        .setIdleTimeout(hc.timeout().toMillis());
    o.putHeader("Host", m.hostHeader).putHeader("User-Agent", "gatehouse-health-check");
    if (credentials != null) {
      credentials.apply(o, credentials.cachedToken());
    }
    HttpClient c;
    synchronized (this) {
      if (closed) {
        return;
      }
      c = client;
    }
    c.request(o)
        .compose(req -> {
          reusing(req.connection());
          return req.send();
        })
        .compose(resp -> {
          answered(resp); // probes share the pool idle rules: no probe on a connection being closed
          return resp.body().map(b -> resp.statusCode());
        })
        .onComplete(ar -> healthResult(m, hc, ar.succeeded() && ar.result() >= 200 && ar.result() < 400));
  }

  private synchronized void healthResult(Member m, BackendDef.HealthCheck hc, boolean ok) {
    if (ok) {
      m.healthFailures = 0;
      if (!m.healthy && ++m.healthSuccesses >= hc.healthyThreshold()) {
        m.healthy = true;
        LOG.info("backend '{}' member {} is healthy again", name, m.url);
      }
    } else {
      m.healthSuccesses = 0;
      if (m.healthy && ++m.healthFailures >= hc.unhealthyThreshold()) {
        m.healthy = false;
        LOG.warn("backend '{}' member {} failed {} health checks and is now unhealthy", name, m.url, m.healthFailures);
      }
    }
  }

  /** The backend's name. */
  public String name() {
    return name;
  }

  /**
   * The client that talks to this backend, {@code null} before activation: on an event loop, that
   * loop's own client (its pooled connections then live on the same thread as the requests using
   * them, with no hand-off between threads); elsewhere a shared one.
   */
  public HttpClient client() {
    HttpClient shared = client;
    if (shared == null || !io.vertx.core.Context.isOnEventLoopThread()) {
      return shared;
    }
    Thread loop = Thread.currentThread();
    HttpClient own = perLoop.get(loop);
    if (own != null) {
      return own;
    }
    synchronized (this) {
      if (closed) {
        return shared;
      }
      return perLoop.computeIfAbsent(loop, t -> vertx.createHttpClient(clientOptions, poolOptions));
    }
  }

  /** Marks {@code connection} as taken by a request: it is not closed as idle while in use. */
  public void reusing(io.vertx.core.http.HttpConnection connection) {
    if (connection != null && !idleDeadlines.isEmpty()) {
      idleDeadlines.remove(connection);
    }
  }

  /**
   * Starts the idle clock of the HTTP/1.x connection that carries {@code bres} once the answer
   * has been received: the connection is not reused after the pool idle timeout, nor after the
   * window {@link #idleWindowMillis} that the backend's {@code Keep-Alive: timeout=N} leaves.
   */
  public void answered(io.vertx.core.http.HttpClientResponse bres) {
    if (bres.version() == HttpVersion.HTTP_2) {
      return;
    }
    if ("close".equalsIgnoreCase(bres.getHeader(io.vertx.core.http.HttpHeaders.CONNECTION))) {
      return; // the connection ends with this answer
    }
    String header = bres.getHeader(io.vertx.core.http.HttpHeaders.KEEP_ALIVE);
    long seconds = header == null ? -1 : keepAliveTimeoutSeconds(header);
    long announced = seconds < 0 ? poolIdleMillis : idleWindowMillis(seconds, poolIdleMillis);
    long learned = learnedIdleMillis;
    long window = learned == Long.MAX_VALUE ? announced : Math.min(announced, learnedWindowMillis(learned));
    io.vertx.core.http.HttpConnection conn = bres.request().connection();
    bres.end().onSuccess(v -> {
      long now = System.nanoTime();
      idleDeadlines.put(conn, new Idle(now, now + window * 1_000_000L));
      if (watched.add(conn)) {
        conn.closeHandler(c -> closed(conn));
      }
      if (idleSweep < 0) {
        startSweep();
      }
    });
  }

  /** When an idle connection has been pooled ({@code since}) and when it must no longer be reused. */
  private record Idle(long since, long deadline) {}

  /**
   * Called when {@code conn} closes: if it was idle in the pool (not taken by a request, not
   * retired by {@link #sweepIdle}), the backend closed it, and its idle time teaches the pool to
   * retire later connections before that (backends such as nginx close idle connections without
   * announcing when).
   */
  private void closed(io.vertx.core.http.HttpConnection conn) {
    watched.remove(conn);
    Idle idle = idleDeadlines.remove(conn);
    if (idle == null) {
      return;
    }
    long idleMillis = (System.nanoTime() - idle.since()) / 1_000_000;
    if (idleMillis >= MIN_LEARNED_IDLE_MILLIS && idleMillis < learnedIdleMillis) {
      learnedIdleMillis = idleMillis;
      LOG.info("backend '{}' closed a connection idle for {} ms: pooled connections now retire after {} ms",
          name, idleMillis, learnedWindowMillis(idleMillis));
    }
  }

  /** The idle window after the backend was seen closing a connection idle for {@code learned} ms. */
  static long learnedWindowMillis(long learned) {
    return Math.max(0, learned - Math.min(1000, learned / 2));
  }


  private synchronized void startSweep() {
    if (idleSweep < 0 && vertx != null && !closed) {
      idleSweep = vertx.setPeriodic(SWEEP_MILLIS, id -> sweepIdle());
    }
  }

  /**
   * How long a connection may stay idle when the backend announced {@code timeout=seconds}: the
   * pool idle timeout, but always before the backend's own limit (by half of it, at most 1 s), so
   * that a request never meets a connection the backend is closing.
   */
  static long idleWindowMillis(long seconds, long poolIdleMillis) {
    long announced = seconds * 1000;
    return Math.max(0, Math.min(poolIdleMillis, announced - Math.min(1000, announced / 2)));
  }

  /** The {@code timeout} parameter of a {@code Keep-Alive} header in seconds, or -1 when absent or malformed. */
  static long keepAliveTimeoutSeconds(String header) {
    for (String part : header.split(",")) {
      String p = part.trim();
      if (p.regionMatches(true, 0, "timeout=", 0, 8)) {
        String v = p.substring(8).trim();
        if (v.isEmpty() || v.length() > 9) {
          return -1;
        }
        for (int i = 0; i < v.length(); i++) {
          if (v.charAt(i) < '0' || v.charAt(i) > '9') {
            return -1;
          }
        }
        return Long.parseLong(v);
      }
    }
    return -1;
  }

  private void sweepIdle() {
    long now = System.nanoTime();
    for (var it = idleDeadlines.entrySet().iterator(); it.hasNext(); ) {
      var e = it.next();
      if (e.getValue().deadline() - now <= 0) {
        it.remove();
        // Out of the pool now; a request already on it finishes first.
        e.getKey().shutdown(java.time.Duration.ofMillis(responseMillis));
      }
    }
  }

  /** The credentials added to every call, or {@code null}. */
  public BackendCredentials credentials() {
    return credentials;
  }

  /** The circuit breaker, or {@code null}. */
  public Breaker breaker() {
    return breaker;
  }

  /** Response-head timeout in milliseconds. */
  public long responseMillis() {
    return responseMillis;
  }

  /**
   * Takes the backend for one try at {@code now}: the circuit breaker's permission (refused with
   * {@link Lease#CIRCUIT_OPEN} while it is open), then a member chosen by the load balancer
   * (refused with {@link Lease#NO_MEMBER} when none is available, and the permission given back).
   */
  public Lease acquire(long now) {
    if (breaker != null && !breaker.tryAcquire(now)) {
      return new Lease(this, breaker, null, now, Lease.CIRCUIT_OPEN);
    }
    Member m = pick(now);
    if (m == null) {
      if (breaker != null) {
        breaker.release();
      }
      return new Lease(this, breaker, null, now, Lease.NO_MEMBER);
    }
    return new Lease(this, breaker, m, now, null);
  }

  /**
   * The member to use next, counted as one outstanding request until {@link #done}; {@code null}
   * when every member is unhealthy or ejected.
   */
  public synchronized Member pick(long now) {
    int best = Integer.MAX_VALUE;
    int count = 0;
    for (Member m : members) {
      if (m.available(now)) {
        if (m.priority < best) {
          best = m.priority;
          count = 0;
        }
        if (m.priority == best) {
          candidates[count++] = m;
        }
      }
    }
    if (count == 0) {
      return null;
    }
    Member chosen = balancer.choose(candidates, count);
    chosen.outstanding++;
    return chosen;
  }

  /**
   * Ends a call to {@code m} started by {@link #pick}: updates outlier detection; {@code failure}
   * means a connection error, timeout or 5xx answer.
   */
  public synchronized void done(Member m, boolean failure, long now) {
    m.outstanding--;
    BackendDef.OutlierDetection od = def.outlierDetection();
    if (!failure) {
      m.consecutiveFailures = 0;
      return;
    }
    if (od != null && ++m.consecutiveFailures >= od.consecutiveFailures()) {
      m.ejections = Math.min(m.ejections + 1, 10);
      m.consecutiveFailures = 0;
      long nanos = od.baseEjection().toNanos() * m.ejections;
      m.ejectedUntilNanos = now + nanos;
      LOG.warn("backend '{}' member {} ejected for {} ms after {} consecutive failures", name, m.url,
          nanos / 1_000_000L, od.consecutiveFailures());
    }
  }

  /** Ends a call to {@code m} that has no verdict (the client went away before the answer). */
  public synchronized void abandon(Member m) {
    m.outstanding--;
  }

  /** Counts a client request towards the retry budget. */
  public void onRequest(long now) {
    if (budget != null) {
      budget.onRequest(now);
    }
  }

  /** Whether attempt number {@code attempt} (1 = first retry) of {@code method} may be retried now. */
  public boolean mayRetry(HttpMethod method, int attempt, long now) {
    return budget != null && attempt <= def.retry().count()
        && retryMethods.contains(method.name().toUpperCase(Locale.ROOT)) && budget.tryRetry(now);
  }

  /** Pause before a retry, in milliseconds. */
  public long backoffMillis() {
    return def.retry() == null ? 0 : def.retry().backoff().toMillis();
  }

  /**
   * The address to connect to for {@code m}: its host resolved and checked by the outbound guard,
   * failing with {@link io.gatehouse.gateway.internal.outbound.RefusedDestinationException} when the
   * guard refuses it. Cached per member (a literal address until a listener is added, a name for
   * {@link #RESOLVED_TTL_NANOS}); the cached future is already complete.
   */
  public Future<SocketAddress> target(Member m, long now) {
    Member.Target t = m.target;
    int version = guard.version();
    if (t != null && t.version() == version && now - t.expiresNanos() < 0) {
      return t.address();
    }
    long expires = now + (m.literal ? Long.MAX_VALUE / 4 : RESOLVED_TTL_NANOS);
    return guard.resolve(m.host, m.port).andThen(ar -> {
      if (ar.succeeded()) {
        m.target = new Member.Target(Future.succeededFuture(ar.result()), version, expires);
      } else if (ar.cause() instanceof RefusedDestinationException) {
        m.target = new Member.Target(Future.failedFuture(ar.cause()), version, expires);
      }
    });
  }

  /**
   * The refusal of a connection already made to {@code connected} for {@code m} (a client that
   * resolves names itself), or {@code null} when the guard allows that address.
   */
  public RefusedDestinationException refusal(Member m, SocketAddress connected) {
    return guard.refusal(m.host, connected);
  }

  /** How long a member's resolved name is reused before it is resolved (and checked) again. */
  static final long RESOLVED_TTL_NANOS = 5_000_000_000L;

  /**
   * The request options for {@code uri} on {@code m} connecting to the checked address
   * {@code server} ({@link #target}): address, TLS, SNI override and timeouts.
   */
  public RequestOptions requestOptions(Member m, SocketAddress server, HttpMethod method, String uri) {
    RequestOptions o = new RequestOptions()
        .setMethod(method)
        .setHost(m.host)
        .setPort(m.port)
        .setServer(server)
        .setSsl(m.ssl)
        .setURI(uri)
        .setConnectTimeout(connectMillis)
        .setIdleTimeout(Math.min(idleMillis, responseMillis));
    if (m.ssl) {
      o.setSslOptions(ssl);
      String sni = def.tls() == null ? null : def.tls().serverName();
      if (sni != null) {
        o.setHost(sni);
      }
    }
    return o;
  }

  /** A read-only view of this upstream's state. */
  public synchronized BackendStatus status() {
    long now = System.nanoTime();
    java.time.Instant wall = java.time.Instant.now();
    List<BackendStatus.MemberStatus> out = new ArrayList<>();
    for (Member m : members) {
      long left = m.ejectedUntilNanos - now;
      out.add(new BackendStatus.MemberStatus(m.url, m.weight, m.priority, m.healthy, left > 0,
          left > 0 ? wall.plusNanos(left) : null, m.outstanding));
    }
    long learned = learnedIdleMillis;
    Long idleClose = learned == Long.MAX_VALUE ? null : learned;
    if (breaker == null) {
      return new BackendStatus(name, "NONE", null, null, 0, out, idleClose);
    }
    String state = breaker.state().name();
    int[] c = breaker.counts();
    return new BackendStatus(name, state, c[0] == 0 ? 0.0 : 100.0 * c[1] / c[0], c[0] == 0 ? 0.0 : 100.0 * c[2] / c[0],
        c[0], out, idleClose);
  }
}
