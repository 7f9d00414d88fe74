package io.gatehouse.model.apim;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Element by element: how each APIM policy maps to Gatehouse's, and what is reported. */
class ApimPolicyImportTest {

  static ApimPolicyImport.Result convert(String section, String body) throws Exception {
    return ApimPolicyImport.convert("<policies>\n<" + section + ">\n" + body + "\n</" + section + ">\n</policies>\n");
  }

  static List<Object> entries(ApimPolicyImport.Result r, String section) {
    @SuppressWarnings("unchecked")
    List<Object> out = (List<Object>) r.policies().getOrDefault(section, List.of());
    return out;
  }

  static List<String> findings(ApimPolicyImport.Result r) {
    return r.unconverted().stream().map(f -> f.line() + " " + f.element() + ": " + f.message()).toList();
  }

  // ---------------------------------------------------------------- the pre-pass

  @Test
  void escapesNestedQuotesRawBracketsAndAmpersandsInsideExpressionsOnly() {
    String xml = """
        <a v="@(x.Get("k","") == "a&b")" w='@(y.Get("it's"))' t="plain">
        <!-- @(z.Get("c")) < -->
        <![CDATA[@(Body.As<JObject>())]]>
        <b>@(Body.As<JObject>()["n"] && true)</b>
        </a>
        """;
    String escaped = ApimXml.escapeExpressions(xml);
    assertThat(escaped).isEqualTo("""
        <a v="@(x.Get(&quot;k&quot;,&quot;&quot;) == &quot;a&amp;b&quot;)" w='@(y.Get("it&apos;s"))' t="plain">
        <!-- @(z.Get("c")) < -->
        <![CDATA[@(Body.As<JObject>())]]>
        <b>@(Body.As&lt;JObject&gt;()["n"] &amp;&amp; true)</b>
        </a>
        """);
    assertThat(escaped.lines().count()).isEqualTo(xml.lines().count());
  }

  @Test
  void keepsAlreadyEscapedExpressionsAsTheyAre() {
    String xml = "<a v=\"@(x.Get(&quot;a)&quot;) == &quot;b&quot;)\"/>";
    assertThat(ApimXml.escapeExpressions(xml)).isEqualTo(xml);
  }

  // ---------------------------------------------------------------- newly mapped policies

  @Test
  void mapsCacheLookupAndCacheStore() throws Exception {
    ApimPolicyImport.Result in = convert("inbound", """
        <cache-lookup vary-by-developer="false" vary-by-developer-groups="false" caching-type="external">
          <vary-by-header>Accept</vary-by-header>
          <vary-by-query-parameter>page</vary-by-query-parameter>
        </cache-lookup>
        <cache-lookup vary-by-developer="true" vary-by-developer-groups="false" />
        <cache-lookup />
        """);
    assertThat(entries(in, "inbound")).containsExactly(
        Map.of("cache-lookup", Map.of("vary-by-headers", List.of("Accept"), "vary-by-query-parameters", List.of("page"),
            "shared", true)),
        Map.of("cache-lookup", Map.of()),
        Map.of("cache-lookup", Map.of()));
    assertThat(findings(in)).containsExactly(
        "3 cache-lookup: caching-type=\"external\" is not converted: Gatehouse caches in the gateway's memory");

    ApimPolicyImport.Result out = convert("outbound", "<cache-store duration=\"120\" cache-response=\"true\" />");
    assertThat(entries(out, "outbound")).containsExactly(Map.of("cache-store", Map.of("duration", "120s")));
    assertThat(findings(out)).singleElement().asString().contains("cache-response=\"true\" is not converted");

    ApimPolicyImport.Result misplaced = convert("inbound", "<cache-store duration=\"120\" />");
    assertThat(misplaced.policies()).isEmpty();
    assertThat(findings(misplaced)).containsExactly(
        "3 cache-store: becomes Gatehouse's 'cache-store', which runs in outbound only, not in inbound; move it there");
  }

