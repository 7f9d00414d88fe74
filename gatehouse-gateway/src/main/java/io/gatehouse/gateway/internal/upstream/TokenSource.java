package io.gatehouse.gateway.internal.upstream;

import static java.util.Objects.requireNonNull;

import io.gatehouse.model.BackendDef;
import io.gatehouse.gateway.internal.outbound.OutboundGuard;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.json.JsonObject;
import io.vertx.core.net.ClientSSLOptions;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * An OAuth 2.0 client-credentials token for one backend: fetched on first use, cached, refreshed
 * in the background before it expires and fetched by at most one request at a time (single
 * flight: any number of callers without a token wait for the same fetch). TLS to the token
 * endpoint is always verified (JVM trust store, host name). Thread-safe.
 *
 * <p>A token is refreshed {@code min(30 s, 20 % of expires_in)} before it expires; until it
 * expires, callers keep using the old one while the refresh runs. A token without {@code
 * expires_in} is kept {@value #DEFAULT_LIFETIME_SECONDS} s. After a failed fetch, callers get that
 * failure at once for {@value #FAILURE_HOLD_MILLIS} ms instead of another request to the endpoint
 * (a refresh failure leaves the old token in use until it expires). Neither the secret nor the
 * token is ever logged.
 */
public final class TokenSource {
  private static final Logger LOG = LoggerFactory.getLogger(TokenSource.class);
  static final long DEFAULT_LIFETIME_SECONDS = 300;
  static final long FAILURE_HOLD_MILLIS = 1000;

  /** Why no token could be obtained; the client sees 502 {@code backend-credentials}. */
  public static final class TokenException extends RuntimeException {
    TokenException(String message, Throwable cause) {
      super(message, cause, false, false);
    }
  }

  private record Token(String value, long refreshAt, long expiresAt) {}

  private final String backend;
  private final BackendDef.OAuth2 def;
  private final RequestOptions request;
  private final Buffer body;
  private final LongSupplier clock;
  private final HttpClient http;
  private final OutboundGuard guard;
  private final AtomicLong fetches = new AtomicLong();
  private volatile Token current;
  private Future<String> inflight; // guarded by this
  private final Context context;
  private Future<String> lastFailure; // guarded by this
  private long failedAt; // guarded by this

  /**
   * A source for {@code def} (named values already substituted) of backend {@code backend},
   * fetching through a client of its own on {@code vertx} from addresses {@code guard} allows;
   * {@code clock} gives nanoseconds.
   */
  public TokenSource(String backend, BackendDef.OAuth2 def, Vertx vertx, long timeoutMillis, LongSupplier clock,
      OutboundGuard guard) {
    this.backend = requireNonNull(backend, "backend");
    this.guard = requireNonNull(guard, "guard");
    this.def = requireNonNull(def, "def");
    this.clock = requireNonNull(clock, "clock");
    StringBuilder form = new StringBuilder("grant_type=client_credentials");
    if (def.scope() != null && !def.scope().isBlank()) {
      form.append("&scope=").append(enc(def.scope()));
    }
    if (def.audience() != null && !def.audience().isBlank()) {
      form.append("&audience=").append(enc(def.audience()));
    }
    this.request = new RequestOptions().setMethod(HttpMethod.POST).setAbsoluteURI(def.tokenUrl())
        .setConnectTimeout(timeoutMillis).setIdleTimeout(timeoutMillis)
        .putHeader("Content-Type", "application/x-www-form-urlencoded")
        .putHeader("Accept", "application/json")
        .putHeader("User-Agent", "gatehouse");
    if (def.clientAuthMethod().equals("post")) {
      form.append("&client_id=").append(enc(def.clientId())).append("&client_secret=").append(enc(def.clientSecret()));
    } else { // RFC 6749 section 2.3.1: both parts form-encoded, then base64
      String pair = enc(def.clientId()) + ":" + enc(def.clientSecret());
      request.putHeader("Authorization",
          "Basic " + Base64.getEncoder().encodeToString(pair.getBytes(StandardCharsets.UTF_8)));
    }
    if (def.tokenUrl().regionMatches(true, 0, "https:", 0, 6)) { // chain and host name always verified
      request.setSslOptions(new ClientSSLOptions().setTrustAll(false).setHostnameVerificationAlgorithm("HTTPS"));
    }
    this.body = Buffer.buffer(form.toString());
    this.context = vertx.getOrCreateContext();
    this.http = vertx.createHttpClient(new HttpClientOptions()
        .setKeepAlive(true)
        .setMaxHeaderSize(64 * 1024));
  }

  /**
   * The token if one is valid now, else {@code null} (then call {@link #fetch()}); a token due for
   * refresh is still returned while a background fetch replaces it.
   */
  public String cached() {
    Token t = current;
    if (t == null) {
      return null;
    }
    long now = clock.getAsLong();
    if (now - t.expiresAt >= 0) {
      return null;
    }
    if (now - t.refreshAt >= 0) {
      fetch();
    }
    return t.value;
  }

  /** The valid token, fetching one (or joining the fetch in flight) when there is none. */
  public Future<String> fetch() {
    Promise<String> promise;
    synchronized (this) {
      if (inflight != null) {
        return inflight;
      }
      Token t = current;
      long now = clock.getAsLong();
      if (t != null && now - t.refreshAt < 0) {
        return Future.succeededFuture(t.value);
      }
      if (lastFailure != null && now - failedAt < FAILURE_HOLD_MILLIS * 1_000_000L) {
        return t != null && now - t.expiresAt < 0 ? Future.succeededFuture(t.value) : lastFailure;
      }
      promise = Promise.promise();
      inflight = promise.future();
    }
    fetches.incrementAndGet();
    // The whole exchange runs on this source's context, so that each step's handler is attached
    // before its result can arrive: a handler attached later from another thread would be
    // dispatched to the context after the response body had already gone by.
    context.runOnContext(v -> guard.resolve(request.getHost(), request.getPort())
        .compose(server -> http.request(new RequestOptions(request).setServer(server)))
        .compose(req -> req.send(body))
        .compose(resp -> resp.body().map(b -> parse(resp.statusCode(), b)))
        .onComplete(ar -> {
          if (ar.succeeded()) {
            synchronized (this) {
              inflight = null;
              current = ar.result();
              lastFailure = null;
            }
            promise.complete(ar.result().value);
          } else {
            LOG.warn("backend '{}': token request to {} failed: {}", backend, def.tokenUrl(), ar.cause().getMessage());
            TokenException failure = new TokenException("no access token from " + def.tokenUrl(), ar.cause());
            synchronized (this) {
              inflight = null;
              lastFailure = Future.failedFuture(failure);
              failedAt = clock.getAsLong();
            }
            promise.fail(failure);
          }
        }));
    return promise.future();
  }

  /** Forgets {@code token} when it is the cached one (the backend refused it), so the next call fetches anew. */
  public synchronized void reject(String token) {
    Token t = current;
    if (t != null && t.value.equals(token)) {
      current = null;
    }
  }

  /** Token requests made so far. */
  public long fetches() {
    return fetches.get();
  }

  /** Closes the client. */
  public void close() {
    http.close();
  }

  private Token parse(int status, Buffer b) {
    if (status != 200) {
      JsonObject error = tryJson(b);
      String code = error == null ? null : error.getString("error");
      throw new IllegalStateException("status " + status + (code == null ? "" : " (" + code + ")"));
    }
    JsonObject json = tryJson(b);
    Object token = json == null ? null : json.getValue("access_token");
    if (!(token instanceof String) || ((String) token).isEmpty()) {
      throw new IllegalStateException("expected a JSON object with 'access_token' but got none");
    }
    Object expires = json.getValue("expires_in");
    long seconds = expires instanceof Number ? ((Number) expires).longValue()
        : expires instanceof String ? parseLong((String) expires) : DEFAULT_LIFETIME_SECONDS;
    if (seconds <= 0) {
      seconds = DEFAULT_LIFETIME_SECONDS;
    }
    long lifetime = seconds * 1_000_000_000L;
    long lead = Math.min(30_000_000_000L, lifetime / 5);
    long now = clock.getAsLong();
    return new Token((String) token, now + lifetime - lead, now + lifetime);
  }

  private static long parseLong(String s) {
    try {
      return Long.parseLong(s.trim());
    } catch (NumberFormatException e) {
      return DEFAULT_LIFETIME_SECONDS;
    }
  }

  private static JsonObject tryJson(Buffer b) {
    try {
      return b.length() == 0 ? null : b.toJsonObject();
    } catch (RuntimeException e) {
      return null;
    }
  }

  private static String enc(String s) {
    return URLEncoder.encode(s, StandardCharsets.UTF_8);
  }
}
