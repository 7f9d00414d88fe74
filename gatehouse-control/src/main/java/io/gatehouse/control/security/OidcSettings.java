package io.gatehouse.control.security;

import static java.util.Objects.requireNonNull;

import java.net.URI;
import java.util.List;
import java.util.Map;

/**
 * How the management API accepts OpenID Connect bearer JWTs: signed by a key of {@code jwksUrl},
 * issued by {@code issuer} for {@code audience}, with roles taken from claim {@code rolesClaim}
 * through {@code roleMap}; with an empty map the claim's values are role names themselves, otherwise
 * only mapped values grant roles.
 *
 * @param issuer the required {@code iss}
 * @param audience the required {@code aud} member
 * @param jwksUrl where the signing keys are published
 * @param rolesClaim the claim holding a string or an array of strings (for example {@code roles} or {@code groups})
 * @param roleMap claim value to role names
 */
public record OidcSettings(String issuer, String audience, URI jwksUrl, String rolesClaim,
    Map<String, List<String>> roleMap) {
  /** Checks and copies. */
  public OidcSettings {
    requireNonNull(issuer, "issuer");
    requireNonNull(audience, "audience");
    requireNonNull(jwksUrl, "jwksUrl");
    rolesClaim = rolesClaim == null || rolesClaim.isBlank() ? "roles" : rolesClaim;
    roleMap = roleMap == null ? Map.of() : Map.copyOf(roleMap);
  }

  /**
   * Parses a role map written {@code value=role[+role...],value=role}, for example
   * {@code gh-admins=admin,gh-ops=operator+auditor}.
   */
  public static Map<String, List<String>> parseRoleMap(String text) {
    Map<String, List<String>> out = new java.util.LinkedHashMap<>();
    if (text == null || text.isBlank()) {
      return out;
    }
    for (String pair : text.split(",")) {
      int eq = pair.indexOf('=');
      if (eq <= 0 || eq == pair.length() - 1) {
        throw new IllegalArgumentException("expected claimValue=role[+role] but got '" + pair + "'");
      }
      out.put(pair.substring(0, eq).strip(), List.of(pair.substring(eq + 1).strip().split("\\+")));
    }
    return out;
  }
}
