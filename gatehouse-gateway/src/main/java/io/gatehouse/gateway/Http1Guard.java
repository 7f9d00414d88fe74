package io.gatehouse.gateway;

import io.gatehouse.gateway.internal.http1.Http1RejectionCounters;
import io.gatehouse.gateway.internal.http1.Http1Timeouts;
import io.gatehouse.gateway.internal.http1.StrictHttp1Validator;
import io.netty.channel.ChannelPipeline;
import io.vertx.core.Handler;
import io.vertx.core.http.HttpConnection;
import io.vertx.core.net.impl.ConnectionBase;

/**
 * Installs strict HTTP/1.1 request validation and the client timeouts of {@link ConnectionLimits}
 * on each new HTTP/1.x connection, in the Netty pipeline before Vert.x's decoder; HTTP/2 connections
 * are left alone (their framing is binary).
 */
final class Http1Guard {
  private static final String DECODER = "httpDecoder";

  private Http1Guard() {}

  static Handler<HttpConnection> install(int maxHeadBytes, ConnectionLimits limits, Http1RejectionCounters counters) {
    Http1Timeouts timeouts = new Http1Timeouts(limits.requestHeadTimeout().toNanos(),
        limits.bodyIdleTimeout().toNanos(), limits.keepAliveTimeout().toNanos(), limits.lingerTimeout().toNanos(),
        limits.lingerBytes());
    return conn -> {
      if (conn instanceof ConnectionBase base) {
        ChannelPipeline pipeline = base.channel().pipeline();
        if (pipeline.get(DECODER) != null && pipeline.get(StrictHttp1Validator.NAME) == null) {
          StrictHttp1Validator.install(pipeline, maxHeadBytes, counters, timeouts);
        }
      }
    };
  }
}
