package io.gatehouse.insight.sensitive;

import com.fasterxml.jackson.annotation.JsonValue;
import java.util.Locale;

/**
 * A kind of sensitive value the {@link SensitiveDataScanner} recognizes; written in JSON and
 * configuration by its {@link #id()} ({@code payment-card}).
 */
public enum SensitiveType {
  EMAIL("e-mail addresses"),
  PHONE("phone numbers"),
  PAYMENT_CARD("payment card numbers"),
  IBAN("IBANs"),
  US_SSN("US social security numbers"),
  JWT("JSON Web Tokens"),
  PRIVATE_KEY("private keys"),
  AWS_ACCESS_KEY("AWS access keys"),
  GCP_API_KEY("Google Cloud API keys"),
  AZURE_STORAGE_KEY("Azure storage keys"),
  GITHUB_TOKEN("GitHub tokens"),
  SLACK_TOKEN("Slack tokens"),
  STRIPE_KEY("Stripe secret keys"),
  IPV4("IPv4 addresses"),
  IPV6("IPv6 addresses");

  private final String plural;

  SensitiveType(String plural) {
    this.plural = plural;
  }

  /** The lower-case, dash-separated name: {@code payment-card}, {@code us-ssn}, {@code ipv4}. */
  @JsonValue
  public String id() {
    return name().toLowerCase(Locale.ROOT).replace('_', '-');
  }

  /** What these values are, in plural prose: {@code payment card numbers}. */
  public String plural() {
    return plural;
  }

  /** Whether values of this type are credentials (keys, tokens). */
  public boolean credential() {
    switch (this) {
      case JWT: case PRIVATE_KEY: case AWS_ACCESS_KEY: case GCP_API_KEY: case AZURE_STORAGE_KEY:
      case GITHUB_TOKEN: case SLACK_TOKEN: case STRIPE_KEY:
        return true;
      default:
        return false;
    }
  }

  /**
   * The type with {@code id} (or its enum name), case-insensitive.
   *
   * @throws IllegalArgumentException naming the accepted ids when none matches
   */
  public static SensitiveType fromId(String id) {
    String n = id.strip().toUpperCase(Locale.ROOT).replace('-', '_');
    for (SensitiveType t : values()) {
      if (t.name().equals(n)) {
        return t;
      }
    }
    StringBuilder ids = new StringBuilder();
    for (SensitiveType t : values()) {
      ids.append(ids.length() == 0 ? "" : ", ").append(t.id());
    }
    throw new IllegalArgumentException("expected a sensitive data type (" + ids + ") but got '" + id + "'");
  }
}
