package io.gatehouse.waf;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** Persistent collections: initcol, setsid, setuid, setvar and expirevar on IP, SESSION, USER and GLOBAL. */
class WafCollectionsTest {
  /** Counts requests per client address and denies the fourth within a minute. */
  static final String PER_IP_LIMIT = String.join("\n",
      "SecAction \"id:1,phase:1,pass,nolog,initcol:ip=%{REMOTE_ADDR}\"",
      "SecAction \"id:2,phase:1,pass,nolog,setvar:ip.requests=+1,expirevar:ip.requests=60\"",
      "SecRule IP:REQUESTS \"@gt 3\" \"id:3,phase:1,deny,log,msg:'more than 3 requests a minute from %{REMOTE_ADDR}'\"");

  final AtomicLong now = new AtomicLong(1_000_000);

  static WafRequest from(String address, String uri, String... headers) {
    WafRequest r = WafEngineTest.get(uri, headers);
    return new WafRequest(r.method(), r.uri(), r.protocol(), r.headers(), r.body(), address);
  }

  WafCollections store(int maxRecords, Duration timeout) {
    return WafCollections.inMemory(maxRecords, timeout, now::get);
  }

  @Test
  void countsRequestsPerClientAddressAndBlocksPastTheLimit() throws Exception {
    WafEngine engine = WafEngineTest.rules(PER_IP_LIMIT);
    WafCollections ip = store(100, Duration.ofHours(1));
    for (int i = 1; i <= 3; i++) {
      assertThat(engine.begin(from("192.0.2.1", "/"), ip).inspectRequest().blocked()).as("request %d", i).isFalse();
    }
    WafVerdict fourth = engine.begin(from("192.0.2.1", "/"), ip).inspectRequest();
    assertThat(fourth.blocked()).isTrue();
    assertThat(fourth.matchedRuleIds()).containsExactly(3L);
    assertThat(engine.begin(from("192.0.2.2", "/"), ip).inspectRequest().blocked())
        .as("another address has its own count").isFalse();
  }

  @Test
  void expiredVariableStartsTheCountAgain() throws Exception {
    WafEngine engine = WafEngineTest.rules(PER_IP_LIMIT);
    WafCollections ip = store(100, Duration.ofHours(1));
    for (int i = 0; i < 4; i++) {
      engine.begin(from("192.0.2.1", "/"), ip).inspectRequest();
    }
    now.addAndGet(59_000);
    assertThat(engine.begin(from("192.0.2.1", "/"), ip).inspectRequest().blocked()).as("within the minute").isTrue();
    // each request renewed the expiry: 60 s after the last one the counter is gone
    now.addAndGet(60_000);
    assertThat(engine.begin(from("192.0.2.1", "/"), ip).inspectRequest().blocked()).as("after expiry").isFalse();
  }

  @Test
  void transactionsWithoutCollectionsNeverCount() throws Exception {
    WafEngine engine = WafEngineTest.rules(PER_IP_LIMIT);
    for (int i = 0; i < 10; i++) {
      assertThat(engine.inspect(from("192.0.2.1", "/")).blocked()).isFalse();
    }
  }

  @Test
  void evictsTheLeastRecentlyUsedRecordWhenFull() throws Exception {
    WafEngine engine = WafEngineTest.rules(PER_IP_LIMIT);
    WafCollections ip = store(2, Duration.ofHours(1));
    for (int i = 0; i < 4; i++) {
      engine.begin(from("192.0.2.1", "/"), ip).inspectRequest();
    }
    engine.begin(from("192.0.2.2", "/"), ip).inspectRequest();
    engine.begin(from("192.0.2.3", "/"), ip).inspectRequest();
    assertThat(ip.size()).isEqualTo(2);
    assertThat(ip.evicted()).isEqualTo(1);
    assertThat(engine.begin(from("192.0.2.1", "/"), ip).inspectRequest().blocked())
        .as("the evicted address starts from zero").isFalse();
  }

