package io.gatehouse.testing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.gatehouse.gateway.Gateway;
import io.gatehouse.model.ConfigException;
import io.gatehouse.model.ConfigLoader;
import io.gatehouse.model.GatewayConfig;
import java.net.http.HttpResponse;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The policy engine through the real gateway: scopes, base, sections, errors, custom policies. */
class PolicyEngineTest {
  @RegisterExtension static final GatehouseExtension GH = GatehouseExtension.create();

  static final String KEY = "starter-key-0123456789abcd";
  static final String ALL_KEY = "all-key-0123456789abcdefgh";

  static final String SCOPED = """
      policies:
        inbound:
          - set-header: {name: X-Trace, value: global, action: append}
      backends:
        - name: echo
          url: ${env:UPSTREAM_URL}
        - name: dead
          url: http://127.0.0.1:1
      apis:
        - name: orders
          path: /orders
          backend: echo
          policies:
            inbound:
              - set-header: {name: X-Trace, value: api-before, action: append}
              - base
              - set-header: {name: X-Trace, value: api-after, action: append}
          operations:
            - GET /plain
            - operation: GET /special
              policies:
                inbound:
                  - set-header: {name: X-Trace, value: op, action: append}
                outbound:
                  - set-header: {name: X-Out, value: op}
        - name: failing
          path: /failing
          backend: dead
          subscriptionRequired: false
          policies:
            on-error:
              - set-header: {name: X-Error-Seen, value: "yes"}
              - set-status: {code: 503}
        - name: plain
          path: /plain
          backend: echo
          subscriptionRequired: false
        - name: custom
          path: /custom
          backend: echo
          subscriptionRequired: false
          policies:
            inbound:
              - stamp: {value: hello}
              - set-header: {name: X-After-Async, value: "1"}
      products:
        - name: starter
          apis: [orders]
          policies:
            inbound:
              - set-header: {name: X-Trace, value: product, action: append}
      subscriptions:
        - name: s1
          scope: product:starter
          primaryKey: %s
        - name: s2
          scope: all
          primaryKey: %s
      """.formatted(KEY, ALL_KEY);

  @BeforeEach
  void configure() {
    GH.apply(SCOPED);
  }

  @Test
  void nestsScopesWithBaseMarkingWhereTheEnclosingScopeRuns() throws Exception {
    assertThat(GH.get("/orders/plain", "Subscription-Key", KEY).statusCode()).isEqualTo(200);
    assertThat(GH.upstream().take(5).headers().stream().filter(e -> e.getKey().equalsIgnoreCase("X-Trace"))
        .map(Map.Entry::getValue).toList())
        .containsExactly("api-before", "global", "product", "api-after");
  }

  @Test
  void productScopeAppliesOnlyToSubscriptionsOfThatProduct() throws Exception {
    assertThat(GH.get("/orders/plain", "Subscription-Key", ALL_KEY).statusCode()).isEqualTo(200);
    assertThat(GH.upstream().take(5).headers().stream().filter(e -> e.getKey().equalsIgnoreCase("X-Trace"))
        .map(Map.Entry::getValue).toList())
        .containsExactly("api-before", "global", "api-after");
  }

  @Test
  void operationScopeWithoutBaseRunsEnclosingPoliciesFirstAndOutboundActsOnResponse() throws Exception {
    HttpResponse<String> r = GH.get("/orders/special", "Subscription-Key", KEY);
    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(r.headers().firstValue("X-Out")).hasValue("op");
    assertThat(GH.upstream().take(5).headers().stream().filter(e -> e.getKey().equalsIgnoreCase("X-Trace"))
        .map(Map.Entry::getValue).toList())
        .containsExactly("api-before", "global", "product", "api-after", "op");
  }

  @Test
  void globalPoliciesApplyToEveryApi() throws Exception {
    assertThat(GH.get("/plain/x").statusCode()).isEqualTo(200);
    assertThat(GH.upstream().take(5).header("X-Trace")).isEqualTo("global");
  }

  @Test
  void onErrorRunsWhenTheBackendFails() throws Exception {
    HttpResponse<String> r = GH.get("/failing/x");
    assertThat(r.statusCode()).isEqualTo(503);
    assertThat(r.headers().firstValue("X-Error-Seen")).hasValue("yes");
    assertThat(r.headers().firstValue("Content-Type")).hasValue("application/problem+json");
    assertThat(r.body()).contains("backend-unreachable");
  }

  @Test
  void runsCustomAsyncPolicyFoundThroughServiceLoader() throws Exception {
    HttpResponse<String> r = GH.get("/custom/x");
    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(r.headers().firstValue("X-Stamp")).hasValue("hello");
    RecordedRequest got = GH.upstream().take(5);
    assertThat(got.header("X-Stamp")).isEqualTo("hello");
    assertThat(got.header("X-After-Async")).isEqualTo("1");
  }

