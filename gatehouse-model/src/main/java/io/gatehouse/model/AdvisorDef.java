package io.gatehouse.model;

import static io.gatehouse.model.internal.Lists.copy;

import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonInclude;
import java.util.List;

/**
 * How the posture advisor treats this configuration: the findings accepted on purpose, each with
 * the reason it is accepted ({@code advisor: {suppress: [{rule, api, reason}]}}).
 *
 * @param suppress the accepted findings
 */
@JsonInclude(JsonInclude.Include.NON_EMPTY)
public record AdvisorDef(List<Suppression> suppress) {
  /** No suppression. */
  public static final AdvisorDef NONE = new AdvisorDef(null);

  public AdvisorDef {
    suppress = copy(suppress);
  }

  /** {@code advisor} itself, or {@link #NONE} when it is {@code null}. */
  static AdvisorDef orNone(AdvisorDef advisor) {
    return advisor == null ? NONE : advisor;
  }

  /** Whether nothing is suppressed. */
  @JsonIgnore
  public boolean isEmpty() {
    return suppress.isEmpty();
  }

  /**
   * One accepted finding: every finding of {@code rule}, or only those of API {@code api}, with
   * the reason it is accepted (required, shown in every report).
   *
   * @param rule the finding's rule id, for example {@code api.no-authentication}
   * @param api the API whose findings are accepted, or {@code null} for every entity
   * @param reason why the finding is accepted, for example {@code public by design}
   */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  public record Suppression(String rule, String api, String reason) {
    /** Whether this suppression accepts a finding of {@code rule} about API {@code api} (nullable). */
    public boolean covers(String rule, String api) {
      return this.rule != null && this.rule.equals(rule) && (this.api == null || this.api.equals(api));
    }
  }

  /** Tells Jackson to leave out an empty advisor section. */
  static final class OmitEmpty {
    @Override
    public boolean equals(Object other) {
      return other == null || (other instanceof AdvisorDef a && a.isEmpty());
    }

    @Override
    public int hashCode() {
      return 0;
    }
  }
}
