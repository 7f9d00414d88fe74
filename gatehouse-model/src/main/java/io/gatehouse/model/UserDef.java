package io.gatehouse.model;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.annotation.JsonInclude;

/**
 * A consumer of APIs who can own subscriptions.
 *
 * @param name unique user name
 * @param email contact address, or {@code null}
 * @param state {@code active} (default) or {@code blocked}; a blocked user's keys are refused
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record UserDef(String name, String email, String state) {
  public UserDef {
    requireNonNull(name, "name");
    state = state == null ? "active" : state;
  }
}
