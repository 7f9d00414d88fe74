package io.gatehouse.testing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.gatehouse.model.ConfigException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Each built-in policy through the real gateway, including refused configurations. */
class PolicyCatalogueTest {
  @RegisterExtension static final GatehouseExtension GH = GatehouseExtension.create();

  static final String KEY_A = "key-a-0123456789abcdefghij";
  static final String KEY_B = "key-b-0123456789abcdefghij";

  /** Serves one open API at {@code /t} with {@code policies} (YAML, indented for the API). */
  static void api(String policies) {
    GH.apply(yaml(policies, "", false));
  }

  static String yaml(String policies, String operations, boolean keyed) {
    return """
        backends:
          - name: echo
            url: ${env:UPSTREAM_URL}
        apis:
          - name: t
            path: /t
            backend: echo
            subscriptionRequired: %s
        %s
            policies:
        %s
        subscriptions:
          - name: sub-a
            scope: all
            primaryKey: %s
          - name: sub-b
            scope: all
            primaryKey: %s
        """.formatted(keyed, operations.indent(4).stripTrailing(), policies.indent(6).stripTrailing(), KEY_A, KEY_B);
  }

  static void refused(String policies, String location, String message) {
    assertThatThrownBy(() -> api(policies)).isInstanceOf(ConfigException.class)
        .hasMessageContaining(location).hasMessageContaining(message);
  }

  // ------------------------------------------------------------------ set-header

  @Test
  void setHeaderActsOnRequestInInboundAndOnResponseInOutbound() throws Exception {
    api("""
        inbound:
          - set-header: {name: X-Replace, value: new}
          - set-header: {name: X-Add, value: two, action: append}
          - set-header: {name: X-Remove, action: delete}
          - set-header: {name: X-Keep, value: gateway, action: skip}
          - set-header: {name: X-Computed, expression: "request.method + ' ' + request.path"}
        outbound:
          - set-header: {name: X-Served-By, value: gatehouse}
          - set-header: {name: Content-Type, action: delete}
        """);
    HttpResponse<String> r = GH.get("/t/p", "X-Replace", "old", "X-Add", "one", "X-Remove", "x", "X-Keep", "client");
    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(r.headers().firstValue("X-Served-By")).hasValue("gatehouse");
    assertThat(r.headers().firstValue("Content-Type")).isEmpty();
    RecordedRequest got = GH.upstream().take(5);
    assertThat(got.header("X-Replace")).isEqualTo("new");
    assertThat(got.headers().stream().filter(e -> e.getKey().equalsIgnoreCase("X-Add")).map(e -> e.getValue()))
        .containsExactly("one", "two");
    assertThat(got.header("X-Remove")).isNull();
    assertThat(got.header("X-Keep")).isEqualTo("client");
    assertThat(got.header("X-Computed")).isEqualTo("GET /p");
  }

  @Test
  void setHeaderRefusesBadAction() {
    refused("""
        inbound:
          - set-header: {name: X, value: y, action: replace}
        """, "apis[0].policies.inbound[0].set-header.action", "expected one of [override, append, delete, skip]");
    refused("""
        inbound:
          - set-header: {name: X}
        """, "apis[0].policies.inbound[0].set-header.value", "is required");
    refused("""
        inbound:
          - set-header: {name: X, value: y, colour: red}
        """, "apis[0].policies.inbound[0].set-header.colour", "unknown field");
    refused("""
        inbound:
          - set-header: {name: X, expression: "request.method +"}
        """, "apis[0].policies.inbound[0].set-header.expression", "invalid expression");
  }

  // ------------------------------------------------------------------ check-header

  @Test
  void checkHeaderRefusesMissingOrWrongValue() throws Exception {
    api("""
        inbound:
          - check-header: {name: X-Tenant, values: [alpha, beta], failed-check-httpcode: 403}
        """);
    assertThat(GH.get("/t/x").statusCode()).isEqualTo(403);
    HttpResponse<String> wrong = GH.get("/t/x", "X-Tenant", "gamma");
    assertThat(wrong.statusCode()).isEqualTo(403);
    assertThat(wrong.headers().firstValue("Content-Type")).hasValue("application/problem+json");
    assertThat(GH.upstream().drain()).isEmpty();
    assertThat(GH.get("/t/x", "X-Tenant", "BETA").statusCode()).isEqualTo(200);
  }

