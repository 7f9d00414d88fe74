package io.gatehouse.model;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.Function;

/**
 * The changes that turn one configuration into another, entity by entity: what an {@code apply}
 * plan prints and what a revision diff returns.
 */
public record ConfigDiff(List<Change> changes) {

  /** The kind of a change. */
  public enum Action {
    CREATED,
    UPDATED,
    DELETED
  }

  /**
   * One entity that differs.
   *
   * @param kind the collection, for example {@code apis}
   * @param name the entity's name
   * @param action created, updated or deleted
   * @param before the entity before, or {@code null} when created
   * @param after the entity after, or {@code null} when deleted
   */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  public record Change(String kind, String name, Action action, Object before, Object after) {}

  public ConfigDiff {
    changes = List.copyOf(changes);
  }

  /** The changes from {@code from} to {@code to}; both are normalized first. */
  public static ConfigDiff between(GatewayConfig from, GatewayConfig to) {
    GatewayConfig a = from.normalized();
    GatewayConfig b = to.normalized();
    List<Change> out = new ArrayList<>();
    if (!a.settings().equals(b.settings())) {
      out.add(new Change("settings", "settings", Action.UPDATED, a.settings(), b.settings()));
    }
    compare(out, "backends", a.backends(), b.backends(), BackendDef::name);
    compare(out, "apis", a.apis(), b.apis(), ApiDef::name);
    compare(out, "products", a.products(), b.products(), ProductDef::name);
    compare(out, "subscriptions", a.subscriptions(), b.subscriptions(), SubscriptionDef::name);
    compare(out, "namedValues", a.namedValues(), b.namedValues(), NamedValueDef::name);
    compare(out, "users", a.users(), b.users(), UserDef::name);
    if (!a.advisor().equals(b.advisor())) {
      out.add(new Change("advisor", "advisor", Action.UPDATED, a.advisor(), b.advisor()));
    }
    return new ConfigDiff(out);
  }

  /** Whether the two configurations are the same. */
  public boolean isEmpty() {
    return changes.isEmpty();
  }

  /** How many changes have {@code action}. */
  public long count(Action action) {
    return changes.stream().filter(c -> c.action() == action).count();
  }

  /** A plan as people read it: one line per change, then totals. */
  public String render() {
    StringBuilder out = new StringBuilder();
    for (Change c : changes) {
      char sign = switch (c.action()) {
        case CREATED -> '+';
        case UPDATED -> '~';
        case DELETED -> '-';
      };
      out.append("  ").append(sign).append(' ').append(c.kind()).append('/').append(c.name())
          .append(" (").append(c.action().name().toLowerCase(java.util.Locale.ROOT)).append(")\n");
    }
    out.append(count(Action.CREATED)).append(" created, ").append(count(Action.UPDATED))
        .append(" updated, ").append(count(Action.DELETED)).append(" deleted\n");
    return out.toString();
  }

  private static <T> void compare(List<Change> out, String kind, List<T> before, List<T> after, Function<T, String> name) {
    Map<String, T> old = new LinkedHashMap<>();
    before.forEach(item -> old.put(name.apply(item), item));
    for (T item : after) {
      T previous = old.remove(name.apply(item));
      if (previous == null) {
        out.add(new Change(kind, name.apply(item), Action.CREATED, null, item));
      } else if (!Objects.equals(previous, item)) {
        out.add(new Change(kind, name.apply(item), Action.UPDATED, previous, item));
      }
    }
    old.forEach((n, item) -> out.add(new Change(kind, n, Action.DELETED, item, null)));
  }
}
