package io.gatehouse.testing;

import static io.gatehouse.testing.PolicyCatalogueTest.KEY_A;
import static io.gatehouse.testing.PolicyCatalogueTest.KEY_B;
import static io.gatehouse.testing.PolicyCatalogueTest.yaml;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.gatehouse.gateway.events.TrafficEvent;
import io.gatehouse.gateway.events.TrafficEventConsumer;
import io.gatehouse.model.ConfigException;
import io.vertx.core.buffer.Buffer;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The caching and transformation policies through the real gateway, including refused configurations. */
class CacheAndTransformPolicyTest {
  @RegisterExtension static final GatehouseExtension GH = GatehouseExtension.create();
  static final ObjectMapper JSON = new ObjectMapper();

  static void api(String policies) {
    GH.apply(yaml(policies, "", false));
  }

  static void refused(String policies, String location, String message) {
    assertThatThrownBy(() -> api(policies)).isInstanceOf(ConfigException.class)
        .hasMessageContaining(location).hasMessageContaining(message);
  }

  /** Answers {@code n=<count>} with the given Cache-Control (none when null). */
  static AtomicInteger counting(String cacheControl) {
    AtomicInteger n = new AtomicInteger();
    GH.upstream().respondWith(req -> {
      var resp = req.response().putHeader("Content-Type", "text/plain");
      if (cacheControl != null) {
        resp.putHeader("Cache-Control", cacheControl);
      }
      resp.end("n=" + n.incrementAndGet());
    });
    return n;
  }

  static final String CACHE = """
      inbound:
        - cache-lookup: {vary-by-headers: [Accept-Language]}
      outbound:
        - cache-store: {duration: 60s}
      """;

  // ------------------------------------------------------------------ cache-lookup / cache-store

  @Test
  void cacheServesTheSecondRequestWithoutCallingTheBackend() throws Exception {
    api(CACHE);
    AtomicInteger n = counting(null);
    HttpResponse<String> first = GH.get("/t/a?x=1");
    assertThat(first.body()).isEqualTo("n=1");
    assertThat(first.headers().firstValue("X-Cache")).hasValue("MISS");
    HttpResponse<String> second = GH.get("/t/a?x=1");
    assertThat(second.statusCode()).isEqualTo(200);
    assertThat(second.body()).isEqualTo("n=1");
    assertThat(second.headers().firstValue("X-Cache")).hasValue("HIT");
    assertThat(second.headers().firstValue("Age")).isPresent();
    assertThat(second.headers().firstValue("Content-Type")).hasValue("text/plain");
    assertThat(n.get()).isEqualTo(1);
    // Another query value, another vary-by header value, another path: each is its own entry.
    assertThat(GH.get("/t/a?x=2").body()).isEqualTo("n=2");
    assertThat(GH.get("/t/a?x=1", "Accept-Language", "de").body()).isEqualTo("n=3");
    assertThat(GH.get("/t/b?x=1").body()).isEqualTo("n=4");
    assertThat(GH.get("/t/a?x=1").body()).isEqualTo("n=1");
  }

  @Test
  void cacheVariesOnlyBySelectedQueryParameters() throws Exception {
    api("""
        inbound:
          - cache-lookup: {vary-by-query-parameters: [page]}
        outbound:
          - cache-store: {duration: 60s}
        """);
    counting(null);
    assertThat(GH.get("/t/a?page=1&nonce=a").body()).isEqualTo("n=1");
    assertThat(GH.get("/t/a?nonce=b&page=1").body()).isEqualTo("n=1");
    assertThat(GH.get("/t/a?page=2&nonce=a").body()).isEqualTo("n=2");
  }