  @Test
  void checkHeaderRefusedInOutbound() {
    refused("""
        outbound:
          - check-header: {name: X}
        """, "apis[0].policies.outbound[0].check-header", "inbound or backend only");
  }

  // ------------------------------------------------------------------ ip-filter

  @Test
  void ipFilterAppliesAllowAndDenyLists() throws Exception {
    api("""
        inbound:
          - ip-filter: {allow: ["10.0.0.0/8", "::1/128"]}
        """);
    assertThat(GH.get("/t/x").statusCode()).isEqualTo(403);
    api("""
        inbound:
          - ip-filter: {allow: ["127.0.0.0/8"], deny: ["127.0.0.1"]}
        """);
    assertThat(GH.get("/t/x").statusCode()).isEqualTo(403);
    api("""
        inbound:
          - ip-filter: {allow: ["127.0.0.0/8", "2001:db8::/32"]}
        """);
    assertThat(GH.get("/t/x").statusCode()).isEqualTo(200);
  }

  @Test
  void ipFilterRefusesBadRange() {
    refused("""
        inbound:
          - ip-filter: {deny: ["10.0.0.0/33"]}
        """, "apis[0].policies.inbound[0].ip-filter.deny[0]", "10.0.0.0/33");
  }

  // ------------------------------------------------------------------ cors

  @Test
  void corsAnswersPreflightAndDecoratesActualResponses() throws Exception {
    api("""
        inbound:
          - cors:
              allowed-origins: ["https://app.example"]
              allowed-methods: [GET, PUT]
              allowed-headers: [content-type, x-token]
              allow-credentials: true
              preflight-result-max-age: 600
              expose-headers: [X-Total]
        """);
    HttpResponse<String> pre = GH.send(GH.request("/t/x").method("OPTIONS", HttpRequest.BodyPublishers.noBody())
        .header("Origin", "https://app.example").header("Access-Control-Request-Method", "PUT")
        .header("Access-Control-Request-Headers", "X-Token").build());
    assertThat(pre.statusCode()).isEqualTo(204);
    assertThat(pre.headers().firstValue("Access-Control-Allow-Origin")).hasValue("https://app.example");
    assertThat(pre.headers().firstValue("Access-Control-Allow-Methods")).hasValue("GET, PUT");
    assertThat(pre.headers().firstValue("Access-Control-Allow-Headers")).hasValue("X-Token");
    assertThat(pre.headers().firstValue("Access-Control-Allow-Credentials")).hasValue("true");
    assertThat(pre.headers().firstValue("Access-Control-Max-Age")).hasValue("600");
    assertThat(pre.headers().firstValue("Content-Length")).isEmpty();
    assertThat(GH.upstream().drain()).isEmpty();

    HttpResponse<String> refusedMethod = GH.send(GH.request("/t/x").method("OPTIONS", HttpRequest.BodyPublishers.noBody())
        .header("Origin", "https://app.example").header("Access-Control-Request-Method", "DELETE").build());
    assertThat(refusedMethod.statusCode()).isEqualTo(403);
    assertThat(refusedMethod.headers().firstValue("Access-Control-Allow-Origin")).isEmpty();

    HttpResponse<String> actual = GH.get("/t/x", "Origin", "https://app.example");
    assertThat(actual.statusCode()).isEqualTo(200);
    assertThat(actual.headers().firstValue("Access-Control-Allow-Origin")).hasValue("https://app.example");
    assertThat(actual.headers().firstValue("Access-Control-Expose-Headers")).hasValue("X-Total");
    assertThat(actual.headers().firstValue("Vary")).hasValue("Origin");

    HttpResponse<String> other = GH.get("/t/x", "Origin", "https://evil.example");
    assertThat(other.headers().firstValue("Access-Control-Allow-Origin")).isEmpty();
  }