  @Test
  void mapsTheValueCache() throws Exception {
    ApimPolicyImport.Result r = convert("inbound", """
        <cache-lookup-value key="@("user-" + context.Request.IpAddress)" variable-name="user" default-value="none" />
        <cache-store-value key="k" value="@(context.Request.Method)" duration="30" />
        <cache-remove-value key="k" />
        """);
    assertThat(findings(r)).isEmpty();
    assertThat(entries(r, "inbound")).containsExactly(
        Map.of("cache-lookup-value", Map.of("key", "'user-' + request.ip", "variable-name", "user", "default-value", "none")),
        Map.of("cache-store-value", Map.of("key", "'k'", "value", "request.method", "duration", "30s")),
        Map.of("cache-remove-value", Map.of("key", "'k'")));
  }

  @Test
  void mapsSetBackendServiceByIdOrUrlAndSaysWhatIsMissing() throws Exception {
    ApimPolicyImport.Result r = convert("inbound", """
        <set-backend-service backend-id="orders-eu" />
        <set-backend-service base-url="https://{{orders-host}}/api" />
        <set-backend-service />
        <set-backend-service backend-id="a" base-url="https://b.example.com" />
        <set-backend-service base-url="@(context.Variables["url"])" />
        """);
    assertThat(entries(r, "inbound")).containsExactly(
        Map.of("set-backend-service", Map.of("backend-id", "orders-eu")),
        Map.of("set-backend-service", Map.of("base-url", "https://${nv:orders-host}/api")));
    assertThat(findings(r)).containsExactly(
        "5 set-backend-service: names no backend: give base-url (a URL) or backend-id (the name of a Gatehouse backend)",
        "6 set-backend-service: gives both base-url and backend-id; keep one",
        "7 set-backend-service: expression where Gatehouse takes a literal: @(context.Variables[\"url\"])");
  }

  @Test
  void mapsRetryWithItsForwardRequest() throws Exception {
    ApimPolicyImport.Result r = convert("backend", """
        <retry condition="@(context.Response.StatusCode >= 500)" count="50" interval="2" max-interval="20" delta="1" first-fast-retry="true">
          <forward-request timeout="30" />
        </retry>
        """);
    assertThat(entries(r, "backend")).containsExactly(
        Map.of("retry", Map.of("condition", "response.status >= 500", "count", 10L, "interval", "2s",
            "backoff", "exponential", "max-interval", "20s")),
        Map.of("forward-request", Map.of("timeout", "30s")));
    assertThat(findings(r)).containsExactly(
        "3 retry: count=\"50\" is lowered to 10, Gatehouse's most retries",
        "3 retry: delta=\"1\" is converted as exponential backoff: Gatehouse doubles the interval after each attempt, "
            + "up to max-interval",
        "3 retry: attribute first-fast-retry=\"true\" is not converted");
  }

  @Test
  void refusesAsynchronousPoliciesInsideChoose() throws Exception {
    ApimPolicyImport.Result r = convert("backend", """
        <choose>
          <when condition="@(context.Request.Method == &quot;GET&quot;)">
            <retry condition="@(context.Response.StatusCode == 503)" count="2" interval="0" />
            <set-header name="X-Get" exists-action="override"><value>1</value></set-header>
          </when>
        </choose>
        """);
    assertThat(findings(r)).containsExactly("5 retry: becomes Gatehouse's 'retry', which cannot run inside choose "
        + "(a branch runs synchronous policies only); move it out of the <choose>");
    assertThat(entries(r, "backend")).containsExactly(Map.of("choose", Map.of("when", List.of(Map.of(
        "condition", "request.method == 'GET'",
        "policies", List.of(Map.of("set-header", Map.of("name", "X-Get", "value", "1"))))))));
  }

