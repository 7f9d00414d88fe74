package io.gatehouse.control.security;

import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * The permission vocabulary of the management API ({@code resource:action}) and the built-in roles
 * granting them; anything not granted is denied.
 */
public final class Roles {
  /** Everything, including identity administration (roles, accounts, every token). */
  public static final String OWNER = "owner";
  /** Everything except identity administration (roles and accounts) and revealing secrets. */
  public static final String ADMIN = "admin";
  /** Writes APIs, products and policies; reads the rest of the configuration. */
  public static final String API_PUBLISHER = "api-publisher";
  /** Writes subscriptions, users and developer accounts; reads the rest of the configuration. */
  public static final String OPERATOR = "operator";
  /** Reads the audit log and everything else, changes nothing. */
  public static final String AUDITOR = "auditor";
  /** Reads the configuration, changes nothing. */
  public static final String READER = "reader";

  /** The pseudo-permission of routes that need no authentication (login). */
  public static final String PUBLIC = "public";
  /** The pseudo-permission of routes every authenticated principal may call (its own tokens, whoami). */
  public static final String AUTHENTICATED = "authenticated";

  /** Every resource a permission names. */
  public static final List<String> RESOURCES = List.of("apis", "products", "subscriptions", "backends",
      "named-values", "users", "policies", "revisions", "config", "roles", "accounts", "tokens", "audit", "meta",
      "analytics", "debugging", "certificates", "nodes", "developers");

  /**
   * Revealing a secret value, and placing a secret named value where the gateway would show it
   * (outside a secret-bearing field): granted to no built-in role but owner.
   */
  public static final String SECRETS_REVEAL = "secrets:reveal";

  /** Every grantable permission, sorted. */
  public static final Set<String> PERMISSIONS;
  /** The built-in roles and their permissions, in the order above. */
  public static final Map<String, Set<String>> BUILT_IN;

  static {
    Set<String> all = new TreeSet<>();
    for (String r : RESOURCES) {
      all.add(r + ":read");
      if (!r.equals("meta") && !r.equals("audit") && !r.equals("analytics")) {
        all.add(r + ":write");
      }
    }
    all.add(SECRETS_REVEAL);
    PERMISSIONS = java.util.Collections.unmodifiableSet(all);

    Set<String> configReads = reads("apis", "products", "subscriptions", "backends", "named-values", "users",
        "policies", "revisions", "config", "meta", "analytics", "certificates", "nodes", "developers");
    Map<String, Set<String>> roles = new LinkedHashMap<>();
    roles.put(OWNER, all);
    roles.put(ADMIN, without(all, "roles:write", "accounts:write", SECRETS_REVEAL));
    roles.put(API_PUBLISHER, union(configReads, Set.of("apis:write", "products:write", "policies:write",
        "debugging:read", "debugging:write")));
    roles.put(OPERATOR, union(configReads, Set.of("subscriptions:write", "users:write", "developers:write", "roles:read")));
    roles.put(AUDITOR, union(configReads, Set.of("audit:read", "roles:read", "accounts:read", "tokens:read")));
    roles.put(READER, configReads);
    BUILT_IN = java.util.Collections.unmodifiableMap(roles);
  }

  private Roles() {}

  /** Whether {@code permission} is one of {@link #PERMISSIONS}. */
  public static boolean isPermission(String permission) {
    return PERMISSIONS.contains(permission);
  }

  /** Whether {@code role} is built in. */
  public static boolean isBuiltIn(String role) {
    return BUILT_IN.containsKey(role);
  }

  /**
   * Whether a principal holding {@code granted} may call a route requiring {@code required}:
   * {@link #PUBLIC} and {@link #AUTHENTICATED} always, otherwise only when granted; a route with no
   * declared permission ({@code null}) never.
   */
  public static boolean permits(Collection<String> granted, String required) {
    if (required == null) {
      return false;
    }
    return required.equals(PUBLIC) || required.equals(AUTHENTICATED) || granted.contains(required);
  }

  private static Set<String> reads(String... resources) {
    Set<String> out = new LinkedHashSet<>();
    for (String r : resources) {
      out.add(r + ":read");
    }
    return out;
  }

  private static Set<String> union(Set<String> a, Set<String> b) {
    Set<String> out = new TreeSet<>(a);
    out.addAll(b);
    return java.util.Collections.unmodifiableSet(out);
  }

  private static Set<String> without(Set<String> a, String... removed) {
    Set<String> out = new TreeSet<>(a);
    for (String r : removed) {
      out.remove(r);
    }
    return java.util.Collections.unmodifiableSet(out);
  }
}
