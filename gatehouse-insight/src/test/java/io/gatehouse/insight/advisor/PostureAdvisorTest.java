package io.gatehouse.insight.advisor;

import static org.assertj.core.api.Assertions.assertThat;

import io.gatehouse.insight.Finding;
import io.gatehouse.insight.Severity;
import io.gatehouse.model.ConfigLoader;
import io.gatehouse.model.GatewayConfig;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Each posture rule fires on a configuration that breaks it and stays quiet on the hardened one. */
class PostureAdvisorTest {
  static final Instant NOW = Instant.parse("2026-06-01T00:00:00Z");

  static final String SECURE = """
      policies:
        inbound:
          - rate-limit: {calls: 100, renewal-period: 60}
      backends:
        - name: b
          url: https://orders.example.com
          tls: {clientCert: /etc/gh/c.pem, clientKey: /etc/gh/k.pem}
      apis:
        - name: orders
          path: /orders
          protocols: [https]
          backend: b
          operations:
            - GET /items/{id}
            - operation: POST /items
              policies:
                inbound:
                  - validate-content: {schema: {type: object}}
      subscriptions:
        - name: s1
          scope: api:orders
      namedValues:
        - name: greeting
          value: hello
        - name: db-password
          value: ${env:DB_PASSWORD}
      """;

  static final Path CERT_DIR = certDir();

