package io.gatehouse.insight.threat;

import static java.util.Objects.requireNonNull;

import io.gatehouse.insight.Severity;
import java.time.Instant;
import java.util.List;

/**
 * A suspected attack raised by one detector against one identity, with redacted sample requests as
 * evidence.
 *
 * @param id unique alert id
 * @param time when the alert was raised (the time of the triggering request)
 * @param detector the detector id, e.g. {@code brute-force}
 * @param severity how urgent it is
 * @param api the API concerned, empty when the alert spans APIs
 * @param identity {@code subscription:NAME} or {@code ip:ADDRESS}, empty for API-wide alerts
 * @param title one-line summary
 * @param evidence up to ten sample requests and figures, secrets redacted
 */
public record ThreatAlert(
    String id, Instant time, String detector, Severity severity, String api, String identity, String title,
    List<String> evidence) {
  public ThreatAlert {
    requireNonNull(id, "id");
    requireNonNull(time, "time");
    requireNonNull(detector, "detector");
    requireNonNull(severity, "severity");
    api = api == null ? "" : api;
    identity = identity == null ? "" : identity;
    requireNonNull(title, "title");
    evidence = List.copyOf(evidence);
  }
}
