package io.gatehouse.gateway.internal.upstream;

import io.gatehouse.gateway.internal.QueryStrings;
import io.gatehouse.model.BackendDef;
import io.vertx.core.Future;
import io.vertx.core.MultiMap;
import io.vertx.core.Vertx;
import io.vertx.core.http.RequestOptions;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.Base64;

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

  void activate(String backend, Vertx vertx, long timeoutMillis) {
    if (oauth2 != null && tokens == null) {
      tokens = new TokenSource(backend, oauth2, vertx, timeoutMillis, System::nanoTime);
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
