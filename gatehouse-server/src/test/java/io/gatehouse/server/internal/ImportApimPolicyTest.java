package io.gatehouse.server.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.gatehouse.gateway.ConfigCheck;
import io.gatehouse.model.ConfigLoader;
import io.gatehouse.model.GatewayConfig;
import io.gatehouse.model.apim.ApimPolicyImport;
import io.gatehouse.server.Main;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code gatehouse import apim-policy}: conversion, reports with line numbers, and loading the result. */
class ImportApimPolicyTest {

  static String resource(String name) throws Exception {
    try (InputStream in = ImportApimPolicyTest.class.getResourceAsStream("/apim/" + name)) {
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }
  }

  /** A configuration with one API whose policies are {@code policiesYaml}. */
  static GatewayConfig configWith(String policiesYaml) {
    String yaml = """
        backends:
          - name: b
            url: http://127.0.0.1:9
        namedValues:
          - name: backend-api-key
            value: k
        apis:
          - name: orders
            path: /orders
            backend: b
            subscriptionRequired: false
            policies:
        %s
        """.formatted(policiesYaml.indent(6).stripTrailing());
    return ConfigLoader.withEnvironment(Map.of()).parse(yaml, "imported.yaml", null);
  }

  @Test
  void convertsATypicalDocumentIntoPoliciesTheGatewayCompiles() throws Exception {
    ApimPolicyImport.Result r = ApimPolicyImport.convert(resource("typical.xml"));
    String yaml = r.yaml();
    assertThat(yaml)
        .contains("- base")
        .contains("allowed-origins:")
        .contains("198.51.100.0/24")
        .contains("period: 60s")
        .contains("key: request.ip")
        .contains("bandwidth: 40960000")
        .contains("renewal-period: 2592000s")
        .contains("('x-tenant' in request.headers ? request.headers['x-tenant'] : 'anonymous')")
        .contains("variables['tier'] == 'gold'")
        .contains("expression: subscription.name")
        .contains("${nv:backend-api-key}")
        .contains("max-count: 20")
        .contains("status: 503");
    assertThat(ConfigCheck.problems(configWith(yaml), java.util.List.of())).isEmpty();
  }

  @Test
  void reportsEachUnconvertedElementAndExpressionWithItsLine() throws Exception {
    List<ApimPolicyImport.Finding> f = ApimPolicyImport.convert(resource("typical.xml")).unconverted();
    assertThat(f).extracting(x -> x.line() + " " + x.element())
        .containsExactlyInAnyOrder("61 limit-concurrency", "61 limit-concurrency", "67 set-header", "76 forward-request");
    assertThat(f).filteredOn(x -> x.element().equals("set-header"))
        .singleElement().satisfies(x -> assertThat(x.message()).contains("multi-statement C# expression"));
    assertThat(f).filteredOn(x -> x.element().equals("forward-request"))
        .singleElement().satisfies(x -> assertThat(x.message()).contains("buffer-request-body=\"true\" is not converted"));
  }

  @Test
  void convertsTheCachingRetryAndTransformationPoliciesOfATypicalDocument() throws Exception {
    Map<String, Object> p = ApimPolicyImport.convert(resource("typical.xml")).policies();
    assertThat(p.get("inbound")).asList().contains(Map.of("cache-lookup", Map.of("shared", true)));
    assertThat(p.get("backend")).asList().containsExactly(Map.of("retry",
        Map.of("condition", "response.status == 503", "count", 3L, "interval", "1s")));
    assertThat(p.get("outbound")).asList().contains(Map.of("cache-store", Map.of("duration", "60s")),
        Map.of("xml-to-json", Map.of("apply", "always")));
  }