  @Test
  void mapsJsonToXmlAndXmlToJson() throws Exception {
    ApimPolicyImport.Result r = convert("outbound", """
        <json-to-xml apply="content-type-json" consider-accept-header="false" parse-date="false" />
        <xml-to-json kind="javascript-friendly" apply="always" consider-accept-header="false" />
        """);
    assertThat(entries(r, "outbound")).containsExactly(
        Map.of("json-to-xml", Map.of("apply", "content-type-json", "root-element", "Document")),
        Map.of("xml-to-json", Map.of("apply", "always")));
    assertThat(findings(r)).containsExactly(
        "3 json-to-xml: attribute parse-date=\"false\" is not converted",
        "4 xml-to-json: kind=\"javascript-friendly\" is not converted: Gatehouse writes attributes as \"@name\" and "
            + "mixed text as \"#text\"");
  }

  @Test
  void mapsTraceWithAMessageOrAnExpression() throws Exception {
    ApimPolicyImport.Result r = convert("inbound", """
        <trace source="orders" severity="error"><message>order refused</message></trace>
        <trace source="orders">
          <message>@(context.Request.Headers.GetValueOrDefault("X-Order","?"))</message>
          <metadata name="tenant" value="a" />
        </trace>
        """);
    assertThat(entries(r, "inbound")).containsExactly(
        Map.of("trace", Map.of("source", "orders", "severity", "error", "message", "order refused")),
        Map.of("trace", Map.of("source", "orders", "severity", "verbose",
            "expression", "('x-order' in request.headers ? request.headers['x-order'] : '?')")));
    assertThat(findings(r)).containsExactly(
        "6 metadata: metadata is not converted: the trace line carries the request id and API name");
  }

  @Test
  void mapsEmitMetricWithItsDimensions() throws Exception {
    ApimPolicyImport.Result r = convert("inbound", """
        <emit-metric name="orders" value="2.5" namespace="contoso">
          <dimension name="API ID" />
          <dimension name="tenant" value="@(context.Request.Headers.GetValueOrDefault("X-Tenant","none"))" />
          <dimension name="Location" />
        </emit-metric>
        """);
    assertThat(entries(r, "inbound")).containsExactly(Map.of("emit-metric", Map.of("name", "orders", "value", "2.5",
        "dimensions", Map.of("API_ID", "api.name",
            "tenant", "('x-tenant' in request.headers ? request.headers['x-tenant'] : 'none')"))));
    assertThat(findings(r)).containsExactly(
        "3 emit-metric: namespace=\"contoso\" is not converted: the metric is named 'orders'",
        "4 dimension: dimension 'API ID' is named 'API_ID' (letters, digits and '_')",
        "6 dimension: default dimension 'Location' has no Gatehouse value; left out");
  }

  @Test
  void mapsMockResponseToGatehousesMockResponse() throws Exception {
    ApimPolicyImport.Result r = convert("inbound", """
        <mock-response status-code="201" content-type="application/xml" />
        <mock-response />
        """);
    assertThat(findings(r)).isEmpty();
    assertThat(entries(r, "inbound")).containsExactly(
        Map.of("mock-response", Map.of("status", 201L, "content-type", "application/xml")),
        Map.of("mock-response", Map.of()));
    ApimPolicyImport.Result outbound = convert("outbound", "<mock-response status-code=\"200\" />");
    assertThat(findings(outbound)).singleElement().asString()
        .contains("'mock-response', which runs in inbound or backend only, not in outbound");
  }

  @Test
  void mapsSendRequest() throws Exception {
    ApimPolicyImport.Result r = convert("inbound", """
        <send-request mode="new" response-variable-name="profile" ignore-error="true">
          <set-url>https://profile.example.com/me</set-url>
          <set-method>post</set-method>
          <set-header name="X-Key" exists-action="override"><value>{{profile-key}}</value></set-header>
          <set-body>@(context.Request.IpAddress)</set-body>
        </send-request>
        <send-request mode="copy" response-variable-name="copy"><set-url>https://a.example.com</set-url></send-request>
        """);
    assertThat(entries(r, "inbound")).containsExactly(Map.of("send-request", Map.of(
        "url", "https://profile.example.com/me", "method", "POST", "body-expression", "request.ip",
        "headers", Map.of("X-Key", "${nv:profile-key}"), "response-variable-name", "profile", "timeout", "60s",
        "ignore-error", true)));
    assertThat(findings(r)).singleElement().asString().startsWith("9 send-request: mode=\"copy\"");
  }

