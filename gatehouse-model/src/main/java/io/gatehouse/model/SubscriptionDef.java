package io.gatehouse.model;

import static io.gatehouse.model.internal.Lists.copy;
import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import java.time.Instant;
import java.util.List;

/**
 * A subscription grants its keys access to a scope: {@code all}, {@code product:NAME} or
 * {@code api:NAME}.
 *
 * <p>Keys are given in plain text only on the way in ({@code primaryKey}, {@code secondaryKey});
 * {@link #hashed()} turns them into {@code primaryKeyHash} and {@code secondaryKeyHash}, which is
 * all that is stored.
 *
 * @param name unique subscription name
 * @param scope {@code all}, {@code product:NAME} or {@code api:NAME}
 * @param state {@code active} (default), {@code pending} (waiting for an operator's approval), {@code suspended}, {@code cancelled} or {@code expired}
 * @param expiresAt when the subscription stops working, or {@code null} for never
 * @param owner the user that owns the subscription, or {@code null}
 * @param tags labels that scope {@code apply --select-tag} (never {@code null}; empty when not given)
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
@JsonPropertyOrder({"name", "scope", "state", "expiresAt", "owner"})
public record SubscriptionDef(
    String name,
    String scope,
    String state,
    Instant expiresAt,
    String owner,
    String primaryKey,
    String secondaryKey,
    String primaryKeyHash,
    String secondaryKeyHash,
    @JsonInclude(JsonInclude.Include.NON_EMPTY) List<String> tags) implements Tagged {

  public SubscriptionDef {
    requireNonNull(name, "name");
    requireNonNull(scope, "scope");
    state = state == null ? "active" : state;
    tags = copy(tags);
  }

  /** A subscription without tags (the form before tags existed). */
  public SubscriptionDef(String name, String scope, String state, Instant expiresAt, String owner, String primaryKey,
      String secondaryKey, String primaryKeyHash, String secondaryKeyHash) {
    this(name, scope, state, expiresAt, owner, primaryKey, secondaryKey, primaryKeyHash, secondaryKeyHash, null);
  }

  /** Returns this subscription with plain keys replaced by their hashes. */
  public SubscriptionDef hashed() {
    if (primaryKey == null && secondaryKey == null) {
      return this;
    }
    return new SubscriptionDef(name, scope, state, expiresAt, owner, null, null,
        primaryKey == null ? primaryKeyHash : SubscriptionKeys.hash(primaryKey),
        secondaryKey == null ? secondaryKeyHash : SubscriptionKeys.hash(secondaryKey), tags);
  }

  /** Returns a copy with new plain keys; either may be {@code null} to keep the current one. */
  public SubscriptionDef withKeys(String primary, String secondary) {
    return new SubscriptionDef(name, scope, state, expiresAt, owner, primary, secondary,
        primary == null ? primaryKeyHash : null, secondary == null ? secondaryKeyHash : null, tags);
  }

  /** Returns a copy with the key material replaced: plain keys and hashes, any of them {@code null}. */
  public SubscriptionDef withKeyMaterial(String primary, String secondary, String primaryHash, String secondaryHash) {
    return new SubscriptionDef(name, scope, state, expiresAt, owner, primary, secondary, primaryHash, secondaryHash, tags);
  }
}
