package io.gatehouse.waf;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The Core Rule Set's response rules (phases 3 and 4) on the transaction the request started. */
class CrsResponseTest {
  static WafResponse html(String body) {
    return new WafResponse(200, "HTTP/1.1", List.of(Map.entry("Content-Type", "text/html; charset=utf-8")),
        body.getBytes(StandardCharsets.UTF_8));
  }

  @Test
  void sqlErrorLeakInTheResponseBodyReachesTheOutboundThreshold() throws Exception {
    WafEngine engine = CrsBenignTrafficTest.crsLevelOne();
    WafTransaction tx = engine.begin(CrsBenignTrafficTest.query("shoes"));
    assertThat(tx.inspectRequest().blocked()).isFalse();
    WafVerdict v = tx.inspectResponse(html("<html><body>You have an error in your SQL syntax; check the manual "
        + "that corresponds to your MySQL server version for the right syntax to use near ''' at line 1</body></html>"));
    assertThat(v.matchedRuleIds()).anyMatch(id -> id / 1000 == 951);
    assertThat(v.outboundScore()).isGreaterThanOrEqualTo(4);
    assertThat(v.blocked()).isTrue();
  }

  @Test
  void ordinaryPageAndAllowedRequestsPassTheResponsePhases() throws Exception {
    WafEngine engine = CrsBenignTrafficTest.crsLevelOne();
    WafTransaction tx = engine.begin(CrsBenignTrafficTest.query("shoes"));
    tx.inspectRequest();
    WafVerdict v = tx.inspectResponse(html("<html><body><h1>Shoes</h1><p>42 results</p></body></html>"));
    assertThat(v.blocked()).isFalse();
    assertThat(v.outboundScore()).isZero();

    WafEngine allowing = WafEngine.builder().budget(java.time.Duration.ofMinutes(1)).rules("t.conf", String.join("\n",
        "SecRule REQUEST_FILENAME \"@streq /health\" \"id:1,phase:1,allow,nolog\"",
        "SecRule RESPONSE_BODY \"@contains secret\" \"id:2,phase:4,deny\"")).build();
    WafTransaction health = allowing.begin(CrsBenignTrafficTest.query("x"));
    health.inspectRequest();
    assertThat(health.inspectResponse(html("secret")).blocked()).isTrue();
    WafTransaction allowed = allowing.begin(new WafRequest("GET", "/health", "HTTP/1.1", List.of(), new byte[0], "192.0.2.1"));
    allowed.inspectRequest();
    assertThat(allowed.inspectResponse(html("secret")).blocked()).as("allow ends the whole transaction").isFalse();
  }
}
