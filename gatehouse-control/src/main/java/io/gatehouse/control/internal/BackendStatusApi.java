package io.gatehouse.control.internal;

import static io.vertx.core.http.HttpMethod.GET;

import io.gatehouse.control.BackendStates;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The backend runtime routes of management API v1: {@code /backend-status} lists what the
 * gateway knows of each backend now (the configured definitions stay under {@code /backends}).
 */
public final class BackendStatusApi {
  private final BackendStates states;

  /** Routes over {@code states}. */
  public BackendStatusApi(BackendStates states) {
    this.states = states;
  }

  /** The endpoints, for the router and the OpenAPI document. */
  public List<Endpoint> endpoints() {
    return List.of(
        new Endpoint(GET, ManagementApi.PREFIX + "/backend-status", "backends",
            "Runtime state of every backend in use: members (health, ejection, requests in flight) and"
                + " circuit breaker (state, failure and slow-call rates)",
            Endpoint.Body.NONE, 200, List.of(), c -> false, this::list, "backends:read"),
        new Endpoint(GET, ManagementApi.PREFIX + "/backend-status/:name", "backends",
            "Runtime state of one backend in use",
            Endpoint.Body.NONE, 200, List.of(), c -> false, this::one, "backends:read"));
  }

  private Reply list(Call c) {
    Map<String, Object> out = new LinkedHashMap<>();
    out.put("items", states.all());
    return Reply.json(200, out);
  }

  private Reply one(Call c) {
    String name = c.path("name");
    Object state = states.one(name)
        .orElseThrow(() -> new ApiException(404, "no backend '" + name + "' in use by the gateway"));
    return Reply.json(200, state);
  }
}
