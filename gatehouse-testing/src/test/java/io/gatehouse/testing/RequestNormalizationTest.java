package io.gatehouse.testing;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The gateway's trust boundaries on request paths, hosts and client headers, through the real
 * gateway with raw sockets; the mock upstream records what the backend saw.
 */
class RequestNormalizationTest {
  @RegisterExtension static final GatehouseExtension GH = GatehouseExtension.create();

  static final String KEY = "normalization-key-0123456789";

  static final String CONFIG = """
      settings:
        trustedProxies: %s
        allowUnderscoresInHeaders: %s
      backends:
        - name: echo
          url: ${env:UPSTREAM_URL}
      apis:
        - name: shop
          path: /shopw
          backend: echo
          subscriptionRequired: false
          operations:
            - operation: GET /admin/{id}
              policies:
                inbound:
                  - ip-filter: {allow: ["10.9.9.9"]}
            - GET /{any}
            - GET /{section}/{id}
            - GET /files/*
        - name: files
          path: /files
          backend: echo
          subscriptionRequired: false
          allowEncodedSlashes: true
        - name: stamped
          path: /stamped
          backend: echo
          subscriptionRequired: false
          policies:
            inbound:
              - set-header: {name: X-User, value: from-policy}
        - name: scoped
          path: /h
          hosts: [a.example]
          backend: echo
        - name: anyhost
          path: /h
          backend: echo
          subscriptionRequired: false
        - name: public
          path: /public
          backend: echo
          subscriptionRequired: false
        - name: ws
          path: /ws
          backend: echo
          subscriptionRequired: false
          websocket: {}
      subscriptions:
        - {name: all, scope: all, primaryKey: %s}
      """;

  @BeforeEach
  void configure() {
    apply("[]", false);
  }

  private static void apply(String trustedProxies, boolean underscores) {
    GH.apply(CONFIG.formatted(trustedProxies, underscores, KEY));
  }

  /** Sends one request head (and body) on a raw socket and returns the status code. */
  private static int status(String head) throws Exception {
    byte[] got = GH.raw(head.getBytes(StandardCharsets.ISO_8859_1), Duration.ofSeconds(5));
    String text = new String(got, StandardCharsets.ISO_8859_1);
    assertThat(text).startsWith("HTTP/1.1 ");
    return Integer.parseInt(text.substring(9, 12));
  }

  private static String get(String target, String host, String... extra) {
    StringBuilder b = new StringBuilder("GET " + target + " HTTP/1.1\r\nHost: " + host + "\r\n");
    for (String line : extra) {
      b.append(line).append("\r\n");
    }
    return b.append("Connection: close\r\n\r\n").toString();
  }

  private static int get(String target) throws Exception {
    return status(get(target, "gw.test"));
  }

  // ------------------------------------------------------------------ paths (finding 4)

  @Test
  void operationPolicyAppliesToThePlainPath() throws Exception {
    assertThat(get("/shopw/admin/1")).isEqualTo(403);
    assertThat(GH.upstream().drain()).isEmpty();
  }

  @Test
  void refusesEncodedSlashInPath() throws Exception {
    for (String target : new String[] {"/shopw/admin%2F1", "/shopw/admin%2f1"}) {
      assertThat(get(target)).as(target).isEqualTo(400);
    }
    assertThat(GH.upstream().drain()).isEmpty();
  }

  @Test
  void refusesDotSegmentsHiddenByParametersEncodingsAndBackslashes() throws Exception {
    for (String target : new String[] {"/shopw/files/..;/admin/1", "/shopw/x%2F..%2F", "/shopw/x\\..\\..\\admin",
        "/shopw/x%5C..%5Cadmin", "/shopw/files/%2e%2e/admin/1", "/shopw/files/.%2E;x/admin/1",
        "/shopw/files/%252e%252e/admin/1", "/shopw//admin/1"}) {
      assertThat(get(target)).as(target).isEqualTo(400);
    }
    assertThat(GH.upstream().drain()).isEmpty();
  }