  @Test
  void recordUnusedForItsTimeoutIsForgotten() throws Exception {
    WafEngine engine = WafEngineTest.rules(String.join("\n",
        "SecAction \"id:1,phase:1,pass,nolog,initcol:global=global\"",
        "SecAction \"id:2,phase:1,pass,nolog,setvar:global.seen=+1\"",
        "SecRule GLOBAL:SEEN \"@eq 1\" \"id:3,phase:1,pass,log\""));
    WafCollections global = store(10, Duration.ofSeconds(30));
    assertThat(engine.begin(from("192.0.2.1", "/"), global).inspectRequest().matchedRuleIds()).containsExactly(3L);
    now.addAndGet(29_000);
    assertThat(engine.begin(from("192.0.2.2", "/"), global).inspectRequest().matchedRuleIds()).as("shared by clients").isEmpty();
    now.addAndGet(30_000);
    assertThat(engine.begin(from("192.0.2.3", "/"), global).inspectRequest().matchedRuleIds())
        .as("a new record after 30 s unused").containsExactly(3L);
  }

  @Test
  void sessionAndUserRecordsOpenWithSetsidAndSetuidAndExpandInMacros() throws Exception {
    WafEngine engine = WafEngineTest.rules(String.join("\n",
        "SecRule REQUEST_COOKIES:sid \"@rx ^[a-z0-9]+$\" \"id:1,phase:1,pass,nolog,setsid:%{REQUEST_COOKIES.sid}\"",
        "SecRule REQUEST_HEADERS:X-User \"@rx ^\\w+$\" \"id:2,phase:1,pass,nolog,setuid:%{REQUEST_HEADERS.x-user}\"",
        "SecAction \"id:3,phase:1,pass,nolog,setvar:session.hits=+1,setvar:user.hits=+1\"",
        "SecAction \"id:4,phase:1,pass,nolog,setvar:tx.total=%{session.hits}%{user.hits}\"",
        "SecRule TX:TOTAL \"@streq 21\" \"id:5,phase:1,pass,log\"",
        "SecRule SESSION:HITS \"@eq 2\" \"id:6,phase:1,pass,log,setvar:!session.hits\"",
        "SecRule &SESSION:HITS \"@eq 0\" \"id:7,phase:1,pass,log\""));
    WafCollections c = store(10, Duration.ofHours(1));
    engine.begin(from("192.0.2.1", "/", "Cookie", "sid=abc", "X-User", "alice"), c).inspectRequest();
    WafVerdict second = engine.begin(from("192.0.2.9", "/", "Cookie", "sid=abc", "X-User", "bob"), c).inspectRequest();
    // the session counted both requests, bob's user record only one; then the session variable is deleted
    assertThat(second.matchedRuleIds()).containsExactly(5L, 6L, 7L);
  }

  @Test
  void concurrentIncrementsAreAllCounted() throws Exception {
    WafEngine engine = WafEngineTest.rules(String.join("\n",
        "SecAction \"id:1,phase:1,pass,nolog,initcol:global=global\"",
        "SecAction \"id:2,phase:1,pass,nolog,setvar:global.n=+1\"",
        "SecRule GLOBAL:N \"@eq 401\" \"id:3,phase:1,pass,log\""));
    WafCollections c = store(10, Duration.ofHours(1));
    ExecutorService pool = Executors.newFixedThreadPool(4);
    try {
      List<Future<WafVerdict>> all = new java.util.ArrayList<>();
      for (int i = 0; i < 400; i++) {
        all.add(pool.submit(() -> engine.begin(from("192.0.2.1", "/"), c).inspectRequest()));
      }
      for (Future<WafVerdict> f : all) {
        assertThat(f.get().matchedRuleIds()).isEmpty();
      }
    } finally {
      pool.shutdownNow();
    }
    assertThat(engine.begin(from("192.0.2.1", "/"), c).inspectRequest().matchedRuleIds())
        .as("the 401st request counts 401: no increment was lost").containsExactly(3L);
  }

  @Test
  void refusesBoundsOutOfRange() {
    assertThatThrownBy(() -> store(0, Duration.ofHours(1))).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("maxRecords");
    assertThatThrownBy(() -> store(10, Duration.ZERO)).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("timeout");
  }
}