  @Test
  void mapsContractValidationPolicies() throws Exception {
    ApimPolicyImport.Result in = convert("inbound", """
        <validate-parameters specified-parameter-action="ignore" unspecified-parameter-action="prevent" />
        <validate-client-certificate validate-trust="false" validate-revocation="false">
          <identities><identity thumbprint="0123456789ABCDEF0123456789ABCDEF01234567" dns-name="a.example.com" /></identities>
        </validate-client-certificate>
        <validate-client-certificate><identities><identity subject="CN=a" /></identities></validate-client-certificate>
        """);
    assertThat(entries(in, "inbound")).containsExactly(
        Map.of("validate-parameters", Map.of("action", "detect", "unspecifiedParameters", "prevent")),
        Map.of("validate-client-certificate", Map.of("identities",
            List.of(Map.of("thumbprint", "0123456789ABCDEF0123456789ABCDEF01234567")))));
    assertThat(findings(in)).hasSize(3).satisfies(f -> {
      assertThat(f.get(0)).contains("specified-parameter-action=\"ignore\" is converted as detect");
      assertThat(f.get(1)).contains("identity attribute dns-name is not converted");
      assertThat(f.get(2)).startsWith("7 validate-client-certificate: no identity with a thumbprint");
    });
    ApimPolicyImport.Result out = convert("outbound", """
        <validate-headers specified-header-action="prevent" unspecified-header-action="detect">
          <header name="X-Debug" action="ignore" />
        </validate-headers>
        <validate-status-code unspecified-status-code-action="ignore" />
        """);
    assertThat(entries(out, "outbound")).containsExactly(Map.of("validate-headers", Map.of("action", "prevent",
        "unspecifiedHeaders", "detect", "ignoredHeaders", List.of("X-Debug"))));
    assertThat(findings(out)).singleElement().asString().startsWith("6 validate-status-code:");
  }

  @Test
  void reportsValuesTheGatewayWouldRefuseInsteadOfWritingThem() throws Exception {
    ApimPolicyImport.Result r = convert("inbound", """
        <quota calls="10" renewal-period="31536000" />
        <check-header name="X" failed-check-httpcode="302" />
        <ip-filter action="allow" />
        <ip-filter action="allow"><address-range from="localhost" to="10.0.0.1" /></ip-filter>
        <set-header name="X-Empty" exists-action="override" />
        <choose><otherwise><set-header name="X" exists-action="delete" /></otherwise></choose>
        <ip-filter action="forbid"><address>internal.example.com</address></ip-filter>
        <send-request response-variable-name="r"><set-url>https://a.example.com</set-url><set-method>GE T</set-method></send-request>
        """);
    assertThat(r.policies()).isEmpty();
    assertThat(findings(r)).containsExactly(
        "3 quota: renewal-period 31536000 s is longer than the 31 days a Gatehouse quota counts; "
            + "use renewal-period: month or a shorter period",
        "4 check-header: attribute failed-check-httpcode must be from 400 to 599 but is 302",
        "5 ip-filter: lists no <address> or <address-range>",
        "6 ip-filter: address-range needs addresses in from and to but got 'localhost'..'10.0.0.1'",
        "7 set-header: needs a <value> unless exists-action is delete",
        "8 choose: has no <when>",
        "9 ip-filter: address 'internal.example.com' is not an IP address",
        "10 send-request: <set-method> 'GE T' is not an HTTP method such as GET or POST");
  }
}
