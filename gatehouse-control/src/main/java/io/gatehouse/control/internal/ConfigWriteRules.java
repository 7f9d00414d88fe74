package io.gatehouse.control.internal;

import io.gatehouse.control.secrets.ReferenceAllowlist;
import io.gatehouse.control.security.Principal;
import io.gatehouse.control.security.Roles;
import io.gatehouse.model.FileFields;
import io.gatehouse.model.GatewayConfig;
import io.gatehouse.model.SecretFields;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * The trust-boundary checks of a configuration change made through the management API: a secret
 * named value placed outside the secret-bearing fields ({@link SecretFields}) needs
 * {@code secrets:reveal} (403), and a file named in the configuration ({@link FileFields}) must be
 * allowed by {@code --reference-allow} (400), and a policy URL of its own ({@link FreeUrlRule})
 * needs {@code backends:write} (403). What the current configuration already has stays
 * allowed, so that others can keep editing around it.
 */
final class ConfigWriteRules {
  private ConfigWriteRules() {}

  /** Throws {@link ApiException} when {@code who} may not change {@code before} into {@code after}. */
  static void check(Principal who, ReferenceAllowlist allowlist, GatewayConfig before, GatewayConfig after) {
    secretPlacements(who, before, after);
    files(allowlist, before, after);
    FreeUrlRule.check(who, before, after);
  }

  private static void secretPlacements(Principal who, GatewayConfig before, GatewayConfig after) {
    if (who != null && who.permits(Roles.SECRETS_REVEAL)) {
      return;
    }
    List<SecretFields.Placement> exposed = SecretFields.exposed(after);
    if (exposed.isEmpty()) {
      return;
    }
    Set<String> had = new HashSet<>();
    SecretFields.exposed(before).forEach(p -> had.add(p.key()));
    for (SecretFields.Placement p : exposed) {
      if (!had.contains(p.key())) {
        throw new ApiException(403, "permission " + Roles.SECRETS_REVEAL + " is required to place the secret named value"
            + " ${nv:" + p.namedValue() + "} in " + p.at() + ": without it, secret and reference named values go only"
            + " into secret-bearing fields (backend credentials; on the request: set-header and set-query-parameter"
            + " values, send-request headers, check-header values)");
      }
    }
  }

  private static void files(ReferenceAllowlist allowlist, GatewayConfig before, GatewayConfig after) {
    List<FileFields.Use> uses = FileFields.of(after);
    if (uses.isEmpty()) {
      return;
    }
    Set<String> had = new HashSet<>();
    FileFields.of(before).forEach(u -> had.add(u.path()));
    for (FileFields.Use u : uses) {
      if (!had.contains(u.path())) {
        allowlist.refusal("file:" + u.path()).ifPresent(why -> {
          throw new ApiException(400, u.at() + " names a file the server may not read through the management API: "
              + why);
        });
      }
    }
  }
}
