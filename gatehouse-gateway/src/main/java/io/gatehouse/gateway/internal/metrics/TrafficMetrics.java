package io.gatehouse.gateway.internal.metrics;

import io.gatehouse.gateway.events.TrafficEvent;
import io.gatehouse.gateway.events.TrafficEventConsumer;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Turns traffic events into request, latency, byte and rejection meters. Runs on the event thread
 * only (its meter caches are not thread-safe). Label values come from configuration (API and
 * operation names, the name of a policy that rejected), fixed sets (status class, stage, problem
 * type), or collapse to
 * {@value #OVERFLOW} past {@value #MAX_SERIES} combinations.
 */
public final class TrafficMetrics implements TrafficEventConsumer {
  static final String OVERFLOW = "_other";
  static final int MAX_SERIES = 5_000;
  private static final Duration[] BUCKETS = {
      Duration.ofMillis(1), Duration.ofMillis(2), Duration.ofMillis(5), Duration.ofMillis(10),
      Duration.ofMillis(25), Duration.ofMillis(50), Duration.ofMillis(100), Duration.ofMillis(250),
      Duration.ofMillis(500), Duration.ofSeconds(1), Duration.ofMillis(2500), Duration.ofSeconds(5),
      Duration.ofSeconds(10), Duration.ofSeconds(30)};

  private static final String[] STATUS_CLASSES = {"none", "1xx", "2xx", "3xx", "4xx", "5xx"};

  private final MeterRegistry registry;
  private final Map<String, ApiMeters> apis = new HashMap<>();
  private final Map<RejectionKey, Counter> rejections = new HashMap<>();
  /** Request counters of the overflow series, by status class. */
  private final Counter[] overflowRequests = new Counter[STATUS_CLASSES.length];
  private int requestSeries;

  private record RejectionKey(String stage, String reason) {}

  /**
   * The meters of one API; its request counters by operation, each an array indexed by status
   * class, so that a request costs two map lookups and no key object.
   */
  private record ApiMeters(String api, Timer total, Timer backend, Counter bytesIn, Counter bytesOut,
      Map<String, Counter[]> requests) {}

  public TrafficMetrics(MeterRegistry registry) {
    this.registry = registry;
  }

  @Override
  public void accept(TrafficEvent e) {
    String api = e.api();
    ApiMeters m = apis.get(api);
    if (m == null) {
      m = apis.computeIfAbsent(apis.size() >= MAX_SERIES ? OVERFLOW : api, this::apiMeters);
    }
    requestCounter(m, e.operation(), e.status()).increment();
    if (e.webSocket() == null) { // a WebSocket connection's duration is not a request latency
      m.total().record(e.totalNanos(), TimeUnit.NANOSECONDS);
    }
    if (e.backendStatus() != null) {
      m.backend().record(e.backendNanos(), TimeUnit.NANOSECONDS);
    }
    if (e.bytesIn() > 0) {
      m.bytesIn().increment(e.bytesIn());
    }
    if (e.bytesOut() > 0) {
      m.bytesOut().increment(e.bytesOut());
    }
    if (e.rejectedBy() != null && e.error() != null) {
      RejectionKey rk = new RejectionKey(stage(e.rejectedBy()), e.error());
      Counter r = rejections.get(rk);
      if (r == null) {
        if (rejections.size() >= MAX_SERIES) {
          rk = new RejectionKey(OVERFLOW, OVERFLOW);
        }
        r = rejections.computeIfAbsent(rk, k -> Counter.builder("gatehouse.rejections")
            .description("Requests answered by the gateway instead of the backend, by stage and problem type")
            .tags("stage", k.stage(), "reason", k.reason())
            .register(registry));
      }
      r.increment();
    }
  }

  private static int statusIndex(int status) {
    int c = status / 100;
    return c >= 1 && c <= 5 ? c : 0;
  }

  private Counter requestCounter(ApiMeters m, String operation, int status) {
    int index = statusIndex(status);
    Counter[] byStatus = m.requests().get(operation);
    if (byStatus != null && byStatus[index] != null) {
      return byStatus[index];
    }
    if (requestSeries >= MAX_SERIES) {
      Counter c = overflowRequests[index];
      if (c == null) {
        c = overflowRequests[index] = requestCounter(OVERFLOW, OVERFLOW, STATUS_CLASSES[index]);
      }
      return c;
    }
    if (byStatus == null) {
      byStatus = new Counter[STATUS_CLASSES.length];
      m.requests().put(operation, byStatus);
    }
    requestSeries++;
    return byStatus[index] = requestCounter(m.api(), operation, STATUS_CLASSES[index]);
  }

  private Counter requestCounter(String api, String operation, String statusClass) {
    return Counter.builder("gatehouse.requests")
        .description("Requests completed, by API, operation and response status class")
        .tags("api", api, "operation", operation, "status_class", statusClass)
        .register(registry);
  }

  /**
   * The stage label of {@code rejectedBy}: a policy's name without its scope ({@code validate-jwt}
   * for {@code validate-jwt@api:pets}), else the stage itself.
   */
  static String stage(String rejectedBy) {
    int at = rejectedBy.indexOf('@');
    return at < 0 ? rejectedBy : rejectedBy.substring(0, at);
  }

  private ApiMeters apiMeters(String api) {
    return new ApiMeters(api,
        Timer.builder("gatehouse.request.duration")
            .description("Time from request head to response end, as seen by the gateway")
            .tag("api", api)
            .serviceLevelObjectives(BUCKETS)
            .register(registry),
        Timer.builder("gatehouse.backend.duration")
            .description("Time from issuing the backend request to its response head")
            .tag("api", api)
            .serviceLevelObjectives(BUCKETS)
            .register(registry),
        Counter.builder("gatehouse.request.bytes").baseUnit("bytes")
            .description("Request body bytes read from clients").tag("api", api).register(registry),
        Counter.builder("gatehouse.response.bytes").baseUnit("bytes")
            .description("Response body bytes written to clients").tag("api", api).register(registry),
        new HashMap<>());
  }
}
