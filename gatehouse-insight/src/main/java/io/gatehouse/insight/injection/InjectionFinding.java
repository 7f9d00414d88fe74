package io.gatehouse.insight.injection;

import static java.util.Objects.requireNonNull;

/**
 * One suspected injection in one request value.
 *
 * @param category what kind of injection
 * @param location where the value came from: {@code path}, {@code query:NAME}, {@code form:NAME},
 *     {@code header:NAME}, {@code cookie:NAME}, {@code json:POINTER} or {@code body}
 * @param evidence a short excerpt (at most 64 characters) of the normalized value that matched
 * @param score confidence from 0 to 100; findings below the detector's threshold are not reported
 * @param rule the internal rule that matched, for tuning and false-positive reports
 */
public record InjectionFinding(
    InjectionCategory category, String location, String evidence, int score, String rule) {
  public InjectionFinding {
    requireNonNull(category, "category");
    requireNonNull(location, "location");
    requireNonNull(evidence, "evidence");
    requireNonNull(rule, "rule");
  }
}
