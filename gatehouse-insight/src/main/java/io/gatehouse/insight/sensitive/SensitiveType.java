package io.gatehouse.insight.sensitive;

/** A kind of sensitive value the {@link SensitiveDataScanner} recognizes. */
public enum SensitiveType {
  EMAIL,
  PHONE,
  PAYMENT_CARD,
  IBAN,
  US_SSN,
  JWT,
  PRIVATE_KEY,
  AWS_ACCESS_KEY,
  GCP_API_KEY,
  AZURE_STORAGE_KEY,
  GITHUB_TOKEN,
  SLACK_TOKEN,
  STRIPE_KEY,
  IPV4,
  IPV6
}
