package io.gatehouse.waf;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * Runs the Core Rule Set's own regression tests (go-ftw format) through the engine loaded with
 * the unmodified rules, at paranoia level 4 in detect mode as the Core Rule Set's CI runs them, and
 * judges each stage as go-ftw does: every {@code expect_ids} rule fired and no {@code
 * no_expect_ids} rule did. Reports the pass rate per rule file and asserts the overall floor.
 */
class CrsRegressionTest {
  /** The measured overall pass rate (percent of judged stages), rounded down. */
  static final double FLOOR_PERCENT = 99.9;

  /**
   * The settings of the Core Rule Set's CI configuration for its regression run: paranoia level 4,
   * UTF-8 validation, URL-encoded processing of bodies without a Content-Type, and the argument
   * and file size limits its tests exercise.
   */
  static final String CI_SETTINGS = String.join("\n",
      "SecAction \"id:900000,phase:1,pass,nolog,setvar:tx.blocking_paranoia_level=4\"",
      "SecAction \"id:900950,phase:1,pass,nolog,setvar:tx.crs_validate_utf8_encoding=1\"",
      "SecAction \"id:900010,phase:1,pass,nolog,setvar:tx.enforce_bodyproc_urlencoded=1\"",
      "SecAction \"id:900300,phase:1,pass,nolog,setvar:tx.max_num_args=255\"",
      "SecAction \"id:900310,phase:1,pass,nolog,setvar:tx.arg_name_length=100\"",
      "SecAction \"id:900320,phase:1,pass,nolog,setvar:tx.arg_length=400\"",
      "SecAction \"id:900330,phase:1,pass,nolog,setvar:tx.total_arg_length=64000\"",
      "SecAction \"id:900340,phase:1,pass,nolog,setvar:tx.max_file_size=64100\"",
      "SecAction \"id:900350,phase:1,pass,nolog,setvar:tx.combined_file_sizes=65535\"");

  private static final Pattern REPEAT = Pattern.compile("\\{\\{\\s*\"((?:[^\"\\\\]|\\\\.)*)\"\\s*\\|\\s*repeat\\s+(\\d+)\\s*\\}\\}");

  static WafEngine crs() throws WafLoadException, IOException {
    Path root = TestData.suite("crs-rules");
    WafEngine.Builder b = WafEngine.builder()
        .mode(WafEngine.Mode.DETECT)
        // correctness run on a shared machine: a budget that never decides a verdict
        .budget(java.time.Duration.ofMinutes(1))
        .detector(insightDetector())
        .rules(root.resolve("crs-setup.conf.example"))
        .rules("ci-settings", CI_SETTINGS);
    try (Stream<Path> s = Files.list(root.resolve("rules"))) {
      for (Path p : s.filter(p -> p.toString().endsWith(".conf")).sorted().toList()) {
        b.rules(p);
      }
    }
    return b.build();
  }

  /** The gateway's detector behind {@code @detectSQLi} and {@code @detectXSS}. */
  static InjectionDetector insightDetector() {
    io.gatehouse.insight.injection.InjectionDetector d = io.gatehouse.insight.injection.InjectionDetector.defaults();
    return new InjectionDetector() {
      @Override
      public boolean isSqlInjection(CharSequence value) {
        return d.isSqlInjectionAsIs(value);
      }

      @Override
      public boolean isCrossSiteScripting(CharSequence value) {
        return d.isCrossSiteScriptingAsIs(value);
      }
    };
  }

