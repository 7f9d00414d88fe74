package io.gatehouse.model;

import java.util.List;
import java.util.stream.Collectors;

/** Thrown when a configuration is refused; carries every problem found, each located. */
public final class ConfigException extends RuntimeException {
  private static final long serialVersionUID = 1L;
  private final transient List<ConfigProblem> problems;

  /** Creates an exception listing {@code problems} (at least one). */
  public ConfigException(List<ConfigProblem> problems) {
    super(problems.stream().map(ConfigProblem::toString).collect(Collectors.joining("\n")));
    if (problems.isEmpty()) {
      throw new IllegalArgumentException("problems must not be empty");
    }
    this.problems = List.copyOf(problems);
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
