package io.gatehouse.server.internal;

import io.gatehouse.control.analytics.Analytics;
import io.gatehouse.control.analytics.TrafficSample;
import io.gatehouse.gateway.events.TrafficEvent;
import io.gatehouse.gateway.events.TrafficEventConsumer;

/**
 * Maps each gateway traffic event to a plain {@link TrafficSample} for {@link Analytics}: the one
 * place that knows both the data plane's events and the control plane's analytics. Runs on the
 * event thread; {@link Analytics#record} only aggregates in memory.
 */
public final class AnalyticsRecorder implements TrafficEventConsumer {
  private final Analytics analytics;

  AnalyticsRecorder(Analytics analytics) {
    this.analytics = analytics;
  }

  @Override
  public void accept(TrafficEvent e) {
    analytics.record(sample(e));
  }

  static TrafficSample sample(TrafficEvent e) {
    return new TrafficSample(e.time().toEpochMilli(), e.api(), e.operation(), e.product(), e.subscription(),
        e.status(), e.clientIp(), e.bytesIn(), e.bytesOut(), e.totalNanos() / 1_000);
  }
}
