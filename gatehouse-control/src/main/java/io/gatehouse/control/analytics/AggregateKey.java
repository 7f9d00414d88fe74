package io.gatehouse.control.analytics;

import static java.util.Objects.requireNonNull;

/**
 * The dimensions of one aggregate row; empty strings stand for "none".
 *
 * @param api API name
 * @param operation operation name
 * @param product product name
 * @param subscription subscription name
 * @param statusClass {@code 1xx}..{@code 5xx} or {@code none}
 * @param client client address, or {@value Analytics#OTHER} beyond the cardinality cap
 * @param node the node that served the requests (empty: this node, or rows written before nodes were recorded)
 */
public record AggregateKey(String api, String operation, String product, String subscription, String statusClass,
    String client, String node) {

  /** A key without a node. */
  public AggregateKey(String api, String operation, String product, String subscription, String statusClass,
      String client) {
    this(api, operation, product, subscription, statusClass, client, "");
  }

  public AggregateKey {
    requireNonNull(api, "api");
    requireNonNull(operation, "operation");
    requireNonNull(product, "product");
    requireNonNull(subscription, "subscription");
    requireNonNull(statusClass, "statusClass");
    requireNonNull(client, "client");
    requireNonNull(node, "node");
  }

  /** This key with {@code node} as its node. */
  public AggregateKey withNode(String node) {
    return node.equals(this.node) ? this : new AggregateKey(api, operation, product, subscription, statusClass, client, node);
  }

  /** The value of dimension {@code name} ({@code api}, {@code operation}, {@code product},
   * {@code subscription}, {@code status}, {@code client}, {@code node}). */
  public String get(String name) {
    switch (name) {
      case "api": return api;
      case "operation": return operation;
      case "product": return product;
      case "subscription": return subscription;
      case "status": return statusClass;
      case "client": return client;
      case "node": return node;
      default: throw new IllegalArgumentException("unknown dimension '" + name + "'; expected one of " + Analytics.DIMENSIONS);
    }
  }
}
