package io.gatehouse.waf;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The engine on small rule sets: budget, loading errors, chains, skips, exclusions, body processors. */
class WafEngineTest {
  static WafRequest get(String uri, String... headers) {
    return request("GET", uri, "", headers);
  }

  static WafRequest request(String method, String uri, String body, String... headers) {
    List<Map.Entry<String, String>> h = new java.util.ArrayList<>();
    for (int i = 0; i < headers.length; i += 2) {
      h.add(Map.entry(headers[i], headers[i + 1]));
    }
    return new WafRequest(method, uri, "HTTP/1.1", h, body.getBytes(StandardCharsets.UTF_8), "192.0.2.1");
  }

  static WafEngine rules(String text) throws WafLoadException {
    // a generous budget: these tests judge verdicts, not speed (the machine may be busy)
    return WafEngine.builder().rules("test.conf", text).budget(Duration.ofSeconds(30)).build();
  }

  @Test
  void catastrophicBacktrackingRuleStopsAtTheTimeBudget() throws Exception {
    // a back-reference after an ambiguous loop: RE2/J refuses it, a backtracking matcher needs 2^n steps
    WafEngine engine = WafEngine.builder()
        .rules("evil.conf", "SecRule ARGS \"@rx ^(a|a)*\\1c\" \"id:1,phase:1,deny,log\"")
        .budget(Duration.ofMillis(100))
        .build();
    long start = System.nanoTime();
    // the value holds the required literal "c", so the literal prefilter lets it through to the matcher
    WafVerdict v = engine.inspect(get("/?x=" + "a".repeat(64) + "!c"));
    long elapsedMs = (System.nanoTime() - start) / 1_000_000;
    assertThat(v.budgetExceeded()).isTrue();
    assertThat(v.blocked()).isFalse();
    assertThat(elapsedMs).as("inspection stops near the 100 ms budget").isLessThan(5_000);
  }

  @Test
  void nestedQuantifierThatRe2AcceptsRunsInLinearTime() throws Exception {
    WafEngine engine = WafEngine.builder()
        .rules("nested.conf", "SecRule ARGS \"@rx ^(a+)+$\" \"id:2,phase:1,deny,log\"")
        .budget(Duration.ofSeconds(30))
        .build();
    WafVerdict v = engine.inspect(get("/?x=" + "a".repeat(5000) + "!"));
    assertThat(v.budgetExceeded()).isFalse();
    assertThat(v.matchedRuleIds()).isEmpty();
    assertThat(engine.inspect(get("/?x=aaaa")).matchedRuleIds()).containsExactly(2L);
  }

  @Test
  void loadErrorNamesTheSourceLineAndProblem() {
    assertThatThrownBy(() -> rules("# comment\nSecRule ARGS \"@rx a\" \"id:1,phase:1,pass\"\n\nSecRule ARGS \"@nosuch x\" \"id:2\""))
        .isInstanceOf(WafLoadException.class)
        .hasMessage("test.conf:4: unknown operator @nosuch");
    assertThatThrownBy(() -> rules("SecRule NOPE \"@rx a\" \"id:1\""))
        .hasMessage("test.conf:1: unknown variable NOPE");
    assertThatThrownBy(() -> rules("SecRule ARGS \"@rx a\" \\\n  \"id:1,t:nosuch\""))
        .hasMessage("test.conf:1: unknown transformation t:nosuch");
  }

  @Test
  void chainMatchesOnlyWhenEveryLinkMatchesAndLaterLinksSeeEarlierCaptures() throws Exception {
    WafEngine engine = rules(String.join("\n",
        "SecRule REQUEST_BASENAME \"@rx \\.([^.]+)$\" \"id:10,phase:1,deny,capture,t:none,setvar:tx.ext=.%{tx.1}/,chain\"",
        "  SecRule TX:EXT \"@within .bak/ .old/\" \"t:lowercase\""));
    assertThat(engine.inspect(get("/files/db.BAK")).blocked()).isTrue();
    assertThat(engine.inspect(get("/files/db.txt")).blocked()).isFalse();
  }

