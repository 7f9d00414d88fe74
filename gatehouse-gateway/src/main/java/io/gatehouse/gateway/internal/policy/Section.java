package io.gatehouse.gateway.internal.policy;

/** The sections of a policy pipeline, in the order a request meets them. */
public enum Section {
  /** On the request, before it is forwarded. */
  INBOUND("inbound"),
  /** Around the call to the backend. */
  BACKEND("backend"),
  /** On the backend's response. */
  OUTBOUND("outbound"),
  /** On the error response when a policy or the backend failed. */
  ON_ERROR("on-error");

  private final String key;

  Section(String key) {
    this.key = key;
  }

  /** The section's key as written in configuration. */
  public String key() {
    return key;
  }

  /** Whether policies of this section act on the response rather than the request. */
  public boolean onResponse() {
    return this == OUTBOUND || this == ON_ERROR;
  }
}
