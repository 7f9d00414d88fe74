package io.gatehouse.gateway.events;

import static java.util.Objects.requireNonNull;

import java.time.Instant;

/**
 * What happened on one proxied WebSocket connection, carried by the one {@link TrafficEvent} the
 * connection produces when it closes (the event's {@code time} is when the upgrade request arrived,
 * its {@code bytesIn}/{@code bytesOut} the message payload bytes each way).
 *
 * @param closedAt when the connection was closed on both sides
 * @param messagesIn complete messages received from the client and relayed to the backend
 * @param messagesOut complete messages received from the backend and relayed to the client
 * @param closeCode the close status code (for example 1000, 1001 or 1009), or {@code null} when the
 *     connection ended without a close frame
 * @param closeReason the close reason, nullable
 * @param closedBy {@code client}, {@code backend} or {@code gateway} (idle timeout, message too
 *     large, shutdown): the side that started the close
 */
public record WebSocketSession(
    Instant closedAt,
    long messagesIn,
    long messagesOut,
    Integer closeCode,
    String closeReason,
    String closedBy) {

  public WebSocketSession {
    requireNonNull(closedAt, "closedAt");
    requireNonNull(closedBy, "closedBy");
  }
}
