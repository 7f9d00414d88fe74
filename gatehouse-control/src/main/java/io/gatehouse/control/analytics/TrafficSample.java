package io.gatehouse.control.analytics;

import static java.util.Objects.requireNonNull;

/**
 * One completed gateway request as analytics sees it: plain values, so that the control plane
 * never links the data plane's event types.
 *
 * @param timeMillis when the request arrived, epoch milliseconds
 * @param api API name, empty when none matched
 * @param operation operation name, empty when none matched
 * @param product product name, empty without one
 * @param subscription subscription name, empty without one
 * @param status response status, 0 when none was sent
 * @param client the client's address, empty when unknown
 * @param bytesIn request body bytes
 * @param bytesOut response body bytes
 * @param latencyMicros total latency in microseconds
 */
public record TrafficSample(long timeMillis, String api, String operation, String product, String subscription,
    int status, String client, long bytesIn, long bytesOut, long latencyMicros) {

  public TrafficSample {
    api = requireNonNull(api, "api");
    operation = requireNonNull(operation, "operation");
    product = product == null ? "" : product;
    subscription = subscription == null ? "" : subscription;
    client = client == null ? "" : client;
  }

  /** Whether this request counts as an error: status 400 or more, or no response at all. */
  public boolean isError() {
    return status >= 400 || status < 100;
  }

  /** {@code 1xx}..{@code 5xx}, or {@code none} when no response was sent. */
  public String statusClass() {
    int c = status / 100;
    return c >= 1 && c <= 5 ? c + "xx" : "none";
  }
}
