package io.gatehouse.waf.internal;

import java.util.Locale;
import java.util.Set;

/** Load-time check of {@code ctl:} actions. */
final class Ctl {
  private static final Set<String> KNOWN = Set.of("ruleremovebyid", "ruleremovebytag",
      "ruleremovebymsg", "ruleremovetargetbyid", "ruleremovetargetbytag", "ruleremovetargetbymsg",
      "ruleengine", "requestbodyprocessor", "forcerequestbodyvariable", "requestbodyaccess",
      "auditengine", "auditlogparts", "debugloglevel", "responsebodyaccess", "requestbodylimit",
      "hashengine", "hashenforcement", "parseXmlIntoArgs".toLowerCase(Locale.ROOT));

  private Ctl() {}

  static void validate(String spec) {
    int eq = spec.indexOf('=');
    String name = (eq < 0 ? spec : spec.substring(0, eq)).trim().toLowerCase(Locale.ROOT);
    if (eq < 0 || !KNOWN.contains(name)) {
      throw new IllegalArgumentException("unknown ctl:" + spec);
    }
  }
}