  @Test
  void cacheIsIsolatedPerSubscriptionUnlessShared() throws Exception {
    GH.apply(yaml(CACHE, "", true));
    counting(null);
    assertThat(GH.get("/t/a", "Subscription-Key", KEY_A).body()).isEqualTo("n=1");
    assertThat(GH.get("/t/a", "Subscription-Key", KEY_B).body()).isEqualTo("n=2");
    assertThat(GH.get("/t/a", "Subscription-Key", KEY_A).body()).isEqualTo("n=1");

    GH.apply(yaml("""
        inbound:
          - cache-lookup: {shared: true}
        outbound:
          - cache-store: {duration: 60s}
        """, "", true));
    counting(null);
    assertThat(GH.get("/t/a", "Subscription-Key", KEY_A).body()).isEqualTo("n=1");
    assertThat(GH.get("/t/a", "Subscription-Key", KEY_B).body()).isEqualTo("n=1");
  }

  @Test
  void cacheKeepsAnswersToDifferentCredentialsApart() throws Exception {
    api(CACHE);
    counting(null);
    assertThat(GH.get("/t/me", "Authorization", "Bearer alice").body()).isEqualTo("n=1");
    assertThat(GH.get("/t/me", "Authorization", "Bearer bob").body()).isEqualTo("n=2");
    assertThat(GH.get("/t/me", "Authorization", "Bearer alice").body()).isEqualTo("n=1");

    api("""
        inbound:
          - cache-lookup: {shared: true}
        outbound:
          - cache-store: {duration: 60s}
        """);
    AtomicInteger n = counting(null);
    GH.get("/t/me", "Authorization", "Bearer alice");
    GH.get("/t/me", "Authorization", "Bearer bob");
    assertThat(n.get()).isEqualTo(2); // shared, authorized, not marked public: never stored
    counting("public, max-age=60");
    GH.get("/t/pub", "Authorization", "Bearer alice");
    assertThat(GH.get("/t/pub", "Authorization", "Bearer bob").headers().firstValue("X-Cache")).hasValue("HIT");
  }

  @Test
  void cacheRespectsRequestCacheControlAndCachesOnlyGetAndHeadByDefault() throws Exception {
    api(CACHE);
    counting(null);
    assertThat(GH.get("/t/a").body()).isEqualTo("n=1");
    HttpResponse<String> fresh = GH.get("/t/a", "Cache-Control", "no-cache");
    assertThat(fresh.body()).isEqualTo("n=2"); // refetched and stored again
    assertThat(GH.get("/t/a").body()).isEqualTo("n=2");
    HttpResponse<String> bypass = GH.get("/t/a", "Cache-Control", "no-store");
    assertThat(bypass.body()).isEqualTo("n=3");
    assertThat(bypass.headers().firstValue("X-Cache")).isEmpty();
    HttpRequest post = GH.request("/t/a").POST(HttpRequest.BodyPublishers.ofString("x")).build();
    assertThat(GH.send(post).body()).isEqualTo("n=4");
    assertThat(GH.send(post).body()).isEqualTo("n=5");
  }

  @Test
  void cacheRespectsResponseCacheControlAndStatus() throws Exception {
    api(CACHE);
    for (String cc : new String[] {"no-store", "private", "max-age=0", "no-cache"}) {
      AtomicInteger n = counting(cc);
      GH.get("/t/" + cc.replace('=', '-'));
      GH.get("/t/" + cc.replace('=', '-'));
      assertThat(n.get()).as(cc).isEqualTo(2);
    }
    AtomicInteger n = counting("public, max-age=300, s-maxage=120");
    GH.get("/t/public");
    assertThat(GH.get("/t/public").headers().firstValue("X-Cache")).hasValue("HIT");
    assertThat(n.get()).isEqualTo(1);

    AtomicInteger errors = new AtomicInteger();
    GH.upstream().respondWith(req -> req.response().setStatusCode(404).end("missing " + errors.incrementAndGet()));
    GH.get("/t/missing");
    assertThat(GH.get("/t/missing").body()).isEqualTo("missing 2");
  }

  @Test
  void cacheExpiresEntriesAfterMaxAge() throws Exception {
    api("""
        inbound:
          - cache-lookup: {}
        outbound:
          - cache-store: {duration: 1h}
        """);
    AtomicInteger n = counting("max-age=1");
    assertThat(GH.get("/t/short").body()).isEqualTo("n=1");
    assertThat(GH.get("/t/short").body()).isEqualTo("n=1");
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    String body = "n=1";
    while (body.equals("n=1") && System.nanoTime() < deadline) {
      Thread.onSpinWait();
      body = GH.get("/t/short").body();
    }
    assertThat(body).isEqualTo("n=2");
    assertThat(n.get()).isEqualTo(2);
  }

