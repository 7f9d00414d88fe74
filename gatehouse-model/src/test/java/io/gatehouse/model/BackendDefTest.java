package io.gatehouse.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

class BackendDefTest {
  static final ConfigLoader LOADER = ConfigLoader.withEnvironment(Map.of());

  static GatewayConfig parse(String yaml) {
    return LOADER.parse(yaml, "t.yaml", null);
  }

  @Test
  void singleUrlBackendStaysCompatible() throws Exception {
    GatewayConfig c = parse("""
        backends:
          - {name: a, url: "http://127.0.0.1:8080/base", timeout: 5s}
        """);
    BackendDef b = c.backends().get(0);
    assertThat(b).isEqualTo(new BackendDef("a", "http://127.0.0.1:8080/base", Duration.ofSeconds(5)));
    assertThat(b.pool()).containsExactly(new BackendDef.Member("http://127.0.0.1:8080/base", 1, 0));
    assertThat(b.algorithm()).isEqualTo("round-robin");
    String yaml = ConfigMapper.yaml().writeValueAsString(c);
    assertThat(yaml).doesNotContain("members").doesNotContain("loadBalancing");
    assertThat(parse(yaml)).isEqualTo(c);
  }

  @Test
  void fullBackendRoundTripsWithDefaults() throws Exception {
    GatewayConfig c = parse("""
        backends:
          - name: pool
            members:
              - {url: "http://a:1", weight: 3}
              - {url: "https://b:2", priority: 1}
            loadBalancing: least-requests
            timeouts: {connect: 1s}
            healthCheck: {path: /health}
            outlierDetection: {}
            circuitBreaker: {minimumCalls: 4, window: 8}
            retry: {count: 1}
            tls: {serverName: b.internal}
        """);
    BackendDef b = c.backends().get(0);
    assertThat(b.healthCheck().interval()).isEqualTo(Duration.ofSeconds(10));
    assertThat(b.outlierDetection().consecutiveFailures()).isEqualTo(5);
    assertThat(b.circuitBreaker().openDuration()).isEqualTo(Duration.ofSeconds(30));
    assertThat(b.retry().methods()).contains("GET").doesNotContain("POST");
    assertThat(b.retry().budgetRatio()).isEqualTo(0.2);
    assertThat(b.tls().verify()).isTrue();
    assertThat(parse(ConfigMapper.yaml().writeValueAsString(c))).isEqualTo(c);
  }

  @Test
  void rejectsBadBackendSettingsWithClearMessages() {
    assertThatThrownBy(() -> parse("""
        backends:
          - name: bad
            members:
              - {url: "http://a:1", weight: 0}
            loadBalancing: random
            circuitBreaker: {failureRateThreshold: 150}
            retry: {budgetRatio: 2.0}
            tls: {caFile: /does/not/exist.pem, clientCert: /also/missing.pem, pins: [nope]}
        """))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("expected a weight > 0 but got 0")
        .hasMessageContaining("expected one of [round-robin, weighted, least-requests] but got 'random'")
        .hasMessageContaining("expected a number from 1 to 100 but got 150")
        .hasMessageContaining("expected a ratio from 0 to 1 but got 2.0")
        .hasMessageContaining("expected a readable file but got '/does/not/exist.pem'")
        .hasMessageContaining("expected both 'clientCert' and 'clientKey' or neither")
        .hasMessageContaining("expected a base64 SHA-256 hash");
  }

  @Test
  void rejectsBackendWithNeitherOrBothUrlAndMembers() {
    assertThatThrownBy(() -> parse("backends: [{name: none}]"))
        .hasMessageContaining("expected 'url' or 'members' but got neither");
    assertThatThrownBy(() -> parse("backends: [{name: both, url: 'http://a:1', members: [{url: 'http://b:1'}]}]"))
        .hasMessageContaining("expected either 'url' or 'members' but got both");
  }

  @Test
  void uploadedCertificatesAreNamedAndRoundTrip() throws Exception {
    GatewayConfig c = parse("""
        backends:
          - name: partner
            url: https://partner.example.test
            tls: {clientCertificate: partner-client, caCertificate: partner-ca}
        """);
    BackendDef.Tls tls = c.backends().get(0).tls();
    assertThat(tls.clientCertificate()).isEqualTo("partner-client");
    assertThat(tls.caCertificate()).isEqualTo("partner-ca");
    assertThat(parse(ConfigMapper.yaml().writeValueAsString(c))).isEqualTo(c);
    assertThatThrownBy(() -> parse("""
        backends:
          - name: both
            url: https://partner.example.test
            tls: {clientCertificate: a, clientCert: /x.pem, clientKey: /y.pem, caCertificate: "bad name", caPem: x}
        """))
        .hasMessageContaining("expected 'clientCertificate' or 'clientCert'/'clientKey' but got both")
        .hasMessageContaining("expected at most one of 'caCertificate', 'caFile' and 'caPem'")
        .hasMessageContaining("backends[0].tls.caCertificate")
        .hasMessageContaining("expected a certificate name");
  }
}
