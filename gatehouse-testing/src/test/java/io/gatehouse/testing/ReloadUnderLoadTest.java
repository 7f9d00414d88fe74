package io.gatehouse.testing;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

class ReloadUnderLoadTest {
  @RegisterExtension static final GatehouseExtension GH = GatehouseExtension.create();

  static String config(int generation) {
    return """
        backends: [{name: up, url: "${env:UPSTREAM_URL}"}]
        apis:
          - {name: orders, path: /orders, backend: up, operations: ["GET /items/{id}"]}
        products:
          - {name: p, description: "generation %d", apis: [orders]}
        subscriptions:
          - {name: s, scope: "product:p", primaryKey: reload-key-0123456789abcdef}
        """.formatted(generation);
  }

  @Test
  void noRequestFailsWhileConfigurationIsReappliedHundredTimes() throws Exception {
    GH.apply(config(0));
    AtomicBoolean running = new AtomicBoolean(true);
    AtomicInteger ok = new AtomicInteger();
    Map<Integer, Integer> failures = new ConcurrentHashMap<>();
    ExecutorService pool = Executors.newFixedThreadPool(4);
    List<Future<?>> workers = new ArrayList<>();
    for (int t = 0; t < 4; t++) {
      workers.add(pool.submit(() -> {
        while (running.get()) {
          HttpResponse<String> r = GH.get("/orders/items/1", "Subscription-Key", "reload-key-0123456789abcdef");
          if (r.statusCode() == 200) {
            ok.incrementAndGet();
          } else {
            failures.merge(r.statusCode(), 1, Integer::sum);
          }
        }
        return null;
      }));
    }
    for (int i = 1; i <= 100; i++) {
      GH.apply(config(i));
      // Wait for traffic to flow on each revision rather than for a fixed time.
      int target = ok.get() + 5;
      while (ok.get() < target && failures.isEmpty()) {
        Thread.onSpinWait();
      }
    }
    running.set(false);
    for (Future<?> w : workers) {
      w.get();
    }
    pool.shutdown();
    assertThat(GH.gateway().revision()).isGreaterThanOrEqualTo(101);
    assertThat(failures).isEmpty();
    assertThat(ok.get()).isGreaterThanOrEqualTo(500);
  }
}
