package io.gatehouse.control.internal;

import io.gatehouse.control.ControlPlane;
import io.gatehouse.control.Revision;
import io.gatehouse.control.RevisionInfo;
import io.gatehouse.model.ConfigDiff;
import io.gatehouse.model.GatewayConfig;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The read routes of the revision history (list, one revision, diff between two), where revision 0
 * is the empty configuration before any change; handlers run on worker threads.
 */
final class RevisionRoutes {
  private final ControlPlane plane;
  private final int maxPage;

  RevisionRoutes(ControlPlane plane, int maxPage) {
    this.plane = plane;
    this.maxPage = maxPage;
  }

  /** {@code GET /revisions}: newest first, paged by {@code offset} and {@code limit}. */
  Reply list(Call c) {
    int offset = ManagementApi.intParam(c, "offset", 0, Integer.MAX_VALUE, 0);
    int limit = ManagementApi.intParam(c, "limit", 1, maxPage, 50);
    Map<String, Object> body = new LinkedHashMap<>();
    body.put("current", plane.revision().id());
    body.put("offset", offset);
    body.put("limit", limit);
    body.put("items", plane.revisions(offset, limit));
    return Reply.json(200, body);
  }

  /** {@code GET /revisions/{id}}: metadata and the configuration as the caller may see it. */
  Reply get(Call c) {
    Revision r = revisionOrEmpty(c, "id");
    Map<String, Object> body = info(r.info());
    body.put("config", SubscriptionKeyViews.forCaller(c.who(), plane.store().secrets().sealed(r.config())));
    return Reply.json(200, body);
  }

  /** {@code GET /revisions/{from}/diff/{to}}: the field-level changes and their summary. */
  Reply diff(Call c) {
    Revision from = revisionOrEmpty(c, "from");
    Revision to = revisionOrEmpty(c, "to");
    Map<String, Object> body = new LinkedHashMap<>();
    body.put("from", from.id());
    body.put("to", to.id());
    ConfigDiff changes = ConfigDiff.between(from.config(), to.config());
    body.put("changes", changes.changes());
    body.put("summary", changes.summary());
    return Reply.json(200, body);
  }

  /**
   * The revision named by path parameter {@code param}; 0 is the empty configuration.
   *
   * @throws ApiException 400 when the parameter is not a number of 0 or more, 404 when there is no such revision
   */
  Revision revisionOrEmpty(Call c, String param) {
    long id = revisionId(c, param);
    if (id == 0) {
      return new Revision(new RevisionInfo(0, Instant.EPOCH, "system", "empty configuration", "none"),
          GatewayConfig.EMPTY);
    }
    return plane.revision(id).orElseThrow(() -> new ApiException(404, "no revision " + id));
  }

  private static long revisionId(Call c, String param) {
    String text = c.path(param);
    try {
      long id = Long.parseLong(text);
      if (id >= 0) {
        return id;
      }
    } catch (NumberFormatException e) {
      // reported below
    }
    throw ApiException.badField(param, "expected a revision number (0 or more) but got '" + text + "'");
  }

  private static Map<String, Object> info(RevisionInfo info) {
    Map<String, Object> out = new LinkedHashMap<>();
    out.put("id", info.id());
    out.put("time", info.time());
    out.put("author", info.author());
    out.put("message", info.message());
    out.put("source", info.source());
    return out;
  }
}
