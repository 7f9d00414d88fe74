package io.gatehouse.gateway;

import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.internal.VertxInternal;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Creates the Vert.x instance whose event loops run the gateway, on the native epoll transport when
 * it is asked for and loads on this platform, on Java NIO otherwise, and names the one in use.
 */
public final class EventLoops {
  private static final Logger LOG = LoggerFactory.getLogger(EventLoops.class);

  private EventLoops() {
  }

  /**
   * Creates a Vert.x instance: with {@code nativeTransport}, on Netty's native transport (epoll on
   * Linux) when its library loads here, else NIO; logs which one and, for NIO, why.
   */
  public static Vertx create(boolean nativeTransport) {
    Vertx vertx = Vertx.vertx(new VertxOptions().setPreferNativeTransport(nativeTransport));
    String name = transport(vertx);
    if (!nativeTransport) {
      LOG.info("event loops use the {} transport (native transport switched off)", name);
    } else if (vertx.isNativeTransportEnabled()) {
      LOG.info("event loops use the {} transport", name);
    } else {
      Throwable cause = vertx.unavailableNativeTransportCause();
      LOG.info("event loops use the {} transport: no native transport here ({})", name,
          cause == null ? "none for this platform" : cause.toString());
    }
    return vertx;
  }

  /** The transport of {@code vertx}'s event loops: {@code epoll}, {@code io_uring}, {@code kqueue} or {@code nio}. */
  public static String transport(Vertx vertx) {
    if (!vertx.isNativeTransportEnabled()) {
      return "nio";
    }
    String type = ((VertxInternal) vertx).transport().getClass().getSimpleName().toLowerCase(java.util.Locale.ROOT);
    if (type.contains("epoll")) {
      return "epoll";
    }
    if (type.contains("uring")) {
      return "io_uring";
    }
    return type.contains("kqueue") ? "kqueue" : type.replace("transport", "");
  }
}
