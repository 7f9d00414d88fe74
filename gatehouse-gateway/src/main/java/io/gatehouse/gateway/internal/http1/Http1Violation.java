package io.gatehouse.gateway.internal.http1;

/**
 * The kind of HTTP/1.1 framing rule a rejected request broke, with the status and problem type the
 * gateway answers.
 */
public enum Http1Violation {
  /** Malformed request line: method, request-target, spacing or protocol name. */
  REQUEST_LINE(400, "malformed-request"),
  /** An HTTP version other than HTTP/1.0 and HTTP/1.1 (including the HTTP/2 preface). */
  UNSUPPORTED_VERSION(505, "http-version-not-supported"),
  /** The CONNECT method: the gateway is not a forward proxy. */
  CONNECT_METHOD(400, "connect-not-supported"),
  /** Malformed header or trailer field line (name, colon, value characters). */
  FIELD_LINE(400, "malformed-request"),
  /** A line starting with whitespace (obs-fold, or whitespace before the first field). */
  OBS_FOLD(400, "malformed-request"),
  /** A CR not followed by LF, or an LF not preceded by CR. */
  BARE_CR_OR_LF(400, "malformed-request"),
  /** The request-target alone makes the request head exceed the configured limit. */
  URI_TOO_LONG(414, "uri-too-long"),
  /** The request head (or trailer section) exceeds the configured limit. */
  HEAD_TOO_LARGE(431, "request-head-too-large"),
  /** A Content-Length that is not a single 1*DIGIT value. */
  CONTENT_LENGTH(400, "malformed-request"),
  /** Transfer-Encoding together with Content-Length. */
  CONTENT_LENGTH_WITH_TRANSFER_ENCODING(400, "ambiguous-framing"),
  /** A Transfer-Encoding the gateway cannot frame (not ending in chunked, chunked twice, HTTP/1.0). */
  TRANSFER_ENCODING(400, "malformed-request"),
  /** More than one Host field line. */
  DUPLICATE_HOST(400, "malformed-request"),
  /** Malformed chunked body: chunk size, chunk extension, CRLF after data, overflow. */
  CHUNKED_BODY(400, "malformed-request"),
  /** The request head did not arrive completely within the request-head timeout. */
  HEAD_TIMEOUT(408, "request-timeout"),
  /** The client sent nothing of a request body for longer than the body idle timeout. */
  BODY_TIMEOUT(408, "request-timeout");

  private final int status;
  private final String type;

  Http1Violation(int status, String type) {
    this.status = status;
    this.type = type;
  }

  /** The HTTP status code sent for this violation. */
  public int status() {
    return status;
  }

  /** The slug of the problem {@code type} sent for this violation. */
  public String type() {
    return type;
  }
}
