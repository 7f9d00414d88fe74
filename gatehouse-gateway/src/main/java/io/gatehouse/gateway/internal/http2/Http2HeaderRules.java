package io.gatehouse.gateway.internal.http2;

import io.netty.handler.codec.http2.Http2Headers;
import java.util.Map;

/**
 * Checks a decoded HTTP/2 request header section or trailer section against RFC 9113 §8.2 and §8.3
 * and the gateway's own rules, returning the first rule broken or {@code null} when it is valid.
 *
 * <p>Pure functions, safe from any thread. One pass over the fields, no allocation unless a rule is
 * broken. Details name the offending field but never repeat a regular field's value (it may be a
 * credential).
 */
public final class Http2HeaderRules {
  private static final boolean[] TCHAR_LOWER = new boolean[128];

  static {
    for (int c = '0'; c <= '9'; c++) {
      TCHAR_LOWER[c] = true;
    }
    for (int c = 'a'; c <= 'z'; c++) {
      TCHAR_LOWER[c] = true;
    }
    for (char c : "!#$%&'*+-.^_`|~".toCharArray()) {
      TCHAR_LOWER[c] = true;
    }
  }

  private Http2HeaderRules() {}

  /** The first rule the request header section {@code headers} breaks, or {@code null}. */
  public static Http2Rejection checkRequest(Http2Headers headers) {
    CharSequence method = null;
    CharSequence scheme = null;
    CharSequence path = null;
    CharSequence authority = null;
    int hosts = 0;
    boolean contentLength = false;
    for (Map.Entry<CharSequence, CharSequence> field : headers) {
      CharSequence name = field.getKey();
      CharSequence value = field.getValue();
      if (name.length() > 0 && name.charAt(0) == ':') {
        if (eq(name, ":method")) {
          if (method != null) {
            return duplicate(name);
          }
          method = value;
        } else if (eq(name, ":scheme")) {
          if (scheme != null) {
            return duplicate(name);
          }
          scheme = value;
        } else if (eq(name, ":path")) {
          if (path != null) {
            return duplicate(name);
          }
          path = value;
        } else if (eq(name, ":authority")) {
          if (authority != null) {
            return duplicate(name);
          }
          authority = value;
        } else {
          return new Http2Rejection(Http2Violation.PSEUDO_HEADER,
              "unknown pseudo-header '" + printable(name) + "'; expected :method, :scheme, :path, :authority");
        }
        continue;
      }
      Http2Rejection bad = checkField(name, value, false);
      if (bad != null) {
        return bad;
      }
      if (eq(name, "host")) {
        hosts++;
      } else if (eq(name, "content-length")) {
        if (contentLength) {
          return new Http2Rejection(Http2Violation.CONTENT_LENGTH, "more than one content-length field");
        }
        contentLength = true;
        if (!isContentLength(value)) {
          return new Http2Rejection(Http2Violation.CONTENT_LENGTH, "content-length is not 1 to 18 digits");
        }
      }
    }
    if (method == null) {
      return missing(":method");
    }
    if (!isToken(method)) {
      return new Http2Rejection(Http2Violation.METHOD, ":method is not a token");
    }
    if (eq(method, "CONNECT")) {
      return new Http2Rejection(Http2Violation.CONNECT_METHOD, "CONNECT is not supported: the gateway is not a forward proxy");
    }
    if (scheme == null) {
      return missing(":scheme");
    }
    if (!eq(scheme, "https") && !eq(scheme, "http")) {
      return new Http2Rejection(Http2Violation.SCHEME, ":scheme must be http or https");
    }
    if (path == null) {
      return missing(":path");
    }
    Http2Rejection badPath = checkPath(path, method);
    if (badPath != null) {
      return badPath;
    }
    if (authority != null && !isAuthority(authority)) {
      return new Http2Rejection(Http2Violation.AUTHORITY,
          ":authority must be non-empty visible ASCII without userinfo");
    }
    if (hosts > 1) {
      return new Http2Rejection(Http2Violation.DUPLICATE_HOST, "more than one host field (" + hosts + ")");
    }
    return null;
  }

  /** The first rule the trailer section {@code trailers} breaks, or {@code null}. */
  public static Http2Rejection checkTrailers(Http2Headers trailers) {
    for (Map.Entry<CharSequence, CharSequence> field : trailers) {
      CharSequence name = field.getKey();
      if (name.length() > 0 && name.charAt(0) == ':') {
        return new Http2Rejection(Http2Violation.PSEUDO_HEADER,
            "pseudo-header '" + printable(name) + "' in a trailer section");
      }
      Http2Rejection bad = checkField(name, field.getValue(), true);
      if (bad != null) {
        return bad;
      }
    }
    return null;
  }

