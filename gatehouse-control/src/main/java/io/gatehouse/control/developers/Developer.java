package io.gatehouse.control.developers;

import static java.util.Objects.requireNonNull;

import java.time.Instant;

/**
 * A developer account of the portal as operators and the developer see it, never its password hash.
 *
 * @param id opaque identifier
 * @param email lower-cased email address (the sign-in name)
 * @param name display name
 * @param status {@link #ACTIVE}, {@link #PENDING} or {@link #BLOCKED}
 * @param emailVerified whether the developer followed the verification link (or none was needed)
 * @param createdAt when the account was created
 */
public record Developer(String id, String email, String name, String status, boolean emailVerified,
    Instant createdAt) {
  /** May sign in and subscribe. */
  public static final String ACTIVE = "active";
  /** Waits for an operator's approval. */
  public static final String PENDING = "pending";
  /** Refused by an operator: no sign-in, subscriptions suspended. */
  public static final String BLOCKED = "blocked";

  public Developer {
    requireNonNull(id, "id");
    requireNonNull(email, "email");
    requireNonNull(name, "name");
    requireNonNull(status, "status");
    requireNonNull(createdAt, "createdAt");
  }
}
