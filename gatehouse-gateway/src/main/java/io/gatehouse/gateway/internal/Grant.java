package io.gatehouse.gateway.internal;

import java.util.Set;

/**
 * What a subscription key grants, precomputed per snapshot: the subscription, its state and
 * expiry, the APIs in its scope ({@code null} means every API) and the product it is scoped to
 * ({@code null} when not scoped to a product).
 */
record Grant(String subscription, String state, long expiresAtMillis, String owner,
    boolean ownerBlocked, Set<String> apis, String product) {

  boolean covers(String api) {
    return apis == null || apis.contains(api);
  }

  /** Why the key may not be used right now, or {@code null} when it may. */
  String refusal(long nowMillis) {
    if (ownerBlocked) {
      return "the subscription's owner is blocked";
    }
    if (!state.equals("active")) {
      return "the subscription is " + state;
    }
    if (expiresAtMillis > 0 && nowMillis >= expiresAtMillis) {
      return "the subscription has expired";
    }
    return null;
  }
}