  @Test
  void cachePassesBodiesAboveMaxSizeThroughIntactAndUncached() throws Exception {
    api("""
        inbound:
          - cache-lookup: {}
        outbound:
          - cache-store: {duration: 60s, max-size: 1000}
        """);
    String chunk = "0123456789".repeat(50);
    AtomicInteger n = new AtomicInteger();
    GH.upstream().respondWith(req -> {
      n.incrementAndGet();
      var resp = req.response().setChunked(true);
      for (int i = 0; i < 10; i++) {
        resp.write(Buffer.buffer(chunk));
      }
      resp.end();
    });
    HttpResponse<String> big = GH.get("/t/big");
    assertThat(big.body()).isEqualTo(chunk.repeat(10));
    HttpResponse<String> again = GH.get("/t/big");
    assertThat(again.body()).isEqualTo(chunk.repeat(10));
    assertThat(again.headers().firstValue("X-Cache")).hasValue("MISS");
    assertThat(n.get()).isEqualTo(2);

    GH.upstream().respondWith(req -> req.response().putHeader("Content-Type", "text/plain").end(chunk + "!"));
    assertThat(GH.get("/t/known-length").body()).isEqualTo(chunk + "!"); // 501 bytes: stored
    assertThat(GH.get("/t/known-length").headers().firstValue("X-Cache")).hasValue("HIT");
  }

  @Test
  void cacheStatusIsRecordedOnTheTrafficEvent() throws Exception {
    BlockingQueue<TrafficEvent> events = new LinkedBlockingQueue<>();
    TrafficEventConsumer collect = events::add;
    GH.gateway().events().subscribe(collect);
    try {
      api(CACHE);
      counting(null);
      GH.get("/t/evented");
      GH.get("/t/evented");
      TrafficEvent first = events.poll(10, TimeUnit.SECONDS);
      TrafficEvent second = events.poll(10, TimeUnit.SECONDS);
      assertThat(first.cacheStatus()).isEqualTo("MISS");
      assertThat(second.cacheStatus()).isEqualTo("HIT");
    } finally {
      GH.gateway().events().unsubscribe(collect);
    }
  }

  @Test
  void cachePoliciesRefuseBadConfiguration() {
    refused("""
        inbound:
          - cache-store: {duration: 60s}
        """, "apis[0].policies.inbound[0].cache-store", "outbound only");
    refused("""
        inbound:
          - cache-lookup: {}
        outbound:
          - cache-store: {}
        """, "apis[0].policies.outbound[0].cache-store.duration", "is required");
    refused("""
        outbound:
          - cache-store: {duration: 60s, status-codes: [200, 99]}
        """, "apis[0].policies.outbound[0].cache-store.status-codes[1]", "expected a status from 200 to 599");
    refused("""
        outbound:
          - cache-lookup: {}
        """, "apis[0].policies.outbound[0].cache-lookup", "inbound or backend only");
    refused("""
        inbound:
          - cache-lookup: {vary-by-header: [X]}
        """, "apis[0].policies.inbound[0].cache-lookup.vary-by-header", "unknown field");
    refused("""
        inbound:
          - cache-store-value: {key: "'k'", value: "1", duration: soon}
        """, "apis[0].policies.inbound[0].cache-store-value.duration", "expected a positive duration");
    refused("""
        inbound:
          - cache-lookup-value: {key: "request.headers[", variable-name: v}
        """, "apis[0].policies.inbound[0].cache-lookup-value.key", "invalid expression");
    refused("""
        outbound:
          - cache-remove-value: {}
        """, "apis[0].policies.outbound[0].cache-remove-value.key", "is required");
  }

  // ------------------------------------------------------------------ value cache