  @Test
  void matchesOperationsOnTheNormalizedPathThatIsForwarded() throws Exception {
    // %61 is 'a' and a ';' parameter does not change the segment for servlet containers:
    // both must meet the admin operation's ip-filter, not /{section}/{id}.
    assertThat(get("/shopw/%61dmin/1")).isEqualTo(403);
    assertThat(get("/shopw/admin;x=1/1")).isEqualTo(403);
    assertThat(GH.upstream().drain()).isEmpty();
    assertThat(get("/shopw/%6Frders/%7e1")).isEqualTo(200);
    assertThat(GH.upstream().take(5).uri()).isEqualTo("/orders/~1");
  }

  @Test
  void forwardsEncodedSlashesUnchangedWhereTheApiAllowsThem() throws Exception {
    assertThat(get("/files/group%2fproject/raw")).isEqualTo(200);
    assertThat(GH.upstream().take(5).uri()).isEqualTo("/group%2Fproject/raw");
    assertThat(get("/files/a%2F..%2Fsecret")).isEqualTo(400);
    assertThat(GH.upstream().drain()).isEmpty();
  }

  @Test
  void refusesWebSocketHandshakeWithTraversalPath() throws Exception {
    String ws = "GET /ws/a%2F..%2Fadmin HTTP/1.1\r\nHost: gw.test\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
        + "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n";
    assertThat(status(ws)).isEqualTo(400);
    String ws2 = ws.replace("/ws/a%2F..%2Fadmin", "/ws/a/..;/admin");
    assertThat(status(ws2)).isEqualTo(400);
    assertThat(GH.upstream().drain()).isEmpty();
    // an accepted handshake opens the backend on the normalized path (the mock declines it)
    status(ws.replace("/ws/a%2F..%2Fadmin", "/ws/%61bc"));
    assertThat(GH.upstream().take(5).uri()).isEqualTo("/abc");
  }

  // ------------------------------------------------------------------ Connection (finding 8)

  @Test
  void connectionHeaderNamingContentLengthDoesNotChangeFraming() throws Exception {
    String post = "POST /public/x HTTP/1.1\r\nHost: gw.test\r\nConnection: Content-Length\r\n"
        + "Content-Type: text/plain\r\nContent-Length: 5\r\n\r\nhello"
        + "GET /public/after HTTP/1.1\r\nHost: gw.test\r\nConnection: close\r\n\r\n";
    byte[] got = GH.raw(post.getBytes(StandardCharsets.ISO_8859_1), Duration.ofSeconds(5));
    assertThat(new String(got, StandardCharsets.ISO_8859_1)).startsWith("HTTP/1.1 200");
    RecordedRequest r = GH.upstream().take(5);
    assertThat(r.bodyText()).isEqualTo("hello");
    assertThat(r.header("Content-Length")).isEqualTo("5");
    assertThat(r.header("Transfer-Encoding")).isNull();
    assertThat(GH.upstream().take(5).uri()).isEqualTo("/after");
  }

  @Test
  void connectionHeaderNeverRemovesHeadersThePoliciesSet() throws Exception {
    assertThat(status(get("/stamped/x", "gw.test", "X-User: from-client", "Connection: X-User, close")))
        .isEqualTo(200);
    assertThat(GH.upstream().take(5).header("X-User")).isEqualTo("from-policy");
    assertThat(status(get("/public/x", "gw.test", "X-Hop: 1", "Connection: X-Hop, close"))).isEqualTo(200);
    assertThat(GH.upstream().take(5).header("X-Hop")).isNull();
  }

  @Test
  void backendConnectionHeaderStripsOnlyBackendHeadersAndNeverFraming() throws Exception {
    GH.upstream().respondWith(req -> req.response().putHeader("Connection", "Content-Length, X-Internal")
        .putHeader("X-Internal", "secret").putHeader("Content-Length", "2").end("ok"));
    var r = GH.get("/public/x");
    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(r.body()).isEqualTo("ok");
    assertThat(r.headers().firstValue("X-Internal")).isEmpty();
    assertThat(r.headers().firstValue("Content-Length")).hasValue("2");
  }

  // ------------------------------------------------------------------ hosts (finding 9)

  @Test
  void trailingDotHostRoutesToTheScopedApi() throws Exception {
    assertThat(status(get("/h/x", "a.example"))).isEqualTo(401);
    assertThat(status(get("/h/x", "a.example."))).isEqualTo(401);
    assertThat(status(get("/h/x", "A.EXAMPLE.:80"))).isEqualTo(401);
    assertThat(GH.upstream().drain()).isEmpty();
    assertThat(status(get("/h/x", "b.example"))).isEqualTo(200);
  }

