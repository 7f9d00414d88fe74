package io.gatehouse.server.internal;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.gatehouse.control.ManagementServer;
import io.gatehouse.control.MountedRoute;
import io.gatehouse.control.security.ClientBlockList;
import io.gatehouse.control.security.Principal;
import io.gatehouse.model.ConfigMapper;
import io.vertx.core.http.HttpMethod;
import io.vertx.ext.web.RoutingContext;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * The blocked clients in the management API: {@code GET /api/v1/security/blocks} lists the blocks in
 * force on every server (operator and automatic), {@code PUT} and {@code DELETE
 * /api/v1/security/blocks/{identity}} block and unblock a client for every server and gateway node.
 * Writes are audited.
 */
final class ClientBlocksApi {
  /** The longest block an operator can set. */
  static final Duration MAX_TTL = Duration.ofDays(30);

  private final ClientBlockList blocks;
  private final ManagementServer management;
  private final boolean autoBlock;

  private ClientBlocksApi(ClientBlockList blocks, ManagementServer management, boolean autoBlock) {
    this.blocks = blocks;
    this.management = management;
    this.autoBlock = autoBlock;
  }

  /** Mounts the routes on {@code management}; {@code autoBlock}: whether {@code --auto-block} is on (listed as {@code enabled}). */
  static void mount(ManagementServer management, ClientBlockList blocks, boolean autoBlock) {
    ClientBlocksApi api = new ClientBlocksApi(requireNonNull(blocks, "blocks"), management, autoBlock);
    management.mount(new MountedRoute(HttpMethod.GET, "/api/v1/security/blocks", "security",
        "Clients blocked on every node (by an operator or by --auto-block), with when each block ends", "audit:read",
        List.of(), api::list));
    management.mount(new MountedRoute(HttpMethod.PUT, "/api/v1/security/blocks/:identity", "security",
        "Block a client (ip:ADDRESS or subscription:NAME) on every node for ttlSeconds", "subscriptions:write",
        List.of(), api::block));
    management.mount(new MountedRoute(HttpMethod.DELETE, "/api/v1/security/blocks/:identity", "security",
        "Lift a client's block on every node", "subscriptions:write", List.of(), api::unblock));
  }

  private void list(RoutingContext ctx) {
    ObjectNode root = ConfigMapper.json().createObjectNode();
    root.put("enabled", autoBlock);
    ArrayNode items = root.putArray("items");
    blocks.active().values().forEach(b -> items.addObject().put("identity", b.identity())
        .put("until", b.until().toString()).put("source", b.source()).put("createdBy", b.createdBy()));
    answer(ctx, 200, root);
  }

  private void block(RoutingContext ctx) {
    String identity = ctx.pathParam("identity");
    long ttl;
    try {
      ClientBlockList.checkIdentity(identity);
      JsonNode body = ConfigMapper.json().readTree(ctx.body().asString() == null ? "{}" : ctx.body().asString());
      JsonNode t = body == null ? null : body.get("ttlSeconds");
      if (t == null || !t.canConvertToLong() || t.asLong() < 1 || t.asLong() > MAX_TTL.toSeconds()) {
        throw new IllegalArgumentException("expected {\"ttlSeconds\": 1 to " + MAX_TTL.toSeconds() + "}");
      }
      ttl = t.asLong();
    } catch (IllegalArgumentException | java.io.IOException e) {
      ManagementServer.problem(ctx, 400,
          e instanceof java.io.IOException ? "expected a JSON body {\"ttlSeconds\": N}" : e.getMessage());
      return;
    }
    Principal who = ManagementServer.caller(ctx);
    String ip = ctx.request().remoteAddress() == null ? "" : ctx.request().remoteAddress().hostAddress();
    ctx.vertx().executeBlocking(() -> {
      ClientBlockList.Block b = blocks.block(identity, Instant.now().plusSeconds(ttl), "operator", who.name());
      management.auditLog().append(who.name(), String.join(",", who.roles()), ip, "security.block",
          "blocks/" + identity, null, Map.of("until", b.until().toString()), "ok", "");
      return b;
    }, false).onComplete(ar -> {
      if (ar.failed()) {
        ManagementServer.problem(ctx, 503, "the block could not be stored: " + ar.cause().getMessage());
        return;
      }
      answer(ctx, 200, ConfigMapper.json().createObjectNode().put("identity", identity)
          .put("until", ar.result().until().toString()).put("source", "operator"));
    });
  }

  private void unblock(RoutingContext ctx) {
    String identity = ctx.pathParam("identity");
    Principal who = ManagementServer.caller(ctx);
    String ip = ctx.request().remoteAddress() == null ? "" : ctx.request().remoteAddress().hostAddress();
    ctx.vertx().executeBlocking(() -> {
      boolean lifted = blocks.unblock(identity);
      if (lifted) {
        management.auditLog().append(who.name(), String.join(",", who.roles()), ip, "security.unblock",
            "blocks/" + identity, null, null, "ok", "");
      }
      return lifted;
    }, false).onComplete(ar -> {
      if (ar.failed()) {
        ManagementServer.problem(ctx, 503, "the block could not be lifted: " + ar.cause().getMessage());
      } else if (!ar.result()) {
        ManagementServer.problem(ctx, 404, "no block in force for '" + identity + "'");
      } else {
        ctx.response().setStatusCode(204).end();
      }
    });
  }

  private static void answer(RoutingContext ctx, int status, ObjectNode body) {
    ctx.response().setStatusCode(status).putHeader("Content-Type", "application/json").end(body.toString());
  }
}