  @Test
  void anomalyScoreAddsUpAndTheThresholdRuleBlocks() throws Exception {
    WafEngine engine = rules(String.join("\n",
        "SecAction \"id:1,phase:1,pass,nolog,setvar:tx.score=0,setvar:tx.threshold=5\"",
        "SecRule ARGS \"@pm select union\" \"id:2,phase:2,pass,t:lowercase,setvar:'tx.score=+%{tx.three}'\"",
        "SecAction \"id:3,phase:1,pass,nolog,setvar:tx.three=3\"",
        "SecRule ARGS \"@contains --\" \"id:4,phase:2,pass,setvar:tx.score=+3\"",
        "SecRule TX:SCORE \"@ge %{tx.threshold}\" \"id:5,phase:2,deny,setvar:tx.anomaly_score=%{tx.score}\""));
    WafVerdict v = engine.inspect(get("/?q=UNION%20SELECT--"));
    assertThat(v.matchedRuleIds()).containsExactly(2L, 4L, 5L);
    assertThat(v.inboundScore()).isEqualTo(6);
    assertThat(v.blocked()).isTrue();
    assertThat(engine.inspect(get("/?q=union")).blocked()).isFalse();
  }

  @Test
  void detectModeReportsButNeverBlocks() throws Exception {
    WafEngine engine = WafEngine.builder().mode(WafEngine.Mode.DETECT).budget(Duration.ofSeconds(30))
        .rules("t.conf", "SecRule ARGS \"@streq bad\" \"id:7,phase:1,deny\"").build();
    WafVerdict v = engine.inspect(get("/?a=bad"));
    assertThat(v.matchedRuleIds()).containsExactly(7L);
    assertThat(v.blocked()).isFalse();
  }

  @Test
  void skipAfterJumpsToTheMarkerAndCtlRemovesRulesAndTargets() throws Exception {
    WafEngine engine = rules(String.join("\n",
        "SecRule REQUEST_HEADERS:X-Skip \"@streq 1\" \"id:1,phase:1,pass,nolog,skipAfter:END\"",
        "SecRule ARGS \"@streq bad\" \"id:2,phase:1,pass\"",
        "SecMarker END",
        "SecRule REQUEST_FILENAME \"@beginsWith /trusted\" \"id:3,phase:1,pass,nolog,ctl:ruleRemoveTargetById=4;ARGS:note\"",
        "SecRule ARGS \"@streq bad\" \"id:4,phase:1,pass\"",
        "SecRuleUpdateTargetById 4 \"!ARGS:comment\""));
    assertThat(engine.inspect(get("/?a=bad")).matchedRuleIds()).containsExactly(2L, 4L);
    assertThat(engine.inspect(get("/?a=bad", "X-Skip", "1")).matchedRuleIds()).containsExactly(4L);
    assertThat(engine.inspect(get("/trusted?note=bad")).matchedRuleIds()).containsExactly(2L);
    assertThat(engine.inspect(get("/other?comment=bad")).matchedRuleIds()).containsExactly(2L);
  }

  @Test
  void bodyProcessorsFillArgsFromFormJsonMultipartAndXml() throws Exception {
    WafEngine engine = rules(String.join("\n",
        "SecRule ARGS_POST_NAMES \"@streq json.a.b.1\" \"id:10,phase:2,pass\"",
        "SecRule ARGS_POST|XML:/* \"@contains evil\" \"id:9,phase:2,deny,t:none\""));
    assertThat(engine.inspect(request("POST", "/", "x=ev%69l", "Content-Type", "application/x-www-form-urlencoded")).blocked()).isTrue();
    WafVerdict json = engine.inspect(request("POST", "/", "{\"a\":{\"b\":[1,\"evil\"]}}", "Content-Type", "application/json"));
    assertThat(json.matchedRuleIds()).containsExactly(10L, 9L);
    String multipart = "--XX\r\nContent-Disposition: form-data; name=\"f\"\r\n\r\nevil\r\n--XX--\r\n";
    assertThat(engine.inspect(request("POST", "/", multipart, "Content-Type", "multipart/form-data; boundary=XX")).blocked()).isTrue();
    assertThat(engine.inspect(request("POST", "/", "<a><b k=\"evil\">x</b></a>", "Content-Type", "application/xml")).blocked()).isTrue();
    assertThat(engine.inspect(request("POST", "/", "<a>good</a>", "Content-Type", "text/xml")).blocked()).isFalse();
  }

  @Test
  void xmlWithADoctypeIsABodyErrorNotAnEntityExpansion() throws Exception {
    WafEngine engine = rules("SecRule REQBODY_ERROR \"!@eq 0\" \"id:11,phase:2,deny\"");
    String xxe = "<?xml version=\"1.0\"?><!DOCTYPE a [<!ENTITY x SYSTEM \"file:///etc/passwd\">]><a>&x;</a>";
    assertThat(engine.inspect(request("POST", "/", xxe, "Content-Type", "application/xml")).blocked()).isTrue();
  }

