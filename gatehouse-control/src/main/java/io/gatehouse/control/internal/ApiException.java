package io.gatehouse.control.internal;

import io.gatehouse.model.ConfigProblem;
import java.util.List;

/** A request refused with an HTTP status, a detail and, for configuration problems, their list. */
public final class ApiException extends RuntimeException {
  private static final long serialVersionUID = 1L;
  private final int status;
  private final transient List<ConfigProblem> problems;
  private final transient java.util.Map<String, String> headers;

  /** A refusal with {@code status} and {@code detail}, listing {@code problems}. */
  public ApiException(int status, String detail, List<ConfigProblem> problems) {
    this(status, detail, problems, java.util.Map.of());
  }

  /** A refusal with {@code status}, {@code detail} and {@code problems} that also sets response {@code headers}. */
  public ApiException(int status, String detail, List<ConfigProblem> problems, java.util.Map<String, String> headers) {
    super(detail, null, false, false);
    this.status = status;
    this.problems = List.copyOf(problems);
    this.headers = java.util.Map.copyOf(headers);
  }

  /** A 429 refusal telling the client to retry after {@code seconds}. */
  public static ApiException tooMany(String detail, long seconds) {
    return new ApiException(429, detail, List.of(), java.util.Map.of("Retry-After", Long.toString(seconds)));
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

  /** Response headers the refusal carries, possibly none. */
  public java.util.Map<String, String> headers() {
    return headers;
  }

  /** The configuration problems, possibly empty. */
  public List<ConfigProblem> problems() {
    return problems;
  }
}
