package io.gatehouse.gateway.internal.upstream;

import io.gatehouse.gateway.internal.QueryStrings;
import io.gatehouse.model.BackendDef;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.MultiMap;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.http.RequestOptions;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.function.Function;

/**
 * A backend's credentials ready to apply: the basic {@code Authorization} value, the credential
 * header and the encoded query parameter precomputed once, plus the OAuth 2.0 {@link TokenSource}
 * once the backend is active. Apply them to the outgoing request only, never to what traffic
 * events, debug traces or spans record.
 */
public final class BackendCredentials {
  private final String authorization;
  private final String headerName;
  private final String headerValue;
  private final String queryName;
  private final String queryPair;
  private final BackendDef.OAuth2 oauth2;
  private volatile TokenSource tokens;

  BackendCredentials(BackendDef.Credentials c) {
    this.authorization = c.basic() == null ? null : "Basic " + Base64.getEncoder().encodeToString(
        (c.basic().username() + ":" + c.basic().password()).getBytes(StandardCharsets.UTF_8));
    this.headerName = c.header() == null ? null : c.header().name();
    this.headerValue = c.header() == null ? null : c.header().value();
    this.queryName = c.query() == null ? null : c.query().name();
    this.queryPair = c.query() == null ? null : URLEncoder.encode(c.query().name(), StandardCharsets.UTF_8) + "="
        + URLEncoder.encode(c.query().value(), StandardCharsets.UTF_8);
    this.oauth2 = c.oauth2();
  }

  void activate(String backend, Vertx vertx, long timeoutMillis, io.gatehouse.gateway.internal.outbound.OutboundGuard guard) {
    if (oauth2 != null && tokens == null) {
      tokens = new TokenSource(backend, oauth2, vertx, timeoutMillis, System::nanoTime, guard);
    }
  }

  void close() {
    TokenSource t = tokens;
    if (t != null) {
      t.close();
    }
  }

  /** Whether a bearer token must be obtained for each call. */
  public boolean needsToken() {
    return oauth2 != null;
  }

  /** The token source, {@code null} without OAuth 2.0 or before activation. */
  public TokenSource tokens() {
    return tokens;
  }

  /**
   * A cached bearer token, or {@code null} when {@link #token()} must fetch one (always {@code null}
   * without OAuth 2.0).
   */
  public String cachedToken() {
    TokenSource t = tokens;
    return t == null ? null : t.cached();
  }

  /** The bearer token, fetched when none is cached; fails with {@link TokenSource.TokenException}. */
  public Future<String> token() {
    TokenSource t = tokens;
    return t == null ? Future.failedFuture(new TokenSource.TokenException("the backend is not active", null))
        : t.fetch();
  }

  /**
   * Runs {@code send} with these credentials applied to a copy of {@code options}' headers (so the
   * caller's recorded headers never hold them); without a cached token, after the single-flight
   * token fetch, continuing on the caller's context. The token used goes into {@code bearer[0]}
   * when {@code bearer} is not null; a failed fetch fails with a {@link TokenSource.TokenException}.
   */
  public <O extends RequestOptions, T> Future<T> send(O options, Function<O, Future<T>> send, String[] bearer) {
    options.setHeaders(MultiMap.caseInsensitiveMultiMap().addAll(options.getHeaders()));
    String cached = needsToken() ? cachedToken() : null;
    if (!needsToken() || cached != null) {
      if (bearer != null) {
        bearer[0] = cached;
      }
      apply(options, cached);
      return send.apply(options);
    }
    Context ctx = Vertx.currentContext();
    Promise<T> p = Promise.promise();
    token().onComplete(ar -> {
      Runnable go = () -> {
        if (ar.failed()) {
          p.fail(ar.cause());
          return;
        }
        if (bearer != null) {
          bearer[0] = ar.result();
        }
        apply(options, ar.result());
        send.apply(options).onComplete(p);
      };
      if (ctx == null) {
        go.run();
      } else {
        ctx.runOnContext(v -> go.run());
      }
    });
    return p.future();
  }

  /**
   * Adds the static credentials and {@code bearer} (nullable) to {@code options}, whose headers
   * must be a copy owned by this one call.
   */
  public void apply(RequestOptions options, String bearer) {
    MultiMap h = options.getHeaders();
    if (authorization != null) {
      h.set("Authorization", authorization);
    }
    if (bearer != null) {
      h.set("Authorization", "Bearer " + bearer);
    }
    if (headerName != null) {
      h.set(headerName, headerValue);
    }
    if (queryPair != null) {
      options.setURI(withQuery(options.getURI()));
    }
  }

  private String withQuery(String uri) {
    int q = uri.indexOf('?');
    if (q < 0) {
      return uri + "?" + queryPair;
    }
    String rest = QueryStrings.without(uri.substring(q + 1), queryName);
    return uri.substring(0, q) + "?" + (rest == null || rest.isEmpty() ? queryPair : rest + "&" + queryPair);
  }
}