  @Test
  void streamsBackendBodyUnchangedThroughPolicies() throws Exception {
    GH.upstream().respondWith(req -> req.response().putHeader("Content-Type", "text/plain").end("x".repeat(100_000)));
    HttpResponse<String> r = GH.get("/custom/big");
    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(r.body()).hasSize(100_000);
    assertThat(r.headers().firstValue("X-Stamp")).hasValue("hello");
  }

  @Test
  void streamsRequestBodyThroughAsyncPolicies() throws Exception {
    HttpResponse<String> r = GH.send(GH.request("/custom/upload")
        .POST(java.net.http.HttpRequest.BodyPublishers.ofString("y".repeat(50_000))).build());
    assertThat(r.statusCode()).isEqualTo(200);
    RecordedRequest got = GH.upstream().take(5);
    assertThat(got.method()).isEqualTo("POST");
    assertThat(got.body()).hasSize(50_000);
  }

  @Test
  void shortCircuitWithUnreadRequestBodyLeavesConnectionUsable() throws Exception {
    String config = SCOPED.replace("- stamp: {value: hello}", "- return-response: {status: 200, body: done}");
    GH.apply(config);
    for (int i = 0; i < 3; i++) {
      HttpResponse<String> r = GH.send(GH.request("/custom/upload")
          .POST(java.net.http.HttpRequest.BodyPublishers.ofString("z".repeat(20_000))).build());
      assertThat(r.statusCode()).isEqualTo(200);
      assertThat(r.body()).isEqualTo("done");
    }
    assertThat(GH.upstream().drain()).isEmpty();
  }

  @Test
  void refusesUnknownPolicyWithLocationAndKeepsServing() throws Exception {
    String bad = SCOPED.replace("- stamp: {value: hello}", "- no-such-policy: {}");
    assertThatThrownBy(() -> GH.apply(bad)).isInstanceOf(ConfigException.class)
        .hasMessageContaining("apis[3].policies.inbound[0].no-such-policy")
        .hasMessageContaining("unknown policy 'no-such-policy'");
    assertThat(GH.get("/custom/x").headers().firstValue("X-Stamp")).hasValue("hello");
  }

  @Test
  void reportsCustomFactoryFieldErrorsWithLocation() {
    String bad = SCOPED.replace("- stamp: {value: hello}", "- stamp: {value: hello, colour: red}");
    assertThatThrownBy(() -> GH.apply(bad)).isInstanceOf(ConfigException.class)
        .hasMessageContaining("apis[3].policies.inbound[0].stamp.colour");
  }

  @Test
  void bindsACustomPolicysConfigurationToItsRecordAndReportsTheRecordsProblemsWithLocation() {
    String missing = SCOPED.replace("- stamp: {value: hello}", "- stamp: {}");
    assertThatThrownBy(() -> GH.apply(missing)).isInstanceOf(ConfigException.class)
        .hasMessageContaining("apis[3].policies.inbound[0].stamp.value")
        .hasMessageContaining("is required");
    String wrongType = SCOPED.replace("- stamp: {value: hello}", "- stamp: {value: [a, b]}");
    assertThatThrownBy(() -> GH.apply(wrongType)).isInstanceOf(ConfigException.class)
        .hasMessageContaining("apis[3].policies.inbound[0].stamp.value")
        .hasMessageContaining("expected a string but got a list");
    String empty = SCOPED.replace("- stamp: {value: hello}", "- stamp: {value: ''}");
    assertThatThrownBy(() -> GH.apply(empty)).isInstanceOf(ConfigException.class)
        .hasMessageContaining("apis[3].policies.inbound[0].stamp.value: is required");
    String tooLong = SCOPED.replace("- stamp: {value: hello}", "- stamp: {value: " + "x".repeat(101) + "}");
    assertThatThrownBy(() -> GH.apply(tooLong)).isInstanceOf(ConfigException.class)
        .hasMessageContaining("apis[3].policies.inbound[0].stamp.value")
        .hasMessageContaining("expected at most 100 characters");
  }

  @Test
  void checkReportsMissingNamedValueInPolicyConfig() {
    String bad = SCOPED.replace("{name: X-Trace, value: global, action: append}", "{name: X-Trace, value: \"${nv:missing}\"}");
    GatewayConfig config = ConfigLoader.withEnvironment(Map.of("UPSTREAM_URL", GH.upstream().url()))
        .parse(bad, "test.yaml", null);
    assertThat(io.gatehouse.gateway.ConfigCheck.problems(config, java.util.List.of())).singleElement()
        .satisfies(p -> {
          assertThat(p.field()).isEqualTo("policies.inbound[0].set-header.value");
          assertThat(p.message()).contains("unknown named value 'missing'");
        });
  }

  @Test
  void refusesBaseTwiceInOneSection() {
    String bad = SCOPED.replace("- base\n", "- base\n        - base\n");
    assertThatThrownBy(() -> GH.apply(bad)).isInstanceOf(ConfigException.class)
        .hasMessageContaining("apis[0].policies.inbound[2]").hasMessageContaining("'base' may appear only once");
  }
}
