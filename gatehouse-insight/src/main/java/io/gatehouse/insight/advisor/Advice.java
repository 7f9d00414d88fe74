package io.gatehouse.insight.advisor;

import io.gatehouse.insight.Finding;
import io.gatehouse.insight.Severity;
import java.util.List;

/**
 * The result of one {@link PostureAdvisor} run: a score from 0 (worst) to 100 (no finding), the
 * findings ordered by severity, the findings the configuration accepts on purpose, and notes about
 * rules that could not run.
 *
 * @param score 100 minus the weighted findings (suppressed ones not counted), at least 0
 * @param findings the findings that are not suppressed, most severe first
 * @param notes rules skipped for lack of data, suppressions that matched nothing, and why
 * @param suppressed the findings accepted by {@code advisor.suppress}, with their reasons, most severe first
 */
public record Advice(int score, List<Finding> findings, List<String> notes, List<Suppressed> suppressed) {
  public Advice {
    if (score < 0 || score > 100) {
      throw new IllegalArgumentException("score must be in 0..100 but was " + score);
    }
    findings = List.copyOf(findings);
    notes = List.copyOf(notes);
    suppressed = List.copyOf(suppressed);
  }

  /** Whether a finding at {@code threshold} or more severe exists. */
  public boolean hasAtLeast(Severity threshold) {
    for (Finding f : findings) {
      if (f.severity().ordinal() <= threshold.ordinal()) {
        return true;
      }
    }
    return false;
  }
}
