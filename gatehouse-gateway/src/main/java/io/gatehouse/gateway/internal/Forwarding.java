package io.gatehouse.gateway.internal;

import io.vertx.core.MultiMap;
import java.util.concurrent.ThreadLocalRandom;

/** Header rules for forwarding: hop-by-hop fields, request ids and forwarding headers. */
final class Forwarding {
  /**
   * Hop-by-hop fields (RFC 9110 §7.6.1) plus fields the gateway consumes itself: connection,
   * keep-alive, proxy-connection, te, trailer, transfer-encoding, upgrade, proxy-authenticate,
   * proxy-authorization, expect, host, http2-settings. See {@link #isHopByHop}.
   */
  private static final char[] HEX = "0123456789abcdef".toCharArray();

  private Forwarding() {}

  /**
   * Whether {@code name} (any case) must not be forwarded, including names listed in Connection;
   * decided by length first, without allocating (this runs for every header of every request).
   */
  static boolean isHopByHop(String name, String connectionHeader) {
    if (isFixedHopByHop(name)) {
      return true;
    }
    if (connectionHeader == null) {
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

  /** Returns a valid incoming request id, or a new random 128-bit one. */
  static String requestId(MultiMap headers) {
    String given = headers.get("X-Request-Id");
    if (given != null && given.length() <= 128 && !given.isEmpty() && isIdSafe(given)) {
      return given;
    }
    ThreadLocalRandom r = ThreadLocalRandom.current();
    char[] out = new char[32];
    long a = r.nextLong();
    long b = r.nextLong();
    for (int i = 0; i < 16; i++) {
      out[i] = HEX[(int) (a >>> (60 - 4 * i)) & 0xF];
      out[16 + i] = HEX[(int) (b >>> (60 - 4 * i)) & 0xF];
    }
    return new String(out);
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

  /** Whether {@code path} contains a {@code .} or {@code ..} segment, plain or percent-encoded. */
  static boolean hasDotSegment(String path) {
    int len = path.length();
    int start = 0;
    while (start <= len) {
      int end = path.indexOf('/', start);
      if (end < 0) {
        end = len;
      }
      if (isDots(path, start, end)) {
        return true;
      }
      start = end + 1;
    }
    return false;
  }

  private static boolean isDots(String path, int start, int end) {
    int dots = 0;
    int i = start;
    while (i < end) {
      if (path.charAt(i) == '.') {
        dots++;
        i++;
      } else if (path.charAt(i) == '%' && i + 2 < end && path.charAt(i + 1) == '2'
          && (path.charAt(i + 2) == 'e' || path.charAt(i + 2) == 'E')) {
        dots++;
        i += 3;
      } else {
        return false;
      }
    }
    return dots == 1 || dots == 2;
  }
}
