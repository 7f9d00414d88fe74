package io.gatehouse.gateway.internal.http2;

/**
 * The kind of HTTP/2 request rule a rejected stream broke (RFC 9113 §8.2, §8.3), with how the
 * gateway answers it: a stream reset with PROTOCOL_ERROR, or a {@code 400} response.
 */
public enum Http2Violation {
  /** A pseudo-header missing, repeated, unknown, or in a trailer section. */
  PSEUDO_HEADER(0),
  /** A {@code :method} that is not a token. */
  METHOD(0),
  /** A {@code :scheme} other than {@code http} and {@code https}. */
  SCHEME(0),
  /** A {@code :path} that is not origin-form ({@code *} only for OPTIONS) or has bytes outside 0x21-0x7E. */
  PATH(0),
  /** An {@code :authority} that is empty, has userinfo or bytes outside 0x21-0x7E. */
  AUTHORITY(0),
  /** A connection-specific field (Connection, Keep-Alive, Proxy-Connection, Transfer-Encoding, Upgrade, TE other than trailers). */
  CONNECTION_HEADER(0),
  /** A field name that is empty, upper-case or has characters outside the token set. */
  FIELD_NAME(0),
  /** A field value with NUL, CR or LF, or leading or trailing whitespace. */
  FIELD_VALUE(0),
  /** A content-length that is not one 1*DIGIT value, or a trailer section with content-length, host or not ending the stream. */
  CONTENT_LENGTH(0),
  /** More than one host field. */
  DUPLICATE_HOST(0),
  /** The CONNECT method: the gateway is not a forward proxy. */
  CONNECT_METHOD(400);

  private final int status;

  Http2Violation(int status) {
    this.status = status;
  }

  /** The HTTP status sent for this violation, or 0 when the stream is reset with PROTOCOL_ERROR. */
  public int status() {
    return status;
  }
}
