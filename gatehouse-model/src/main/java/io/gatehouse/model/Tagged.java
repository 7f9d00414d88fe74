package io.gatehouse.model;

import java.util.Collection;
import java.util.List;

/**
 * An entity that carries tags: labels that scope {@code apply --select-tag} to the entities a
 * team manages, leaving the others alone.
 */
public interface Tagged {
  /** The entity's name, unique within its kind. */
  String name();

  /** The entity's tags (never {@code null}). */
  List<String> tags();

  /** Whether this entity carries at least one of {@code selected}. */
  default boolean carriesAny(Collection<String> selected) {
    for (String tag : tags()) {
      if (selected.contains(tag)) {
        return true;
      }
    }
    return false;
  }
}
