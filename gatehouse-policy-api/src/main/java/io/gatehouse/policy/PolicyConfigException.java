package io.gatehouse.policy;

import static java.util.Objects.requireNonNull;

/** Thrown by a {@link PolicyFactory} when a policy's configuration is invalid, naming the field. */
public final class PolicyConfigException extends RuntimeException {
  private static final long serialVersionUID = 1L;
  private final String field;

  /** Creates an exception for {@code field} with a message that says what was expected. */
  public PolicyConfigException(String field, String message) {
    super(requireNonNull(message, "message"));
    this.field = requireNonNull(field, "field");
  }

  /** The offending field, relative to the policy's configuration, for example {@code value}. */
  public String field() {
    return field;
  }
}
