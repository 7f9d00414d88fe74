package io.gatehouse.insight.advisor;

import io.gatehouse.insight.Finding;
import io.gatehouse.insight.Severity;
import java.util.List;

/**
 * The result of one {@link PostureAdvisor} run: a score from 0 (worst) to 100 (no finding), the
 * findings ordered by severity, and notes about rules that could not run.
 *
 * @param score 100 minus the weighted findings, at least 0
 * @param findings the findings, most severe first
 * @param notes rules skipped for lack of data, and why
 */
public record Advice(int score, List<Finding> findings, List<String> notes) {
  public Advice {
    if (score < 0 || score > 100) {
      throw new IllegalArgumentException("score must be in 0..100 but was " + score);
    }
    findings = List.copyOf(findings);
    notes = List.copyOf(notes);
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
