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
        .contains("61 limit-concurrency", "66 cache-lookup", "67 set-header", "75 retry",
            "85 cache-store", "86 xml-to-json");
    assertThat(f).filteredOn(x -> x.element().equals("set-header"))
        .singleElement().satisfies(x -> assertThat(x.message()).contains("multi-statement C# expression"));
    assertThat(f).filteredOn(x -> x.element().equals("cache-lookup"))
        .singleElement().satisfies(x -> assertThat(x.message()).contains("caching"));
  }

  @Test
  void mapsValidateJwtAndReportsServiceCallsAndTransformations() throws Exception {
    ApimPolicyImport.Result r = ApimPolicyImport.convert(resource("jwt.xml"));
    String yaml = r.yaml();
    assertThat(yaml).contains("validate-jwt:", "header: Authorization",
        "openidConfigUrl: https://login.microsoftonline.com/contoso.onmicrosoft.com/v2.0/.well-known/openid-configuration",
        "audiences:", "api://orders", "requiredClaims:", "orders.write", "validate-content:", "maxSize: 102400",
        "return-response:");
    assertThat(r.unconverted()).extracting(ApimPolicyImport.Finding::element)
        .contains("send-request", "set-backend-service", "trace", "emit-metric", "mock-response", "json-to-xml");
    assertThat(r.unconverted()).extracting(ApimPolicyImport.Finding::line).contains(21, 24, 25, 28, 29, 30);
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
    assertThat(code).isEqualTo(1);
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
    assertThat(stderr).contains(in + ":66: <cache-lookup>", in + ":86: <xml-to-json>", "not converted");
    String yaml = Files.readString(out);
    assertThat(yaml).startsWith("# Converted from policy.xml");
    assertThat(ConfigCheck.problems(configWith(yaml), java.util.List.of())).isEmpty();
    assertThat(Main.run("import", "apim-policy", dir.resolve("missing.xml").toString())).isEqualTo(1);
  }
}
