package io.gatehouse.control.internal;

import static io.vertx.core.http.HttpMethod.GET;
import static io.vertx.core.http.HttpMethod.POST;

import io.gatehouse.control.ControlPlane;
import io.gatehouse.control.developers.Developer;
import io.gatehouse.control.developers.DeveloperStore;
import io.gatehouse.model.SubscriptionDef;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The developer-portal routes of management API v1: list and read developer accounts, approve or
 * block them (blocking also suspends their subscriptions), and approve a pending subscription.
 */
public final class DeveloperApi {
  /** The OpenAPI tag and audit entity prefix of the developer routes. */
  public static final String TAG = "developers";

  private final DeveloperStore developers;
  private final ControlPlane plane;

  /** Routes over {@code developers}; subscription changes are committed to {@code plane}. */
  public DeveloperApi(DeveloperStore developers, ControlPlane plane) {
    this.developers = developers;
    this.plane = plane;
  }

  /** The endpoints, for the router and the OpenAPI document. */
  public List<Endpoint> endpoints() {
    String base = ManagementApi.PREFIX + "/developers";
    return List.of(
        new Endpoint(GET, base, TAG, "List developer accounts of the portal (never their passwords)",
            Endpoint.Body.NONE, 200, List.of(), c -> false, c -> Reply.json(200,
                Map.of("items", developers.list().stream().map(this::view).toList())), "developers:read"),
        new Endpoint(GET, base + "/:id", TAG, "One developer account with the names of its subscriptions",
            Endpoint.Body.NONE, 200, List.of(), c -> false, c -> Reply.json(200, view(find(c.path("id")))),
            "developers:read"),
        new Endpoint(POST, base + "/:id/approve", TAG, "Approve (or unblock) a developer: it may sign in",
            Endpoint.Body.NONE, 200, List.of(), c -> false, this::approve, "developers:write"),
        new Endpoint(POST, base + "/:id/block", TAG,
            "Block a developer: no sign-in, and its active or pending subscriptions are suspended",
            Endpoint.Body.NONE, 200, List.of(), c -> true, this::block, "developers:write"),
        new Endpoint(POST, ManagementApi.PREFIX + "/subscriptions/:name/approve", "subscriptions",
            "Approve a pending subscription: its keys work from the next revision on",
            Endpoint.Body.NONE, 200, List.of(), c -> true, this::approveSubscription, "subscriptions:write"));
  }

  private Developer find(String id) {
    return developers.find(id).orElseThrow(() -> new ApiException(404, "no developer '" + id + "'"));
  }

  private Map<String, Object> view(Developer d) {
    Map<String, Object> out = new LinkedHashMap<>();
    out.put("id", d.id());
    out.put("email", d.email());
    out.put("name", d.name());
    out.put("status", d.status());
    out.put("emailVerified", d.emailVerified());
    out.put("createdAt", d.createdAt().toString());
    out.put("subscriptions", developers.subscriptions(d.id()));
    return out;
  }

  private Reply approve(Call c) {
    Developer d = find(c.path("id"));
    developers.setStatus(d.id(), Developer.ACTIVE);
    return Reply.json(200, view(find(d.id())));
  }

  private Reply block(Call c) {
    Developer d = find(c.path("id"));
    developers.setStatus(d.id(), Developer.BLOCKED);
    Set<String> owned = new HashSet<>(developers.subscriptions(d.id()));
    if (!owned.isEmpty()) {
      plane.update(cfg -> cfg.withSubscriptions(cfg.subscriptions().stream()
          .map(s -> owned.contains(s.name()) && (s.state().equals("active") || s.state().equals("pending"))
              ? withState(s, "suspended") : s)
          .toList()), c.principal(), "block developer " + d.email());
    }
    return Reply.json(200, view(find(d.id())));
  }

  private Reply approveSubscription(Call c) {
    String name = c.path("name");
    SubscriptionDef s = plane.config().subscription(name)
        .orElseThrow(() -> new ApiException(404, "no subscription '" + name + "'"));
    if (!s.state().equals("pending")) {
      throw new ApiException(409, "subscription '" + name + "' is " + s.state() + ", not pending");
    }
    plane.update(cfg -> cfg.withSubscriptions(cfg.subscriptions().stream()
        .map(x -> x.name().equals(name) && x.state().equals("pending") ? withState(x, "active") : x)
        .toList()), c.principal(), "approve subscription " + name);
    Map<String, Object> out = new LinkedHashMap<>();
    out.put("name", name);
    out.put("state", "active");
    return Reply.json(200, out);
  }

  /** {@code s} in {@code state}, its key hashes and everything else kept. */
  public static SubscriptionDef withState(SubscriptionDef s, String state) {
    return new SubscriptionDef(s.name(), s.scope(), state, s.expiresAt(), s.owner(), s.primaryKey(), s.secondaryKey(),
        s.primaryKeyHash(), s.secondaryKeyHash(), s.tags());
  }
}
