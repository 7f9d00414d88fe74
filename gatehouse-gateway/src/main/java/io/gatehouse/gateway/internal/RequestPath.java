package io.gatehouse.gateway.internal;

/**
 * The path of one request, checked and normalized once: routing, operation matching, policies and
 * forwarding all read {@link #value()}, so what is matched is exactly what the backend receives.
 *
 * <p>Refused (the request gets 400): anything but visible ASCII, a raw or encoded backslash
 * ({@code \}, {@code %5C}), a fragment ({@code #}), malformed or NUL percent-encoding, a
 * double-encoded dot, slash or backslash ({@code %252E}, {@code %252F}, {@code %255C}), an empty
 * segment ({@code //}, except a final {@code /}), and any segment that is {@code .} or {@code ..}
 * once percent-decoded and stripped of {@code ;} parameters ({@code ..;x}, {@code %2e%2E},
 * {@code .%2e}), with {@code /} and {@code %2F} both counting as separators. An encoded slash
 * ({@code %2F}) is recorded in {@link #encodedSlash()}; the routed API decides whether to allow it.
 *
 * <p>Normalized (RFC 3986 §6.2.2): percent-encoded unreserved characters are decoded
 * ({@code %61dmin} is {@code admin}) and the remaining escapes are written in upper case. A
 * {@code %25} stays a literal percent sign.
 *
 * @param value the normalized path, starting with {@code /}; {@code null} when refused
 * @param encodedSlash whether {@link #value()} contains {@code %2F}
 * @param refusal why the path is refused, for the problem's detail; {@code null} when accepted
 */
record RequestPath(String value, boolean encodedSlash, String refusal) {
  private static final char[] HEX = "0123456789ABCDEF".toCharArray();

  /** Checks and normalizes {@code raw}, a request's path without its query, as received. */
  static RequestPath of(String raw) {
    if (raw == null || raw.isEmpty() || raw.charAt(0) != '/') {
      return refused("the request target must be an absolute path");
    }
    int len = raw.length();
    StringBuilder out = null; // allocated at the first escape that normalization changes
    boolean encodedSlash = false;
    for (int i = 0; i < len; i++) {
      char c = raw.charAt(i);
      if (c <= ' ' || c >= 0x7F) {
        return refused("the path must be visible ASCII");
      }
      if (c == '\\') {
        return refused("the path must not contain '\\'");
      }
      if (c == '#') {
        return refused("the path must not contain a fragment ('#')");
      }
      if (c != '%') {
        if (out != null) {
          out.append(c);
        }
        continue;
      }
      int hi = i + 2 < len ? Character.digit(raw.charAt(i + 1), 16) : -1;
      int lo = hi < 0 ? -1 : Character.digit(raw.charAt(i + 2), 16);
      if (lo < 0) {
        return refused("the path has a '%' that is not followed by two hex digits");
      }
      int v = hi * 16 + lo;
      if (v == 0) {
        return refused("the path must not contain %00");
      }
      if (v == '\\') {
        return refused("the path must not contain an encoded '\\' (%5C)");
      }
      if (v == '%' && isDoubleEncodedSeparator(raw, i + 3)) {
        return refused("the path must not contain a double-encoded '.', '/' or '\\' (%252E, %252F, %255C)");
      }
      if (v == '/') {
        encodedSlash = true;
      }
      boolean decode = isUnreserved(v);
      boolean upper = raw.charAt(i + 1) == HEX[hi] && raw.charAt(i + 2) == HEX[lo];
      if (out == null && (decode || !upper)) {
        out = new StringBuilder(len).append(raw, 0, i);
      }
      if (out != null) {
        if (decode) {
          out.append((char) v);
        } else {
          out.append('%').append(HEX[hi]).append(HEX[lo]);
        }
      }
      i += 2;
    }
    String path = out == null ? raw : out.toString();
    String dots = dotOrEmptySegment(path);
    return dots != null ? refused(dots) : new RequestPath(path, encodedSlash, null);
  }

  /** Whether the path was refused. */
  boolean isRefused() {
    return refusal != null;
  }

  private static RequestPath refused(String why) {
    return new RequestPath(null, false, why);
  }

  private static boolean isUnreserved(int c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
        || c == '-' || c == '.' || c == '_' || c == '~';
  }

  /** Whether {@code raw} at {@code at} holds {@code 2E}, {@code 2F} or {@code 5C} (any case). */
  private static boolean isDoubleEncodedSeparator(String raw, int at) {
    if (at + 1 >= raw.length()) {
      return false;
    }
    char a = raw.charAt(at);
    char b = Character.toUpperCase(raw.charAt(at + 1));
    return (a == '2' && (b == 'E' || b == 'F')) || (a == '5' && b == 'C');
  }

  /**
   * Why {@code path} (normalized: escapes of unreserved characters decoded, others upper case) has
   * a dot or empty segment, or {@code null}. Segments end at {@code /} and at {@code %2F}; a
   * segment's {@code ;} parameters are ignored.
   */
  private static String dotOrEmptySegment(String path) {
    int len = path.length();
    int start = 1;
    while (start <= len) {
      int end = start;
      while (end < len && path.charAt(end) != '/' && !path.startsWith("%2F", end)) {
        end++;
      }
      int paramsAt = path.indexOf(';', start);
      int nameEnd = paramsAt >= 0 && paramsAt < end ? paramsAt : end;
      int n = nameEnd - start;
      if (n == 1 && path.charAt(start) == '.' || n == 2 && path.charAt(start) == '.' && path.charAt(start + 1) == '.') {
        return "the path must not contain '.' or '..' segments (also encoded or with ';' parameters)";
      }
      if (end == start && end < len) {
        return "the path must not contain empty segments ('//')";
      }
      if (end == len) {
        break;
      }
      start = end + (path.charAt(end) == '/' ? 1 : 3);
    }
    return null;
  }
}
