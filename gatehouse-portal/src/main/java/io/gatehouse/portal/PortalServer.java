package io.gatehouse.portal;

import static java.util.Objects.requireNonNull;

import io.gatehouse.control.ControlPlane;
import io.gatehouse.control.ControlStore;
import io.gatehouse.control.analytics.Analytics;
import io.gatehouse.control.developers.DeveloperStore;
import io.gatehouse.control.security.AuditLog;
import io.gatehouse.portal.internal.Mailer;
import io.gatehouse.portal.internal.PortalRoutes;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.net.PemKeyCertOptions;
import java.net.URI;
import java.time.Clock;
import java.util.Locale;

/**
 * Serves the developer portal on its own listener: the pages, their assets (WebJars included, no
 * CDN) and the portal data API under {@code /portal/api/v1}, described at
 * {@code /portal/api/v1/openapi.json}. Blocking work runs on worker threads.
 */
public final class PortalServer {
  /** The prefix of the portal data API. */
  public static final String API_PREFIX = "/portal/api/v1";

  private final PortalOptions options;
  private final Mailer mailer;
  private HttpServer server;

  private PortalServer(PortalOptions options, Mailer mailer) {
    this.options = options;
    this.mailer = mailer;
  }

  /**
   * Starts the portal over {@code plane} (whose store must be a {@link ControlStore}: it holds
   * the developer accounts), writing to {@code audit} and reading usage from {@code analytics}
   * (nullable when analytics are off).
   *
   * @return a future completed once the portal listens
   */
  public static Future<PortalServer> start(Vertx vertx, PortalOptions options, ControlPlane plane, AuditLog audit,
      Analytics analytics) {
    requireNonNull(vertx, "vertx");
    requireNonNull(options, "options");
    requireNonNull(plane, "plane");
    requireNonNull(audit, "audit");
    if (!(plane.store() instanceof ControlStore store)) {
      throw new IllegalArgumentException("expected a control plane over a ControlStore but got "
          + plane.store().getClass().getName());
    }
    DeveloperStore developers = DeveloperStore.over(store, Clock.systemUTC());
    Mailer mailer = options.smtpUrl() == null ? null : Mailer.create(vertx, options.smtpUrl(), options.mailFrom());
    PortalServer portal = new PortalServer(options, mailer);
    PortalRoutes routes = new PortalRoutes(vertx, options, plane, developers, audit, analytics, mailer);
    HttpServerOptions http = new HttpServerOptions().setHost(options.host()).setPort(options.port());
    if (options.tls()) {
      http.setSsl(true).setKeyCertOptions(new PemKeyCertOptions()
          .setCertPath(options.tlsCert().toString()).setKeyPath(options.tlsKey().toString()));
    }
    return vertx.createHttpServer(http).requestHandler(routes.router()).listen(options.port(), options.host())
        .map(s -> {
          portal.server = s;
          return portal;
        });
  }

  /** The port actually listened on. */
  public int actualPort() {
    return server.actualPort();
  }

  /**
   * The portal's origin as browsers see it: that of {@link PortalOptions#publicUrl()}, else
   * {@code http(s)://localhost:PORT} for wildcard binds or the bind address.
   */
  public String origin() {
    return originOf(options, actualPort());
  }

  /** The origin of {@code options}' public URL, or one made from the bind address and {@code port}. */
  public static String originOf(PortalOptions options, int port) {
    if (options.publicUrl() != null) {
      URI u = URI.create(options.publicUrl());
      return u.getScheme().toLowerCase(Locale.ROOT) + "://" + u.getHost().toLowerCase(Locale.ROOT)
          + (u.getPort() > 0 ? ":" + u.getPort() : "");
    }
    String host = options.host().equals("0.0.0.0") || options.host().equals("::") ? "localhost" : options.host();
    return (options.tls() ? "https" : "http") + "://" + host + ":" + port;
  }

  /** Stops listening and closes the mail connections. */
  public Future<Void> close() {
    Future<Void> closing = server == null ? Future.succeededFuture() : server.close();
    return mailer == null ? closing : closing.eventually(mailer::close);
  }
}
