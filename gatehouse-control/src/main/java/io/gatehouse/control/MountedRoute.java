package io.gatehouse.control;

import static java.util.Objects.requireNonNull;

import io.vertx.core.Handler;
import io.vertx.core.http.HttpMethod;
import io.vertx.ext.web.RoutingContext;
import java.util.List;

/**
 * A route that the embedding process adds to a running {@link ManagementServer} with
 * {@link ManagementServer#mount(MountedRoute)}: it passes the same authentication chain, is
 * refused with 403 unless the caller holds {@code permission}, and is listed in the management
 * API's OpenAPI document like the built-in routes.
 *
 * @param method HTTP method
 * @param path Vert.x path under {@code /api/v1}, parameters written {@code :name}
 * @param tag OpenAPI tag
 * @param summary one line for the document
 * @param permission the permission the caller must hold ({@code resource:action} from
 *     {@link io.gatehouse.control.security.Roles#PERMISSIONS}, or {@code authenticated})
 * @param queryParams names of the query parameters, for the document
 * @param handler the work, called on the event loop after the permission check; it must not block
 */
public record MountedRoute(HttpMethod method, String path, String tag, String summary, String permission,
    List<String> queryParams, Handler<RoutingContext> handler) {
  public MountedRoute {
    requireNonNull(method, "method");
    requireNonNull(path, "path");
    requireNonNull(tag, "tag");
    requireNonNull(summary, "summary");
    requireNonNull(permission, "permission");
    requireNonNull(handler, "handler");
    queryParams = queryParams == null ? List.of() : List.copyOf(queryParams);
    if (!path.startsWith("/api/v1/")) {
      throw new IllegalArgumentException("expected a path under /api/v1/ but got '" + path + "'");
    }
  }
}
