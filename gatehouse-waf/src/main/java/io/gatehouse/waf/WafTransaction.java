package io.gatehouse.waf;

import io.gatehouse.waf.internal.Tx;

/**
 * One request and its response as the engine sees them: {@link #inspectRequest()} runs phases 1
 * and 2, then {@link #inspectResponse} runs phases 3 and 4 with the variables (TX, scores) the
 * request phases left. Not thread-safe: one transaction per request.
 */
public final class WafTransaction {
  private final Tx tx;

  WafTransaction(Tx tx) {
    this.tx = tx;
  }

  /** Runs the request phases; call once, before {@link #inspectResponse}. */
  public WafVerdict inspectRequest() {
    return tx.runRequest();
  }

  /** Runs the response phases; the verdict covers the whole transaction so far. */
  public WafVerdict inspectResponse(WafResponse response) {
    return tx.runResponse(java.util.Objects.requireNonNull(response, "response"));
  }
}
