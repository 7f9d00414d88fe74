package io.gatehouse.control;

import io.gatehouse.control.analytics.Analytics;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

/**
 * Optional parts of the management listener supplied by the process that runs it: the Prometheus
 * scrape at {@code GET /metrics} and the analytics routes under {@code /api/v1/analytics}.
 *
 * @param metrics the Prometheus text for {@code GET /metrics}, nullable for no such route
 * @param metricsContentType the content type of {@code metrics}
 * @param metricsPublic whether {@code GET /metrics} skips the bearer-token check
 * @param analytics the analytics to query, nullable for no analytics routes
 * @param debugging the gateway's request debugging, nullable for no debug-token routes
 * @param backends the gateway's backend runtime state, nullable for no {@code /backend-status} routes
 * @param readiness whether the process serves its configuration, answered by {@code GET /healthz/ready};
 *     nullable for always ready
 * @param cluster the nodes and enrolment tokens of hybrid mode, nullable for no {@code /nodes} routes
 */
public record ManagementAddons(Supplier<String> metrics, String metricsContentType, boolean metricsPublic,
    Analytics analytics, RequestDebugging debugging, BackendStates backends, BooleanSupplier readiness,
    io.gatehouse.control.cluster.ClusterControl cluster) {
  /** Nothing added. */
  public static final ManagementAddons NONE = new ManagementAddons(null, null, false, null, null, null, null);

  /** Addons without cluster routes. */
  public ManagementAddons(Supplier<String> metrics, String metricsContentType, boolean metricsPublic,
      Analytics analytics, RequestDebugging debugging, BackendStates backends, BooleanSupplier readiness) {
    this(metrics, metricsContentType, metricsPublic, analytics, debugging, backends, readiness, null);
  }

  /** These addons with the cluster routes of {@code cluster}. */
  public ManagementAddons withCluster(io.gatehouse.control.cluster.ClusterControl cluster) {
    return new ManagementAddons(metrics, metricsContentType, metricsPublic, analytics, debugging, backends, readiness,
        cluster);
  }

  /** The path of the liveness probe: 200 while the listener runs, no authentication. */
  public static final String LIVE_PATH = "/healthz/live";

  /** The path of the readiness probe: 200 when {@link #readiness()} says so, else 503; no authentication. */
  public static final String READY_PATH = "/healthz/ready";

  /** Addons without readiness (always ready). */
  public ManagementAddons(Supplier<String> metrics, String metricsContentType, boolean metricsPublic,
      Analytics analytics, RequestDebugging debugging, BackendStates backends) {
    this(metrics, metricsContentType, metricsPublic, analytics, debugging, backends, null);
  }

  /** The path of the metrics route: outside {@code /api/v1}, where Prometheus looks by convention. */
  public static final String METRICS_PATH = "/metrics";

  /** Addons without backend runtime state. */
  public ManagementAddons(Supplier<String> metrics, String metricsContentType, boolean metricsPublic,
      Analytics analytics, RequestDebugging debugging) {
    this(metrics, metricsContentType, metricsPublic, analytics, debugging, null, null);
  }

  public ManagementAddons {
    if (metricsContentType == null) {
      metricsContentType = "text/plain; version=0.0.4; charset=utf-8";
    }
  }
}
