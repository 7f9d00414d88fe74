package io.gatehouse.testing;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.gatehouse.gateway.accesslog.AccessLog;
import io.gatehouse.gateway.accesslog.AccessLogOptions;
import io.gatehouse.gateway.events.TrafficEventConsumer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

class AccessLogTest {
  @RegisterExtension static final GatehouseExtension GH = GatehouseExtension.create();
  static final ObjectMapper JSON = new ObjectMapper();
  static final String KEY = "alice-key-0123456789abcdef";

  @BeforeEach
  void configure() {
    GH.apply("""
        backends:
          - name: echo
            url: ${env:UPSTREAM_URL}
        apis:
          - name: orders
            path: /orders
            backend: echo
            subscriptionRequired: true
            allowKeyInQuery: true
        subscriptions:
          - name: alice
            scope: all
            primaryKey: %s
        """.formatted(KEY));
  }

  @Test
  void writesOneJsonLinePerRequestWithRedactedQueryAndNoKey() throws Exception {
    BlockingQueue<String> lines = new LinkedBlockingQueue<>();
    AccessLog log = AccessLog.to(lines::add);
    GH.gateway().events().subscribe(log);
    try {
      assertThat(GH.get("/orders/a?token=s3cr3t&flag&subscription-key=" + KEY, "X-Request-Id", "q-1")
          .statusCode()).isEqualTo(200);
      assertThat(GH.get("/orders/b?subscription-key=wrong-" + KEY, "X-Request-Id", "q-2",
          "Authorization", "Bearer abc").statusCode()).isEqualTo(401);
      assertThat(GH.get("/orders/c", "Subscription-Key", KEY, "X-Request-Id", "q-3").statusCode())
          .isEqualTo(200);

      String first = lines.poll(10, TimeUnit.SECONDS);
      String second = lines.poll(10, TimeUnit.SECONDS);
      String third = lines.poll(10, TimeUnit.SECONDS);
      for (String line : List.of(first, second, third)) {
        assertThat(line).doesNotContain(KEY).doesNotContain("s3cr3t").doesNotContain("Bearer").doesNotContain("\n");
      }
      JsonNode a = JSON.readTree(first);
      assertThat(a.get("requestId").asText()).isEqualTo("q-1");
      assertThat(a.get("path").asText()).isEqualTo("/orders/a");
      assertThat(a.get("query").asText()).isEqualTo("token=***&flag");
      assertThat(a.get("api").asText()).isEqualTo("orders");
      assertThat(a.get("subscription").asText()).isEqualTo("alice");
      assertThat(a.get("status").asInt()).isEqualTo(200);
      assertThat(a.get("backendStatus").asInt()).isEqualTo(200);
      assertThat(a.get("method").asText()).isEqualTo("GET");
      assertThat(a.get("time").asText()).endsWith("Z");
      assertThat(a.has("totalMicros")).isTrue();
      assertThat(a.get("bytesOut").asLong()).isPositive();

      JsonNode b = JSON.readTree(second);
      assertThat(b.get("query").asText()).isEqualTo("subscription-key=***");
      assertThat(b.get("status").asInt()).isEqualTo(401);
      assertThat(b.get("rejectedBy").asText()).isEqualTo("subscription-key");
      assertThat(b.get("error").asText()).isEqualTo("subscription-key-invalid");
      assertThat(b.has("backendStatus")).isFalse();

      assertThat(JSON.readTree(third).get("requestId").asText()).isEqualTo("q-3");
    } finally {
      GH.gateway().events().unsubscribe(log);
    }
  }

  @Test
  void writesLinesToRotatingFileThroughLogback(@TempDir Path dir) throws Exception {
    Path file = dir.resolve("access.log");
    AccessLog log = AccessLog.toLogback(AccessLogOptions.file(file).withRotation(1024 * 1024, 7, 0));
    Semaphore written = new Semaphore(0);
    TrafficEventConsumer after = e -> written.release();
    GH.gateway().events().subscribe(log);
    GH.gateway().events().subscribe(after); // consumers run in order: the line is written first
    try {
      assertThat(GH.get("/orders/x?subscription-key=" + KEY, "X-Request-Id", "f-1").statusCode()).isEqualTo(200);
      assertThat(written.tryAcquire(10, TimeUnit.SECONDS)).isTrue();
    } finally {
      GH.gateway().events().unsubscribe(log);
      GH.gateway().events().unsubscribe(after);
      log.close();
    }
    List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8);
    assertThat(lines).hasSize(1);
    JsonNode n = JSON.readTree(lines.get(0));
    assertThat(n.get("requestId").asText()).isEqualTo("f-1");
    assertThat(n.has("query")).isFalse();
    assertThat(lines.get(0)).doesNotContain(KEY);
  }
}
