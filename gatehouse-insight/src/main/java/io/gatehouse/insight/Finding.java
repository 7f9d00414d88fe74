package io.gatehouse.insight;

import static java.util.Objects.requireNonNull;

/**
 * One problem found by an insight analysis, named by a stable rule id and tied to the resource it
 * concerns, with enough text for an operator to understand and fix it.
 *
 * @param rule stable rule id, e.g. {@code openapi.operation-without-security}
 * @param severity how urgent the problem is
 * @param resource what the finding is about, e.g. {@code GET /users/{id}} or a JSON pointer
 * @param title one-line summary
 * @param explanation why this is a problem
 * @param remediation how to fix it
 * @param owasp OWASP API Security Top 10 2023 category, e.g. {@code API8:2023 Security
 *     Misconfiguration}
 * @param defender the title of the Microsoft Defender for Cloud API recommendation this finding
 *     matches, or {@code null} when none does
 */
public record Finding(
    String rule,
    Severity severity,
    String resource,
    String title,
    String explanation,
    String remediation,
    String owasp,
    String defender) {

  /** A finding that matches no Defender for Cloud recommendation. */
  public Finding(String rule, Severity severity, String resource, String title, String explanation,
      String remediation, String owasp) {
    this(rule, severity, resource, title, explanation, remediation, owasp, null);
  }

  public Finding {
    requireNonNull(rule, "rule");
    requireNonNull(severity, "severity");
    requireNonNull(resource, "resource");
    requireNonNull(title, "title");
    requireNonNull(explanation, "explanation");
    requireNonNull(remediation, "remediation");
    requireNonNull(owasp, "owasp");
    if (defender != null && defender.isBlank()) {
      throw new IllegalArgumentException("defender must be null or a recommendation title but was blank");
    }
  }
}
