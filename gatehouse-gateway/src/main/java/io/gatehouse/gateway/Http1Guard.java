package io.gatehouse.gateway;

import io.gatehouse.gateway.internal.http1.StrictHttp1Validator;
import io.netty.channel.ChannelPipeline;
import io.vertx.core.Handler;
import io.vertx.core.http.HttpConnection;
import io.vertx.core.net.impl.ConnectionBase;

/**
 * Installs strict HTTP/1.1 request validation on each new HTTP/1.x connection, in the Netty
 * pipeline before Vert.x's decoder; HTTP/2 connections are left alone (their framing is binary).
 */
final class Http1Guard {
  private static final String DECODER = "httpDecoder";

  private Http1Guard() {}

  static Handler<HttpConnection> install(int maxHeadBytes) {
    return conn -> {
      if (conn instanceof ConnectionBase base) {
        ChannelPipeline pipeline = base.channel().pipeline();
        if (pipeline.get(DECODER) != null && pipeline.get(StrictHttp1Validator.NAME) == null) {
          StrictHttp1Validator.install(pipeline, maxHeadBytes);
        }
      }
    };
  }
}