  @Test
  void absoluteFormTargetAuthorityWinsOverHost() throws Exception {
    assertThat(status(get("http://a.example/h/x", "b.example"))).isEqualTo(401);
    assertThat(GH.upstream().drain()).isEmpty();
    assertThat(status(get("http://b.example:8080/h/x?q=1", "a.example"))).isEqualTo(200);
    RecordedRequest r = GH.upstream().take(5);
    assertThat(r.uri()).isEqualTo("/x?q=1");
    assertThat(r.header("X-Forwarded-Host")).isEqualTo("b.example:8080");
  }

  @Test
  void refusesMalformedHosts() throws Exception {
    for (String host : new String[] {"a.example,b", "[a.example]", "a.example%00", "a..example", "a.example:99999"}) {
      assertThat(status(get("/public/x", host))).as(host).isEqualTo(400);
    }
    assertThat(status(get("http://u@a.example/public/x", "a.example"))).isEqualTo(400);
    assertThat(GH.upstream().drain()).isEmpty();
  }

  @Test
  void forwardsTheNormalizedHost() throws Exception {
    assertThat(status(get("/public/x", "Api.Example.:8080"))).isEqualTo(200);
    RecordedRequest r = GH.upstream().take(5);
    assertThat(r.header("X-Forwarded-Host")).isEqualTo("api.example:8080");
    assertThat(r.header("Forwarded")).endsWith(";host=\"api.example:8080\"");
    assertThat(status(get("/public/x", "[::1]:8080"))).isEqualTo(200);
    assertThat(GH.upstream().take(5).header("X-Forwarded-Host")).isEqualTo("[::1]:8080");
  }

  // ------------------------------------------------------------------ header aliases (finding 10)

  @Test
  void dropsUnderscoreHeadersAndUntrustedClientIpHeaders() throws Exception {
    String[] aliases = {"X_Forwarded_For: 6.6.6.6", "X-Real-IP: 6.6.6.6", "True-Client-IP: 6.6.6.6",
        "X-Client-IP: 6.6.6.6", "CF-Connecting-IP: 6.6.6.6", "Fastly-Client-IP: 6.6.6.6",
        "X-Cluster-Client-IP: 6.6.6.6", "X-Kept: yes"};
    assertThat(status(get("/public/x", "gw.test", aliases))).isEqualTo(200);
    RecordedRequest r = GH.upstream().take(5);
    for (String name : new String[] {"X_Forwarded_For", "X-Real-IP", "True-Client-IP", "X-Client-IP",
        "CF-Connecting-IP", "Fastly-Client-IP", "X-Cluster-Client-IP"}) {
      assertThat(r.header(name)).as(name).isNull();
    }
    assertThat(r.header("X-Kept")).isEqualTo("yes");
    assertThat(r.header("X-Forwarded-For")).isEqualTo("127.0.0.1");
  }

  @Test
  void passesClientIpHeadersFromTrustedProxiesAndUnderscoresWhenAllowed() throws Exception {
    apply("[127.0.0.1/32]", true);
    assertThat(status(get("/public/x", "gw.test", "X-Real-IP: 203.0.113.9", "X_Custom: 1"))).isEqualTo(200);
    RecordedRequest r = GH.upstream().take(5);
    assertThat(r.header("X-Real-IP")).isEqualTo("203.0.113.9");
    assertThat(r.header("X_Custom")).isEqualTo("1");
  }

  // ------------------------------------------------------------------ subscription key (finding 11)

  @Test
  void stripsTheSubscriptionKeyOnApisThatDoNotUseIt() throws Exception {
    assertThat(status(get("/public/x?subscription-key=" + KEY + "&a=1&subscription%2Dkey=" + KEY, "gw.test",
        "Subscription-Key: " + KEY))).isEqualTo(200);
    RecordedRequest r = GH.upstream().take(5);
    assertThat(r.header("Subscription-Key")).isNull();
    assertThat(r.uri()).isEqualTo("/x?a=1");
  }
}
