package io.gatehouse.gateway.internal;

import io.vertx.core.MultiMap;

/** Header rules for forwarding: hop-by-hop fields, request ids and forwarding headers. */
final class Forwarding {
  /**
   * Hop-by-hop fields (RFC 9110 §7.6.1) plus fields the gateway consumes itself: connection,
   * keep-alive, proxy-connection, te, trailer, transfer-encoding, upgrade, proxy-authenticate,
   * proxy-authorization, expect, host, http2-settings. See {@link #isHopByHop}.
   */

  private Forwarding() {}

  /**
   * Whether {@code name} (any case) must not be forwarded, including names listed in
   * {@code connectionHeader} (the Connection field of the same message); a Connection list never
   * removes {@code Content-Length}: framing is the gateway's to decide. Decided by length first,
   * without allocating (this runs for every header of every request).
   */
  static boolean isHopByHop(String name, String connectionHeader) {
    return isFixedHopByHop(name) || isNamedByConnection(name, connectionHeader);
  }

  /** Whether {@code connectionHeader} lists {@code name}; never true for {@code Content-Length}. */
  private static boolean isNamedByConnection(String name, String connectionHeader) {
    if (connectionHeader == null || name.equalsIgnoreCase("content-length")) {
      return false;
    }
    int len = connectionHeader.length();
    int start = 0;
    while (start < len) {
      int comma = connectionHeader.indexOf(',', start);
      int end = comma < 0 ? len : comma;
      int a = start;
      int b = end;
      while (a < b && connectionHeader.charAt(a) <= ' ') {
        a++;
      }
      while (b > a && connectionHeader.charAt(b - 1) <= ' ') {
        b--;
      }
      if (b - a == name.length() && connectionHeader.regionMatches(true, a, name, 0, name.length())) {
        return true;
      }
      start = end + 1;
    }
    return false;
  }

  private static boolean isFixedHopByHop(String name) {
    switch (name.length()) {
      case 2:
        return name.equalsIgnoreCase("te");
      case 4:
        return name.equalsIgnoreCase("host");
      case 6:
        return name.equalsIgnoreCase("expect");
      case 7:
        return name.equalsIgnoreCase("trailer") || name.equalsIgnoreCase("upgrade");
      case 10:
        return name.equalsIgnoreCase("connection") || name.equalsIgnoreCase("keep-alive");
      case 14:
        return name.equalsIgnoreCase("http2-settings");
      case 16:
        return name.equalsIgnoreCase("proxy-connection");
      case 17:
        return name.equalsIgnoreCase("transfer-encoding");
      case 18:
        return name.equalsIgnoreCase("proxy-authenticate");
      case 19:
        return name.equalsIgnoreCase("proxy-authorization");
      default:
        return false;
    }
  }

  /**
   * Whether the client's header {@code name} is dropped before policies run and before forwarding:
   * the fields the client's {@code connection} names (never {@code Content-Length}; the fixed
   * hop-by-hop fields policies may still read are dropped by {@link #isGatewayOwned}), the
   * subscription key header ({@code keyHeader}, on every API), names with
   * {@code _} unless {@code underscoresAllowed} (CGI-style backends read {@code X_Forwarded_For}
   * as {@code X-Forwarded-For}), and client-IP fields ({@code X-Real-IP}, {@code True-Client-IP},
   * ...) unless the peer is a trusted proxy.
   */
  static boolean dropsClientHeader(String name, String connection, String keyHeader, boolean trustedPeer,
      boolean underscoresAllowed) {
    return isNamedByConnection(name, connection) || name.equalsIgnoreCase(keyHeader)
        || (!underscoresAllowed && name.indexOf('_') >= 0)
        || (!trustedPeer && isClientIpHeader(name));
  }

  /**
   * Whether {@code name} is a header only the gateway sets on the backend request: the framing field
   * {@code Content-Length}, fixed hop-by-hop fields, and the forwarding fields and request id the
   * gateway writes itself. Dropped from whatever policies left before the gateway adds its own.
   */
  static boolean isGatewayOwned(String name) {
    return isFixedHopByHop(name) || name.equalsIgnoreCase("content-length")
        || name.equalsIgnoreCase("x-forwarded-for") || name.equalsIgnoreCase("x-forwarded-proto")
        || name.equalsIgnoreCase("x-forwarded-host") || name.equalsIgnoreCase("forwarded")
        || name.equalsIgnoreCase("x-request-id");
  }

  /** Headers some backends and CDNs read as the client's address. */
  private static boolean isClientIpHeader(String name) {
    switch (name.length()) {
      case 9:
        return name.equalsIgnoreCase("x-real-ip");
      case 11:
        return name.equalsIgnoreCase("x-client-ip");
      case 14:
        return name.equalsIgnoreCase("true-client-ip");
      case 16:
        return name.equalsIgnoreCase("cf-connecting-ip") || name.equalsIgnoreCase("fastly-client-ip");
      case 19:
        return name.equalsIgnoreCase("x-cluster-client-ip");
      default:
        return false;
    }
  }

  /** Returns a valid incoming request id, or a new random 128-bit one. */
  static String requestId(MultiMap headers) {
    String given = headers.get("X-Request-Id");
    if (given != null && given.length() <= 128 && !given.isEmpty() && isIdSafe(given)) {
      return given;
    }
    return Problems.newRequestId();
  }

  private static boolean isIdSafe(String s) {
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      boolean ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
          || c == '-' || c == '_' || c == '.' || c == ':';
      if (!ok) {
        return false;
      }
    }
    return true;
  }

  /**
   * The client's address: the peer itself, or, when the peer is a trusted proxy, the rightmost
   * address in {@code X-Forwarded-For} that is not a trusted proxy.
   */
  static String clientIp(String peer, String xff, Cidr trusted) {
    if (xff == null || !trusted.contains(peer)) {
      return peer;
    }
    String[] hops = xff.split(",");
    for (int i = hops.length - 1; i >= 0; i--) {
      String hop = hops[i].trim();
      if (!hop.isEmpty() && !trusted.contains(hop)) {
        return hop;
      }
    }
    return hops.length == 0 ? peer : hops[0].trim();
  }

  /** The {@code for=} node of a Forwarded element: IPv6 in brackets and quotes. */
  static String forwardedNode(String ip) {
    return ip.indexOf(':') >= 0 ? "\"[" + ip + "]\"" : ip;
  }
}
