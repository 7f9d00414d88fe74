package io.gatehouse.policy;

import static java.util.Objects.requireNonNull;

/**
 * A typed key for a value attached to one request's {@link PolicyContext}; keys compare by
 * identity, so declare each as a constant.
 *
 * @param <T> the type of the value
 */
public final class AttributeKey<T> {
  private final String name;
  private final Class<T> type;

  private AttributeKey(String name, Class<T> type) {
    this.name = requireNonNull(name, "name");
    this.type = requireNonNull(type, "type");
  }

  /** Creates a new key; {@code name} is for diagnostics only. */
  public static <T> AttributeKey<T> of(String name, Class<T> type) {
    return new AttributeKey<>(name, type);
  }

  /** The key's diagnostic name. */
  public String name() {
    return name;
  }

  /** The type of the values this key holds. */
  public Class<T> type() {
    return type;
  }

  @Override
  public String toString() {
    return "AttributeKey(" + name + ")";
  }
}
