package io.gatehouse.model;

import static java.util.Objects.requireNonNull;

/**
 * A named value, referenced from configuration as {@code ${nv:NAME}} and substituted when a
 * snapshot is compiled.
 */
public record NamedValueDef(String name, String value) {
  public NamedValueDef {
    requireNonNull(name, "name");
    requireNonNull(value, "value");
  }
}