  @Test
  void valueCacheStoresLooksUpAndRemovesValues() throws Exception {
    api("""
        inbound:
          - choose:
              when:
                - condition: "'x-store' in request.headers"
                  policies:
                    - cache-store-value: {key: "'tenant:' + request.headers['x-tenant']", value: "request.headers['x-store']", duration: 5m}
                - condition: "'x-remove' in request.headers"
                  policies:
                    - cache-remove-value: {key: "'tenant:' + request.headers['x-tenant']"}
          - cache-lookup-value: {key: "'tenant:' + request.headers['x-tenant']", variable-name: plan, default-value: none}
          - set-header: {name: X-Plan, expression: "string(variables.plan)"}
        """);
    GH.get("/t/x", "X-Tenant", "acme", "X-Store", "gold");
    GH.upstream().drain();
    GH.get("/t/x", "X-Tenant", "acme");
    assertThat(GH.upstream().take(5).header("X-Plan")).isEqualTo("gold");
    GH.get("/t/x", "X-Tenant", "other");
    assertThat(GH.upstream().take(5).header("X-Plan")).isEqualTo("none");
    GH.get("/t/x", "X-Tenant", "acme", "X-Remove", "1");
    GH.upstream().drain();
    GH.get("/t/x", "X-Tenant", "acme");
    assertThat(GH.upstream().take(5).header("X-Plan")).isEqualTo("none");
  }

  // ------------------------------------------------------------------ json-to-xml / xml-to-json