  @Test
  void mapsValidateJwtServiceCallsRoutingDiagnosticsAndMocks() throws Exception {
    ApimPolicyImport.Result r = ApimPolicyImport.convert(resource("jwt.xml"));
    String yaml = r.yaml();
    assertThat(yaml).contains("validate-jwt:", "header: Authorization",
        "openidConfigUrl: https://login.microsoftonline.com/contoso.onmicrosoft.com/v2.0/.well-known/openid-configuration",
        "audiences:", "api://orders", "requiredClaims:", "orders.write", "validate-content:", "maxSize: 102400",
        "send-request:", "url: https://profile.contoso.com/me", "response-variable-name: profile", "timeout: 5s",
        "set-backend-service:", "base-url: https://orders-eu.contoso.com/api",
        "trace:", "expression: request.path", "emit-metric:", "mock-response:", "json-to-xml:");
    assertThat(r.unconverted()).extracting(f -> f.line() + " " + f.element() + ": " + f.message())
        .containsExactlyInAnyOrder(
            "18 validate-content: attribute size-exceeded-action=\"prevent\" is not converted",
            "28 emit-metric: namespace=\"contoso\" is not converted: the metric is named 'orders'");
  }

  /** A configuration whose API has an OpenAPI document and the backends the catalogue names. */
  static GatewayConfig catalogueConfigWith(String policiesYaml) {
    String yaml = """
        backends:
          - name: b
            url: http://127.0.0.1:9
          - name: orders-eu
            url: http://127.0.0.1:9
        namedValues:
          - name: backend-api-key
            value: k
        apis:
          - name: orders
            path: /orders
            backend: b
            subscriptionRequired: false
            openapi:
              inline: |
                openapi: 3.0.3
                info: {title: orders, version: "1"}
                paths:
                  /items:
                    post:
                      requestBody:
                        content:
                          application/json:
                            schema: {type: object}
                      responses:
                        "200":
                          description: ok
                          content:
                            application/json:
                              example: {id: 1}
            policies:
        %s
        """.formatted(policiesYaml.indent(6).stripTrailing());
    return ConfigLoader.withEnvironment(Map.of()).parse(yaml, "imported.yaml", null);
  }

  /** The Gatehouse policy names of {@code entries}, those inside choose branches included. */
  @SuppressWarnings("unchecked")
  static void policyNames(Object entries, Set<String> into) {
    for (Object e : (List<Object>) entries) {
      if (e instanceof Map<?, ?> m) {
        Map.Entry<String, Object> policy = ((Map<String, Object>) m).entrySet().iterator().next();
        into.add(policy.getKey());
        if (policy.getKey().equals("choose")) {
          Map<String, Object> c = (Map<String, Object>) policy.getValue();
          for (Object when : (List<Object>) c.get("when")) {
            policyNames(((Map<String, Object>) when).get("policies"), into);
          }
          policyNames(c.getOrDefault("otherwise", List.of()), into);
        }
      }
    }
  }

  @Test
  void convertsEverySupportedElementIntoPoliciesTheGatewayCompiles() throws Exception {
    String xml = resource("catalogue.xml");
    Set<String> elements = new TreeSet<>();
    Matcher m = Pattern.compile("<([a-z][a-z-]*)").matcher(xml);
    while (m.find()) {
      elements.add(m.group(1));
    }
    assertThat(elements).as("the catalogue document uses every supported element")
        .containsAll(ApimPolicyImport.supportedElements());

    ApimPolicyImport.Result r = ApimPolicyImport.convert(xml);
    assertThat(r.unconverted()).isEmpty();
    Set<String> names = new TreeSet<>();
    r.policies().values().forEach(section -> policyNames(section, names));
    assertThat(names).containsExactlyInAnyOrder("cache-lookup", "cache-lookup-value", "cache-remove-value",
        "cache-store", "cache-store-value", "check-header", "choose", "cors", "emit-metric", "find-and-replace",
        "forward-request", "ip-filter", "json-to-xml", "limit-concurrency", "mock-response", "quota", "quota-by-key",
        "rate-limit", "rate-limit-by-key", "retry", "return-response", "rewrite-uri", "send-request",
        "set-backend-service", "set-body", "set-header", "set-method", "set-query-parameter", "set-status",
        "set-variable", "trace", "validate-client-certificate", "validate-content", "validate-headers", "validate-jwt",
        "validate-parameters", "validate-status-code", "xml-to-json");
    assertThat(ConfigCheck.problems(catalogueConfigWith(r.yaml()), List.of())).isEmpty();
  }

