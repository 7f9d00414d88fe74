package io.gatehouse.control.internal;

import io.gatehouse.model.ApiDef;
import io.gatehouse.model.BackendDef;
import io.gatehouse.model.GatewayConfig;
import io.gatehouse.model.NamedValueDef;
import io.gatehouse.model.ProductDef;
import io.gatehouse.model.SubscriptionDef;
import io.gatehouse.model.UserDef;
import java.util.List;
import java.util.Optional;
import java.util.function.BiFunction;
import java.util.function.Function;

/**
 * One collection of the configuration as the REST API exposes it: its URL segment, its field in
 * {@link GatewayConfig}, its record type and how to read and replace it.
 */
public record EntityKind<T>(
    String segment,
    String field,
    String singular,
    Class<T> type,
    Function<GatewayConfig, List<T>> items,
    BiFunction<GatewayConfig, List<T>, GatewayConfig> with,
    Function<T, String> name) {

  /** Every kind, in the order the document lists them. */
  public static final List<EntityKind<?>> ALL = List.of(
      new EntityKind<>("apis", "apis", "API", ApiDef.class, GatewayConfig::apis, GatewayConfig::withApis, ApiDef::name),
      new EntityKind<>("products", "products", "product", ProductDef.class, GatewayConfig::products,
          GatewayConfig::withProducts, ProductDef::name),
      new EntityKind<>("subscriptions", "subscriptions", "subscription", SubscriptionDef.class,
          GatewayConfig::subscriptions, GatewayConfig::withSubscriptions, SubscriptionDef::name),
      new EntityKind<>("backends", "backends", "backend", BackendDef.class, GatewayConfig::backends,
          GatewayConfig::withBackends, BackendDef::name),
      new EntityKind<>("named-values", "namedValues", "named value", NamedValueDef.class,
          GatewayConfig::namedValues, GatewayConfig::withNamedValues, NamedValueDef::name),
      new EntityKind<>("users", "users", "user", UserDef.class, GatewayConfig::users, GatewayConfig::withUsers,
          UserDef::name));

  /** The item named {@code wanted} in {@code config}. */
  public Optional<T> find(GatewayConfig config, String wanted) {
    return items.apply(config).stream().filter(i -> name.apply(i).equals(wanted)).findFirst();
  }
}
