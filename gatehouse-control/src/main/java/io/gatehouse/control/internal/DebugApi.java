package io.gatehouse.control.internal;

import static io.vertx.core.http.HttpMethod.GET;
import static io.vertx.core.http.HttpMethod.POST;

import com.fasterxml.jackson.databind.JsonNode;
import io.gatehouse.control.ControlPlane;
import io.gatehouse.control.RequestDebugging;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** The request-debugging routes of management API v1. */
public final class DebugApi {
  private final RequestDebugging debugging;
  private final ControlPlane plane;

  /** Routes over {@code debugging}, checking API names against {@code plane}. */
  public DebugApi(RequestDebugging debugging, ControlPlane plane) {
    this.debugging = debugging;
    this.plane = plane;
  }

  /** The endpoints, for the router and the OpenAPI document. */
  public List<Endpoint> endpoints() {
    return List.of(
        new Endpoint(POST, ManagementApi.PREFIX + "/debug-tokens", "debugging",
            "Open a debug session for one API ({\"api\":..., \"ttlSeconds\": 1..3600}); returns its token once",
            Endpoint.Body.JSON, 201, List.of(), c -> false, this::open, "debugging:write"),
        new Endpoint(GET, ManagementApi.PREFIX + "/debug-tokens/:id/traces", "debugging",
            "The last requests recorded with a debug session's token, until it expires",
            Endpoint.Body.NONE, 200, List.of(), c -> false, this::traces, "debugging:read"));
  }

  private Reply open(Call c) {
    JsonNode body = JsonBody.object(c.body(), java.util.Set.of("api", "ttlSeconds"), true);
    if (!body.path("api").isTextual()) {
      throw ApiException.badField("api", "expected the API name as a string");
    }
    JsonNode ttlNode = body.path("ttlSeconds");
    if (!ttlNode.isMissingNode() && !ttlNode.canConvertToExactIntegral()) {
      throw ApiException.badField("ttlSeconds", "expected a whole number of seconds from 1 to 3600 but got " + ttlNode);
    }
    long ttl = ttlNode.isMissingNode() ? 600 : ttlNode.asLong();
    if (ttl < 1 || ttl > 3600) {
      throw ApiException.badField("ttlSeconds", "expected 1 to 3600 seconds but got " + body.path("ttlSeconds"));
    }
    String api = body.get("api").asText();
    if (plane.config().apis().stream().noneMatch(a -> a.name().equals(api))) {
      throw new ApiException(404, "no api '" + api + "'");
    }
    return Reply.json(201, debugging.open(api, Duration.ofSeconds(ttl)));
  }

  private Reply traces(Call c) {
    String id = c.path("id");
    List<?> items = debugging.traces(id)
        .orElseThrow(() -> new ApiException(404, "no live debug session '" + id + "' (expired or never opened)"));
    Map<String, Object> out = new LinkedHashMap<>();
    out.put("id", id);
    out.put("items", items);
    return Reply.json(200, out);
  }
}
