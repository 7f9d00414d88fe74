package io.gatehouse.model;

import static io.gatehouse.model.internal.Lists.copy;
import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonInclude.Include;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import java.time.Duration;
import java.util.List;

/**
 * An API published through the gateway: where it is reached (host names, path prefix,
 * protocols), where it forwards (a backend), who may call it, and its operations.
 *
 * @param name unique API name
 * @param path path prefix, starting with {@code /}; removed before forwarding
 * @param hosts host names the API answers on; empty means any host
 * @param protocols {@code http}, {@code https} or both (the default)
 * @param backend name of the backend requests are forwarded to
 * @param subscriptionRequired whether a subscription key is required (default {@code true})
 * @param subscriptionKeyHeader header carrying the key (default {@code Subscription-Key})
 * @param subscriptionKeyQuery query parameter carrying the key (default {@code subscription-key})
 * @param allowKeyInQuery whether the key may come in the query string (default {@code false})
 * @param operations the operations; empty means every method and path is forwarded
 * @param openapi an OpenAPI or Swagger document whose operations are imported, or {@code null}
 * @param policies the API scope's policies (never {@code null})
 * @param websocket WebSocket passthrough settings; {@code null} (the default) declines upgrades
 * @param inventory owner, contact, lifecycle, exposure and data classification (never {@code null};
 *     {@link InventoryDef#EMPTY} when not given)
 * @param allowEncodedSlashes whether request paths may contain {@code %2F} (default {@code false}:
 *     refused with 400); when allowed, {@code %2F} is part of a path segment for operation matching
 *     and is forwarded as {@code %2F}
 * @param tags labels that scope {@code apply --select-tag} (never {@code null}; empty when not given)
 */
