package io.gatehouse.control.internal;

import static java.util.Objects.requireNonNull;

import io.gatehouse.control.AdminTokens;
import io.gatehouse.control.ControlPlane;
import io.gatehouse.control.ManagementOptions;
import io.gatehouse.control.security.AuditLog;
import io.gatehouse.control.security.Principal;
import io.gatehouse.control.security.Roles;
import java.util.List;
import java.util.Optional;

/**
 * Everything the management listener needs to decide who a caller is and what it may do: the
 * identity store, the audit log, the OIDC verifier and the failed-authentication counts.
 */
public final class ManagementSecurity {
  private final ControlPlane plane;
  private final IdentityStore identities;
  private final AuditLog audit;
  private final OidcVerifier oidc;
  private final ManagementOptions options;
  private final FailedAuthentications failures;

  /** Security over {@code plane}'s admin tokens, {@code identities} and {@code audit}, configured by {@code options}. */
  public ManagementSecurity(ControlPlane plane, IdentityStore identities, AuditLog audit, ManagementOptions options) {
    this.plane = requireNonNull(plane, "plane");
    this.identities = requireNonNull(identities, "identities");
    this.audit = requireNonNull(audit, "audit");
    this.options = requireNonNull(options, "options");
    this.oidc = options.oidc() == null ? null : new OidcVerifier(options.oidc());
    this.failures = new FailedAuthentications(options.authFailuresPerMinute(), options.loginFailuresPerMinute(),
        options.clock());
  }

  /** The identity store. */
  public IdentityStore identities() {
    return identities;
  }

  /** The audit log. */
  public AuditLog audit() {
    return audit;
  }

  /** The options. */
  public ManagementOptions options() {
    return options;
  }

  /** Failed authentications per client address and per presented identity. */
  public FailedAuthentications failures() {
    return failures;
  }

  /**
   * The principal a bearer token stands for: an OIDC JWT (when configured), a live personal access
   * or session token, or the bootstrap admin token (role owner). Blocking.
   */
  public Optional<Principal> authenticate(String token) {
    if (oidc != null && OidcVerifier.looksLikeJwt(token)) {
      return oidc.verify(token).map(v -> principal("oidc:" + v.subject(), "oidc", v.roles()));
    }
    String hash = AdminTokens.hash(token);
    Optional<IdentityStore.TokenInfo> live = identities.liveToken(hash);
    if (live.isPresent()) {
      IdentityStore.TokenInfo t = live.get();
      return Optional.of(principal(t.owner(), t.kind().equals("session") ? "session" : "token " + t.name(), t.roles()));
    }
    return plane.adminTokenName(hash).map(name -> principal(name, "bootstrap", List.of(Roles.OWNER)));
  }

  /** A principal named {@code name} holding {@code roles}. */
  public Principal principal(String name, String method, List<String> roles) {
    return new Principal(name, method, java.util.Set.copyOf(roles), identities.permissionsOf(roles));
  }
}
