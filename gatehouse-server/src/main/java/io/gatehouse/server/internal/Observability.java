package io.gatehouse.server.internal;

import io.gatehouse.control.ManagementAddons;
import io.gatehouse.control.analytics.Analytics;
import io.gatehouse.control.analytics.AnalyticsRetention;
import io.gatehouse.control.analytics.AnalyticsStore;
import io.gatehouse.gateway.Gateway;
import io.gatehouse.gateway.accesslog.AccessLog;
import io.gatehouse.gateway.accesslog.AccessLogOptions;
import io.gatehouse.gateway.metrics.MetricsEndpoint;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.exporter.otlp.http.trace.OtlpHttpSpanExporter;
import io.opentelemetry.sdk.OpenTelemetrySdk;
import io.opentelemetry.sdk.resources.Resource;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import io.opentelemetry.sdk.trace.export.BatchSpanProcessor;
import io.opentelemetry.sdk.trace.samplers.Sampler;
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
 * @param tracing the OpenTelemetry SDK exporting spans over OTLP, nullable when off
 * @param gateway the gateway whose events these consume
 */
public record Observability(AccessLog accessLog, MetricsEndpoint metrics, Analytics analytics,
    AnalyticsStore analyticsStore, AnalyticsRecorder recorder, OpenTelemetrySdk tracing, Gateway gateway)
    implements AutoCloseable {

  /** What to switch on. */
  record Settings(AccessLogOptions accessLog, boolean metrics, boolean metricsPublic, boolean analytics,
      AnalyticsRetention retention, Duration analyticsFlush, String otlpEndpoint, double traceSampling) {}

  /**
   * Subscribes what {@code s} switches on to {@code gateway}'s events; analytics rows are keyed by
   * {@code node} (this server's name in a cluster) in the store {@code analyticsStore} gives.
   */
  static Observability attach(Gateway gateway, java.util.function.Supplier<? extends AnalyticsStore> analyticsStore,
      Settings s, String node) {
    AccessLog log = null;
    if (s.accessLog() != null) {
      log = AccessLog.toLogback(s.accessLog());
      gateway.events().subscribe(log);
    }
    MetricsEndpoint metrics = s.metrics() ? MetricsEndpoint.attach(gateway) : null;
    Analytics analytics = null;
    AnalyticsStore store = null;
    AnalyticsRecorder recorder = null;
    if (s.analytics()) {
      store = analyticsStore.get();
      analytics = Analytics.start(store, s.retention(), s.analyticsFlush(), node);
      recorder = new AnalyticsRecorder(analytics);
      gateway.events().subscribe(recorder);
    }
    OpenTelemetrySdk otel = null;
    if (s.otlpEndpoint() != null && !s.otlpEndpoint().isBlank()) {
      otel = openTelemetry(s.otlpEndpoint(), s.traceSampling());
      gateway.tracing(otel);
    }
    return new Observability(log, metrics, analytics, store, recorder, otel, gateway);
  }

  /**
   * An SDK exporting spans in batches with OTLP over HTTP to {@code endpoint} (its {@code /v1/traces}
   * path added when missing), sampling {@code ratio} of new traces and following the caller's
   * decision for continued ones.
   */
  static OpenTelemetrySdk openTelemetry(String endpoint, double ratio) {
    if (!(ratio >= 0 && ratio <= 1)) {
      throw new IllegalArgumentException("--trace-sampling: expected a ratio from 0 to 1 but got " + ratio);
    }
    String url = endpoint.endsWith("/v1/traces") ? endpoint
        : (endpoint.endsWith("/") ? endpoint.substring(0, endpoint.length() - 1) : endpoint) + "/v1/traces";
    SdkTracerProvider provider = SdkTracerProvider.builder()
        .setResource(Resource.getDefault().merge(Resource.create(
            Attributes.of(AttributeKey.stringKey("service.name"), "gatehouse"))))
        .setSampler(Sampler.parentBased(Sampler.traceIdRatioBased(ratio)))
        .addSpanProcessor(BatchSpanProcessor.builder(OtlpHttpSpanExporter.builder().setEndpoint(url).build()).build())
        .build();
    return OpenTelemetrySdk.builder().setTracerProvider(provider).build();
  }

  /**
   * What the management listener serves of this; debug sessions are opened in and read from
   * {@code debugSessions}, shared by every node of the cluster.
   */
  ManagementAddons addons(boolean metricsPublic, io.gatehouse.control.debugging.DebugSessionTable debugSessions) {
    io.gatehouse.control.RequestDebugging debugging = new io.gatehouse.control.RequestDebugging() {
      @Override
      public Object open(String api, Duration ttl) {
        return debugSessions.open(api, ttl);
      }

      @Override
      public java.util.Optional<java.util.List<?>> traces(String id) {
        return debugSessions.traces(id).map(l -> l);
      }
    };
    io.gatehouse.control.BackendStates backends = new io.gatehouse.control.BackendStates() {
      @Override
      public java.util.List<?> all() {
        return gateway.backendStatus();
      }

      @Override
      public java.util.Optional<?> one(String name) {
        return gateway.backendStatus().stream().filter(b -> b.name().equals(name)).findFirst();
      }
    };
    return new ManagementAddons(metrics == null ? null : metrics::scrape, MetricsEndpoint.CONTENT_TYPE, metricsPublic,
        analytics, debugging, backends, gateway::isReady);
  }

  @Override
  public void close() {
    if (tracing != null) {
      gateway.tracing(null);
      tracing.close();
    }
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
