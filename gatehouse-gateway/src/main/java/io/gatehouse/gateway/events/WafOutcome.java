package io.gatehouse.gateway.events;

import static java.util.Objects.requireNonNull;

import java.util.List;

/**
 * What the web application firewall decided about one request it inspected: the ids of the rules
 * that matched, the inbound anomaly score and whether the request was blocked or only reported.
 *
 * @param rules the ids of the matched logging rules, in match order, each once (never values)
 * @param score the inbound anomaly score the rule set computed
 * @param action {@code block} when the firewall refused the request, {@code detect} otherwise
 */
public record WafOutcome(List<Long> rules, int score, String action) {
  /** {@link #action} of a request the firewall refused. */
  public static final String BLOCK = "block";
  /** {@link #action} of a request the firewall let through. */
  public static final String DETECT = "detect";

  /** Copies the rule list. */
  public WafOutcome {
    rules = List.copyOf(rules);
    requireNonNull(action, "action");
  }
}
