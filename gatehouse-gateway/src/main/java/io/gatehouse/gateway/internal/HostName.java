package io.gatehouse.gateway.internal;

import io.netty.util.NetUtil;
import java.util.Locale;

/**
 * A request's host, validated and normalized once before routing: lower case, one trailing dot
 * removed, port separated; {@link #parse} returns {@code null} for anything that is not a DNS-style
 * name, an IPv4 address or a bracketed IPv6 literal with an optional port.
 *
 * <p>Stricter than RFC 3986's reg-name on purpose: percent-encoding and sub-delims ({@code ,},
 * {@code ;}, {@code !} ...) are refused, since no DNS name contains them and backends read them in
 * different ways.
 *
 * @param host the host in lower case, without a trailing dot; IPv6 literals keep their brackets
 * @param port the port, or -1 when none was given
 */
record HostName(String host, int port) {
  /** Longest host name accepted (RFC 1035 §2.3.4: 253 characters without the trailing dot). */
  static final int MAX_LENGTH = 253;

  /** The host and port as sent on in {@code X-Forwarded-Host} and {@code Forwarded: host=}. */
  String authority() {
    return port < 0 ? host : host + ":" + port;
  }

  /**
   * Parses an authority ({@code host[:port]}, as in a Host field or an absolute URI): the
   * normalized host, or {@code null} when it is malformed. An empty authority is malformed too;
   * callers treat an absent Host separately.
   */
  static HostName parse(String authority) {
    if (authority == null || authority.isEmpty() || authority.length() > MAX_LENGTH + 8) {
      return null;
    }
    String host;
    int portAt; // index of the first port digit, or -1 without a port
    if (authority.charAt(0) == '[') {
      int close = authority.indexOf(']');
      if (close < 0) {
        return null;
      }
      String literal = authority.substring(1, close);
      // zone ids (%25...) and IPvFuture (v1.x) are not accepted in a request's authority
      if (literal.indexOf('%') >= 0 || !NetUtil.isValidIpV6Address(literal)) {
        return null;
      }
      host = "[" + literal.toLowerCase(Locale.ROOT) + "]";
      if (close + 1 == authority.length()) {
        portAt = -1;
      } else if (authority.charAt(close + 1) == ':') {
        portAt = close + 2;
      } else {
        return null;
      }
    } else {
      int colon = authority.indexOf(':');
      if (colon >= 0 && authority.indexOf(':', colon + 1) >= 0) {
        return null; // an IPv6 address without brackets, or garbage
      }
      host = colon < 0 ? authority : authority.substring(0, colon);
      portAt = colon < 0 ? -1 : colon + 1;
      if (host.endsWith(".")) {
        host = host.substring(0, host.length() - 1);
      }
      if (!isDnsName(host)) {
        return null;
      }
      host = host.toLowerCase(Locale.ROOT);
    }
    int port = -1;
    int len = authority.length();
    if (portAt >= 0 && portAt < len) {
      if (len - portAt > 5) {
        return null;
      }
      port = 0;
      for (int i = portAt; i < len; i++) {
        char c = authority.charAt(i);
        if (c < '0' || c > '9') {
          return null;
        }
        port = port * 10 + (c - '0');
      }
      if (port > 65535) {
        return null;
      }
    }
    return new HostName(host, port);
  }

  /**
   * Normalizes a host name from the configuration ({@code hosts} of an API) the way requests are
   * normalized; returns it unchanged (to be reported by validation) when it does not parse.
   */
  static String normalizeConfigured(String host) {
    HostName h = parse(host);
    return h == null ? host.toLowerCase(Locale.ROOT) : h.host();
  }

  /** Dot-separated labels of letters, digits, {@code -} and {@code _}, none empty. */
  private static boolean isDnsName(String s) {
    int len = s.length();
    if (len == 0 || len > MAX_LENGTH) {
      return false;
    }
    int label = 0;
    for (int i = 0; i < len; i++) {
      char c = s.charAt(i);
      if (c == '.') {
        if (label == 0) {
          return false;
        }
        label = 0;
        continue;
      }
      boolean ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
          || c == '-' || c == '_';
      if (!ok || ++label > 63) {
        return false;
      }
    }
    return label > 0;
  }
}
