package io.gatehouse.gateway.metrics;

import static java.util.Objects.requireNonNull;

import io.gatehouse.gateway.BackendStatus;
import io.gatehouse.gateway.Gateway;
import io.gatehouse.gateway.events.TrafficEvents;
import io.gatehouse.gateway.internal.metrics.TrafficMetrics;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.MultiGauge;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.binder.jvm.ClassLoaderMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.FileDescriptorMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.core.instrument.binder.system.UptimeMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.util.ArrayList;
import java.util.List;

/**
 * A gateway's metrics in the Prometheus text format: a Micrometer registry fed by a traffic-event
 * consumer (off the request path) plus gauges read at scrape time and JVM and process meters.
 *
 * <p>Mount {@link #scrape()} as {@code GET /metrics} with content type {@link #CONTENT_TYPE}.
 * {@link #scrape()} is thread-safe. Metric names are listed in {@code docs/observability.md}.
 */
public final class MetricsEndpoint implements AutoCloseable {
  /** The content type of {@link #scrape()}. */
  public static final String CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8";

  private final PrometheusMeterRegistry registry;
  private final TrafficEvents events;
  private final TrafficMetrics consumer;
  private final JvmGcMetrics gc;
  private Gateway gateway;
  private MultiGauge circuitState;
  private MultiGauge memberHealthy;

  private MetricsEndpoint(PrometheusMeterRegistry registry, TrafficEvents events) {
    this.registry = registry;
    this.events = events;
    this.consumer = new TrafficMetrics(registry);
    this.gc = new JvmGcMetrics();
  }

  /**
   * Starts collecting {@code gateway}'s metrics: subscribes a consumer to its traffic events and
   * registers its gauges. Until {@link #close()}, requests also update the meters.
   */
  public static MetricsEndpoint attach(Gateway gateway) {
    requireNonNull(gateway, "gateway");
    PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    TrafficEvents events = gateway.events();
    MetricsEndpoint endpoint = new MetricsEndpoint(registry, events);
    Gauge.builder("gatehouse.connections.active", gateway, Gateway::activeConnections)
        .description("Client connections open now").register(registry);
    FunctionCounter.builder("gatehouse.connections.refused", gateway, g -> g.refusedConnections(false))
        .tags(Tags.of("limit", "total"))
        .description("Client connections closed at accept: the gateway had its maximum open").register(registry);
    FunctionCounter.builder("gatehouse.connections.refused", gateway, g -> g.refusedConnections(true))
        .tags(Tags.of("limit", "per-address"))
        .description("Client connections closed at accept: their address had its maximum open").register(registry);
    FunctionCounter.builder("gatehouse.requests.rejected.early", gateway, g -> g.earlyRejections(false))
        .tags(Tags.of("reason", "framing"))
        .description("HTTP/1.1 requests answered before routing (400, 414, 431, 505)").register(registry);
    FunctionCounter.builder("gatehouse.requests.rejected.early", gateway, g -> g.earlyRejections(true))
        .tags(Tags.of("reason", "timeout"))
        .description("HTTP/1.1 requests answered 408: head or body too slow").register(registry);
    FunctionCounter.builder("gatehouse.counters.store.failures", gateway, Gateway::counterStoreFailures)
        .description("Commands to the shared counter store (Redis) that failed: unreachable, timed out or refused")
        .register(registry);
    FunctionCounter.builder("gatehouse.counters.fallback.decisions", gateway, g -> g.counterFallbackDecisions(true))
        .tags(Tags.of("mode", "open"))
        .description("Limit decisions taken by the per-node local limit while the counter store was unreachable")
        .register(registry);
    FunctionCounter.builder("gatehouse.counters.fallback.decisions", gateway, g -> g.counterFallbackDecisions(false))
        .tags(Tags.of("mode", "closed"))
        .description("Requests refused with 503 because the counter store was unreachable (on-store-failure: closed)")
        .register(registry);
    Gauge.builder("gatehouse.counters.live.nodes", gateway, Gateway::counterLiveNodes)
        .description("Gateway nodes heartbeating into the shared counter store at its last answer (1 without one)")
        .register(registry);
    Gauge.builder("gatehouse.config.revision", gateway, Gateway::revision)
        .description("Configuration revision being served").register(registry);
    Gauge.builder("gatehouse.events.queue.depth", events, TrafficEvents::depth)
        .description("Traffic events waiting for the consumers").register(registry);
    Gauge.builder("gatehouse.events.queue.capacity", events, TrafficEvents::capacity)
        .description("Capacity of the traffic-event queue").register(registry);
    FunctionCounter.builder("gatehouse.events.dropped", events, TrafficEvents::dropped)
        .description("Traffic events dropped because the queue was full").register(registry);
    FunctionCounter.builder("gatehouse.events.published", events, TrafficEvents::published)
        .description("Traffic events accepted onto the queue").register(registry);
    new JvmMemoryMetrics().bindTo(registry);
    endpoint.gc.bindTo(registry);
    new JvmThreadMetrics().bindTo(registry);
    new ClassLoaderMetrics().bindTo(registry);
    new ProcessorMetrics().bindTo(registry);
    new UptimeMetrics().bindTo(registry);
    new FileDescriptorMetrics().bindTo(registry);
    endpoint.gateway = gateway;
    endpoint.circuitState = MultiGauge.builder("gatehouse.backend.circuit.state")
        .description("Circuit-breaker state of a backend: 0 closed, 1 half-open, 2 open").register(registry);
    endpoint.memberHealthy = MultiGauge.builder("gatehouse.backend.member.healthy")
        .description("1 when a backend member takes traffic (healthy and not ejected), else 0").register(registry);
    events.subscribe(endpoint.consumer);
    // Meters of the emit-metric policy go to Micrometer's global registry; scrape them here.
    io.micrometer.core.instrument.Metrics.addRegistry(registry);
    return endpoint;
  }

  /** The current metrics in the Prometheus text exposition format 0.0.4. */
  public String scrape() {
    updateBackendGauges();
    return registry.scrape();
  }

  /** Sets the backend gauges from the gateway's state now (backends come and go with reloads). */
  private synchronized void updateBackendGauges() {
    List<MultiGauge.Row<?>> circuits = new ArrayList<>();
    List<MultiGauge.Row<?>> healthy = new ArrayList<>();
    for (BackendStatus b : gateway.backendStatus()) {
      int state = switch (b.breaker()) {
        case "OPEN" -> 2;
        case "HALF_OPEN" -> 1;
        case "CLOSED" -> 0;
        default -> -1;
      };
      if (state >= 0) {
        circuits.add(MultiGauge.Row.of(Tags.of("backend", b.name()), state));
      }
      for (BackendStatus.MemberStatus m : b.members()) {
        healthy.add(MultiGauge.Row.of(Tags.of("backend", b.name(), "member", m.url()),
            m.healthy() && !m.ejected() ? 1 : 0));
      }
    }
    circuitState.register(circuits, true);
    memberHealthy.register(healthy, true);
  }

  /** The registry, for meters of other components. */
  public MeterRegistry registry() {
    return registry;
  }

  /** Stops collecting: unsubscribes from the traffic events and closes the registry. */
  @Override
  public void close() {
    events.unsubscribe(consumer);
    io.micrometer.core.instrument.Metrics.removeRegistry(registry);
    gc.close();
    registry.close();
  }
}
