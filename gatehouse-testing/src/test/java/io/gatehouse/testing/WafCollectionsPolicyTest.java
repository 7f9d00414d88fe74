package io.gatehouse.testing;

import static org.assertj.core.api.Assertions.assertThat;

import io.gatehouse.gateway.Gateway;
import io.gatehouse.gateway.PolicyClocks;
import io.gatehouse.model.ConfigLoader;
import io.gatehouse.model.GatewayConfig;
import io.vertx.core.Future;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The {@code waf} policy's persistent collections through the real gateway, on a monotonic clock
 * the test moves: a per-client request count with {@code initcol:ip}, {@code setvar} and {@code
 * expirevar}, kept per policy and across configuration reloads.
 */
class WafCollectionsPolicyTest {
  @RegisterExtension static final GatehouseExtension GH = GatehouseExtension.create();

  final AtomicLong monotonic = new AtomicLong(10_000_000);
  final HttpClient http = HttpClient.newHttpClient();
  Gateway gateway;
  long revision;

  /** Two APIs with the same per-client limit (3 requests a minute, the fourth is refused). */
  static final String CONFIG = """
      backends:
        - name: echo
          url: ${env:UPSTREAM_URL}
      apis:
        - name: a
          path: /a
          backend: echo
          subscriptionRequired: false
          policies:
            inbound:
              - waf:
      %1$s
        - name: b
          path: /b
          backend: echo
          subscriptionRequired: false
          policies:
            inbound:
              - waf:
      %1$s
      """.formatted("""
          mode: block
          custom-rules:
            - 'SecAction "id:1001,phase:1,pass,nolog,initcol:ip=%{REMOTE_ADDR}"'
            - 'SecAction "id:1002,phase:1,pass,nolog,setvar:ip.requests=+1,expirevar:ip.requests=60"'
            - 'SecRule IP:REQUESTS "@gt 3" "id:1003,phase:1,deny,log"'
          """.indent(12).stripTrailing());

  @BeforeEach
  void start() throws Exception {
    gateway = await(Gateway.start(GH.vertx(), GatehouseExtension.gatewayOptions(),
        Gateway.DEFAULT_EVENT_QUEUE_CAPACITY, new PolicyClocks(System::currentTimeMillis, monotonic::get)));
    apply(CONFIG);
  }

  void apply(String yaml) {
    GatewayConfig config = ConfigLoader.withEnvironment(Map.of("UPSTREAM_URL", GH.upstream().url()))
        .parse(yaml, "test.yaml", null);
    gateway.apply(config, ++revision);
  }

  @AfterEach
  void stop() throws Exception {
    await(gateway.close());
  }

  static <T> T await(Future<T> f) throws Exception {
    return f.toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
  }

  int get(String path) throws Exception {
    return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + gateway.port() + path))
        .timeout(Duration.ofSeconds(10)).GET().build(), HttpResponse.BodyHandlers.discarding()).statusCode();
  }

  @Test
  void countsRequestsPerClientAndRefusesPastTheLimitUntilTheCountExpires() throws Exception {
    for (int i = 1; i <= 3; i++) {
      assertThat(get("/a/x")).as("request %d", i).isEqualTo(200);
    }
    assertThat(get("/a/x")).as("request 4").isEqualTo(403);
    assertThat(get("/b/x")).as("another policy keeps its own collections").isEqualTo(200);
    monotonic.addAndGet(59_000);
    assertThat(get("/a/x")).as("59 s after the last request").isEqualTo(403);
    monotonic.addAndGet(60_000); // every request renewed the expiry: 60 s after the last one it is gone
    assertThat(get("/a/x")).as("after the count expired").isEqualTo(200);
  }

  @Test
  void countsSurviveAConfigurationReload() throws Exception {
    for (int i = 1; i <= 3; i++) {
      assertThat(get("/a/x")).isEqualTo(200);
    }
    apply(CONFIG + """
          - name: c
            path: /c
            backend: echo
            subscriptionRequired: false
        """);
    assertThat(get("/c/x")).isEqualTo(200);
    assertThat(get("/a/x")).as("the fourth request after the reload").isEqualTo(403);
  }
}