  static Path certDir() {
    try {
      Path dir = java.nio.file.Files.createTempDirectory("advisor");
      java.nio.file.Files.writeString(dir.resolve("c.pem"), "cert");
      java.nio.file.Files.writeString(dir.resolve("k.pem"), "key");
      dir.toFile().deleteOnExit();
      return dir;
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  static GatewayConfig config(String yaml) {
    yaml = yaml.replace("/etc/gh/", CERT_DIR.toString() + "/");
    return ConfigLoader.withEnvironment(Map.of("DB_PASSWORD", "x")).inlineDocumentsOnly().parse(yaml, "test.yaml", Path.of("."));
  }

  static final RuntimeFacts SOURCES = RuntimeFacts.NONE.withNamedValueSources(Map.of("db-password", "${env:DB_PASSWORD}"));

  static List<Finding> findings(String yaml) {
    return findings(yaml, RuntimeFacts.NONE);
  }

  static List<Finding> findings(String yaml, RuntimeFacts facts) {
    if (facts.namedValueSources().isEmpty()) {
      facts = facts.withNamedValueSources(SOURCES.namedValueSources());
    }
    return PostureAdvisor.defaults().advise(config(yaml), facts, NOW).findings();
  }

  static List<String> rules(List<Finding> fs) {
    return fs.stream().map(Finding::rule).toList();
  }

  @Test
  void hardenedConfigurationHasNoFindingAndScoresHundred() {
    Advice advice = PostureAdvisor.defaults().advise(config(SECURE), SOURCES, NOW);
    assertThat(advice.findings()).isEmpty();
    assertThat(advice.score()).isEqualTo(100);
  }

  @Test
  void anonymousApiIsReported() {
    String open = SECURE.replace("backend: b\n    operations", "backend: b\n    subscriptionRequired: false\n    operations");
    assertThat(rules(findings(open))).contains("api.no-authentication");
    String jwt = open.replace("protocols: [https]", "protocols: [https]\n    policies:\n      inbound:\n        - validate-jwt: {jwksUrl: https://idp.example.com/jwks, audiences: [orders]}");
    assertThat(rules(findings(jwt))).doesNotContain("api.no-authentication", "operation.no-authentication");
  }

  @Test
  void aClientCertificateCheckCountsAsAuthenticationAndNothingElseDoes() {
    String open = SECURE.replace("backend: b\n    operations", "backend: b\n    subscriptionRequired: false\n    operations");
    String mtls = open.replace("protocols: [https]",
        "protocols: [https]\n    policies:\n      inbound:\n        - validate-client-certificate: {trusted-ca: [/etc/gatehouse/partners-ca.pem]}");
    assertThat(rules(findings(mtls))).doesNotContain("api.no-authentication");
    String header = open.replace("protocols: [https]",
        "protocols: [https]\n    policies:\n      inbound:\n        - check-header: {name: X-Client-Certificate, failed-check-httpcode: 401}");
    assertThat(rules(findings(header))).contains("api.no-authentication");
  }

  @Test
  void operationWithoutTokenCheckIsReportedWhenOthersHaveOne() {
    String mixed = SECURE.replace("backend: b\n    operations", "backend: b\n    subscriptionRequired: false\n    operations")
        .replace("- validate-content: {schema: {type: object}}",
            "- validate-content: {schema: {type: object}}\n            - validate-jwt: {jwksUrl: https://idp/jwks, audiences: [a]}");
    List<Finding> fs = findings(mixed);
    assertThat(fs).filteredOn(f -> f.rule().equals("operation.no-authentication"))
        .extracting(Finding::resource).containsExactly("api orders GET /items/{id}");
    assertThat(rules(fs)).doesNotContain("api.no-authentication");
  }

  @Test
  void subscriptionScopedToAllIsReported() {
    assertThat(rules(findings(SECURE.replace("scope: api:orders", "scope: all")))).contains("subscription.scope-all");
    assertThat(rules(findings(SECURE))).doesNotContain("subscription.scope-all");
  }

  @Test
  void backendTlsVerificationOffIsReported() {
    String off = SECURE.replace("tls: {clientCert", "tls: {verify: false, clientCert");
    assertThat(findings(off)).filteredOn(f -> f.rule().equals("backend.tls-verify-off"))
        .extracting(Finding::severity).containsExactly(Severity.HIGH);
  }

  @Test
  void internalHttpsBackendWithoutCaOrPinIsReported() {
    String internal = SECURE.replace("https://orders.example.com", "https://10.0.0.5:8443");
    assertThat(rules(findings(internal))).contains("backend.tls-no-ca-or-pin");
    String pinned = internal.replace("tls: {clientCert", "tls: {pins: [\"47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=\"], clientCert");
    assertThat(rules(findings(pinned))).doesNotContain("backend.tls-no-ca-or-pin");
  }

  @Test
  void plainHttpBackendIsReportedExceptOnLoopback() {
    assertThat(rules(findings(SECURE.replace("https://orders.example.com", "http://orders.example.com"))))
        .contains("backend.plain-http");
    assertThat(rules(findings(SECURE.replace("https://orders.example.com", "http://127.0.0.1:9000"))))
        .doesNotContain("backend.plain-http");
  }

  @Test
  void managementListenerBeyondLoopbackWithoutTlsIsReported() {
    RuntimeFacts exposed = new RuntimeFacts(List.of(new RuntimeFacts.Listener("management", "0.0.0.0", 8001, false)),
        null, null, null, null, null, null, null);
    assertThat(rules(findings(SECURE, exposed))).contains("management.beyond-loopback", "management.no-tls");
    RuntimeFacts local = new RuntimeFacts(List.of(new RuntimeFacts.Listener("management", "127.0.0.1", 8001, false),
        new RuntimeFacts.Listener("gateway", "0.0.0.0", 8080, false)), null, null, null, null, null, null, null);
    assertThat(findings(SECURE, local)).isEmpty();
  }

  @Test
  void apiOverPlainHttpIsReported() {
    assertThat(rules(findings(SECURE.replace("protocols: [https]", "protocols: [http, https]")))).contains("api.plain-http");
  }

  @Test
  void inlineSecretNamedValueIsReported() {
    String plain = SECURE.replace("value: ${env:DB_PASSWORD}", "value: hunter2");
    assertThat(PostureAdvisor.defaults().advise(config(plain), RuntimeFacts.NONE, NOW).findings())
        .filteredOn(f -> f.rule().equals("named-value.inline-secret"))
        .extracting(f -> f.resource() + " " + f.severity())
        .containsExactly("named value db-password HIGH");
    String secret = SECURE.replace("    value: ${env:DB_PASSWORD}", "    type: secret\n    value: hunter2");
    assertThat(PostureAdvisor.defaults().advise(config(secret), RuntimeFacts.NONE, NOW).findings())
        .filteredOn(f -> f.rule().equals("named-value.inline-secret"))
        .extracting(f -> f.resource() + " " + f.severity())
        .containsExactly("named value db-password MEDIUM");
    String reference = SECURE.replace("    value: ${env:DB_PASSWORD}", "    type: reference\n    ref: env:DB_PASSWORD");
    assertThat(PostureAdvisor.defaults().advise(config(reference), RuntimeFacts.NONE, NOW).findings())
        .noneMatch(f -> f.rule().equals("named-value.inline-secret"));
  }

  @Test
  void backendWithoutCredentialsIsReported() {
    String bare = SECURE.replace(", clientCert: /etc/gh/c.pem, clientKey: /etc/gh/k.pem", "").replace("tls: {}", "");
    String none = SECURE.replace("    tls: {clientCert: /etc/gh/c.pem, clientKey: /etc/gh/k.pem}\n", "");
    assertThat(rules(findings(none))).contains("backend.no-credentials");
    String header = none.replace("    - rate-limit: {calls: 100, renewal-period: 60}",
        "    - rate-limit: {calls: 100, renewal-period: 60}\n    - set-header: {name: Authorization, value: \"${env:DB_PASSWORD}\"}");
    assertThat(rules(findings(header))).doesNotContain("backend.no-credentials");
    assertThat(bare).isNotNull();
  }

  @Test
  void backendWithCredentialsIsNotReportedAsCallingWithoutCredentials() {
    String none = SECURE.replace("    tls: {clientCert: /etc/gh/c.pem, clientKey: /etc/gh/k.pem}\n", "");
    String header = none.replace("    url: https://orders.example.com\n",
        "    url: https://orders.example.com\n    credentials:\n      header: {name: X-Api-Key, value: \"${nv:backend-key}\"}\n")
        + "  - name: backend-key\n    type: reference\n    ref: env:DB_PASSWORD\n";
    String oauth = none.replace("    url: https://orders.example.com\n",
        "    url: https://orders.example.com\n    credentials:\n      oauth2: {tokenUrl: https://idp.example.com/token, clientId: gh, clientSecret: \"${nv:backend-key}\"}\n")
        + "  - name: backend-key\n    type: reference\n    ref: env:DB_PASSWORD\n";
    assertThat(config(header).backends().get(0).credentials()).isNotNull();
    assertThat(rules(findings(header))).doesNotContain("backend.no-credentials");
    assertThat(rules(findings(oauth))).doesNotContain("backend.no-credentials");
    assertThat(findings(none)).filteredOn(f -> f.rule().equals("backend.no-credentials"))
        .extracting(Finding::defender).containsExactly(DefenderRecommendations.BACKEND_CALLS_AUTHENTICATED);
  }

  @Test
  void managementListenerOnPublicOrWildcardAddressIsReportedButPrivateAddressOnlyAsBeyondLoopback() {
    for (String host : List.of("0.0.0.0", "::", "[::]", "203.0.113.7", "2001:db8::1")) {
      RuntimeFacts facts = new RuntimeFacts(List.of(new RuntimeFacts.Listener("management", host, 8001, true)),
          null, null, null, null, null, null, null);
      assertThat(rules(findings(SECURE, facts))).as(host).contains("management.beyond-loopback", "management.public-network");
    }
    for (String host : List.of("10.0.0.5", "192.168.1.2", "172.16.0.1", "fd00::1", "fe80::1", "mgmt.internal")) {
      RuntimeFacts facts = new RuntimeFacts(List.of(new RuntimeFacts.Listener("management", host, 8001, true)),
          null, null, null, null, null, null, null);
      assertThat(rules(findings(SECURE, facts))).as(host).contains("management.beyond-loopback")
          .doesNotContain("management.public-network");
    }
  }

  @Test
  void readOnlyRoleThatRevealsSecretsIsReported() {
    Map<String, java.util.Set<String>> roles = Map.of(
        "secret-peeker", java.util.Set.of("apis:read", "named-values:read", "secrets:reveal"),
        "rotator", java.util.Set.of("named-values:read", "named-values:write", "secrets:reveal"),
        "reader", java.util.Set.of("apis:read", "named-values:read"));
    RuntimeFacts facts = new RuntimeFacts(null, null, null, null, null, null, null, null, null, roles);
    assertThat(findings(SECURE, facts)).filteredOn(f -> f.rule().equals("role.read-only-reveals-secrets"))
        .extracting(f -> f.resource() + " " + f.severity() + " " + f.defender())
        .containsExactly("role secret-peeker MEDIUM " + DefenderRecommendations.MINIMUM_API_VERSION);
  }

  /** A configuration and facts that break every rule matching a Defender recommendation. */
  static final String DEFENDER_ALL = """
      backends:
        - name: b
          url: https://orders.example.com
          tls: {verify: false}
        - name: plain
          url: https://inventory.example.com
      apis:
        - name: orders
          path: /orders
          protocols: [http, https]
          backend: b
          subscriptionRequired: false
          operations:
            - GET /items/{id}
        - name: stock
          path: /stock
          protocols: [https]
          backend: plain
          operations:
            - GET /levels
      subscriptions:
        - name: everything
          scope: all
      namedValues:
        - name: db-password
          value: hunter2
      """;

  static RuntimeFacts defenderFacts(String managementHost, Map<String, java.util.Set<String>> roles, Instant lastCall) {
    return new RuntimeFacts(List.of(new RuntimeFacts.Listener("management", managementHost, 8001, true)),
        Map.of("orders GET /items/{id}", lastCall, "stock GET /levels", lastCall), NOW.minus(Duration.ofDays(60)),
        null, null, null, null, Map.of("db-password", "hunter2"), null, roles);
  }

  @Test
  void everyDefenderRecommendationIsNamedByAFindingOfABreakingConfiguration() {
    RuntimeFacts facts = defenderFacts("0.0.0.0",
        Map.of("peek", java.util.Set.of("named-values:read", "secrets:reveal")), NOW.minus(Duration.ofDays(45)));
    List<Finding> fs = PostureAdvisor.defaults().advise(config(DEFENDER_ALL), facts, NOW).findings();
    assertThat(fs.stream().map(Finding::defender).filter(java.util.Objects::nonNull).distinct())
        .containsExactlyInAnyOrderElementsOf(DefenderRecommendations.ALL);
    assertThat(fs).filteredOn(f -> f.defender() != null).extracting(Finding::rule).containsOnly(
        "api.no-authentication", "endpoint.unused", "subscription.scope-all", "backend.tls-verify-off",
        "management.beyond-loopback", "api.plain-http", "named-value.inline-secret", "management.public-network",
        "role.read-only-reveals-secrets", "backend.no-credentials");
  }

  @Test
  void hardenedConfigurationMatchesNoDefenderRecommendation() {
    Map<String, java.util.Set<String>> roles = Map.of("reader", java.util.Set.of("apis:read", "named-values:read"),
        "admin", java.util.Set.of("apis:write", "named-values:write", "secrets:reveal"));
    RuntimeFacts facts = new RuntimeFacts(List.of(new RuntimeFacts.Listener("management", "127.0.0.1", 8001, false)),
        Map.of("orders GET /items/{id}", NOW.minus(Duration.ofDays(1)), "orders POST /items", NOW.minus(Duration.ofDays(2))),
        NOW.minus(Duration.ofDays(60)), null, null, null, null, SOURCES.namedValueSources(), null, roles);
    assertThat(PostureAdvisor.defaults().advise(config(SECURE), facts, NOW).findings()).isEmpty();
  }

  @Test
  void keyInQueryIsReported() {
    String query = SECURE.replace("backend: b\n    operations", "backend: b\n    allowKeyInQuery: true\n    operations");
    assertThat(rules(findings(query))).contains("api.key-in-query");
  }

  @Test
  void apiWithoutRateLimitIsReportedAndQuotaOnProductCounts() {
    String none = SECURE.replace("policies:\n  inbound:\n    - rate-limit: {calls: 100, renewal-period: 60}\n", "");
    assertThat(rules(findings(none))).contains("api.no-rate-limit");
    String product = none + "products:\n  - name: p\n    apis: [orders]\n    policies:\n      inbound:\n        - quota: {calls: 1000, renewal-period: 86400}\n";
    assertThat(rules(findings(product))).doesNotContain("api.no-rate-limit");
  }

  @Test
  void corsAnyOriginAndAnyOriginWithCredentialsAreReported() {
    String any = SECURE.replace("    - rate-limit: {calls: 100, renewal-period: 60}",
        "    - rate-limit: {calls: 100, renewal-period: 60}\n    - cors: {allowed-origins: ['*']}");
    assertThat(rules(findings(any))).contains("cors.any-origin").doesNotContain("cors.any-origin-with-credentials");
    String creds = any.replace("{allowed-origins: ['*']}", "{allowed-origins: ['*'], allow-credentials: true}");
    assertThat(rules(findings(creds))).contains("cors.any-origin-with-credentials");
    String listed = any.replace("['*']", "['https://app.example.com']");
    assertThat(rules(findings(listed))).doesNotContain("cors.any-origin", "cors.any-origin-with-credentials");
  }

  @Test
  void bodyOperationWithoutValidateContentIsReported() {
    String unvalidated = SECURE.replace("            - validate-content: {schema: {type: object}}\n",
        "            - set-header: {name: X-A, value: b}\n");
    assertThat(findings(unvalidated)).filteredOn(f -> f.rule().equals("operation.body-not-validated"))
        .extracting(Finding::resource).containsExactly("api orders POST /items");
  }

  static final String JWT_API = SECURE.replace("backend: b\n    operations",
      "backend: b\n    subscriptionRequired: false\n    policies:\n      inbound:\n        - validate-jwt: JWT\n    operations");

  @Test
  void hmacOnPublicApiIsReported() {
    String hmac = JWT_API.replace("JWT", "{jwks: {keys: [{kty: oct, k: c2VjcmV0}]}, audiences: [orders]}");
    assertThat(rules(findings(hmac))).contains("jwt.hmac-on-public-api");
    String rsa = JWT_API.replace("JWT", "{jwksUrl: https://idp/jwks, algorithms: [RS256], audiences: [orders]}");
    assertThat(findings(rsa)).extracting(Finding::rule).doesNotContain("jwt.hmac-on-public-api", "jwt.no-audience",
        "jwt.algorithms-beyond-keys");
  }

  @Test
  void jwtWithoutAudienceIsReported() {
    assertThat(rules(findings(JWT_API.replace("JWT", "{jwksUrl: https://idp/jwks}")))).contains("jwt.no-audience");
  }

  @Test
  void algorithmsBeyondTheKeysAreReported() {
    String wide = JWT_API.replace("JWT",
        "{jwks: {keys: [{kty: EC, crv: P-256, x: a, y: b}]}, algorithms: [ES256, RS256], audiences: [o]}");
    assertThat(rules(findings(wide))).contains("jwt.algorithms-beyond-keys");
    String exact = wide.replace("[ES256, RS256]", "[ES256]");
    assertThat(rules(findings(exact))).doesNotContain("jwt.algorithms-beyond-keys");
  }

  @Test
  void oldSubscriptionKeysAreReportedAndSkippedWithNoteWithoutCreationTimes() {
    RuntimeFacts old = new RuntimeFacts(null, null, null, null, null, null, Map.of("s1", NOW.minus(Duration.ofDays(91))), null);
    assertThat(rules(findings(SECURE, old))).contains("subscription.key-age");
    RuntimeFacts fresh = new RuntimeFacts(null, null, null, null, null, null, Map.of("s1", NOW.minus(Duration.ofDays(10))), null);
    assertThat(rules(findings(SECURE, fresh))).doesNotContain("subscription.key-age");
    assertThat(PostureAdvisor.defaults().advise(config(SECURE), RuntimeFacts.NONE, NOW).notes())
        .anyMatch(n -> n.startsWith("subscription.key-age skipped"));
  }

  @Test
  void certificatesExpiringWithinThirtyDaysAreReported() {
    RuntimeFacts soon = new RuntimeFacts(null, null, null, null, null,
        List.of(new RuntimeFacts.Certificate("listener gateway:8443", "CN=api", NOW.plus(Duration.ofDays(29)))), null, null);
    assertThat(rules(findings(SECURE, soon))).containsExactly("certificate.expiring");
    RuntimeFacts later = new RuntimeFacts(null, null, null, null, null,
        List.of(new RuntimeFacts.Certificate("listener gateway:8443", "CN=api", NOW.plus(Duration.ofDays(31)))), null, null);
    assertThat(findings(SECURE, later)).isEmpty();
  }

  @Test
  void endpointsUnusedForThirtyDaysAreReported() {
    RuntimeFacts facts = new RuntimeFacts(null,
        Map.of("orders GET /items/{id}", NOW.minus(Duration.ofDays(1)), "orders POST /items", NOW.minus(Duration.ofDays(40))),
        NOW.minus(Duration.ofDays(60)), null, null, null, null, null);
    assertThat(findings(SECURE, facts)).filteredOn(f -> f.rule().equals("endpoint.unused"))
        .extracting(Finding::resource).containsExactly("api orders POST /items");
    RuntimeFacts recent = new RuntimeFacts(null, Map.of("orders GET /items/{id}", NOW), NOW.minus(Duration.ofDays(5)),
        null, null, null, null, null);
    assertThat(rules(findings(SECURE, recent))).doesNotContain("endpoint.unused");
  }

  @Test
  void dormantAdminsAndAdminsWithoutSecondFactorAreReported() {
    RuntimeFacts facts = new RuntimeFacts(null, null, null, List.of(
        new RuntimeFacts.AdminAccount("old", NOW.minus(Duration.ofDays(100)), null, true),
        new RuntimeFacts.AdminAccount("weak", NOW, null, false),
        new RuntimeFacts.AdminAccount("good", NOW.minus(Duration.ofDays(3)), null, true)), null, null, null, null);
    List<Finding> fs = findings(SECURE, facts);
    assertThat(fs).filteredOn(f -> f.rule().equals("admin.unused")).extracting(Finding::resource).containsExactly("admin old");
    assertThat(fs).filteredOn(f -> f.rule().equals("admin.no-second-factor")).extracting(Finding::resource)
        .containsExactly("admin weak");
  }

  @Test
  void brokenAuditChainIsReported() {
    RuntimeFacts broken = new RuntimeFacts(null, null, null, null, new RuntimeFacts.AuditChain(false, "entry 17"), null, null, null);
    assertThat(rules(findings(SECURE, broken))).containsExactly("audit.chain-broken");
    RuntimeFacts intact = new RuntimeFacts(null, null, null, null, new RuntimeFacts.AuditChain(true, "120 entries"), null, null, null);
    assertThat(findings(SECURE, intact)).isEmpty();
  }

  @Test
  void endpointsReturningSensitiveDataAreReportedWithSeverityByType() {
    RuntimeFacts facts = new RuntimeFacts(null, null, null, null, null, null, null, null, List.of(
        new RuntimeFacts.SensitiveEndpoint("orders", "GET", "/items/{id}", null,
            java.util.Set.of(io.gatehouse.insight.sensitive.SensitiveType.PAYMENT_CARD,
                io.gatehouse.insight.sensitive.SensitiveType.EMAIL)),
        new RuntimeFacts.SensitiveEndpoint("orders", "GET", "/contacts", null,
            java.util.Set.of(io.gatehouse.insight.sensitive.SensitiveType.PHONE)),
        new RuntimeFacts.SensitiveEndpoint("orders", "POST", "/items", java.util.Set.of(
            io.gatehouse.insight.sensitive.SensitiveType.EMAIL), null)), null);
    List<Finding> fs = findings(SECURE, facts);
    assertThat(fs).extracting(Finding::rule).containsOnly("endpoint.sensitive-data-in-response");
    assertThat(fs).extracting(Finding::title, Finding::severity).containsExactly(
        org.assertj.core.groups.Tuple.tuple("GET /items/{id} returns e-mail addresses, payment card numbers", Severity.HIGH),
        org.assertj.core.groups.Tuple.tuple("GET /contacts returns phone numbers", Severity.MEDIUM));
    assertThat(fs.get(0).owasp()).startsWith("API3:2023");
    assertThat(fs.get(0).resource()).isEqualTo("api orders GET /items/{id}");
    assertThat(fs.get(0).explanation()).contains("payment-card");
  }

  @Test
  void externalApisWithoutOwnerAreReported() {
    String external = SECURE.replace("    protocols: [https]\n", "    protocols: [https]\n    inventory: {exposure: external}\n");
    assertThat(external).isNotEqualTo(SECURE);
    assertThat(findings(external, RuntimeFacts.NONE)).extracting(Finding::rule).containsExactly("api.external-without-owner");
    String owned = external.replace("{exposure: external}", "{exposure: external, owner: team-orders}");
    assertThat(findings(owned, RuntimeFacts.NONE)).isEmpty();
    String internal = external.replace("{exposure: external}", "{exposure: internal}");
    assertThat(findings(internal, RuntimeFacts.NONE)).isEmpty();
  }

  @Test
  void scoreFallsWithSeverityAndCapsRepeatsOfOneRule() {
    assertThat(PostureAdvisor.score(List.of())).isEqualTo(100);
    Finding high = new Finding("r", Severity.HIGH, "x", "t", "e", "m", "o");
    assertThat(PostureAdvisor.score(List.of(high))).isEqualTo(85);
    assertThat(PostureAdvisor.score(List.of(high, high, high, high, high))).isEqualTo(55);
    Advice a = new Advice(55, List.of(high), List.of(), List.of());
    assertThat(a.hasAtLeast(Severity.HIGH)).isTrue();
    assertThat(new Advice(100, List.of(new Finding("r", Severity.LOW, "x", "t", "e", "m", "o")), List.of(), List.of())
        .hasAtLeast(Severity.MEDIUM)).isFalse();
  }

  @Test
  void suppressionAcceptsOnlyTheNamedRuleAndApiAndKeepsTheScore() {
    String open = """
        backends:
          - name: b
            url: https://orders.example.com
        apis:
          - name: catalogue
            path: /catalogue
            protocols: [https]
            backend: b
            subscriptionRequired: false
          - name: orders
            path: /orders
            protocols: [https]
            backend: b
            subscriptionRequired: false
        """;
    Advice plain = PostureAdvisor.defaults().advise(config(open), SOURCES, NOW);
    Advice accepted = PostureAdvisor.defaults().advise(config(open + """
        advisor:
          suppress:
            - {rule: api.no-authentication, api: catalogue, reason: public by design}
        """), SOURCES, NOW);
    assertThat(accepted.suppressed()).singleElement().satisfies(s -> {
      assertThat(s.finding().rule()).isEqualTo("api.no-authentication");
      assertThat(s.finding().resource()).isEqualTo("api catalogue");
      assertThat(s.reason()).isEqualTo("public by design");
    });
    assertThat(accepted.findings()).filteredOn(f -> f.rule().equals("api.no-authentication"))
        .extracting(Finding::resource).containsExactly("api orders");
    assertThat(accepted.findings()).hasSize(plain.findings().size() - 1);
    assertThat(accepted.score()).isEqualTo(plain.score() + PostureAdvisor.weight(Severity.HIGH));
    assertThat(accepted.notes()).noneMatch(n -> n.contains("matches no finding"));
  }
}