  @Test
  void corsRefusesWildcardWithCredentials() {
    refused("""
        inbound:
          - cors: {allowed-origins: ["*"], allow-credentials: true}
        """, "apis[0].policies.inbound[0].cors.allowed-origins", "cannot be combined with allow-credentials");
  }

  // ------------------------------------------------------------------ rate limits

  @Test
  void rateLimitByKeyAdmitsExactlyNOfNPlusOneConcurrentRequests() throws Exception {
    int n = 20;
    api("""
        inbound:
          - rate-limit-by-key: {calls: %d, period: 1h, key: "request.ip"}
        """.formatted(n));
    ExecutorService pool = Executors.newFixedThreadPool(n + 1);
    try {
      CountDownLatch go = new CountDownLatch(1);
      List<Future<HttpResponse<String>>> results = new ArrayList<>();
      for (int i = 0; i <= n; i++) {
        Callable<HttpResponse<String>> call = () -> {
          go.await();
          return GH.get("/t/x");
        };
        results.add(pool.submit(call));
      }
      go.countDown();
      int ok = 0;
      HttpResponse<String> limited = null;
      for (Future<HttpResponse<String>> f : results) {
        HttpResponse<String> r = f.get(20, TimeUnit.SECONDS);
        if (r.statusCode() == 200) {
          ok++;
        } else {
          limited = r;
        }
      }
      assertThat(ok).isEqualTo(n);
      assertThat(limited).isNotNull();
      assertThat(limited.statusCode()).isEqualTo(429);
      assertThat(limited.headers().firstValue("Retry-After")).isPresent();
      assertThat(limited.headers().firstValue("RateLimit-Limit")).hasValue(Integer.toString(n));
      assertThat(limited.headers().firstValue("RateLimit-Remaining")).hasValue("0");
      assertThat(Long.parseLong(limited.headers().firstValue("RateLimit-Reset").orElseThrow())).isBetween(1L, 3600L);
    } finally {
      pool.shutdownNow();
    }
  }

  @Test
  void rateLimitCountsPerSubscriptionAndReportsRemaining() throws Exception {
    GH.apply(yaml("""
        inbound:
          - rate-limit: {calls: 2, period: 1h}
        """, "", true));
    HttpResponse<String> first = GH.get("/t/x", "Subscription-Key", KEY_A);
    assertThat(first.statusCode()).isEqualTo(200);
    assertThat(first.headers().firstValue("RateLimit-Remaining")).hasValue("1");
    assertThat(GH.get("/t/x", "Subscription-Key", KEY_A).statusCode()).isEqualTo(200);
    assertThat(GH.get("/t/x", "Subscription-Key", KEY_A).statusCode()).isEqualTo(429);
    assertThat(GH.get("/t/x", "Subscription-Key", KEY_B).statusCode()).isEqualTo(200);
  }

  @Test
  void rateLimitRefusesBadValues() {
    refused("""
        inbound:
          - rate-limit-by-key: {calls: 0, period: 10s, key: request.ip}
        """, "apis[0].policies.inbound[0].rate-limit-by-key.calls", "expected a number from 1");
    refused("""
        inbound:
          - set-header: {name: X, value: y}
          - rate-limit-by-key: {calls: many, period: 10s, key: request.ip}
        """, "apis[0].policies.inbound[1].rate-limit-by-key.calls", "expected a whole number but got 'many'");
    refused("""
        inbound:
          - rate-limit: {calls: 5, period: soon}
        """, "apis[0].policies.inbound[0].rate-limit.period", "expected a positive duration");
    refused("""
        inbound:
          - rate-limit-by-key: {calls: 5, period: 10s, key: "request.nope("}
        """, "apis[0].policies.inbound[0].rate-limit-by-key.key", "invalid expression");
  }

