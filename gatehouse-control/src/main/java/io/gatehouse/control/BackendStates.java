package io.gatehouse.control;

import java.util.List;
import java.util.Optional;

/**
 * The gateway's backend runtime state as the management API sees it, without linking the data
 * plane: {@link #all} lists every backend the served configuration uses (members, health,
 * ejections, load, circuit-breaker state and rates), {@link #one} finds one by name. Values are
 * written as JSON.
 */
public interface BackendStates {

  /** The state of every backend in use. */
  List<?> all();

  /** The state of backend {@code name}, empty when the gateway uses no such backend. */
  Optional<?> one(String name);
}
