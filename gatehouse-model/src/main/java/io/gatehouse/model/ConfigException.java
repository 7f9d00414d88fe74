package io.gatehouse.model;

import java.util.List;
import java.util.stream.Collectors;

/** Thrown when a configuration is refused; carries every problem found, each located. */
public final class ConfigException extends RuntimeException {
  private static final long serialVersionUID = 1L;
  private final transient List<ConfigProblem> problems;
  private final boolean unreadable;

  /** Creates an exception listing {@code problems} (at least one). */
  public ConfigException(List<ConfigProblem> problems) {
    this(problems, false);
  }

  private ConfigException(List<ConfigProblem> problems, boolean unreadable) {
    super(problems.stream().map(ConfigProblem::toString).collect(Collectors.joining("\n")));
    if (problems.isEmpty()) {
      throw new IllegalArgumentException("problems must not be empty");
    }
    this.problems = List.copyOf(problems);
    this.unreadable = unreadable;
  }

  /** An exception saying that the input is not YAML or JSON at all, with the {@code problem} where it breaks. */
  public static ConfigException unreadable(ConfigProblem problem) {
    return new ConfigException(List.of(problem), true);
  }

  /**
   * Whether the input could not be read as YAML or JSON at all, as opposed to a document that is
   * not a valid configuration.
   */
  public boolean unreadable() {
    return unreadable;
  }

  /** Creates an exception with a single problem. */
  public ConfigException(ConfigProblem problem) {
    this(List.of(problem));
  }

  /** The problems, in document order where known. */
  public List<ConfigProblem> problems() {
    return problems;
  }
}
