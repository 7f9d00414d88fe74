package io.gatehouse.control.internal;

import static io.vertx.core.http.HttpMethod.DELETE;
import static io.vertx.core.http.HttpMethod.GET;
import static io.vertx.core.http.HttpMethod.POST;

import com.fasterxml.jackson.databind.JsonNode;
import io.gatehouse.control.cluster.ClusterControl;
import io.gatehouse.control.cluster.EnrolmentToken;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** The cluster routes of management API v1: nodes and their enrolment tokens. */
public final class NodesApi {
  /** The OpenAPI tag of these routes. */
  public static final String TAG = "nodes";

  private final ClusterControl cluster;

  /** Routes over {@code cluster}. */
  public NodesApi(ClusterControl cluster) {
    this.cluster = cluster;
  }

  /** The endpoints, for the router and the OpenAPI document. */
  public List<Endpoint> endpoints() {
    return List.of(
        new Endpoint(GET, ManagementApi.PREFIX + "/nodes", TAG,
            "Every node of the cluster: id, role, address, revision served, last heartbeat, version",
            Endpoint.Body.NONE, 200, List.of(), c -> false, this::list, "nodes:read"),
        new Endpoint(DELETE, ManagementApi.PREFIX + "/nodes/:id", TAG,
            "Revoke a gateway node: its certificate is refused from now on (it keeps serving its last snapshot)",
            Endpoint.Body.NONE, 204, List.of(), c -> false, this::revoke, "nodes:write"),
        new Endpoint(POST, ManagementApi.PREFIX + "/nodes/enrolment-tokens", TAG,
            "Create a single-use enrolment token ({\"ttlSeconds\": 1..604800}, default 3600); shown once",
            Endpoint.Body.JSON, 201, List.of(), c -> false, this::createToken, "nodes:write"));
  }

  private Reply list(Call c) {
    Map<String, Object> out = new LinkedHashMap<>();
    out.put("items", cluster.nodes());
    return Reply.json(200, out);
  }

  private Reply revoke(Call c) {
    String id = c.path("id");
    if (!cluster.revoke(id)) {
      throw new ApiException(404, "no live node '" + id + "'");
    }
    return Reply.empty(204);
  }

  private Reply createToken(Call c) {
    JsonNode body = JsonBody.object(c.body(), java.util.Set.of("ttlSeconds"), true);
    JsonNode ttlNode = body.path("ttlSeconds");
    if (!ttlNode.isMissingNode() && !ttlNode.canConvertToExactIntegral()) {
      throw ApiException.badField("ttlSeconds", "expected a whole number of seconds from 1 to 604800 but got " + ttlNode);
    }
    long ttl = ttlNode.isMissingNode() ? 3600 : ttlNode.asLong();
    if (ttl < 1 || ttl > ClusterControl.MAX_TOKEN_TTL.toSeconds()) {
      throw ApiException.badField("ttlSeconds", "expected 1 to 604800 seconds but got " + ttlNode);
    }
    EnrolmentToken t = cluster.createToken(c.principal(), Duration.ofSeconds(ttl));
    Map<String, Object> out = new LinkedHashMap<>();
    out.put("id", t.id());
    out.put("token", t.token());
    out.put("expiresAt", t.expiresAt().toString());
    out.put("caFingerprint", t.caFingerprint());
    return Reply.json(201, out);
  }
}