  @Test
  void importsExpressionsWithNestedQuotesInsideAttributes() throws Exception {
    ApimPolicyImport.Result r = ApimPolicyImport.convert("""
        <policies>
          <inbound>
            <set-variable name="agent" value="@(context.Request.Headers.GetValueOrDefault("User-Agent",""))" />
            <rate-limit-by-key calls="5" renewal-period="60" counter-key='@(context.Request.Headers.GetValueOrDefault("X-Key","x"))' />
            <choose>
              <when condition="@(context.Request.Headers.GetValueOrDefault("X-Tier","free") == "gold" && context.Request.Url.Path.StartsWith("/a)"))">
                <set-header name="X-Lane" exists-action="override"><value>fast</value></set-header>
              </when>
            </choose>
          </inbound>
        </policies>
        """);
    assertThat(r.unconverted()).isEmpty();
    assertThat(r.policies().get("inbound")).asList().containsExactly(
        Map.of("set-variable", Map.of("name", "agent",
            "expression", "('user-agent' in request.headers ? request.headers['user-agent'] : '')")),
        Map.of("rate-limit-by-key", Map.of("calls", 5L, "period", "60s",
            "key", "('x-key' in request.headers ? request.headers['x-key'] : 'x')")),
        Map.of("choose", Map.of("when", List.of(Map.of(
            "condition", "('x-tier' in request.headers ? request.headers['x-tier'] : 'free') == 'gold'"
                + " && request.path.startsWith('/a)')",
            "policies", List.of(Map.of("set-header", Map.of("name", "X-Lane", "value", "fast"))))))));
    assertThat(ConfigCheck.problems(configWith(r.yaml()), List.of())).isEmpty();
  }

  @Test
  void setBackendServiceWithoutABackendSaysWhatIsMissing() throws Exception {
    ApimPolicyImport.Result r = ApimPolicyImport.convert("""
        <policies>
          <inbound>
            <set-backend-service sf-resolve-condition="@(true)" />
          </inbound>
        </policies>
        """);
    assertThat(r.policies()).isEmpty();
    assertThat(r.unconverted()).singleElement().satisfies(f -> {
      assertThat(f.line()).isEqualTo(3);
      assertThat(f.message()).isEqualTo(
          "names no backend: give base-url (a URL) or backend-id (the name of a Gatehouse backend)")
          .doesNotContain("null");
    });
  }

  @Test
  void reportsExpressionsItCannotTranslate() throws Exception {
    ApimPolicyImport.Result r = ApimPolicyImport.convert("""
        <policies>
          <inbound>
            <set-header name="X-Time" exists-action="override">
              <value>@(DateTime.UtcNow.ToString("o"))</value>
            </set-header>
            <choose>
              <when condition="@(context.User.Email.EndsWith(&quot;@contoso.com&quot;))">
                <set-header name="X-Staff" exists-action="override"><value>1</value></set-header>
              </when>
              <when condition="@(context.Request.Method == &quot;DELETE&quot; &amp;&amp; context.Request.IpAddress.StartsWith(&quot;10.&quot;))">
                <set-header name="X-Internal-Delete" exists-action="override"><value>1</value></set-header>
              </when>
            </choose>
          </inbound>
        </policies>
        """);
    assertThat(r.unconverted()).extracting(f -> f.line() + " " + f.element()).containsExactly("3 set-header", "6 choose");
    assertThat(r.unconverted().get(1).message()).contains("context.User.Email");
  }

