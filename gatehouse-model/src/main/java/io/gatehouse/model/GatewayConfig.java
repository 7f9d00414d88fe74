package io.gatehouse.model;

import static io.gatehouse.model.internal.Lists.copy;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonInclude.Include;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import java.util.List;
import java.util.Optional;
import java.util.function.Function;

/**
 * The whole desired state of a Gatehouse deployment: one immutable value that is stored as a
 * revision, compiled into a gateway snapshot, and written to or read from YAML.
 *
 * <p>Entities are identified by {@code name} within their kind. Subscription keys appear here only
 * as hashes once {@link #normalized()} has run.
 */
@JsonInclude(JsonInclude.Include.NON_EMPTY)
@JsonPropertyOrder({"settings", "policies", "backends", "apis", "products", "subscriptions", "namedValues", "users",
    "advisor"})
public record GatewayConfig(
    GatewaySettings settings,
    List<BackendDef> backends,
    List<ApiDef> apis,
    List<ProductDef> products,
    List<SubscriptionDef> subscriptions,
    List<NamedValueDef> namedValues,
    List<UserDef> users,
    @JsonInclude(value = Include.CUSTOM, valueFilter = PoliciesDef.OmitEmpty.class) PoliciesDef policies,
    @JsonInclude(value = Include.CUSTOM, valueFilter = AdvisorDef.OmitEmpty.class) AdvisorDef advisor) {

  /** The empty configuration. */
  public static final GatewayConfig EMPTY =
      new GatewayConfig(null, null, null, null, null, null, null, null, null);

  public GatewayConfig {
    settings = settings == null ? GatewaySettings.DEFAULTS : settings;
    backends = copy(backends);
    apis = copy(apis);
    products = copy(products);
    subscriptions = copy(subscriptions);
    namedValues = copy(namedValues);
    users = copy(users);
    policies = PoliciesDef.orEmpty(policies);
    advisor = AdvisorDef.orNone(advisor);
  }

  /** A configuration without global policies. */
  public GatewayConfig(GatewaySettings settings, List<BackendDef> backends, List<ApiDef> apis,
      List<ProductDef> products, List<SubscriptionDef> subscriptions, List<NamedValueDef> namedValues,
      List<UserDef> users) {
    this(settings, backends, apis, products, subscriptions, namedValues, users, null, null);
  }

  /** Returns a copy with the global policies replaced. */
  public GatewayConfig withPolicies(PoliciesDef policies) {
    return new GatewayConfig(settings, backends, apis, products, subscriptions, namedValues, users, policies, advisor);
  }

  /**
   * Returns this configuration with every plain subscription key replaced by its hash, so that it
   * can be stored, compared and exported without key material.
   */
  public GatewayConfig normalized() {
    return withSubscriptions(subscriptions.stream().map(SubscriptionDef::hashed).toList());
  }

  /** The backend named {@code name}. */
  public Optional<BackendDef> backend(String name) {
    return find(backends, BackendDef::name, name);
  }

  /** The API named {@code name}. */
  public Optional<ApiDef> api(String name) {
    return find(apis, ApiDef::name, name);
  }

  /** The product named {@code name}. */
  public Optional<ProductDef> product(String name) {
    return find(products, ProductDef::name, name);
  }

  /** The subscription named {@code name}. */
  public Optional<SubscriptionDef> subscription(String name) {
    return find(subscriptions, SubscriptionDef::name, name);
  }

  /** The named value named {@code name}. */
  public Optional<NamedValueDef> namedValue(String name) {
    return find(namedValues, NamedValueDef::name, name);
  }

  /** Returns a copy with {@code settings} replaced. */
  public GatewayConfig withSettings(GatewaySettings settings) {
    return new GatewayConfig(settings, backends, apis, products, subscriptions, namedValues, users, policies, advisor);
  }

  /** Returns a copy with the backends replaced. */
  public GatewayConfig withBackends(List<BackendDef> backends) {
    return new GatewayConfig(settings, backends, apis, products, subscriptions, namedValues, users, policies, advisor);
  }

  /** Returns a copy with the APIs replaced. */
  public GatewayConfig withApis(List<ApiDef> apis) {
    return new GatewayConfig(settings, backends, apis, products, subscriptions, namedValues, users, policies, advisor);
  }

  /** Returns a copy with the products replaced. */
  public GatewayConfig withProducts(List<ProductDef> products) {
    return new GatewayConfig(settings, backends, apis, products, subscriptions, namedValues, users, policies, advisor);
  }

  /** Returns a copy with the subscriptions replaced. */
  public GatewayConfig withSubscriptions(List<SubscriptionDef> subscriptions) {
    return new GatewayConfig(settings, backends, apis, products, subscriptions, namedValues, users, policies, advisor);
  }

  /** Returns a copy with the named values replaced. */
  public GatewayConfig withNamedValues(List<NamedValueDef> namedValues) {
    return new GatewayConfig(settings, backends, apis, products, subscriptions, namedValues, users, policies, advisor);
  }

  /** Returns a copy with the advisor section (accepted findings) replaced. */
  public GatewayConfig withAdvisor(AdvisorDef advisor) {
    return new GatewayConfig(settings, backends, apis, products, subscriptions, namedValues, users, policies, advisor);
  }

  /** Returns a copy with the users replaced. */
  public GatewayConfig withUsers(List<UserDef> users) {
    return new GatewayConfig(settings, backends, apis, products, subscriptions, namedValues, users, policies, advisor);
  }

  private static <T> Optional<T> find(List<T> list, Function<T, String> name, String wanted) {
    for (T item : list) {
      if (name.apply(item).equals(wanted)) {
        return Optional.of(item);
      }
    }
    return Optional.empty();
  }
}
