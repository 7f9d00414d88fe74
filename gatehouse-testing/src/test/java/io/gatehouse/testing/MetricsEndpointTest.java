package io.gatehouse.testing;

import static org.assertj.core.api.Assertions.assertThat;

import io.gatehouse.gateway.events.TrafficEventConsumer;
import io.gatehouse.gateway.metrics.MetricsEndpoint;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

class MetricsEndpointTest {
  @RegisterExtension static final GatehouseExtension GH = GatehouseExtension.create();
  static final String KEY = "metrics-key-0123456789abcdef";

  @Test
  void scrapeShowsExactRequestCountsPerApiAndStatusClass() throws Exception {
    GH.apply("""
        backends:
          - name: echo
            url: ${env:UPSTREAM_URL}
        apis:
          - name: orders
            path: /orders
            backend: echo
            subscriptionRequired: true
            operations:
              - GET /items/{id}
          - name: open
            path: /open
            backend: echo
            subscriptionRequired: false
        subscriptions:
          - name: s
            scope: all
            primaryKey: %s
        """.formatted(KEY));
    MetricsEndpoint metrics = MetricsEndpoint.attach(GH.gateway());
    Semaphore seen = new Semaphore(0);
    TrafficEventConsumer counter = e -> seen.release(); // runs after the metrics consumer
    GH.gateway().events().subscribe(counter);
    try {
      for (int i = 0; i < 3; i++) {
        assertThat(GH.get("/open/x" + i).statusCode()).isEqualTo(200);
      }
      for (int i = 0; i < 2; i++) {
        assertThat(GH.get("/orders/items/" + i, "Subscription-Key", KEY).statusCode()).isEqualTo(200);
      }
      for (int i = 0; i < 4; i++) {
        assertThat(GH.get("/orders/items/" + i).statusCode()).isEqualTo(401);
      }
      assertThat(GH.get("/nowhere").statusCode()).isEqualTo(404);
      assertThat(seen.tryAcquire(10, 10, TimeUnit.SECONDS)).isTrue();

      String text = metrics.scrape();
      assertThat(text)
          .contains("gatehouse_requests_total{api=\"open\",operation=\"\",status_class=\"2xx\"} 3.0")
          .contains("gatehouse_requests_total{api=\"orders\",operation=\"GET /items/{id}\",status_class=\"2xx\"} 2.0")
          .contains("gatehouse_requests_total{api=\"orders\",operation=\"GET /items/{id}\",status_class=\"4xx\"} 4.0")
          .contains("gatehouse_requests_total{api=\"\",operation=\"\",status_class=\"4xx\"} 1.0")
          .contains("gatehouse_rejections_total{reason=\"subscription-key-missing\",stage=\"subscription-key\"} 4.0")
          .contains("gatehouse_rejections_total{reason=\"no-route\",stage=\"route\"} 1.0")
          .contains("gatehouse_request_duration_seconds_count{api=\"orders\"} 6")
          .contains("gatehouse_request_duration_seconds_bucket{api=\"open\",le=\"+Inf\"} 3")
          .contains("gatehouse_backend_duration_seconds_count{api=\"orders\"} 2")
          .contains("gatehouse_response_bytes_total{api=\"open\"}")
          .contains("gatehouse_config_revision " + (double) GH.gateway().revision())
          .contains("gatehouse_events_dropped_total 0.0")
          .contains("gatehouse_connections_active ")
          .contains("gatehouse_events_queue_depth ")
          .contains("jvm_memory_used_bytes")
          .contains("process_cpu_usage");
      assertThat(text).contains("gatehouse_backend_duration_seconds_count{api=\"\"} 0\n");
    } finally {
      GH.gateway().events().unsubscribe(counter);
      metrics.close();
    }
  }
}
