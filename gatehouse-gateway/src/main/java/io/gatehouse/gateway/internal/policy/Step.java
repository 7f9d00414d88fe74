package io.gatehouse.gateway.internal.policy;

import io.gatehouse.policy.Policy;
import io.gatehouse.policy.SyncPolicy;

/**
 * One compiled policy in a pipeline: where it was configured (location, scope, section, position)
 * and the instance, either a {@link SyncPolicy} ({@link #sync} set) or an asynchronous
 * {@link Policy} ({@link #async} set).
 */
public final class Step {
  /** Where the policy was configured, for example {@code apis[0].policies.inbound[1].rate-limit}. */
  public final String location;
  /** The policy's name, for example {@code rate-limit}. */
  public final String name;
  /** The section it was configured in. */
  public final Section section;
  /** The scope it was configured in. */
  public final io.gatehouse.policy.PolicyScope scope;
  /**
   * The policy's name and scope, such as {@code validate-jwt@api:pets}, for traffic events: names
   * from configuration only, never request input.
   */
  public final String label;
  /** Its index in the list it was configured in. */
  public final int position;
  /** The policy when it is synchronous, else {@code null}. */
  public final SyncPolicy sync;
  /** The policy when it is asynchronous, else {@code null}. */
  public final Policy async;

  Step(String where, String name, Section section, io.gatehouse.policy.PolicyScope scope, Policy policy) {
    this.location = where + "." + name;
    this.name = name;
    this.section = section;
    this.scope = scope;
    this.label = scope.level() == io.gatehouse.policy.PolicyScope.Level.GLOBAL
        ? name + "@global" : name + "@" + scope;
    this.position = positionOf(where);
    if (policy instanceof SyncPolicy s) {
      this.sync = s;
      this.async = null;
    } else {
      this.sync = null;
      this.async = java.util.Objects.requireNonNull(policy, "policy");
    }
  }

  /** The index in the last {@code [i]} of a location, or -1. */
  static int positionOf(String where) {
    int close = where.lastIndexOf(']');
    int open = where.lastIndexOf('[', close);
    if (open < 0 || close < 0) {
      return -1;
    }
    try {
      return Integer.parseInt(where.substring(open + 1, close));
    } catch (NumberFormatException e) {
      return -1;
    }
  }

  @Override
  public String toString() {
    return location;
  }
}
