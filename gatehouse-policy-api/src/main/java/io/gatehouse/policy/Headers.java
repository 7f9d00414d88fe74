package io.gatehouse.policy;

import java.util.List;
import java.util.Set;

/** A mutable, case-insensitive multi-map of HTTP header fields belonging to one message. */
public interface Headers {

  /** The first value of {@code name}, or {@code null} when absent. */
  String get(String name);

  /** Every value of {@code name} in order; empty when absent. */
  List<String> getAll(String name);

  /** Whether {@code name} is present. */
  boolean contains(String name);

  /** Replaces every value of {@code name} with {@code value}. */
  Headers set(String name, String value);

  /** Appends {@code value} to {@code name}. */
  Headers add(String name, String value);

  /** Removes every value of {@code name}. */
  Headers remove(String name);

  /** The names present, in no particular order. */
  Set<String> names();
}
