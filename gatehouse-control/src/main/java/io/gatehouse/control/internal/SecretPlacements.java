package io.gatehouse.control.internal;

import io.gatehouse.control.security.Principal;
import io.gatehouse.control.security.Roles;
import io.gatehouse.model.GatewayConfig;
import io.gatehouse.model.SecretFields;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Refuses, with 403, a configuration change that places a secret named value outside the
 * secret-bearing fields ({@link SecretFields}) unless the caller holds {@code secrets:reveal}:
 * there, the gateway could show the value to a client. Placements the current configuration
 * already has stay allowed, so others can keep editing around them.
 */
final class SecretPlacements {
  private SecretPlacements() {}

  /** Throws 403 when {@code after} adds a placement {@code before} does not have and {@code who} may not add it. */
  static void check(Principal who, GatewayConfig before, GatewayConfig after) {
    if (who != null && who.permits(Roles.SECRETS_REVEAL)) {
      return;
    }
    List<SecretFields.Placement> exposed = SecretFields.exposed(after);
    if (exposed.isEmpty()) {
      return;
    }
    Set<String> had = SecretFields.exposed(before).stream().map(SecretFields.Placement::key).collect(Collectors.toSet());
    for (SecretFields.Placement p : exposed) {
      if (!had.contains(p.key())) {
        throw new ApiException(403, "permission " + Roles.SECRETS_REVEAL + " is required to place the secret named value"
            + " ${nv:" + p.namedValue() + "} in " + p.at() + ": without it, secret and reference named values go only"
            + " into secret-bearing fields (backend credentials; on the request: set-header and set-query-parameter"
            + " values, send-request headers, check-header values)");
      }
    }
  }
}
