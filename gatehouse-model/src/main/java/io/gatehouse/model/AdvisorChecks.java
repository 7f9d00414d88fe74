package io.gatehouse.model;

import java.util.List;
import java.util.regex.Pattern;

/** The checks of the {@code advisor} section: every suppression names a rule and gives its reason. */
final class AdvisorChecks {
  private static final Pattern RULE = Pattern.compile("[a-z0-9]+([.-][a-z0-9]+)*");

  private AdvisorChecks() {}

  static void check(List<ConfigProblem> out, GatewayConfig config) {
    List<AdvisorDef.Suppression> all = config.advisor().suppress();
    for (int i = 0; i < all.size(); i++) {
      AdvisorDef.Suppression s = all.get(i);
      String at = "advisor.suppress[" + i + "]";
      if (s == null) {
        out.add(ConfigProblem.at(at, "expected {rule, reason} (and optionally api) but got nothing"));
        continue;
      }
      if (s.rule() == null || s.rule().isBlank()) {
        out.add(ConfigProblem.at(at + ".rule", "missing required field 'rule': the id of the finding to accept,"
            + " for example api.no-authentication"));
      } else if (!RULE.matcher(s.rule()).matches()) {
        out.add(ConfigProblem.at(at + ".rule", "expected a finding id such as api.no-authentication but got '"
            + s.rule() + "'"));
      }
      if (s.reason() == null || s.reason().isBlank()) {
        out.add(ConfigProblem.at(at + ".reason", "missing required field 'reason': say why the finding is accepted,"
            + " for example 'public by design'"));
      }
      if (s.api() != null && config.api(s.api()).isEmpty()) {
        out.add(ConfigProblem.at(at + ".api", "unknown API '" + s.api() + "'; expected one of "
            + config.apis().stream().map(ApiDef::name).sorted().toList()));
      }
    }
  }
}
