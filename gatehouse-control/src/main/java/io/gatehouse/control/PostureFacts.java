package io.gatehouse.control;

import static java.util.Objects.requireNonNull;

import io.gatehouse.control.internal.IdentityStore;
import io.gatehouse.control.security.AuditLog;
import io.gatehouse.control.security.AuditVerification;
import io.gatehouse.control.security.Roles;
import io.gatehouse.insight.advisor.RuntimeFacts;
import io.gatehouse.model.SubscriptionDef;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * The posture advisor's facts that only the control plane's stores know, read from them on each
 * call: administrator accounts with their last login, the roles and their permissions, when each
 * subscription's keys were created (from the revision history) and the audit chain's verification
 * (cached). Blocking: call it on a worker thread. Thread-safe.
 */
public final class PostureFacts {
  /** The permission that makes an account an administrator for the advisor. */
  public static final String ADMIN_PERMISSION = "config:write";

  private final ControlPlane plane;
  private final IdentityStore identities;
  private final AuditLog audit;
  private final Clock clock;
  private final Duration auditCacheFor;

  // key history, advanced incrementally over new revisions
  private long keysThrough = -1;
  private final Map<String, KeyHistory> keys = new HashMap<>();
  private RuntimeFacts.AuditChain chain;
  private Instant chainCheckedAt;

  private static final class KeyHistory {
    String primaryHash;
    Instant primarySince;
    String secondaryHash;
    Instant secondarySince;
  }

  /**
   * Facts over {@code plane}'s revisions, {@code identities}' accounts and tokens and {@code audit}'s
   * chain, verified at most once per {@code auditCacheFor}.
   */
  PostureFacts(ControlPlane plane, IdentityStore identities, AuditLog audit, Clock clock, Duration auditCacheFor) {
    this.plane = requireNonNull(plane, "plane");
    this.identities = requireNonNull(identities, "identities");
    this.audit = requireNonNull(audit, "audit");
    this.clock = requireNonNull(clock, "clock");
    this.auditCacheFor = requireNonNull(auditCacheFor, "auditCacheFor");
  }

  /**
   * Local accounts whose roles grant {@link #ADMIN_PERMISSION}, with the last time a token was
   * issued to them (a login or a personal access token) as their last use. Local accounts have no
   * second factor in Gatehouse, so {@code secondFactor} is false for each: administrators should
   * sign in through OIDC single sign-on, whose principals are not local accounts.
   */
  public List<RuntimeFacts.AdminAccount> administrators() {
    Map<String, Instant> lastIssued = identities.lastTokenIssued();
    List<RuntimeFacts.AdminAccount> out = new ArrayList<>();
    for (IdentityStore.Account a : identities.accounts()) {
      if (identities.permissionsOf(a.roles()).contains(ADMIN_PERMISSION)) {
        out.add(new RuntimeFacts.AdminAccount(a.name(), lastIssued.get(a.name()), a.createdAt(), false));
      }
    }
    return out;
  }

  /** Every role with its permissions: the built-in roles, then the custom ones from the store. */
  public Map<String, Set<String>> roles() {
    Map<String, Set<String>> out = new LinkedHashMap<>(Roles.BUILT_IN);
    out.putAll(identities.customRoles());
    return out;
  }

  /**
   * When the current keys of each subscription were created, by subscription name: the commit time
   * of the revision since which its older key (primary or secondary) has been unchanged. A key set
   * in the first revision counts from that revision.
   */
  public synchronized Map<String, Instant> subscriptionKeysCreated() {
    long current = plane.revision().info().id();
    if (current != keysThrough) {
      List<RevisionInfo> newer = new ArrayList<>();
      int offset = 0;
      outer:
      while (true) {
        List<RevisionInfo> page = plane.revisions(offset, 200);
        for (RevisionInfo r : page) {
          if (r.id() <= keysThrough) {
            break outer;
          }
          newer.add(r);
        }
        if (page.size() < 200) {
          break;
        }
        offset += page.size();
      }
      for (int i = newer.size() - 1; i >= 0; i--) { // oldest first
        RevisionInfo info = newer.get(i);
        plane.revision(info.id()).ifPresent(rev -> advance(rev.config().subscriptions(), info.time()));
      }
      keysThrough = current;
    }
    Map<String, Instant> out = new LinkedHashMap<>();
    for (SubscriptionDef s : plane.config().subscriptions()) {
      KeyHistory h = keys.get(s.name());
      if (h == null) {
        continue;
      }
      Instant created = h.primarySince;
      if (h.secondarySince != null && (created == null || h.secondarySince.isBefore(created))) {
        created = h.secondarySince;
      }
      if (created != null) {
        out.put(s.name(), created);
      }
    }
    return out;
  }

  private void advance(List<SubscriptionDef> subscriptions, Instant time) {
    Map<String, KeyHistory> seen = new HashMap<>();
    for (SubscriptionDef s : subscriptions) {
      KeyHistory h = keys.getOrDefault(s.name(), new KeyHistory());
      if (!Objects.equals(h.primaryHash, s.primaryKeyHash())) {
        h.primaryHash = s.primaryKeyHash();
        h.primarySince = s.primaryKeyHash() == null ? null : time;
      }
      if (!Objects.equals(h.secondaryHash, s.secondaryKeyHash())) {
        h.secondaryHash = s.secondaryKeyHash();
        h.secondarySince = s.secondaryKeyHash() == null ? null : time;
      }
      seen.put(s.name(), h);
    }
    keys.clear();
    keys.putAll(seen); // a deleted and re-created subscription starts over
  }

  /** The audit chain's verification, re-run when the cached result is older than the cache time. */
  public synchronized RuntimeFacts.AuditChain auditChain() {
    Instant now = clock.instant();
    if (chain == null || chainCheckedAt.plus(auditCacheFor).isBefore(now)) {
      AuditVerification v = audit.verify();
      chain = new RuntimeFacts.AuditChain(v.intact(), v.detail());
      chainCheckedAt = now;
    }
    return chain;
  }
}
