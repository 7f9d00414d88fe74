package io.gatehouse.gateway.internal.http2;

import static java.util.Objects.requireNonNull;

/**
 * Why a request's header section was refused: the rule broken and a detail naming the bad field.
 *
 * @param violation the rule broken
 * @param detail a message naming the field and the expected form
 */
public record Http2Rejection(Http2Violation violation, String detail) {
  public Http2Rejection {
    requireNonNull(violation, "violation");
    requireNonNull(detail, "detail");
  }
}