  @Test
  void limitConcurrencyRefusesRequestsBeyondMaxInFlight() throws Exception {
    CountDownLatch arrived = new CountDownLatch(1);
    CountDownLatch release = new CountDownLatch(1);
    GH.upstream().respondWith(req -> {
      arrived.countDown();
      GH.vertx().executeBlocking(() -> release.await(10, TimeUnit.SECONDS))
          .onComplete(x -> req.response().end("slow"));
    });
    api("""
        inbound:
          - limit-concurrency: {max-count: 1}
        """);
    ExecutorService pool = Executors.newSingleThreadExecutor();
    try {
      Future<HttpResponse<String>> slow = pool.submit(() -> GH.get("/t/slow"));
      assertThat(arrived.await(10, TimeUnit.SECONDS)).isTrue();
      assertThat(GH.get("/t/other").statusCode()).isEqualTo(429);
      release.countDown();
      assertThat(slow.get(10, TimeUnit.SECONDS).statusCode()).isEqualTo(200);
      assertThat(GH.get("/t/after").statusCode()).isEqualTo(200);
    } finally {
      release.countDown();
      pool.shutdownNow();
      GH.upstream().reset();
    }
  }

  // ------------------------------------------------------------------ flow

  @Test
  void returnResponseShortCircuitsWithoutCallingTheBackend() throws Exception {
    api("""
        inbound:
          - return-response:
              status: 418
              content-type: text/plain
              headers: {X-Teapot: "yes"}
              body: short and stout
        """);
    HttpResponse<String> r = GH.get("/t/x");
    assertThat(r.statusCode()).isEqualTo(418);
    assertThat(r.body()).isEqualTo("short and stout");
    assertThat(r.headers().firstValue("X-Teapot")).hasValue("yes");
    assertThat(r.headers().firstValue("X-Request-Id")).isPresent();
    assertThat(GH.upstream().drain()).isEmpty();
  }

  @Test
  void setStatusChangesTheBackendStatusAndIsRefusedInInbound() throws Exception {
    api("""
        outbound:
          - set-status: {code: 202}
        """);
    assertThat(GH.get("/t/x").statusCode()).isEqualTo(202);
    refused("""
        inbound:
          - set-status: {code: 202}
        """, "apis[0].policies.inbound[0].set-status", "outbound or on-error only");
    refused("""
        outbound:
          - set-status: {code: 999}
        """, "apis[0].policies.outbound[0].set-status.code", "expected a number from 100 to 599");
  }

  @Test
  void chooseRunsTheFirstMatchingBranchOrOtherwise() throws Exception {
    api("""
        inbound:
          - set-variable: {name: tier, expression: "'x-tier' in request.headers ? request.headers['x-tier'] : 'free'"}
          - choose:
              when:
                - condition: "variables.tier == 'gold'"
                  policies:
                    - set-header: {name: X-Lane, value: fast}
                - condition: "request.query['block'] == 'yes'"
                  policies:
                    - return-response: {status: 451}
              otherwise:
                - set-header: {name: X-Lane, value: slow}
        """);
    assertThat(GH.get("/t/x", "X-Tier", "gold").statusCode()).isEqualTo(200);
    assertThat(GH.upstream().take(5).header("X-Lane")).isEqualTo("fast");
    assertThat(GH.get("/t/x?block=yes").statusCode()).isEqualTo(451);
    assertThat(GH.upstream().drain()).isEmpty();
  }

  @Test
  void chooseRefusesNonBooleanConditionAndBadNestedPolicy() {
    refused("""
        inbound:
          - choose:
              when:
                - condition: "size(request.path)"
                  policies: []
        """, "apis[0].policies.inbound[0].choose.when[0].condition", "yielding a boolean");
    refused("""
        inbound:
          - choose:
              when:
                - condition: "true"
                  policies:
                    - set-header: {name: X}
        """, "apis[0].policies.inbound[0].choose.when[0].policies[0].set-header.value", "is required");
  }

