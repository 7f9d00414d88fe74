package io.gatehouse.model;

import static java.util.Objects.requireNonNull;

/**
 * The rule every URL the gateway sends traffic to follows wherever it is configured (backends, pool
 * members, policy URLs, OAuth token and JWKS URLs): it carries no user-info, because credentials
 * belong in a backend's {@code credentials}, where they are encrypted and never shown, while URLs
 * are shown to every reader of the configuration.
 */
public final class OutboundUrls {
  private OutboundUrls() {}

  /**
   * Why {@code url} may not be configured, or {@code null} when it carries no user-info. The raw
   * text is checked, so a URL that does not parse, or whose credentials come from a {@code ${nv:}}
   * reference, is caught too; the message shows the URL with its user-info masked.
   */
  public static String userInfoProblem(String url) {
    requireNonNull(url, "url");
    if (userInfoEnd(url) < 0) {
      return null;
    }
    return "expected a URL without user-info (name:password@) but got '" + redacted(url)
        + "'; credentials belong in the backend's 'credentials'";
  }

  /** {@code url} with any user-info replaced by {@code ***}, safe to show in messages and logs. */
  public static String redacted(String url) {
    requireNonNull(url, "url");
    int at = userInfoEnd(url);
    if (at < 0) {
      return url;
    }
    int start = url.indexOf("//") + 2;
    return url.substring(0, start) + "***" + url.substring(at);
  }

  /** The index of the '@' ending the user-info of {@code url}'s authority, or -1 when there is none. */
  private static int userInfoEnd(String url) {
    int start = url.indexOf("//");
    if (start < 0) {
      return -1;
    }
    start += 2;
    int end = start;
    while (end < url.length() && "/?#\\".indexOf(url.charAt(end)) < 0) {
      end++;
    }
    int at = url.lastIndexOf('@', end - 1);
    return at >= start ? at : -1;
  }
}