  @Test
  void passesTheCoreRuleSetRegressionSuiteAtParanoiaLevelFour() throws Exception {
    WafEngine engine = crs();
    ObjectMapper yaml = new ObjectMapper(new YAMLFactory());
    Map<String, int[]> perFile = new TreeMap<>();
    List<String> failures = new ArrayList<>();
    int unjudged = 0;
    List<Path> files;
    try (Stream<Path> s = Files.walk(TestData.suite("crs-regression"))) {
      files = s.filter(p -> p.toString().endsWith(".yaml")).sorted().toList();
    }
    for (Path f : files) {
      String ruleFile = f.getParent().getFileName().toString();
      int[] row = perFile.computeIfAbsent(ruleFile, k -> new int[2]);
      Iterator<JsonNode> docs = yaml.readerFor(JsonNode.class).readValues(f.toFile());
      while (docs.hasNext()) {
        JsonNode doc = docs.next();
        for (JsonNode test : doc.path("tests")) {
          int stageNo = 0;
          for (JsonNode stage : test.path("stages")) {
            stageNo++;
            JsonNode log = stage.path("output").path("log");
            if (!log.has("expect_ids") && !log.has("no_expect_ids")) {
              unjudged++;
              continue;
            }
            WafVerdict v = engine.inspect(request(stage.path("input")));
            Set<Long> fired = new HashSet<>(v.matchedRuleIds());
            boolean pass = true;
            for (JsonNode id : log.path("expect_ids")) {
              pass &= fired.contains(id.asLong());
            }
            for (JsonNode id : log.path("no_expect_ids")) {
              pass &= !fired.contains(id.asLong());
            }
            row[1]++;
            if (pass) {
              row[0]++;
            } else {
              failures.add(f.getFileName() + " test " + test.path("test_id").asText() + " stage " + stageNo
                  + " expect " + log.path("expect_ids") + " no_expect " + log.path("no_expect_ids") + " fired " + v.matchedRuleIds());
            }
          }
        }
      }
    }
    int pass = 0;
    int total = 0;
    StringBuilder table = new StringBuilder("rule file | stages | passed | rate\n");
    for (Map.Entry<String, int[]> e : perFile.entrySet()) {
      pass += e.getValue()[0];
      total += e.getValue()[1];
      table.append(String.format("%s | %d | %d | %.1f%%%n", e.getKey(), e.getValue()[1], e.getValue()[0],
          100.0 * e.getValue()[0] / Math.max(1, e.getValue()[1])));
    }
    double rate = 100.0 * pass / total;
    table.append(String.format("all | %d | %d | %.2f%% (%d stages without expect_ids/no_expect_ids not judged)%n",
        total, pass, rate, unjudged));
    System.out.println(table);
    failures.forEach(System.out::println);
    assertThat(rate).as("overall pass rate %%").isGreaterThanOrEqualTo(FLOOR_PERCENT);
  }

  /** Builds the request go-ftw would send for a stage input. */
  static WafRequest request(JsonNode in) {
    if (in.has("encoded_request")) {
      return raw(new String(Base64.getDecoder().decode(in.path("encoded_request").asText().trim()), StandardCharsets.ISO_8859_1));
    }
    String method = in.path("method").asText("GET");
    String uri = in.path("uri").asText("/");
    String version = in.path("version").asText("HTTP/1.1");
    List<Map.Entry<String, String>> headers = new ArrayList<>();
    boolean hasLength = false;
    Iterator<Map.Entry<String, JsonNode>> it = in.path("headers").fields();
    while (it.hasNext()) {
      Map.Entry<String, JsonNode> h = it.next();
      headers.add(Map.entry(h.getKey(), h.getValue().asText()));
      hasLength |= h.getKey().equalsIgnoreCase("content-length");
    }
    byte[] body = new byte[0];
    if (in.has("data")) {
      body = template(in.path("data").asText()).getBytes(StandardCharsets.UTF_8);
    }
    if (in.path("autocomplete_headers").asBoolean(true)) {
      if (body.length > 0 && !hasLength) {
        headers.add(Map.entry("Content-Length", Integer.toString(body.length)));
      }
      headers.add(Map.entry("Connection", "close"));
    }
    return new WafRequest(method, uri, version, headers, body, "127.0.0.1");
  }

  private static String template(String data) {
    Matcher m = REPEAT.matcher(data);
    StringBuilder b = new StringBuilder();
    while (m.find()) {
      m.appendReplacement(b, Matcher.quoteReplacement(m.group(1).repeat(Integer.parseInt(m.group(2)))));
    }
    m.appendTail(b);
    return b.toString();
  }

  private static WafRequest raw(String text) {
    int headEnd = text.indexOf("\r\n\r\n");
    String head = headEnd < 0 ? text : text.substring(0, headEnd);
    String body = headEnd < 0 ? "" : text.substring(headEnd + 4);
    String[] lines = head.split("\r\n");
    String[] requestLine = lines[0].split(" ", 3);
    List<Map.Entry<String, String>> headers = new ArrayList<>();
    for (int i = 1; i < lines.length; i++) {
      int colon = lines[i].indexOf(':');
      if (colon > 0) {
        headers.add(Map.entry(lines[i].substring(0, colon), lines[i].substring(colon + 1).trim()));
      }
    }
    return new WafRequest(requestLine[0], requestLine.length > 1 ? requestLine[1] : "/",
        requestLine.length > 2 ? requestLine[2] : "HTTP/1.1", headers, body.getBytes(StandardCharsets.ISO_8859_1), "127.0.0.1");
  }
}
