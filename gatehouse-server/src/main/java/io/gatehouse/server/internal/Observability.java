package io.gatehouse.server.internal;

import io.gatehouse.control.ManagementAddons;
import io.gatehouse.control.analytics.Analytics;
import io.gatehouse.control.analytics.AnalyticsRetention;
import io.gatehouse.control.analytics.SqliteAnalyticsStore;
import io.gatehouse.gateway.Gateway;
import io.gatehouse.gateway.accesslog.AccessLog;
import io.gatehouse.gateway.accesslog.AccessLogOptions;
import io.gatehouse.gateway.metrics.MetricsEndpoint;
import java.nio.file.Path;
import java.time.Duration;

/**
 * The access log, metrics and analytics of one {@code gatehouse serve}, each subscribed to the
 * gateway's traffic events when enabled; {@link #close()} unsubscribes them and flushes analytics.
 *
 * @param accessLog the access log, nullable when off
 * @param metrics the metrics endpoint, nullable when off
 * @param analytics the analytics aggregator, nullable when off
 * @param analyticsStore the analytics database, nullable when off
 * @param recorder the consumer feeding analytics, nullable when off
 * @param gateway the gateway whose events these consume
 */
public record Observability(AccessLog accessLog, MetricsEndpoint metrics, Analytics analytics,
    SqliteAnalyticsStore analyticsStore, AnalyticsRecorder recorder, Gateway gateway) implements AutoCloseable {

  /** What to switch on. */
  record Settings(AccessLogOptions accessLog, boolean metrics, boolean metricsPublic, boolean analytics,
      AnalyticsRetention retention, Duration analyticsFlush) {}

  static Observability attach(Gateway gateway, Path data, Settings s) {
    AccessLog log = null;
    if (s.accessLog() != null) {
      log = AccessLog.toLogback(s.accessLog());
      gateway.events().subscribe(log);
    }
    MetricsEndpoint metrics = s.metrics() ? MetricsEndpoint.attach(gateway) : null;
    Analytics analytics = null;
    SqliteAnalyticsStore store = null;
    AnalyticsRecorder recorder = null;
    if (s.analytics()) {
      store = SqliteAnalyticsStore.open(data);
      analytics = Analytics.start(store, s.retention(), s.analyticsFlush());
      recorder = new AnalyticsRecorder(analytics);
      gateway.events().subscribe(recorder);
    }
    return new Observability(log, metrics, analytics, store, recorder, gateway);
  }

  /** What the management listener serves of this. */
  ManagementAddons addons(boolean metricsPublic) {
    return new ManagementAddons(metrics == null ? null : metrics::scrape, MetricsEndpoint.CONTENT_TYPE, metricsPublic,
        analytics);
  }

  @Override
  public void close() {
    if (accessLog != null) {
      gateway.events().unsubscribe(accessLog);
      accessLog.close();
    }
    if (metrics != null) {
      metrics.close();
    }
    if (analytics != null) {
      gateway.events().unsubscribe(recorder);
      analytics.close();
      analyticsStore.close();
    }
  }
}
