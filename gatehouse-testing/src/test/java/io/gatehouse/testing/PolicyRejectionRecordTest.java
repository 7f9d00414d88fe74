package io.gatehouse.testing;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.jwk.gen.RSAKeyGenerator;
import io.gatehouse.gateway.accesslog.AccessLog;
import io.gatehouse.gateway.events.TrafficEvent;
import io.gatehouse.gateway.metrics.MetricsEndpoint;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A response a policy makes instead of calling the backend is visible: the access log and the
 * traffic event name the policy and its scope ({@code rejectedBy}) and an error code, and the
 * rejection counter counts it under the policy's name.
 */
class PolicyRejectionRecordTest {
  @RegisterExtension static final GatehouseExtension GH = GatehouseExtension.create();
  static final ObjectMapper JSON = new ObjectMapper();

  @Test
  void recordsThePolicyAndErrorOfEveryPolicyRejection() throws Exception {
    RSAKey key = new RSAKeyGenerator(2048).keyID("k1").generate();
    GH.apply("""
        backends:
          - name: echo
            url: ${env:UPSTREAM_URL}
        policies:
          inbound:
            - injection-protection: {action: block}
        apis:
          - name: pets
            path: /pets
            backend: echo
            subscriptionRequired: false
            policies:
              inbound:
                - validate-jwt:
                    jwks: '{"keys": [%s]}'
                    issuers: [https://issuer.example]
                    audiences: [pets]
          - name: open
            path: /open
            backend: echo
            subscriptionRequired: false
            policies:
              inbound:
                - return-response: {status: 200, body: hello}
        """.formatted(key.toPublicJWK().toJSONString()));
    MetricsEndpoint metrics = MetricsEndpoint.attach(GH.gateway());
    BlockingQueue<String> lines = new LinkedBlockingQueue<>();
    BlockingQueue<TrafficEvent> events = new LinkedBlockingQueue<>();
    AccessLog log = AccessLog.to(lines::add);
    GH.gateway().events().subscribe(log);
    io.gatehouse.gateway.events.TrafficEventConsumer collect = events::add;
    GH.gateway().events().subscribe(collect); // after the metrics and the log
    try {
      assertThat(GH.get("/pets/1").statusCode()).isEqualTo(401);
      assertThat(GH.get("/pets/1", "Authorization", "Bearer not.a.token").statusCode()).isEqualTo(401);
      assertThat(GH.get("/open/x?q=1%27%20UNION%20SELECT%20password%20FROM%20users--").statusCode())
          .isEqualTo(403);
      assertThat(GH.get("/open/x").statusCode()).isEqualTo(200);

      JsonNode missing = JSON.readTree(lines.poll(10, TimeUnit.SECONDS));
      assertThat(missing.get("status").asInt()).isEqualTo(401);
      assertThat(missing.get("rejectedBy").asText()).isEqualTo("validate-jwt@api:pets");
      assertThat(missing.get("error").asText()).isEqualTo("unauthorized");
      assertThat(missing.has("backendStatus")).isFalse();
      JsonNode invalid = JSON.readTree(lines.poll(10, TimeUnit.SECONDS));
      assertThat(invalid.get("rejectedBy").asText()).isEqualTo("validate-jwt@api:pets");
      assertThat(invalid.get("error").asText()).isEqualTo("unauthorized");
      JsonNode injected = JSON.readTree(lines.poll(10, TimeUnit.SECONDS));
      assertThat(injected.get("status").asInt()).isEqualTo(403);
      assertThat(injected.get("rejectedBy").asText()).isEqualTo("injection-protection@global");
      assertThat(injected.get("error").asText()).isEqualTo("forbidden");
      JsonNode answered = JSON.readTree(lines.poll(10, TimeUnit.SECONDS));
      assertThat(answered.get("status").asInt()).isEqualTo(200);
      assertThat(answered.get("rejectedBy").asText()).isEqualTo("return-response@api:open");
      assertThat(answered.has("error")).as("a policy's answer that is not an error has no error code").isFalse();

      TrafficEvent first = events.poll(10, TimeUnit.SECONDS);
      assertThat(first.rejectedBy()).isEqualTo("validate-jwt@api:pets");
      assertThat(first.error()).isEqualTo("unauthorized");
      for (int i = 0; i < 3; i++) {
        assertThat(events.poll(10, TimeUnit.SECONDS)).isNotNull();
      }

      assertThat(metrics.scrape())
          .contains("gatehouse_rejections_total{reason=\"unauthorized\",stage=\"validate-jwt\"} 2.0")
          .contains("gatehouse_rejections_total{reason=\"forbidden\",stage=\"injection-protection\"} 1.0")
          .doesNotContain("stage=\"return-response\"")
          .doesNotContain("UNION");
      assertThat(GH.upstream().drain()).isEmpty();
    } finally {
      GH.gateway().events().unsubscribe(log);
      GH.gateway().events().unsubscribe(collect);
    }
  }
}
