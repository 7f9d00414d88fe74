package io.gatehouse.insight.advisor;

import static java.util.Objects.requireNonNull;

import io.gatehouse.insight.Finding;

/**
 * A finding the configuration accepts on purpose ({@code advisor.suppress}): still reported, with
 * the reason, but it neither lowers the score nor fails a {@code --fail-on} check.
 *
 * @param finding the accepted finding
 * @param reason why it is accepted, as written in the configuration
 */
public record Suppressed(Finding finding, String reason) {
  public Suppressed {
    requireNonNull(finding, "finding");
    requireNonNull(reason, "reason");
  }
}
