package io.gatehouse.model;

import static io.gatehouse.model.internal.Lists.copy;
import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.util.List;

/**
 * A consumer of APIs who can own subscriptions.
 *
 * @param name unique user name
 * @param email contact address, or {@code null}
 * @param state {@code active} (default) or {@code blocked}; a blocked user's keys are refused
 * @param tags labels that scope {@code apply --select-tag} (never {@code null}; empty when not given)
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record UserDef(String name, String email, String state,
    @JsonInclude(JsonInclude.Include.NON_EMPTY) List<String> tags) implements Tagged {
  public UserDef {
    requireNonNull(name, "name");
    state = state == null ? "active" : state;
    tags = copy(tags);
  }

  /** A user without tags. */
  public UserDef(String name, String email, String state) {
    this(name, email, state, null);
  }
}
