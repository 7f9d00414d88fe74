package io.gatehouse.waf;

import java.util.List;

/**
 * One logging rule that matched: its id, the variable its first link matched (such as
 * {@code ARGS:id}, never the value) and its tags (such as {@code attack-sqli}).
 *
 * @param ruleId the rule id
 * @param variable the matched variable's name, or empty for a rule without variables
 * @param tags the rule's tags in written order
 */
public record WafMatch(long ruleId, String variable, List<String> tags) {
  /** Copies the tag list. */
  public WafMatch {
    variable = variable == null ? "" : variable;
    tags = List.copyOf(tags);
  }
}
