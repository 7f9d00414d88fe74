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
            timeouts: {connect: 1s, poolIdle: 2s}
            healthCheck: {path: /health}
            outlierDetection: {}
            circuitBreaker: {minimumCalls: 4, window: 8}
            retry: {count: 1}
            tls: {serverName: b.internal}
        """);
    BackendDef b = c.backends().get(0);
    assertThat(b.healthCheck().interval()).isEqualTo(Duration.ofSeconds(10));
    assertThat(b.timeouts().poolIdle()).isEqualTo(Duration.ofSeconds(2));
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
            timeouts: {poolIdle: 50ms}
            circuitBreaker: {failureRateThreshold: 150}
            retry: {budgetRatio: 2.0}
            tls: {caFile: /does/not/exist.pem, clientCert: /also/missing.pem, pins: [nope]}
        """))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("expected a weight > 0 but got 0")
        .hasMessageContaining("expected one of [round-robin, weighted, least-requests] but got 'random'")
        .hasMessageContaining("expected a number from 1 to 100 but got 150")
        .hasMessageContaining("timeouts.poolIdle: expected at least 100ms but got 'PT0.05S'")
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
  void credentialsRoundTripAndNeverPrintSecrets() throws Exception {
    GatewayConfig c = parse("""
        namedValues:
          - {name: pw, type: secret, value: s3cret-pw}
          - {name: cs, type: secret, value: s3cret-cs}
        backends:
          - name: a
            url: "http://a:1"
            credentials:
              header: {name: X-Api-Key, value: "${nv:pw}"}
              query: {name: key, value: "${nv:pw}"}
              oauth2: {tokenUrl: "https://idp.example/token", clientId: gw, clientSecret: "${nv:cs}", scope: "read write", audience: orders}
          - name: b
            url: "http://b:1"
            credentials:
              basic: {username: svc, password: "${nv:pw}"}
        """);
    BackendDef.Credentials a = c.backends().get(0).credentials();
    assertThat(a.oauth2().clientAuthMethod()).isEqualTo("basic");
    assertThat(a.oauth2().audience()).isEqualTo("orders");
    assertThat(c.backends().get(1).credentials().basic().username()).isEqualTo("svc");
    assertThat(parse(ConfigMapper.yaml().writeValueAsString(c))).isEqualTo(c);
    BackendDef.Credentials resolved = new BackendDef.Credentials(new BackendDef.Basic("u", "plain-pw"),
        new BackendDef.Parameter("X-K", "plain-k"), null,
        new BackendDef.OAuth2("https://t", "id", "plain-cs", null, null, null));
    assertThat(resolved.toString()).doesNotContain("plain-pw").doesNotContain("plain-k").doesNotContain("plain-cs");
  }

  @Test
  void rejectsIncompleteOrClashingCredentials() {
    assertThatThrownBy(() -> parse("""
        backends:
          - name: a
            url: "http://a:1"
            credentials:
              basic: {username: "x:y"}
              header: {name: Host, value: v}
              query: {value: v}
              oauth2: {tokenUrl: "ftp://idp", clientAuth: jwt, clientSecret: "${nv:missing}"}
          - name: b
            url: "http://b:1"
            credentials: {}
          - name: c
            url: "http://c:1"
            credentials:
              oauth2: {tokenUrl: "https://idp/t", clientId: x, clientSecret: y}
              header: {name: Authorization, value: v}
        """))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("backends[0].credentials.basic.password")
        .hasMessageContaining("expected a user name without ':' but got 'x:y'")
        .hasMessageContaining("expected at most one of 'basic' and 'oauth2'")
        .hasMessageContaining("expected a header the gateway does not manage but got 'Host'")
        .hasMessageContaining("backends[0].credentials.query.name")
        .hasMessageContaining("backends[0].credentials.oauth2.clientId")
        .hasMessageContaining("expected an absolute http:// or https:// URL but got 'ftp://idp'")
        .hasMessageContaining("expected one of [basic, post] but got 'jwt'")
        .hasMessageContaining("unknown named value 'missing'")
        .hasMessageContaining("expected at least one of 'basic', 'header', 'query', 'oauth2' but got none")
        .hasMessageContaining("expected a header other than Authorization next to 'basic' or 'oauth2'")
        .hasMessageContaining("backends[0].credentials.header.value: expected a reference to a secret named value");
  }

  @Test
  void credentialSecretsMustComeFromSecretNamedValues() {
    assertThatThrownBy(() -> parse("""
        namedValues:
          - {name: visible, value: not-secret}
        backends:
          - name: a
            url: "http://a:1"
            credentials:
              basic: {username: svc, password: "${nv:visible}"}
              query: {name: k, value: literal-secret}
        """))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("backends[0].credentials.basic.password: expected a named value of type secret or"
            + " reference for a credential but 'visible' is plain")
        .hasMessageContaining("backends[0].credentials.query.value: expected a reference to a secret named value");
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
