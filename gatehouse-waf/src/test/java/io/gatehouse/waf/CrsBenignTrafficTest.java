package io.gatehouse.waf;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The Core Rule Set at paranoia level 1 in blocking mode (the default settings) on benign input:
 * libinjection's false-positive corpus as a query parameter and as a JSON body, and the cost of a
 * 1 KB JSON POST.
 */
class CrsBenignTrafficTest {
  static WafEngine crsLevelOne() throws Exception {
    Path root = TestData.suite("crs-rules");
    WafEngine.Builder b = WafEngine.builder()
        .detector(CrsRegressionTest.insightDetector())
        .budget(Duration.ofMinutes(1))
        .rules(root.resolve("crs-setup.conf.example"));
    try (Stream<Path> s = Files.list(root.resolve("rules"))) {
      for (Path p : s.filter(p -> p.toString().endsWith(".conf")).sorted().toList()) {
        b.rules(p);
      }
    }
    return b.build();
  }

  static WafRequest post(String json) {
    return new WafRequest("POST", "/api/orders", "HTTP/1.1", List.of(Map.entry("Host", "api.example.com"),
        Map.entry("User-Agent", "orders-client/1.0"), Map.entry("Accept", "application/json"),
        Map.entry("Content-Type", "application/json"), Map.entry("Content-Length", Integer.toString(json.length()))),
        json.getBytes(StandardCharsets.UTF_8), "192.0.2.10");
  }

  static WafRequest query(String value) {
    return new WafRequest("GET", "/api/search?q=" + URLEncoder.encode(value, StandardCharsets.UTF_8), "HTTP/1.1",
        List.of(Map.entry("Host", "api.example.com"), Map.entry("User-Agent", "orders-client/1.0"),
            Map.entry("Accept", "application/json")), new byte[0], "192.0.2.10");
  }

  static String jsonString(String s) {
    StringBuilder b = new StringBuilder("\"");
    for (char c : s.toCharArray()) {
      if (c == '"' || c == '\\') {
        b.append('\\').append(c);
      } else if (c < 0x20) {
        b.append(String.format("\\u%04x", (int) c));
      } else {
        b.append(c);
      }
    }
    return b.append('"').toString();
  }

  @Test
  void benignInputRarelyBlockedAtParanoiaLevelOne() throws Exception {
    WafEngine engine = crsLevelOne();
    List<String> lines = Files.readAllLines(TestData.suite("libinjection-data").resolve("false_positives-half.txt"))
        .stream().filter(l -> !l.isBlank()).toList();
    int blockedQuery = 0;
    int blockedJson = 0;
    for (String l : lines) {
      WafVerdict q = engine.inspect(query(l));
      if (q.blocked()) {
        blockedQuery++;
        System.out.println("blocked as query: " + l + " " + q.matchedRuleIds());
      }
      WafVerdict j = engine.inspect(post("{\"q\":" + jsonString(l) + "}"));
      if (j.blocked()) {
        blockedJson++;
        System.out.println("blocked as JSON: " + l + " " + j.matchedRuleIds());
      }
    }
    System.out.printf("libinjection false positives (%d values): blocked as query %d, as JSON body %d%n",
        lines.size(), blockedQuery, blockedJson);
    // measured at this commit of the rules: 11 of 216 either way, each one also blocked by nginx +
    // ModSecurity v3 + the same rules (bench/waf.sh): 9 by CRS's own SQL and XSS patterns (942540,
    // 942190, 942360, 942270, 941160) and 2 by @detectSQLi (942100: "select 'and'", "select x from y
    // where"); a ceiling, not a goal
    assertThat(blockedQuery).isLessThanOrEqualTo(11);
    assertThat(blockedJson).isLessThanOrEqualTo(11);
  }

  @Test
  void measuresTheCostOfAOneKilobyteJsonPost() throws Exception {
    WafEngine engine = crsLevelOne();
    String body = WafCostProfile.oneKilobyteOrder();
    WafRequest r = post(body);
    assertThat(engine.inspect(r).blocked()).isFalse();
    double micros = WafCostProfile.microsPerInspection(engine, r, 500, 500);
    System.out.printf("CRS paranoia level 1, %d-byte JSON POST: %.0f us CPU per inspection%n", body.length(), micros);
    assertThat(engine.inspect(r).matchedRuleIds()).isEmpty();
  }
}