  private static Http2Rejection checkField(CharSequence name, CharSequence value, boolean trailer) {
    int n = name.length();
    if (n == 0) {
      return new Http2Rejection(Http2Violation.FIELD_NAME, "empty field name");
    }
    for (int i = 0; i < n; i++) {
      char c = name.charAt(i);
      if (c >= 128 || !TCHAR_LOWER[c]) {
        return new Http2Rejection(Http2Violation.FIELD_NAME, "field name '" + printable(name)
            + "' has character 0x" + Integer.toHexString(c) + " at " + i + "; expected lower-case token characters");
      }
    }
    int len = value.length();
    if (len > 0) {
      char first = value.charAt(0);
      char last = value.charAt(len - 1);
      if (first == ' ' || first == '\t' || last == ' ' || last == '\t') {
        return new Http2Rejection(Http2Violation.FIELD_VALUE,
            "value of '" + printable(name) + "' starts or ends with whitespace");
      }
      for (int i = 0; i < len; i++) {
        char c = value.charAt(i);
        if (c == 0 || c == '\r' || c == '\n') {
          return new Http2Rejection(Http2Violation.FIELD_VALUE,
              "value of '" + printable(name) + "' has NUL, CR or LF at " + i);
        }
      }
    }
    switch (n) {
      case 2:
        if (eq(name, "te") && !eq(value, "trailers")) {
          return connectionSpecific(name);
        }
        break;
      case 4:
        if (trailer && eq(name, "host")) {
          return new Http2Rejection(Http2Violation.CONTENT_LENGTH, "host in a trailer section");
        }
        break;
      case 7:
        if (eq(name, "upgrade")) {
          return connectionSpecific(name);
        }
        break;
      case 10:
        if (eq(name, "connection") || eq(name, "keep-alive")) {
          return connectionSpecific(name);
        }
        break;
      case 14:
        if (trailer && eq(name, "content-length")) {
          return new Http2Rejection(Http2Violation.CONTENT_LENGTH, "content-length in a trailer section");
        }
        break;
      case 16:
        if (eq(name, "proxy-connection")) {
          return connectionSpecific(name);
        }
        break;
      case 17:
        if (eq(name, "transfer-encoding")) {
          return connectionSpecific(name);
        }
        break;
      default:
        break;
    }
    return null;
  }

  private static Http2Rejection checkPath(CharSequence path, CharSequence method) {
    int n = path.length();
    if (n == 0) {
      return new Http2Rejection(Http2Violation.PATH, ":path is empty");
    }
    if (n == 1 && path.charAt(0) == '*') {
      return eq(method, "OPTIONS") ? null
          : new Http2Rejection(Http2Violation.PATH, ":path '*' is allowed only for OPTIONS");
    }
    if (path.charAt(0) != '/') {
      return new Http2Rejection(Http2Violation.PATH, ":path must be origin-form (start with '/') or '*'");
    }
    for (int i = 1; i < n; i++) {
      char c = path.charAt(i);
      if (c < 0x21 || c > 0x7E) {
        return new Http2Rejection(Http2Violation.PATH,
            ":path has byte 0x" + Integer.toHexString(c) + " at " + i + "; expected 0x21-0x7E");
      }
    }
    return null;
  }

  private static boolean isAuthority(CharSequence authority) {
    int n = authority.length();
    if (n == 0) {
      return false;
    }
    for (int i = 0; i < n; i++) {
      char c = authority.charAt(i);
      if (c < 0x21 || c > 0x7E || c == '@' || c == '/' || c == '?' || c == '#') {
        return false;
      }
    }
    return true;
  }

  private static boolean isToken(CharSequence s) {
    int n = s.length();
    if (n == 0) {
      return false;
    }
    for (int i = 0; i < n; i++) {
      char c = s.charAt(i);
      if (c >= 'A' && c <= 'Z') {
        continue;
      }
      if (c >= 128 || !TCHAR_LOWER[c]) {
        return false;
      }
    }
    return true;
  }

  private static boolean isContentLength(CharSequence s) {
    int n = s.length();
    if (n == 0 || n > 18) {
      return false;
    }
    for (int i = 0; i < n; i++) {
      char c = s.charAt(i);
      if (c < '0' || c > '9') {
        return false;
      }
    }
    return true;
  }

  private static boolean eq(CharSequence a, String b) {
    int n = b.length();
    if (a.length() != n) {
      return false;
    }
    for (int i = 0; i < n; i++) {
      if (a.charAt(i) != b.charAt(i)) {
        return false;
      }
    }
    return true;
  }

  private static Http2Rejection duplicate(CharSequence name) {
    return new Http2Rejection(Http2Violation.PSEUDO_HEADER, "pseudo-header " + name + " appears more than once");
  }

  private static Http2Rejection missing(String name) {
    return new Http2Rejection(Http2Violation.PSEUDO_HEADER, "pseudo-header " + name + " is missing");
  }

  private static Http2Rejection connectionSpecific(CharSequence name) {
    return new Http2Rejection(Http2Violation.CONNECTION_HEADER,
        "connection-specific field '" + name + "' is not allowed in HTTP/2 (te only as 'trailers')");
  }

  /** The name with non-printable characters escaped, at most 64 characters, for messages. */
  private static String printable(CharSequence name) {
    StringBuilder b = new StringBuilder();
    for (int i = 0; i < name.length() && i < 64; i++) {
      char c = name.charAt(i);
      if (c >= 0x20 && c < 0x7F) {
        b.append(c);
      } else {
        b.append(String.format("\\x%02x", (int) c));
      }
    }
    return b.toString();
  }
}
