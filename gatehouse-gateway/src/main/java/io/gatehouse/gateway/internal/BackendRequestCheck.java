package io.gatehouse.gateway.internal;

import io.vertx.core.MultiMap;
import java.util.Map;

/**
 * Checks what policies made of a request (header fields, path and query) before it goes to the
 * backend, so that a value copied from client input that HTTP cannot carry (CR, LF, NUL or another
 * control character) is refused with 400 by the gateway instead of failing the backend call, where
 * it would count against a healthy backend.
 */
final class BackendRequestCheck {
  /** Raised (through the forward's failure path) when the request cannot be sent as it is. */
  static final class RefusedException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    RefusedException(String message) {
      super(message, null, false, false);
    }
  }

  private BackendRequestCheck() {}

  /**
   * Why {@code headers} and {@code pathAndQuery} cannot be sent, naming the field but never
   * quoting its value (it may hold a secret); {@code null} when they can.
   */
  static String problem(MultiMap headers, String pathAndQuery) {
    for (Map.Entry<String, String> h : headers) {
      String name = h.getKey();
      if (!isToken(name)) {
        return "a header name produced for the backend is not a valid field name";
      }
      if (!isFieldValue(h.getValue())) {
        return "the value of header '" + name + "' produced for the backend contains a control character";
      }
    }
    for (int i = 0; i < pathAndQuery.length(); i++) {
      char ch = pathAndQuery.charAt(i);
      if (ch <= ' ' || ch == 0x7f) {
        return "the path or query produced for the backend contains a space or a control character";
      }
    }
    return null;
  }

  private static boolean isToken(String name) {
    if (name.isEmpty()) {
      return false;
    }
    for (int i = 0; i < name.length(); i++) {
      char ch = name.charAt(i);
      if (ch <= ' ' || ch >= 0x7f || "\"(),/:;<=>?@[\\]{}".indexOf(ch) >= 0) {
        return false;
      }
    }
    return true;
  }

  private static boolean isFieldValue(String value) {
    for (int i = 0; i < value.length(); i++) {
      char ch = value.charAt(i);
      if ((ch < ' ' && ch != '\t') || ch == 0x7f) {
        return false;
      }
    }
    return true;
  }
}
