package io.gatehouse.gateway.internal.policy;

import java.util.Map;

/**
 * The pipelines of one API, by operation ({@code ""} when the API lists none) and product
 * ({@code ""} when the request carries no product-scoped subscription).
 */
public final class PolicyTable {
  /** The table of an API with no policies at any scope. */
  public static final PolicyTable NONE = new PolicyTable(Map.of());

  private final Map<String, Map<String, Pipeline>> byOperation;

  PolicyTable(Map<String, Map<String, Pipeline>> byOperation) {
    this.byOperation = byOperation;
  }

  /** The pipeline for {@code operation} and {@code product}, or {@code null} when there is none. */
  public Pipeline select(String operation, String product) {
    if (byOperation.isEmpty()) {
      return null;
    }
    Map<String, Pipeline> byProduct = byOperation.get(operation);
    if (byProduct == null) {
      return null;
    }
    Pipeline p = byProduct.get(product == null ? "" : product);
    return p != null ? p : byProduct.get("");
  }
}
