package io.gatehouse.control.internal;

import io.gatehouse.control.security.Principal;
import io.gatehouse.control.security.Roles;
import io.gatehouse.model.GatewayConfig;
import io.gatehouse.model.SubscriptionDef;
import java.util.ArrayList;
import java.util.List;

/**
 * Who sees subscription key hashes in whole configurations: only callers holding
 * {@code secrets:reveal}, so that their export restores the keys; for everyone else subscriptions
 * carry no key material, and applying such a configuration keeps the keys in force.
 */
final class SubscriptionKeyViews {
  private SubscriptionKeyViews() {}

  /** {@code config} as {@code who} may see it. */
  static GatewayConfig forCaller(Principal who, GatewayConfig config) {
    if (who != null && who.permits(Roles.SECRETS_REVEAL)) {
      return config;
    }
    return config.withSubscriptions(config.subscriptions().stream()
        .map(s -> s.withKeyMaterial(null, null, null, null))
        .toList());
  }

  /**
   * {@code wanted} with the current key hashes kept for every subscription that names no key and
   * no hash (as {@link #forCaller} shows it to most callers).
   */
  static GatewayConfig keepingKeys(GatewayConfig current, GatewayConfig wanted) {
    List<SubscriptionDef> out = new ArrayList<>(wanted.subscriptions().size());
    for (SubscriptionDef s : wanted.subscriptions()) {
      SubscriptionDef before = current.subscription(s.name()).orElse(null);
      boolean keyless = s.primaryKey() == null && s.secondaryKey() == null && s.primaryKeyHash() == null
          && s.secondaryKeyHash() == null;
      out.add(before == null || !keyless ? s
          : s.withKeyMaterial(null, null, before.primaryKeyHash(), before.secondaryKeyHash()));
    }
    return wanted.withSubscriptions(out);
  }
}
