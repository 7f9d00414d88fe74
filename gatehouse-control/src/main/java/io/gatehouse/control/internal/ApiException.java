package io.gatehouse.control.internal;

import io.gatehouse.model.ConfigProblem;
import java.util.List;

/** A request refused with an HTTP status, a detail and, for configuration problems, their list. */
public final class ApiException extends RuntimeException {
  private static final long serialVersionUID = 1L;
  private final int status;
  private final transient List<ConfigProblem> problems;

  /** A refusal with {@code status} and {@code detail}, listing {@code problems}. */
  public ApiException(int status, String detail, List<ConfigProblem> problems) {
    super(detail, null, false, false);
    this.status = status;
    this.problems = List.copyOf(problems);
  }

  /** A refusal with {@code status} and {@code detail}. */
  public ApiException(int status, String detail) {
    this(status, detail, List.of());
  }

  /** A 400 refusal naming {@code field}. */
  public static ApiException badField(String field, String message) {
    return new ApiException(400, field + ": " + message, List.of(ConfigProblem.at(field, message)));
  }

  /** The HTTP status. */
  public int status() {
    return status;
  }

  /** The configuration problems, possibly empty. */
  public List<ConfigProblem> problems() {
    return problems;
  }
}