  @Test
  void translatedConditionsCompileAsCel() throws Exception {
    ApimPolicyImport.Result r = ApimPolicyImport.convert("""
        <policies>
          <inbound>
            <choose>
              <when condition="@(context.Request.Method == &quot;DELETE&quot; &amp;&amp; context.Request.IpAddress.StartsWith(&quot;10.&quot;))">
                <return-response><set-status code="403" reason="no" /></return-response>
              </when>
            </choose>
          </inbound>
          <outbound>
            <choose>
              <when condition="@(context.Response.StatusCode >= 500)">
                <set-header name="X-Failed" exists-action="override"><value>yes</value></set-header>
              </when>
            </choose>
          </outbound>
        </policies>
        """);
    assertThat(r.unconverted()).isEmpty();
    assertThat(r.yaml()).contains("request.method == 'DELETE' && request.ip.startsWith('10.')",
        "response.status >= 500");
    assertThat(ConfigCheck.problems(configWith(r.yaml()), java.util.List.of())).isEmpty();
  }

  @Test
  void refusesDtdsAndExternalEntities() {
    String xxe = """
        <?xml version="1.0"?>
        <!DOCTYPE policies [<!ENTITY x SYSTEM "file:///etc/passwd">]>
        <policies><inbound><set-body>&x;</set-body></inbound></policies>
        """;
    assertThatThrownBy(() -> ApimPolicyImport.convert(xxe)).isInstanceOf(ApimPolicyImport.ImportException.class);
    assertThatThrownBy(() -> ApimPolicyImport.convert("<policies><inbound></policies>"))
        .isInstanceOf(ApimPolicyImport.ImportException.class).hasMessageContaining("line 1");
    assertThatThrownBy(() -> ApimPolicyImport.convert("<fragment/>"))
        .hasMessageContaining("expected <policies>");
  }

  @Test
  void commandRefusesANulInsideADoctypeAsMalformedXml(@TempDir Path dir) throws Exception {
    // Found by fuzzing: the JDK's XML parser threw an unchecked MissingResourceException here.
    Path in = dir.resolve("policy.xml");
    Files.writeString(in, "<?xml version=\"1.0\"?><!DOCTYPE p [<!ENTITY \0\0e \"x\">]><policies>&e;</policies>");
    PrintStream err = System.err;
    ByteArrayOutputStream captured = new ByteArrayOutputStream();
    int code;
    try {
      System.setErr(new PrintStream(captured, true, StandardCharsets.UTF_8));
      code = Main.run("import", "apim-policy", in.toString());
    } finally {
      System.setErr(err);
    }
    assertThat(code).isEqualTo(ExitCodes.INVALID);
    assertThat(captured.toString(StandardCharsets.UTF_8)).contains("not well-formed XML")
        .doesNotContain("\tat ");
  }

  @Test
  void commandWritesYamlAndListsWhatItLeftOutOnStandardError(@TempDir Path dir) throws Exception {
    Path in = dir.resolve("policy.xml");
    Files.writeString(in, resource("typical.xml"));
    Path out = dir.resolve("policies.yaml");
    PrintStream err = System.err;
    ByteArrayOutputStream captured = new ByteArrayOutputStream();
    int code;
    try {
      System.setErr(new PrintStream(captured, true, StandardCharsets.UTF_8));
      code = Main.run("import", "apim-policy", in.toString(), "-o", out.toString());
    } finally {
      System.setErr(err);
    }
    assertThat(code).isZero();
    String stderr = captured.toString(StandardCharsets.UTF_8);
    assertThat(stderr).contains(in + ":67: <set-header>", in + ":76: <forward-request>", "not converted");
    String yaml = Files.readString(out);
    assertThat(yaml).startsWith("# Converted from policy.xml");
    assertThat(ConfigCheck.problems(configWith(yaml), List.of())).isEmpty();
    assertThat(Main.run("import", "apim-policy", dir.resolve("missing.xml").toString())).isEqualTo(ExitCodes.USAGE);
  }
}
