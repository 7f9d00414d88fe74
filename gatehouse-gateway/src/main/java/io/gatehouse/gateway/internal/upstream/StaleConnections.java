package io.gatehouse.gateway.internal.upstream;

import io.vertx.core.http.HttpClosedException;
import io.vertx.core.http.HttpConnection;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpVersion;
import java.io.IOException;
import java.nio.channels.ClosedChannelException;
import java.util.concurrent.TimeoutException;

/**
 * Tells a request that met a backend connection the backend was closing (its keep-alive timeout
 * ran out as the request was sent) from a request the backend failed, so that the first can be
 * sent again once on another connection: only a pooled HTTP/1.x connection that already carried
 * an answer qualifies, only when it closed before any byte of the answer arrived, and only for a
 * request the backend cannot have processed (an idempotent method, or nothing written).
 */
public final class StaleConnections {
  private StaleConnections() {}

  /**
   * Whether {@code connection} had already carried a complete answer before the current request
   * (a reused pooled HTTP/1.x connection); {@code null} (no connection yet) is not reused.
   */
  public static boolean reused(HttpConnection connection) {
    // Vert.x records when a connection last completed a response; 0 until the first one.
    return connection instanceof io.vertx.core.http.impl.HttpClientConnection c
        && c.protocolVersion() != HttpVersion.HTTP_2
        && c.lastResponseReceivedTimestamp() > 0;
  }

  /**
   * Whether {@code cause} says the connection closed or was reset under the request (rather than
   * a timeout, a TLS failure or a refused connection).
   */
  public static boolean closedUnder(Throwable cause) {
    for (Throwable t = cause; t != null; t = t.getCause()) {
      if (t instanceof TimeoutException || t instanceof javax.net.ssl.SSLException
          || t instanceof java.net.ConnectException) {
        return false;
      }
      if (t instanceof HttpClosedException || t instanceof ClosedChannelException || t instanceof IOException) {
        return true;
      }
      if (t.getCause() == t) {
        break;
      }
    }
    return false;
  }

  /** Whether {@code method} is idempotent (RFC 9110 section 9.2.2), so that a second copy is harmless. */
  public static boolean idempotent(HttpMethod method) {
    return method == HttpMethod.GET || method == HttpMethod.HEAD || method == HttpMethod.OPTIONS
        || method == HttpMethod.TRACE || method == HttpMethod.PUT || method == HttpMethod.DELETE;
  }
}
