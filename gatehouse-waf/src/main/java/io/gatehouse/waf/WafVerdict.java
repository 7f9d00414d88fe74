package io.gatehouse.waf;

import java.util.List;

/**
 * What the engine decided about one request: the ids of the logging rules that matched (in the
 * order they matched), the inbound anomaly score the Core Rule Set computed, and whether a
 * disruptive rule fired while the engine was in blocking mode. Verdicts of the response phases
 * cover the whole transaction.
 *
 * @param matches the matched rules that log, in match order, each once
 * @param inboundScore the inbound anomaly score ({@code tx.blocking_inbound_anomaly_score}, or
 *     {@code tx.anomaly_score} for rule sets that do not set it)
 * @param outboundScore the outbound anomaly score ({@code tx.blocking_outbound_anomaly_score}, or
 *     {@code tx.outbound_anomaly_score}); 0 before the response phases
 * @param blocked true when a disruptive action ({@code deny}, {@code drop}, {@code redirect})
 *     fired in blocking mode
 * @param budgetExceeded true when inspection stopped because the request used up its time budget
 */
public record WafVerdict(List<WafMatch> matches, int inboundScore, int outboundScore, boolean blocked,
    boolean budgetExceeded) {

  /** Copies the match list. */
  public WafVerdict {
    matches = List.copyOf(matches);
  }

  /** The ids of {@link #matches}, in match order. */
  public List<Long> matchedRuleIds() {
    return matches.stream().map(WafMatch::ruleId).toList();
  }
}
