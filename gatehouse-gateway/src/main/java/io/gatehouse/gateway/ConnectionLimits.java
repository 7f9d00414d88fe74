package io.gatehouse.gateway;

import static java.util.Objects.requireNonNull;

import java.time.Duration;

/**
 * Limits on client connections of the gateway listeners (HTTP and HTTPS, HTTP/1.1 and HTTP/2): how
 * many may be open, and how long a client may take at each stage of an HTTP/1.1 exchange.
 *
 * <p>Connections beyond {@code maxConnections} in all, or beyond {@code maxConnectionsPerAddress}
 * from one client IP address, are closed as soon as they are accepted, before any TLS handshake.
 *
 * @param maxConnections client connections open at once over all gateway listeners
 * @param maxConnectionsPerAddress client connections open at once from one IP address
 * @param requestHeadTimeout how long the whole request head (request line and header fields) may take
 *     to arrive, counted from the connection's accept (first request) or from the first byte of the
 *     request (later requests); not extended by each byte received. A partial head gets 408.
 * @param bodyIdleTimeout the longest silence between two reads of a request body; 408 when no
 *     response has started, otherwise the connection is closed
 * @param keepAliveTimeout how long an HTTP/1.1 connection may wait, after its last response, for the
 *     first byte of the next request; then it is closed without a response
 * @param idleTimeout the longest time without a byte read or written on any client connection
 *     (HTTP/2 and WebSocket included), whatever it is doing
 * @param lingerTimeout after an early rejection (400, 408, 413, 414, 431, 505) the gateway half-closes and
 *     keeps reading and discarding what the client still sends for at most this long, so that the
 *     client reads the answer instead of a connection reset
 * @param lingerBytes the most bytes discarded while lingering before the connection is closed
 */
public record ConnectionLimits(
    int maxConnections,
    int maxConnectionsPerAddress,
    Duration requestHeadTimeout,
    Duration bodyIdleTimeout,
    Duration keepAliveTimeout,
    Duration idleTimeout,
    Duration lingerTimeout,
    int lingerBytes) {

  /** Default {@link #maxConnections()}. */
  public static final int DEFAULT_MAX_CONNECTIONS = 10_000;
  /** Default {@link #maxConnectionsPerAddress()}. */
  public static final int DEFAULT_MAX_CONNECTIONS_PER_ADDRESS = 256;

  public ConnectionLimits {
    if (maxConnections < 1) {
      throw new IllegalArgumentException("maxConnections must be at least 1 but was " + maxConnections);
    }
    if (maxConnectionsPerAddress < 1 || maxConnectionsPerAddress > maxConnections) {
      throw new IllegalArgumentException("maxConnectionsPerAddress must be 1 to maxConnections ("
          + maxConnections + ") but was " + maxConnectionsPerAddress);
    }
    positive(requestHeadTimeout, "requestHeadTimeout");
    positive(bodyIdleTimeout, "bodyIdleTimeout");
    positive(keepAliveTimeout, "keepAliveTimeout");
    positive(idleTimeout, "idleTimeout");
    requireNonNull(lingerTimeout, "lingerTimeout");
    if (lingerTimeout.isNegative()) {
      throw new IllegalArgumentException("lingerTimeout must be 0 or more but was " + lingerTimeout);
    }
    if (lingerBytes < 0) {
      throw new IllegalArgumentException("lingerBytes must be 0 or more but was " + lingerBytes);
    }
  }

  /**
   * 10,000 connections, 256 per address, 10 s for a request head, 30 s between body reads, 60 s
   * keep-alive, 60 s idle, lingering close for 5 s or 64 KiB.
   */
  public static ConnectionLimits defaults() {
    return new ConnectionLimits(DEFAULT_MAX_CONNECTIONS, DEFAULT_MAX_CONNECTIONS_PER_ADDRESS,
        Duration.ofSeconds(10), Duration.ofSeconds(30), Duration.ofSeconds(60), Duration.ofSeconds(60),
        Duration.ofSeconds(5), 64 * 1024);
  }

  /** Returns a copy allowing {@code total} connections in all and {@code perAddress} from one address. */
  public ConnectionLimits withConnections(int total, int perAddress) {
    return new ConnectionLimits(total, perAddress, requestHeadTimeout, bodyIdleTimeout, keepAliveTimeout,
        idleTimeout, lingerTimeout, lingerBytes);
  }

  /** Returns a copy with the request-head, body-idle and keep-alive timeouts replaced. */
  public ConnectionLimits withTimeouts(Duration head, Duration bodyIdle, Duration keepAlive) {
    return new ConnectionLimits(maxConnections, maxConnectionsPerAddress, head, bodyIdle, keepAlive,
        idleTimeout, lingerTimeout, lingerBytes);
  }

  /** Returns a copy closing any client connection without a byte read or written for {@code timeout}. */
  public ConnectionLimits withIdleTimeout(Duration timeout) {
    return new ConnectionLimits(maxConnections, maxConnectionsPerAddress, requestHeadTimeout, bodyIdleTimeout,
        keepAliveTimeout, timeout, lingerTimeout, lingerBytes);
  }

  /** Returns a copy lingering at most {@code timeout} and {@code bytes} after an early rejection. */
  public ConnectionLimits withLinger(Duration timeout, int bytes) {
    return new ConnectionLimits(maxConnections, maxConnectionsPerAddress, requestHeadTimeout, bodyIdleTimeout,
        keepAliveTimeout, idleTimeout, timeout, bytes);
  }

  private static void positive(Duration d, String name) {
    requireNonNull(d, name);
    if (d.isNegative() || d.isZero()) {
      throw new IllegalArgumentException(name + " must be more than 0 but was " + d);
    }
  }
}