  @Test
  void jsonToXmlConvertsResponseAndRequestBodies() throws Exception {
    api("""
        inbound:
          - json-to-xml: {root-element: order}
        outbound:
          - json-to-xml: {}
        """);
    GH.upstream().respondWith(req -> req.response().putHeader("Content-Type", "application/json")
        .end("{\"id\":7,\"tags\":[\"a\",\"b\"],\"note\":\"x<y & z\",\"1st\":null}"));
    HttpResponse<String> r = GH.send(GH.request("/t/o").header("Content-Type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString("{\"item\":{\"sku\":\"A-1\",\"qty\":2}}")).build());
    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(r.headers().firstValue("Content-Type")).hasValue("application/xml");
    assertThat(r.body()).contains("<document><id>7</id><tags>a</tags><tags>b</tags><note>x&lt;y &amp; z</note><_1st></_1st></document>");
    RecordedRequest got = GH.upstream().take(5);
    assertThat(got.header("Content-Type")).isEqualTo("application/xml");
    assertThat(got.bodyText()).contains("<order><item><sku>A-1</sku><qty>2</qty></item></order>");

    HttpResponse<String> bad = GH.send(GH.request("/t/o").header("Content-Type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString("{not json")).build());
    assertThat(bad.statusCode()).isEqualTo(400);
  }

  @Test
  void xmlToJsonConvertsElementsAttributesAndRepeats() throws Exception {
    api("""
        outbound:
          - xml-to-json: {}
        """);
    GH.upstream().respondWith(req -> req.response().putHeader("Content-Type", "application/xml; charset=utf-8")
        .end("<?xml version=\"1.0\"?><order id=\"7\"><item>a</item><item>b</item><total currency=\"EUR\">9.5</total></order>"));
    HttpResponse<String> r = GH.get("/t/o");
    assertThat(r.headers().firstValue("Content-Type")).hasValue("application/json");
    JsonNode json = JSON.readTree(r.body());
    assertThat(json.at("/order/@id").asText()).isEqualTo("7");
    assertThat(json.at("/order/item/1").asText()).isEqualTo("b");
    assertThat(json.at("/order/total/@currency").asText()).isEqualTo("EUR");
    assertThat(json.at("/order/total/#text").asText()).isEqualTo("9.5");
  }

  @Test
  void xmlToJsonRefusesDoctypesAndExternalEntities() throws Exception {
    api("""
        inbound:
          - xml-to-json: {}
        outbound:
          - xml-to-json: {}
        """);
    String xxe = "<?xml version=\"1.0\"?><!DOCTYPE r [<!ENTITY x SYSTEM \"file:///etc/passwd\">]><r>&x;</r>";
    HttpResponse<String> req = GH.send(GH.request("/t/o").header("Content-Type", "text/xml")
        .POST(HttpRequest.BodyPublishers.ofString(xxe)).build());
    assertThat(req.statusCode()).isEqualTo(400);
    assertThat(req.body()).doesNotContain("root:");
    assertThat(GH.upstream().drain()).isEmpty();

    GH.upstream().respondWith(resp -> resp.response().putHeader("Content-Type", "application/xml").end(xxe));
    HttpResponse<String> res = GH.get("/t/o");
    assertThat(res.statusCode()).isEqualTo(500);
    assertThat(res.body()).doesNotContain("root:");
    String bomb = "<?xml version=\"1.0\"?><!DOCTYPE r [<!ENTITY a \"aaaaaaaaaa\"><!ENTITY b \"&a;&a;&a;&a;\">]><r>&b;</r>";
    GH.upstream().respondWith(resp -> resp.response().putHeader("Content-Type", "application/xml").end(bomb));
    assertThat(GH.get("/t/o").statusCode()).isEqualTo(500);
  }

  @Test
  void conversionsRefuseBodiesAboveMaxSizeAndBadConfiguration() throws Exception {
    api("""
        inbound:
          - json-to-xml: {max-size: 10}
        """);
    HttpResponse<String> r = GH.send(GH.request("/t/o").header("Content-Type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString("{\"a\":\"0123456789\"}")).build());
    assertThat(r.statusCode()).isEqualTo(413);
    refused("""
        inbound:
          - json-to-xml: {root-element: "1 bad"}
        """, "apis[0].policies.inbound[0].json-to-xml.root-element", "expected an XML element name");
    refused("""
        outbound:
          - xml-to-json: {apply: sometimes}
        """, "apis[0].policies.outbound[0].xml-to-json.apply", "expected one of [always, content-type-xml]");
  }

  // ------------------------------------------------------------------ mask-data

  @Test
  void maskDataMasksFieldsByPathAndPointer() throws Exception {
    api("""
        outbound:
          - mask-data: {paths: ["$.user.ssn", "items[*].card"], keep-last: 4}
          - mask-data: {paths: ["/user/name", "/missing/field"]}
        """);
    GH.upstream().respondWith(req -> req.response().putHeader("Content-Type", "application/json").end(
        "{\"user\":{\"ssn\":\"123-45-6789\",\"name\":\"Ann\",\"id\":3},"
            + "\"items\":[{\"card\":\"4111111111111111\"},{\"card\":5500000000000004},{\"other\":1}]}"));
    HttpResponse<String> r = GH.get("/t/u");
    JsonNode json = JSON.readTree(r.body());
    assertThat(json.at("/user/ssn").asText()).isEqualTo("***6789");
    assertThat(json.at("/user/name").asText()).isEqualTo("***");
    assertThat(json.at("/user/id").asInt()).isEqualTo(3);
    assertThat(json.at("/items/0/card").asText()).isEqualTo("***1111");
    assertThat(json.at("/items/1/card").asText()).isEqualTo("***0004");
    assertThat(json.at("/items/2/other").asInt()).isEqualTo(1);
    assertThat(r.body()).doesNotContain("4111111111111111").doesNotContain("123-45");
  }

  @Test
  void maskDataMasksDetectedSensitiveValuesByType() throws Exception {
    api("""
        outbound:
          - mask-data: {types: [payment-card, email, us-ssn]}
        """);
    GH.upstream().respondWith(req -> req.response().putHeader("Content-Type", "application/json").end(
        "{\"card\":\"4111 1111 1111 1111\",\"note\":\"write to ann@example.com or call\","
            + "\"nested\":[{\"ssn\":\"123-45-6789\"}],\"order\":\"4111111111111112\",\"phone\":\"+14155550100\"}"));
    HttpResponse<String> r = GH.get("/t/u");
    JsonNode json = JSON.readTree(r.body());
    assertThat(json.at("/card").asText()).endsWith("1111").doesNotContain("4111 1111");
    assertThat(json.at("/note").asText()).isEqualTo("write to a***@example.com or call");
    assertThat(json.at("/nested/0/ssn").asText()).isEqualTo("[US_SSN]");
    assertThat(json.at("/order").asText()).as("not Luhn-valid: not a card").isEqualTo("4111111111111112");
    assertThat(json.at("/phone").asText()).as("type not asked for").isEqualTo("+14155550100");
    refused("""
        outbound:
          - mask-data: {types: [credit-card]}
        """, "apis[0].policies.outbound[0].mask-data.types[0]", "expected a sensitive data type");
  }

  @Test
  void maskDataFailsClosedOnUnreadableJson() throws Exception {
    api("""
        outbound:
          - mask-data: {paths: ["$.ssn"]}
        """);
    GH.upstream().respondWith(req -> req.response().putHeader("Content-Type", "application/json")
        .end("{\"ssn\":\"123-45-6789\""));
    HttpResponse<String> r = GH.get("/t/u");
    assertThat(r.statusCode()).isEqualTo(500);
    assertThat(r.body()).doesNotContain("123-45");
    refused("""
        outbound:
          - mask-data: {}
        """, "apis[0].policies.outbound[0].mask-data.paths", "is required");
    refused("""
        outbound:
          - mask-data: {paths: ["items[x].card"]}
        """, "apis[0].policies.outbound[0].mask-data.paths[0]", "expected [*], [n] or ['name']");
    refused("""
        inbound:
          - mask-data: {paths: ["$.a"]}
        """, "apis[0].policies.inbound[0].mask-data", "outbound or on-error only");
  }

  // ------------------------------------------------------------------ mock-response

  @Test
  void mockResponseAnswersWithoutCallingTheBackend() throws Exception {
    api("""
        inbound:
          - mock-response: {status: 201, body: {id: 1, name: mocked}}
        """);
    HttpResponse<String> r = GH.get("/t/anything");
    assertThat(r.statusCode()).isEqualTo(201);
    assertThat(r.headers().firstValue("Content-Type")).hasValue("application/json");
    assertThat(JSON.readTree(r.body()).at("/name").asText()).isEqualTo("mocked");
    assertThat(GH.upstream().drain()).isEmpty();
    refused("""
        inbound:
          - mock-response: {status: 700}
        """, "apis[0].policies.inbound[0].mock-response.status", "expected a number from 100 to 599");
  }

  @Test
  void mockResponseAnswersWithTheOperationsOpenApiExample() throws Exception {
    GH.apply("""
        backends:
          - name: echo
            url: ${env:UPSTREAM_URL}
        apis:
          - name: t
            path: /t
            backend: echo
            subscriptionRequired: false
            openapi:
              inline: |
                openapi: 3.0.3
                info: {title: t, version: "1"}
                paths:
                  /items/{id}:
                    get:
                      responses:
                        "404": {description: missing}
                        "200":
                          description: ok
                          content:
                            application/json:
                              example: {id: 7, name: widget}
                  /items:
                    post:
                      responses:
                        "201":
                          description: created
                          content:
                            application/json:
                              examples:
                                one: {value: {id: 8}}
                    delete:
                      responses:
                        "204": {description: gone}
            policies:
              inbound:
                - mock-response: {}
        """);
    HttpResponse<String> get = GH.get("/t/items/3");
    assertThat(get.statusCode()).isEqualTo(200);
    assertThat(get.headers().firstValue("X-Mock")).hasValue("true");
    assertThat(JSON.readTree(get.body()).at("/name").asText()).isEqualTo("widget");
    HttpResponse<String> post = GH.send(GH.request("/t/items").POST(HttpRequest.BodyPublishers.ofString("{}")).build());
    assertThat(post.statusCode()).isEqualTo(201);
    assertThat(JSON.readTree(post.body()).at("/id").asInt()).isEqualTo(8);
    HttpResponse<String> delete = GH.send(GH.request("/t/items").DELETE().build());
    assertThat(delete.statusCode()).isEqualTo(204);
    assertThat(GH.upstream().drain()).isEmpty();
  }

  static String utf8(byte[] b) {
    return new String(b, StandardCharsets.UTF_8);
  }
}
