package io.gatehouse.gateway.internal.policy;

import io.gatehouse.policy.Policy;
import io.gatehouse.policy.SyncPolicy;

/**
 * One compiled policy in a pipeline: where it was configured and the instance, either a
 * {@link SyncPolicy} ({@link #sync} set) or an asynchronous {@link Policy} ({@link #async} set).
 */
public final class Step {
  /** Where the policy was configured, for example {@code apis[0].policies.inbound[1]}. */
  public final String location;
  /** The policy when it is synchronous, else {@code null}. */
  public final SyncPolicy sync;
  /** The policy when it is asynchronous, else {@code null}. */
  public final Policy async;

  Step(String location, Object policy) {
    this.location = location;
    if (policy instanceof SyncPolicy s) {
      this.sync = s;
      this.async = null;
    } else if (policy instanceof Policy p) {
      this.sync = null;
      this.async = p;
    } else {
      throw new IllegalArgumentException("expected a Policy or SyncPolicy but got "
          + (policy == null ? "null" : policy.getClass().getName()));
    }
  }

  @Override
  public String toString() {
    return location;
  }
}