@JsonInclude(JsonInclude.Include.NON_EMPTY)
@JsonPropertyOrder({"name", "path", "hosts", "protocols", "backend", "subscriptionRequired"})
public record ApiDef(
    String name,
    String path,
    List<String> hosts,
    List<String> protocols,
    String backend,
    Boolean subscriptionRequired,
    String subscriptionKeyHeader,
    String subscriptionKeyQuery,
    Boolean allowKeyInQuery,
    List<OperationDef> operations,
    OpenApiSource openapi,
    @JsonInclude(value = Include.CUSTOM, valueFilter = PoliciesDef.OmitEmpty.class) PoliciesDef policies,
    WebSocket websocket,
    @JsonInclude(value = Include.CUSTOM, valueFilter = InventoryDef.OmitEmpty.class) InventoryDef inventory,
    @JsonInclude(JsonInclude.Include.NON_DEFAULT) Boolean allowEncodedSlashes,
    @JsonInclude(JsonInclude.Include.NON_EMPTY) List<String> tags) implements Tagged {

  public ApiDef {
    requireNonNull(name, "name");
    requireNonNull(path, "path");
    hosts = copy(hosts);
    protocols = protocols == null || protocols.isEmpty() ? List.of("http", "https") : List.copyOf(protocols);
    subscriptionRequired = subscriptionRequired == null || subscriptionRequired;
    subscriptionKeyHeader = subscriptionKeyHeader == null ? "Subscription-Key" : subscriptionKeyHeader;
    subscriptionKeyQuery = subscriptionKeyQuery == null ? "subscription-key" : subscriptionKeyQuery;
    allowKeyInQuery = allowKeyInQuery != null && allowKeyInQuery;
    operations = copy(operations);
    policies = PoliciesDef.orEmpty(policies);
    inventory = InventoryDef.orEmpty(inventory);
    allowEncodedSlashes = allowEncodedSlashes != null && allowEncodedSlashes;
    tags = copy(tags);
  }

  /** An API without tags (the form before tags existed). */
  public ApiDef(String name, String path, List<String> hosts, List<String> protocols, String backend,
      Boolean subscriptionRequired, String subscriptionKeyHeader, String subscriptionKeyQuery,
      Boolean allowKeyInQuery, List<OperationDef> operations, OpenApiSource openapi, PoliciesDef policies,
      WebSocket websocket, InventoryDef inventory, Boolean allowEncodedSlashes) {
    this(name, path, hosts, protocols, backend, subscriptionRequired, subscriptionKeyHeader,
        subscriptionKeyQuery, allowKeyInQuery, operations, openapi, policies, websocket, inventory,
        allowEncodedSlashes, null);
  }

  /** An API without the encoded-slash setting (the form before it existed). */
  public ApiDef(String name, String path, List<String> hosts, List<String> protocols, String backend,
      Boolean subscriptionRequired, String subscriptionKeyHeader, String subscriptionKeyQuery,
      Boolean allowKeyInQuery, List<OperationDef> operations, OpenApiSource openapi, PoliciesDef policies,
      WebSocket websocket, InventoryDef inventory) {
    this(name, path, hosts, protocols, backend, subscriptionRequired, subscriptionKeyHeader,
        subscriptionKeyQuery, allowKeyInQuery, operations, openapi, policies, websocket, inventory, null);
  }

  /** An API without WebSocket passthrough or inventory metadata (the form before either existed). */
  public ApiDef(String name, String path, List<String> hosts, List<String> protocols, String backend,
      Boolean subscriptionRequired, String subscriptionKeyHeader, String subscriptionKeyQuery,
      Boolean allowKeyInQuery, List<OperationDef> operations, OpenApiSource openapi, PoliciesDef policies) {
    this(name, path, hosts, protocols, backend, subscriptionRequired, subscriptionKeyHeader,
        subscriptionKeyQuery, allowKeyInQuery, operations, openapi, policies, null, null);
  }

  /** An API without policies (the form before policies existed). */
  public ApiDef(String name, String path, List<String> hosts, List<String> protocols, String backend,
      Boolean subscriptionRequired, String subscriptionKeyHeader, String subscriptionKeyQuery,
      Boolean allowKeyInQuery, List<OperationDef> operations, OpenApiSource openapi) {
    this(name, path, hosts, protocols, backend, subscriptionRequired, subscriptionKeyHeader,
        subscriptionKeyQuery, allowKeyInQuery, operations, openapi, null, null, null);
  }

  /** A minimal API: every operation forwarded, subscription required. */
  public static ApiDef of(String name, String path, String backend) {
    return new ApiDef(name, path, null, null, backend, null, null, null, null, null, null, null, null, null);
  }

  /** Returns a copy with {@code operations} replaced. */
  public ApiDef withOperations(List<OperationDef> operations) {
    return new ApiDef(name, path, hosts, protocols, backend, subscriptionRequired,
        subscriptionKeyHeader, subscriptionKeyQuery, allowKeyInQuery, operations, openapi, policies, websocket, inventory,
        allowEncodedSlashes, tags);
  }

  /** Returns a copy with {@code openapi} replaced. */
  public ApiDef withOpenapi(OpenApiSource openapi) {
    return new ApiDef(name, path, hosts, protocols, backend, subscriptionRequired,
        subscriptionKeyHeader, subscriptionKeyQuery, allowKeyInQuery, operations, openapi, policies, websocket, inventory,
        allowEncodedSlashes, tags);
  }

  /** Returns a copy with {@code subscriptionRequired} replaced. */
  public ApiDef withSubscriptionRequired(boolean required) {
    return new ApiDef(name, path, hosts, protocols, backend, required,
        subscriptionKeyHeader, subscriptionKeyQuery, allowKeyInQuery, operations, openapi, policies, websocket, inventory,
        allowEncodedSlashes, tags);
  }

  /** Returns a copy with {@code policies} replaced. */
  public ApiDef withPolicies(PoliciesDef policies) {
    return new ApiDef(name, path, hosts, protocols, backend, subscriptionRequired,
        subscriptionKeyHeader, subscriptionKeyQuery, allowKeyInQuery, operations, openapi, policies, websocket, inventory,
        allowEncodedSlashes, tags);
  }

  /** Returns a copy with {@code inventory} replaced. */
  public ApiDef withInventory(InventoryDef inventory) {
    return new ApiDef(name, path, hosts, protocols, backend, subscriptionRequired,
        subscriptionKeyHeader, subscriptionKeyQuery, allowKeyInQuery, operations, openapi, policies, websocket, inventory,
        allowEncodedSlashes, tags);
  }

  /** Returns a copy with {@code websocket} replaced ({@code null} declines upgrades). */
  public ApiDef withWebsocket(WebSocket websocket) {
    return new ApiDef(name, path, hosts, protocols, backend, subscriptionRequired,
        subscriptionKeyHeader, subscriptionKeyQuery, allowKeyInQuery, operations, openapi, policies, websocket, inventory,
        allowEncodedSlashes, tags);
  }

  /**
   * WebSocket passthrough of an API: upgrade requests pass the API's inbound checks, then frames
   * are relayed to a WebSocket opened on the backend.
   *
   * @param idleTimeout longest time without a frame either way before both sides are closed with
   *     1001 (default 5 minutes)
   * @param maxMessageSize the largest message in bytes, summed over its fragments; larger ones
   *     close the connection with 1009 (default 65536, at most 16 MiB). Accepts {@code 64KiB}.
   */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  public record WebSocket(Duration idleTimeout,
      @com.fasterxml.jackson.databind.annotation.JsonDeserialize(using = io.gatehouse.model.internal.ByteSizes.Deserializer.class)
      Long maxMessageSize) {
    /** The default idle timeout. */
    public static final Duration DEFAULT_IDLE_TIMEOUT = Duration.ofMinutes(5);
    /** The default largest message. */
    public static final long DEFAULT_MAX_MESSAGE_SIZE = 64 * 1024;
    /** The largest {@code maxMessageSize} accepted. */
    public static final long MAX_MESSAGE_SIZE_LIMIT = 16L * 1024 * 1024;

    public WebSocket {
      idleTimeout = idleTimeout == null ? DEFAULT_IDLE_TIMEOUT : idleTimeout;
      maxMessageSize = maxMessageSize == null ? DEFAULT_MAX_MESSAGE_SIZE : maxMessageSize;
    }

    /** The defaults. */
    public static WebSocket defaults() {
      return new WebSocket(null, null);
    }
  }
}