  @Test
  void failingExpressionRunsOnErrorWithProblemResponse() throws Exception {
    api("""
        inbound:
          - set-header: {name: X, expression: "request.headers['absent']"}
        on-error:
          - set-header: {name: X-Handled, value: "1"}
        """);
    HttpResponse<String> r = GH.get("/t/x");
    assertThat(r.statusCode()).isEqualTo(500);
    assertThat(r.headers().firstValue("X-Handled")).hasValue("1");
    assertThat(r.body()).contains("policy-failed");
    assertThat(GH.upstream().drain()).isEmpty();
  }

  // ------------------------------------------------------------------ rewriting

  @Test
  void rewriteUriUsesOperationParametersAndKeepsQuery() throws Exception {
    GH.apply(yaml("""
        inbound:
          - rewrite-uri: {template: "/v2/things/{id}?view=full"}
        """, """
        operations:
          - GET /items/{id}
        """, false));
    assertThat(GH.get("/t/items/42?x=1").statusCode()).isEqualTo(200);
    assertThat(GH.upstream().take(5).uri()).isEqualTo("/v2/things/42?view=full&x=1");
  }

  @Test
  void setMethodAndSetQueryParameterChangeTheForwardedRequest() throws Exception {
    api("""
        inbound:
          - set-method: {method: POST}
          - set-query-parameter: {name: api-version, value: "2024-01"}
          - set-query-parameter: {name: debug, action: delete}
          - set-query-parameter: {name: tag, value: b c, action: append}
        """);
    assertThat(GH.get("/t/x?debug=1&tag=a").statusCode()).isEqualTo(200);
    RecordedRequest got = GH.upstream().take(5);
    assertThat(got.method()).isEqualTo("POST");
    assertThat(got.uri()).isEqualTo("/x?tag=a&api-version=2024-01&tag=b%20c");
  }

  @Test
  void setMethodRefusesBadMethod() {
    refused("""
        inbound:
          - set-method: {method: "GE T"}
        """, "apis[0].policies.inbound[0].set-method.method", "expected an HTTP method");
  }

  // ------------------------------------------------------------------ bodies

  @Test
  void findAndReplaceRewritesRequestAndResponseBodies() throws Exception {
    GH.upstream().respondWith(req ->
        req.response().putHeader("Content-Type", "text/plain").end("backend saw: it"));
    try {
      api("""
          inbound:
            - find-and-replace: {from: secret, to: "[redacted]"}
          outbound:
            - find-and-replace: {from: backend, to: gateway}
          """);
      HttpResponse<String> r = GH.send(GH.request("/t/x")
          .POST(HttpRequest.BodyPublishers.ofString("my secret is secret")).build());
      assertThat(r.statusCode()).isEqualTo(200);
      assertThat(r.body()).isEqualTo("gateway saw: it");
      assertThat(r.headers().firstValue("Content-Length")).hasValue(Integer.toString(r.body().length()));
      assertThat(GH.upstream().take(5).bodyText()).isEqualTo("my [redacted] is [redacted]");
    } finally {
      GH.upstream().reset();
    }
  }

  @Test
  void findAndReplaceRefusesBodiesAboveMaxSizeWith413() throws Exception {
    api("""
        inbound:
          - find-and-replace: {from: a, to: b, max-size: 10}
        """);
    HttpResponse<String> r = GH.send(GH.request("/t/x").POST(HttpRequest.BodyPublishers.ofString("x".repeat(100))).build());
    assertThat(r.statusCode()).isEqualTo(413);
    assertThat(GH.upstream().drain()).isEmpty();
  }

  @Test
  void setBodyReplacesTheResponseBody() throws Exception {
    api("""
        outbound:
          - set-body: {value: "{\\"replaced\\":true}", content-type: application/json}
        """);
    HttpResponse<String> r = GH.get("/t/x");
    assertThat(r.body()).isEqualTo("{\"replaced\":true}");
    assertThat(r.headers().firstValue("Content-Type")).hasValue("application/json");
    refused("""
        outbound:
          - set-body: {}
        """, "apis[0].policies.outbound[0].set-body.value", "exactly one of");
  }
}
