package io.gatehouse.control.security;

import static java.util.Objects.requireNonNull;

import java.util.Set;

/**
 * Who is calling the management API: a name (the author of changes), how it authenticated, its
 * roles and the permissions they grant.
 *
 * @param name the actor recorded in revisions and the audit log
 * @param method how it authenticated: {@code bootstrap}, {@code token}, {@code session} or {@code oidc}
 * @param roles role names
 * @param permissions the union of the roles' permissions
 */
public record Principal(String name, String method, Set<String> roles, Set<String> permissions) {
  /** Copies the sets. */
  public Principal {
    requireNonNull(name, "name");
    requireNonNull(method, "method");
    roles = Set.copyOf(roles);
    permissions = Set.copyOf(permissions);
  }

  /** Whether this principal may call a route requiring {@code permission}. */
  public boolean permits(String permission) {
    return Roles.permits(permissions, permission);
  }
}
