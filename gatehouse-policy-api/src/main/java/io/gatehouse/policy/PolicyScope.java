package io.gatehouse.policy;

import static java.util.Objects.requireNonNull;

/**
 * Where a policy is configured: the level of its scope and that scope's name (the product, API or
 * operation; empty for the global scope).
 *
 * @param level the scope's level
 * @param name the product's or API's name, the operation as {@code METHOD /template}, or {@code ""}
 */
public record PolicyScope(Level level, String name) {

  /** The scope levels, from the outermost. */
  public enum Level {
    /** The gateway-wide policies. */
    GLOBAL,
    /** A product's policies. */
    PRODUCT,
    /** An API's policies. */
    API,
    /** One operation's policies. */
    OPERATION
  }

  /** The global scope. */
  public static final PolicyScope GLOBAL = new PolicyScope(Level.GLOBAL, "");

  public PolicyScope {
    requireNonNull(level, "level");
    requireNonNull(name, "name");
  }

  /** A product's scope. */
  public static PolicyScope product(String name) {
    return new PolicyScope(Level.PRODUCT, name);
  }

  /** An API's scope. */
  public static PolicyScope api(String name) {
    return new PolicyScope(Level.API, name);
  }

  /** An operation's scope, {@code operation} written {@code METHOD /template}. */
  public static PolicyScope operation(String operation) {
    return new PolicyScope(Level.OPERATION, operation);
  }

  /** {@code global}, {@code product:NAME}, {@code api:NAME} or {@code operation:METHOD /path}. */
  @Override
  public String toString() {
    return level == Level.GLOBAL ? "global" : level.name().toLowerCase(java.util.Locale.ROOT) + ":" + name;
  }
}
