package io.gatehouse.gateway.internal.jwt;

import static java.util.Objects.requireNonNull;

import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.util.JSONObjectUtils;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.URI;
import io.gatehouse.gateway.internal.outbound.OutboundGuard;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.text.ParseException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Flow;
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A {@link KeySource} that fetches a JWK Set over HTTP(S), directly or through OIDC discovery,
 * without ever blocking the caller.
 *
 * <p>Keys are cached and refreshed in the background once older than the refresh interval; a
 * failed fetch keeps the last good keys; concurrent fetches coalesce into one (single flight); and
 * no fetch starts less than {@code minRefetchInterval} after the previous one started, so a flood
 * of tokens with unknown {@code kid}s costs at most one fetch per interval. Futures complete on
 * the {@link HttpClient}'s executor. Thread-safe.
 */
final class RemoteKeySource implements KeySource {
  private static final Logger log = LoggerFactory.getLogger(RemoteKeySource.class);

  private record Cached(Keys keys, Instant fetchedAt) {}

  private final HttpClient http;
  private final OutboundGuard guard;
  private final URI jwksUrl;
  private final URI discoveryUrl;
  private final Duration timeout;
  private final int maxBytes;
  private final Duration refreshInterval;
  private final Duration minRefetchInterval;
  private final Clock clock;

  private final AtomicReference<Cached> cached = new AtomicReference<>();
  private final AtomicReference<CompletableFuture<Keys>> inflight = new AtomicReference<>();
  private volatile Instant lastFetchStart;
  /** Result of discovery: jwks_uri and issuer; null until discovery succeeded. */
  private volatile Map.Entry<URI, String> discovered;

  RemoteKeySource(
      HttpClient http,
      OutboundGuard guard,
      URI jwksUrl,
      URI discoveryUrl,
      Duration timeout,
      int maxBytes,
      Duration refreshInterval,
      Duration minRefetchInterval,
      Clock clock) {
    this.http = requireNonNull(http, "http");
    this.guard = requireNonNull(guard, "guard");
    if ((jwksUrl == null) == (discoveryUrl == null)) {
      throw new IllegalArgumentException("exactly one of jwksUrl, discoveryUrl expected");
    }
    this.jwksUrl = jwksUrl;
    this.discoveryUrl = discoveryUrl;
    this.timeout = requireNonNull(timeout, "timeout");
    this.maxBytes = maxBytes;
    this.refreshInterval = requireNonNull(refreshInterval, "refreshInterval");
    this.minRefetchInterval = requireNonNull(minRefetchInterval, "minRefetchInterval");
    this.clock = requireNonNull(clock, "clock");
  }

  @Override
  public Keys current() {
    Cached c = cached.get();
    if (c == null) {
      return null;
    }
    if (!within(clock.instant(), c.fetchedAt(), refreshInterval)) {
      fetchIfAllowed(); // background refresh; the caller keeps using the cached keys
    }
    return c.keys();
  }

  @Override
  public CompletionStage<Keys> load() {
    Cached c = cached.get();
    if (c != null) {
      return CompletableFuture.completedFuture(c.keys());
    }
    CompletableFuture<Keys> f = fetchIfAllowed();
    if (f != null) {
      return f;
    }
    return CompletableFuture.failedFuture(
        new IOException("no keys yet and the last fetch failed less than " + minRefetchInterval + " ago"));
  }

  @Override
  public CompletionStage<Keys> refetch() {
    CompletableFuture<Keys> f = fetchIfAllowed();
    if (f != null) {
      return f;
    }
    return load();
  }

  /**
   * Whether {@code now} lies in {@code [since, since + interval)}. A clock that jumped back before
   * {@code since} counts as the interval having passed, so that a backward jump cannot postpone
   * refreshes and refetches by the size of the jump.
   */
  private static boolean within(Instant now, Instant since, Duration interval) {
    return !now.isBefore(since) && now.isBefore(since.plus(interval));
  }

  /** Joins the fetch in flight, or starts one when the rate limit allows; else returns null. */
  private CompletableFuture<Keys> fetchIfAllowed() {
    CompletableFuture<Keys> running = inflight.get();
    if (running != null) {
      return running;
    }
    Instant now = clock.instant();
    Instant last = lastFetchStart;
    if (last != null && within(now, last, minRefetchInterval)) {
      return null;
    }
    CompletableFuture<Keys> mine = new CompletableFuture<>();
    CompletableFuture<Keys> other = inflight.compareAndExchange(null, mine);
    if (other != null) {
      return other;
    }
    // Re-check under ownership: another thread may have finished a fetch just now.
    Instant lastAgain = lastFetchStart;
    if (lastAgain != null && within(now, lastAgain, minRefetchInterval)) {
      inflight.set(null);
      Cached c = cached.get();
      if (c != null) {
        mine.complete(c.keys());
      } else {
        mine.completeExceptionally(new IOException("no keys available"));
      }
      return mine;
    }
    lastFetchStart = now;
    fetchKeys().whenComplete((keys, error) -> {
      if (error == null) {
        cached.set(new Cached(keys, clock.instant()));
        inflight.set(null);
        mine.complete(keys);
        return;
      }
      Cached c = cached.get();
      log.warn("Key fetch from {} failed{}: {}", discoveryUrl != null ? discoveryUrl : jwksUrl,
          c != null ? ", keeping the last good keys" : "", error.toString());
      inflight.set(null);
      if (c != null) {
        mine.complete(c.keys());
      } else {
        mine.completeExceptionally(error);
      }
    });
    return mine;
  }

