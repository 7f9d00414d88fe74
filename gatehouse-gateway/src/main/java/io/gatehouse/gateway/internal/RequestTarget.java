package io.gatehouse.gateway.internal;

import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpVersion;
import io.vertx.core.net.HostAndPort;

/**
 * Where a request is aimed, as received: the raw path ({@code null} when the target is neither
 * origin-form nor an http(s) absolute URI without user-info) and the authority that decides the
 * host: an absolute-form target's (it wins over Host, RFC 9112 §3.2.2), else HTTP/1.x's Host field
 * as received or HTTP/2's {@code :authority}. {@link RequestPath} and {@link HostName} check them.
 *
 * @param rawPath the path without query, not yet checked, or {@code null}
 * @param authority the authority, or {@code null} when the request names none
 */
record RequestTarget(String rawPath, String authority) {

  /** Reads the target of {@code req}. */
  static RequestTarget of(HttpServerRequest req) {
    String uri = req.uri();
    if (uri != null && !uri.startsWith("/") && req.version() != HttpVersion.HTTP_2) {
      String authority = absoluteAuthority(uri);
      return new RequestTarget(authority == null ? null : absolutePath(uri, authority), authority);
    }
    return new RequestTarget(rawPath(uri), requestAuthority(req));
  }

  /** The path of an origin-form target: up to the query. */
  private static String rawPath(String uri) {
    if (uri == null) {
      return null;
    }
    int q = uri.indexOf('?');
    return q < 0 ? uri : uri.substring(0, q);
  }

  /**
   * The authority of an absolute-form target ({@code http://host[:port]/path}, RFC 9112 §3.2.2),
   * which wins over the Host field; {@code null} when the target is not an http(s) URI or carries
   * user-info.
   */
  private static String absoluteAuthority(String uri) {
    int from;
    if (uri.regionMatches(true, 0, "http://", 0, 7)) {
      from = 7;
    } else if (uri.regionMatches(true, 0, "https://", 0, 8)) {
      from = 8;
    } else {
      return null;
    }
    int end = from;
    while (end < uri.length() && uri.charAt(end) != '/' && uri.charAt(end) != '?' && uri.charAt(end) != '#') {
      end++;
    }
    String authority = uri.substring(from, end);
    return authority.isEmpty() || authority.indexOf('@') >= 0 ? null : authority;
  }

  /** The path of an absolute-form target whose authority is {@code authority}; {@code /} when empty. */
  private static String absolutePath(String uri, String authority) {
    int start = uri.indexOf("//") + 2 + authority.length();
    String rest = rawPath(uri.substring(start));
    return rest.isEmpty() ? "/" : rest;
  }

  /**
   * The authority the request names: HTTP/1.x's Host field as received (Vert.x's own parse is
   * lenient), HTTP/2's {@code :authority}; {@code null} when there is none.
   */
  private static String requestAuthority(HttpServerRequest req) {
    if (req.version() != HttpVersion.HTTP_2) {
      return req.headers().get(HttpHeaders.HOST);
    }
    HostAndPort authority = req.authority();
    if (authority == null) {
      return req.headers().get(HttpHeaders.HOST);
    }
    return authority.port() < 0 ? authority.host() : authority.host() + ":" + authority.port();
  }
}
