package io.gatehouse.insight;

/** How urgently a {@link Finding} should be acted on, from {@link #HIGH} to {@link #LOW}. */
public enum Severity {
  HIGH,
  MEDIUM,
  LOW
}