  @Test
  void transformationsDecodeAsModSecurityDoes() throws Exception {
    WafEngine engine = rules(String.join("\n",
        "SecRule ARGS:a \"@streq <script>\" \"id:20,phase:1,pass,t:urlDecodeUni,t:htmlEntityDecode,t:lowercase\"",
        "SecRule ARGS:b \"@streq cat/etc/passwd\" \"id:21,phase:1,pass,t:cmdLine\"",
        "SecRule ARGS:c \"@streq /etc/passwd\" \"id:22,phase:1,pass,t:normalizePathWin\"",
        "SecRule ARGS:d \"@streq select 1\" \"id:23,phase:1,pass,t:replaceComments,t:compressWhitespace\"",
        "SecRule ARGS:e \"@streq alert\" \"id:24,phase:1,pass,t:base64Decode\"",
        "SecRule ARGS:f \"@streq <\" \"id:25,phase:1,pass,t:jsDecode\"",
        "SecRule ARGS:g \"@streq 5\" \"id:26,phase:1,pass,t:length\""));
    assertThat(engine.inspect(get("/?a=%26lt%3BSCRIPT%26%2362%3B")).matchedRuleIds()).containsExactly(20L);
    assertThat(engine.inspect(get("/?b=C%5Ea%22t+%2Fetc%2Fpa%27sswd")).matchedRuleIds()).containsExactly(21L);
    assertThat(engine.inspect(get("/?c=%5Cvar%5C..%5Cetc%5C.%5Cpasswd")).matchedRuleIds()).containsExactly(22L);
    assertThat(engine.inspect(get("/?d=select/**/%20%201")).matchedRuleIds()).containsExactly(23L);
    assertThat(engine.inspect(get("/?e=YWxlcnQ=")).matchedRuleIds()).containsExactly(24L);
    assertThat(engine.inspect(get("/?f=%5Cu003c")).matchedRuleIds()).containsExactly(25L);
    assertThat(engine.inspect(get("/?g=12345")).matchedRuleIds()).containsExactly(26L);
  }

  @Test
  void countsAndIpMatchAndValidationOperators() throws Exception {
    WafEngine engine = rules(String.join("\n",
        "SecRule &ARGS \"@gt 2\" \"id:30,phase:1,pass\"",
        "SecRule REMOTE_ADDR \"@ipMatch 192.0.2.0/24,2001:db8::/32\" \"id:31,phase:1,pass\"",
        "SecRule ARGS \"@validateByteRange 32-126\" \"id:32,phase:1,pass\"",
        "SecRule REQUEST_URI_RAW \"@validateUrlEncoding\" \"id:33,phase:1,pass\"",
        "SecRule ARGS \"@validateUtf8Encoding\" \"id:34,phase:1,pass\""));
    assertThat(engine.inspect(get("/?a=1&b=2&c=3")).matchedRuleIds()).containsExactly(30L, 31L);
    assertThat(engine.inspect(get("/?a=%01")).matchedRuleIds()).containsExactly(31L, 32L);
    assertThat(engine.inspect(get("/?a=%zz")).matchedRuleIds()).contains(33L);
    assertThat(engine.inspect(get("/?a=%c3%28")).matchedRuleIds()).contains(34L);
  }

  @Test
  void pcreCharacterClassesKeepTheirMeaningOnEveryMatcher() throws Exception {
    // [ and && are literal inside a PCRE class, [:alpha:] is a POSIX class; *+ (possessive) is
    // refused by RE2/J, so rule 42 runs on the backtracking matcher
    WafEngine engine = rules(String.join("\n",
        "SecRule ARGS:a \"@rx ^[[:alpha:]]+$\" \"id:40,phase:1,pass\"",
        "SecRule ARGS:b \"@rx ^[x&&y]$\" \"id:41,phase:1,pass\"",
        "SecRule ARGS:c \"@rx ^a*+[^\\]\\[]x\" \"id:42,phase:1,pass\""));
    assertThat(engine.inspect(get("/?a=abc&b=%26&c=aa-x")).matchedRuleIds()).containsExactly(40L, 41L, 42L);
    assertThat(engine.inspect(get("/?a=ab1&b=z&c=aa[x")).matchedRuleIds()).isEmpty();
  }
}