  private CompletableFuture<Keys> fetchKeys() {
    if (discoveryUrl == null) {
      return fetchJwks(jwksUrl, null);
    }
    Map.Entry<URI, String> d = discovered;
    if (d != null) {
      return fetchJwks(d.getKey(), d.getValue());
    }
    return get(discoveryUrl).thenCompose(body -> {
      Map.Entry<URI, String> result = parseDiscovery(body);
      discovered = result;
      return fetchJwks(result.getKey(), result.getValue());
    });
  }

  private Map.Entry<URI, String> parseDiscovery(String body) {
    try {
      Map<String, Object> doc = JSONObjectUtils.parse(body);
      String jwksUri = JSONObjectUtils.getString(doc, "jwks_uri");
      String issuer = JSONObjectUtils.getString(doc, "issuer");
      if (jwksUri == null) {
        throw new IllegalStateException("discovery document " + discoveryUrl + " has no jwks_uri");
      }
      URI uri = URI.create(jwksUri);
      String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
      if (!scheme.equals("https") && !scheme.equals("http")) {
        throw new IllegalStateException("jwks_uri: expected an http(s) URL, got '" + jwksUri + "'");
      }
      return Map.entry(uri, issuer == null ? "" : issuer);
    } catch (ParseException e) {
      throw new IllegalStateException("discovery document " + discoveryUrl + " is not a JSON object: " + e.getMessage(), e);
    }
  }

  private CompletableFuture<Keys> fetchJwks(URI uri, String issuer) {
    return get(uri).thenApply(body -> {
      try {
        JWKSet set = JWKSet.parse(body);
        KeyRing ring = KeyRing.of(set, false);
        log.debug("Fetched {} from {}", ring, uri);
        return new Keys(ring, issuer == null || issuer.isEmpty() ? null : issuer);
      } catch (ParseException e) {
        throw new IllegalStateException("JWKS from " + uri + " is not a JWK Set: " + e.getMessage(), e);
      }
    });
  }

  private CompletableFuture<String> get(URI uri) {
    HttpRequest request = HttpRequest.newBuilder(uri)
        .timeout(timeout)
        .header("Accept", "application/json")
        .GET()
        .build();
    // Resolve and check first: the client then resolves the name again from the JVM's cache.
    int port = uri.getPort() > 0 ? uri.getPort() : "https".equalsIgnoreCase(uri.getScheme()) ? 443 : 80;
    return CompletableFuture.supplyAsync(() -> {
          try {
            return guard.resolveBlocking(uri.getHost(), port);
          } catch (java.net.UnknownHostException e) {
            throw new java.util.concurrent.CompletionException(e);
          }
        })
        .thenCompose(checked -> http.sendAsync(request, info -> new LimitedBodySubscriber(maxBytes)))
        .thenApply(response -> {
          if (response.statusCode() != 200) {
            throw new IllegalStateException("GET " + uri + " answered " + response.statusCode() + ", expected 200");
          }
          return new String(response.body(), StandardCharsets.UTF_8);
        });
  }

  /** Collects a response body of at most {@code max} bytes, failing (and cancelling) beyond. */
  static final class LimitedBodySubscriber implements HttpResponse.BodySubscriber<byte[]> {
    private final int max;
    private final ByteArrayOutputStream buffer = new ByteArrayOutputStream();
    private final CompletableFuture<byte[]> result = new CompletableFuture<>();
    private Flow.Subscription subscription;

    LimitedBodySubscriber(int max) {
      this.max = max;
    }

    @Override
    public CompletionStage<byte[]> getBody() {
      return result;
    }

    @Override
    public void onSubscribe(Flow.Subscription s) {
      this.subscription = s;
      s.request(Long.MAX_VALUE);
    }

    @Override
    public void onNext(List<ByteBuffer> items) {
      if (result.isDone()) {
        return;
      }
      for (ByteBuffer b : items) {
        if (buffer.size() + b.remaining() > max) {
          subscription.cancel();
          result.completeExceptionally(new IOException("response body exceeds " + max + " bytes"));
          return;
        }
        byte[] chunk = new byte[b.remaining()];
        b.get(chunk);
        buffer.write(chunk, 0, chunk.length);
      }
    }

    @Override
    public void onError(Throwable t) {
      result.completeExceptionally(t);
    }

    @Override
    public void onComplete() {
      result.complete(buffer.toByteArray());
    }
  }
}
