package io.gatehouse.gateway.internal.http2;

import static java.util.Objects.requireNonNull;

import io.gatehouse.gateway.Http2Limits;
import io.netty.handler.codec.http2.Http2ConnectionHandler;
import io.vertx.core.Handler;
import io.vertx.core.http.Http2Settings;
import io.vertx.core.http.HttpConnection;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.net.impl.ConnectionBase;
import java.util.concurrent.TimeUnit;

/**
 * Applies the gateway's HTTP/2 rules to a listener: {@link #configure} sets the limits Netty and
 * Vert.x enforce themselves, {@link #install} adds {@link StrictHttp2Validator} to each new HTTP/2
 * connection (TLS with ALPN and prior-knowledge h2c; a connection upgraded from HTTP/1.1 by
 * {@code Upgrade: h2c} had its first request checked by the HTTP/1.1 validator).
 */
public final class Http2Guard {
  private Http2Guard() {}

  /**
   * Sets SETTINGS_MAX_CONCURRENT_STREAMS, SETTINGS_MAX_HEADER_LIST_SIZE ({@code maxHeaderListSize},
   * the HTTP/1.1 head limit), the rapid-reset limit and the small-CONTINUATION limit on
   * {@code options}; returns {@code options}.
   */
  public static HttpServerOptions configure(HttpServerOptions options, Http2Limits limits, int maxHeaderListSize) {
    requireNonNull(options, "options");
    requireNonNull(limits, "limits");
    options.setInitialSettings(new Http2Settings()
        .setMaxConcurrentStreams(limits.maxConcurrentStreams())
        .setMaxHeaderListSize(maxHeaderListSize));
    options.setHttp2RstFloodMaxRstFramePerWindow(limits.maxResetsPerWindow());
    options.setHttp2RstFloodWindowDurationTimeUnit(TimeUnit.SECONDS);
    options.setHttp2RstFloodWindowDuration((int) limits.resetWindow().toSeconds());
    options.setHttp2MaxSmallContinuationFrames(limits.maxSmallContinuationFrames());
    // The codec implementation exposes the connection decoder the validator decorates.
    options.setHttp2MultiplexImplementation(false);
    return options;
  }

  /** A connection handler installing the validator on HTTP/2 connections; others are left alone. */
  public static Handler<HttpConnection> install(Http2Limits limits) {
    requireNonNull(limits, "limits");
    return conn -> {
      if (conn instanceof ConnectionBase base) {
        Http2ConnectionHandler handler = base.channel().pipeline().get(Http2ConnectionHandler.class);
        if (handler != null) {
          StrictHttp2Validator.install(handler, limits.maxControlFramesPerWindow(), limits.controlWindow());
        }
      }
    };
  }
}
