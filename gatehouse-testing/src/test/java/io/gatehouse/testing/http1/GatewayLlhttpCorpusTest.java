package io.gatehouse.testing.http1;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.fail;

import io.gatehouse.testing.GatehouseExtension;
import io.gatehouse.testing.RecordedRequest;
import io.gatehouse.testing.corpus.LlhttpCorpus;
import io.gatehouse.testing.corpus.LlhttpCorpus.Case;
import io.gatehouse.testing.corpus.LlhttpCorpus.Classification;
import io.gatehouse.testing.corpus.LlhttpCorpus.Message;
import io.gatehouse.testing.http1.StrictHttp1CorpusTest.Expectation;
import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Runs every llhttp request case through the real gateway (a passthrough API at {@code /} with no
 * subscription and no operations, in front of a {@link io.gatehouse.testing.MockUpstream}) over a
 * real socket: each invalid message gets 400 (or 414/431/505) problem+json and the backend receives
 * exactly the messages llhttp completed before the error; each valid message reaches the backend
 * with the same method, request target, end-to-end header fields and body, and the client gets the
 * backend's answers in order.
 *
 * <p>The connection-level verdict is {@link StrictHttp1CorpusTest#expect}, with its deliberate
 * deviations from llhttp (CONNECT, non-HTTP protocols, HTTP/0.9, the HTTP/2 preface, extensible
 * methods, draft-76 WebSocket, skipBody, data after {@code Connection: close}). On top of it, what
 * the gateway deliberately does differently from a bare server, each a rule counted in the summary
 * (never a case title):
 * <ol>
 *   <li><b>path</b>: a path the gateway refuses (a {@code .} or {@code ..} segment, plain, with
 *       {@code %2e} or with {@code ;} parameters; {@code \}, {@code %5C}, {@code %2F}, {@code #},
 *       {@code //}) gets 400 and is not forwarded; the connection stays open.</li>
 *   <li><b>host</b>: a Host (or an absolute-form target's authority) that is not a DNS name, an
 *       IPv4 address or a bracketed IPv6 literal with an optional port, or that carries user-info,
 *       gets 400 and is not forwarded; the connection stays open.</li>
 *   <li><b>not-origin-form</b>: a request target that is neither origin-form ({@code /...}) nor
 *       absolute-form ({@code http://host/...}), that is {@code OPTIONS *} and authority-form, gets
 *       400 and is not forwarded; the connection stays open.</li>
 *   <li><b>absolute-form</b>: an absolute-form target is forwarded in origin form (its path,
 *       {@code /} when empty, and query), as a server that is not a forward proxy may read it
 *       (RFC 9112 3.2.2).</li>
 *   <li><b>upgrade</b>: the gateway performs no upgrade. A request with an Upgrade field is
 *       forwarded without its Upgrade and Connection fields and answered with
 *       {@code Connection: close}; when it also carries the {@code upgrade} connection option (the
 *       message llhttp pauses after), the gateway closes the connection after that response and
 *       drops what followed it, where a bare server would pass those bytes on.</li>
 * </ol>
 * Fields never compared (the gateway changes them on purpose): hop-by-hop fields (Connection and
 * those it lists, Keep-Alive, TE, Trailer, Transfer-Encoding, Upgrade, Proxy-*), Host (the gateway
 * sets the backend's), Expect (the gateway answers 100-continue itself), HTTP2-Settings and the
 * forwarding fields the gateway writes (X-Forwarded-*, Forwarded, X-Request-Id). Header order and
 * name case may differ; the values of one name keep their order. Bodies are compared after
 * de-chunking; trailers are not compared (Vert.x does not expose them).
 */
class GatewayLlhttpCorpusTest {
  @RegisterExtension static final GatehouseExtension GH = GatehouseExtension.create();

  private static final AtomicInteger valid = new AtomicInteger();
  private static final AtomicInteger rejected = new AtomicInteger();
  private static final AtomicInteger deviations = new AtomicInteger();
  private static final AtomicInteger detailed = new AtomicInteger();
  private static final AtomicInteger forwardedMessages = new AtomicInteger();
  private static final Map<String, AtomicInteger> RULES = new ConcurrentHashMap<>();
  private static int cases;

  @BeforeAll
  static void configure() {
    GH.apply("""
        backends:
          - name: mock
            url: ${env:UPSTREAM_URL}
        apis:
          - name: passthrough
            path: /
            backend: mock
            subscriptionRequired: false
        """);
  }

  @AfterAll
  static void summary() {
    System.out.printf("llhttp corpus through the gateway: %d cases, %d valid proxied, %d invalid "
            + "rejected, %d deliberate deviations, %d messages forwarded, %d compared field by field; "
            + "gateway rules applied: %s%n",
        cases, valid.get(), rejected.get(), deviations.get(), forwardedMessages.get(), detailed.get(),
        new TreeMap<>(RULES));
  }

  @TestFactory
  Stream<DynamicTest> everyLlhttpRequestCaseThroughTheGateway() {
    List<Case> run = new ArrayList<>();
    for (Case c : LlhttpCorpus.read(LlhttpCorpus.locate())) {
      if (c.classification() != Classification.SKIPPED) {
        run.add(c);
      }
    }
    cases = run.size();
    return run.stream().map(c -> DynamicTest.dynamicTest(c.displayName(), () -> {
      try {
        check(c);
      } catch (AssertionError failure) {
        throw new AssertionError(c.displayName() + ": " + failure.getMessage(), failure);
      }
    }));
  }

  @org.junit.jupiter.api.Test
  void closesTheConnectionAfterADeclinedUpgradeAndDropsWhatFollowed() throws Exception {
    GH.upstream().reset();
    String upgrade = "GET /ws HTTP/1.1\r\nHost: a\r\nConnection: upgrade\r\nUpgrade: websocket\r\n\r\n";
    // Bytes after an upgrade request are not HTTP/1.1 the validator checked: never a request.
    String smuggled = "GET /smuggled HTTP/1.1\r\nHost: a\r\n\r\n";
    String got = new String(GH.raw((upgrade + smuggled).getBytes(StandardCharsets.US_ASCII),
        java.time.Duration.ofSeconds(5)), StandardCharsets.ISO_8859_1);
    assertThat(got).startsWith("HTTP/1.1 200 ").containsIgnoringCase("\r\nConnection: close\r\n");
    assertThat(got.split("HTTP/1.1 ", -1)).as("one response, then the connection closed").hasSize(2);
    assertThat(GH.upstream().drain()).extracting(RecordedRequest::uri).containsExactly("/ws");
  }

  @org.junit.jupiter.api.Test
  void forwardsNoEmptyXForwardedHostWhenTheRequestHadNoHost() throws Exception {
    GH.upstream().reset();
    GH.raw("GET /x HTTP/1.1\r\nConnection: close\r\n\r\n".getBytes(StandardCharsets.US_ASCII),
        java.time.Duration.ofSeconds(5));
    RecordedRequest r = GH.upstream().take(5);
    assertThat(r).isNotNull();
    assertThat(r.header("X-Forwarded-Host")).isNull();
    assertThat(r.header("Forwarded")).isEqualTo("for=127.0.0.1;proto=http");
  }

  /** What the gateway itself does with one message the HTTP/1.1 layer accepted. */
  enum Verdict { FORWARD, FORWARD_ABSOLUTE, FORWARD_AND_CLOSE, REJECT_PATH, REJECT_HOST, REJECT_NOT_ORIGIN_FORM }

  static Verdict verdict(Message m) {
    if (!m.hasSpans() || m.url() == null) {
      return Verdict.FORWARD;
    }
    String url = latin1(m.url());
    Verdict forward = Verdict.FORWARD;
    String path;
    String authority;
    if (url.startsWith("/")) {
      path = url;
      authority = header(m, "host");
    } else if (url.regionMatches(true, 0, "http://", 0, 7) || url.regionMatches(true, 0, "https://", 0, 8)) {
      path = originForm(url);
      String afterScheme = url.substring(url.indexOf("//") + 2);
      int stop = afterScheme.length();
      for (char c : new char[] {'/', '?', '#'}) {
        int at = afterScheme.indexOf(c);
        if (at >= 0 && at < stop) {
          stop = at;
        }
      }
      authority = afterScheme.substring(0, stop);
      if (authority.isEmpty() || authority.contains("@")) {
        return Verdict.REJECT_HOST; // the target's authority wins over Host; user-info is refused
      }
      forward = Verdict.FORWARD_ABSOLUTE;
    } else {
      return Verdict.REJECT_NOT_ORIGIN_FORM;
    }
    int end = path.indexOf('?');
    if (refusedPath(path.substring(0, end < 0 ? path.length() : end))) {
      return Verdict.REJECT_PATH;
    }
    if (authority != null && !authority.isEmpty() && !VALID_HOST.matcher(authority).matches()) {
      return Verdict.REJECT_HOST;
    }
    return forward;
  }

  /** The origin-form of an absolute-form target: its path ({@code /} when empty) and query. */
  static String originForm(String absolute) {
    int from = absolute.indexOf("//") + 2;
    int at = absolute.length();
    for (char stop : new char[] {'/', '?', '#'}) {
      int i = absolute.indexOf(stop, from);
      if (i >= 0 && i < at) {
        at = i;
      }
    }
    String rest = absolute.substring(at);
    return rest.startsWith("/") ? rest : "/" + rest;
  }

  private void check(Case c) throws Exception {
    Expectation e = StrictHttp1CorpusTest.expect(c);
    List<Message> messages = c.messages();
    // Per accepted message, the gateway's own verdict; an upgrade ends the connection after it.
    List<Verdict> verdicts = new ArrayList<>();
    boolean closedByGateway = false;
    for (int k = 0; k < e.acceptedMessages(); k++) {
      Verdict v = k < messages.size() ? verdict(messages.get(k)) : Verdict.FORWARD;
      if (isForward(v) && c.pausedForUpgrade() && k == c.completedMessages() - 1) {
        v = Verdict.FORWARD_AND_CLOSE; // the upgrade llhttp paused for: declined, then closed
      }
      verdicts.add(v);
      if (v == Verdict.FORWARD_AND_CLOSE) {
        closedByGateway = true;
        break;
      }
    }
    Integer rejectStatus = closedByGateway ? null : e.rejectStatus();
    int forwardCount = 0;
    for (Verdict v : verdicts) {
      if (isForward(v)) {
        forwardCount++;
      }
    }

    GH.upstream().reset();
    AtomicInteger seen = new AtomicInteger();
    GH.upstream().respondWith(req -> req.response().end("seen " + seen.incrementAndGet()));
    List<Response> responses = new ArrayList<>();
    try (Socket socket = new Socket("127.0.0.1", GH.gateway().port())) {
      socket.setSoTimeout(5_000);
      socket.getOutputStream().write(c.raw());
      socket.getOutputStream().flush();
      InputStream in = socket.getInputStream();
      if (rejectStatus == null) {
        for (int k = 0; k < verdicts.size(); k++) {
          Response r = readOrNull(in, isHead(c, k));
          if (r == null) {
            break;
          }
          responses.add(r);
        }
        if (!socket.isClosed() && !closedByGateway) {
          socket.shutdownOutput();
        }
      }
      Response r;
      while ((r = readOrNull(in, isHead(c, responses.size()))) != null) {
        responses.add(r);
      }
    }

    List<RecordedRequest> got = GH.upstream().drain();
    assertThat(got).as("messages the backend received").hasSize(forwardCount);
    int j = 0;
    for (int k = 0; k < verdicts.size(); k++) {
      if (isForward(verdicts.get(k))) {
        if (k < messages.size()) {
          compare(c, messages.get(k), verdicts.get(k), got.get(j));
        }
        j++;
      }
    }
    int handled = verdicts.size();
    assertThat(responses).as("responses").hasSize(rejectStatus == null ? handled : handled + 1);
    int forwardedSoFar = 0;
    for (int k = 0; k < handled; k++) {
      Response resp = responses.get(k);
      Verdict v = verdicts.get(k);
      if (isForward(v)) {
        forwardedSoFar++;
        assertThat(resp.status).as("status of message " + k).isEqualTo(200);
        if (!isHead(c, k)) {
          assertThat(resp.body).as("body of message " + k).isEqualTo("seen " + forwardedSoFar);
        }
        if (k < messages.size() && header(messages.get(k), "upgrade") != null) {
          assertThat(resp.head).as("declined upgrade").containsIgnoringCase("\r\nConnection: close\r\n");
        }
      } else {
        assertThat(resp.status).as("status of message " + k).isEqualTo(400);
        assertProblem(resp);
      }
    }
    if (rejectStatus != null) {
      Response err = responses.get(handled);
      if (rejectStatus != 0) {
        assertThat(err.status).isEqualTo(rejectStatus);
      } else {
        assertThat(err.status).isIn(400, 414, 431, 505);
      }
      assertThat(err.head).contains("Connection: close");
      assertProblem(err);
    }

    forwardedMessages.addAndGet(forwardCount);
    for (Verdict v : verdicts) {
      if (v != Verdict.FORWARD) {
        RULES.computeIfAbsent(v.name().toLowerCase(Locale.ROOT), n -> new AtomicInteger()).incrementAndGet();
      }
    }
    if (e.deviation() != null) {
      deviations.incrementAndGet();
    } else if (e.rejectStatus() != null) {
      rejected.incrementAndGet();
    } else {
      valid.incrementAndGet();
    }
  }

  private static boolean isForward(Verdict v) {
    return v == Verdict.FORWARD || v == Verdict.FORWARD_ABSOLUTE || v == Verdict.FORWARD_AND_CLOSE;
  }

  private static void assertProblem(Response r) {
    assertThat(r.head).containsIgnoringCase("Content-Type: application/problem+json")
        .doesNotContainIgnoringCase("\r\nServer:");
    assertThat(r.body).startsWith("{\"type\":\"").contains("\"detail\":\"");
  }

  private static void compare(Case c, Message want, Verdict verdict, RecordedRequest got) {
    if (!want.hasSpans()) {
      return;
    }
    detailed.incrementAndGet();
    String name = c.displayName();
    assertThat(got.method()).as("method of " + name).isEqualTo(latin1(want.method()));
    String url = latin1(want.url());
    if (verdict == Verdict.FORWARD_ABSOLUTE) {
      url = originForm(url);
    }
    assertThat(got.uri()).as("request target of " + name).isEqualTo(url);
    String connection = header(want, "connection");
    Map<String, List<String>> wantFields = new LinkedHashMap<>();
    for (Map.Entry<byte[], byte[]> f : want.headers()) {
      add(wantFields, latin1(f.getKey()), latin1(f.getValue()).strip(), connection);
    }
    Map<String, List<String>> gotFields = new LinkedHashMap<>();
    for (Map.Entry<String, String> f : got.headers()) {
      add(gotFields, f.getKey(), f.getValue(), null);
    }
    assertThat(gotFields).as("end-to-end header fields of " + name).isEqualTo(wantFields);
    assertThat(got.body()).as("body of " + name).isEqualTo(want.body());
  }

  private static final Set<String> NOT_COMPARED = Set.of(
      "connection", "keep-alive", "te", "trailer", "transfer-encoding", "upgrade", "host", "expect",
      "http2-settings", "forwarded", "x-request-id");

  private static void add(Map<String, List<String>> fields, String name, String value, String connection) {
    String lower = name.toLowerCase(Locale.ROOT);
    if (NOT_COMPARED.contains(lower) || lower.startsWith("proxy-") || lower.startsWith("x-forwarded-")) {
      return;
    }
    if (connection != null) {
      for (String token : connection.split(",")) {
        if (token.strip().equalsIgnoreCase(lower)) {
          return;
        }
      }
    }
    fields.computeIfAbsent(lower, n -> new ArrayList<>()).add(value);
  }

  private static String header(Message m, String name) {
    String out = null;
    for (Map.Entry<byte[], byte[]> f : m.headers()) {
      if (latin1(f.getKey()).equalsIgnoreCase(name)) {
        String v = latin1(f.getValue()).strip();
        out = out == null ? v : out + ", " + v;
      }
    }
    return out;
  }

  /** A DNS-style name, IPv4 address or bracketed IPv6 literal, an optional trailing dot and port. */
  private static final java.util.regex.Pattern VALID_HOST = java.util.regex.Pattern.compile(
      "([A-Za-z0-9_-]{1,63}(\\.[A-Za-z0-9_-]{1,63})*\\.?|\\[[0-9A-Fa-f:.]+\\])(:[0-9]{0,5})?");

  /**
   * Whether the gateway refuses a path: a {@code .} or {@code ..} segment (plain, {@code %2e}, with
   * {@code ;} parameters), a raw or encoded backslash or slash, a fragment, an empty segment.
   */
  static boolean refusedPath(String path) {
    String lower = path.toLowerCase(Locale.ROOT);
    if (lower.contains("\\") || lower.contains("%5c") || lower.contains("%2f") || lower.contains("#")
        || lower.substring(0, Math.max(0, lower.length() - 1)).contains("//")) {
      return true;
    }
    for (String segment : lower.split("/", -1)) {
      int params = segment.indexOf(';');
      String s = (params < 0 ? segment : segment.substring(0, params)).replace("%2e", ".");
      if (s.equals(".") || s.equals("..")) {
        return true;
      }
    }
    return false;
  }

  private static boolean isHead(Case c, int index) {
    List<Message> messages = c.messages();
    return index < messages.size() && messages.get(index).method() != null
        && latin1(messages.get(index).method()).equals("HEAD");
  }

  private static Response readOrNull(InputStream in, boolean head) throws IOException {
    try {
      return Response.read(in, head);
    } catch (SocketException closed) {
      return null; // connection reset after the gateway closed
    } catch (SocketTimeoutException timeout) {
      fail("the gateway neither answered nor closed the connection within 5 s");
      return null;
    }
  }

  private static String latin1(byte[] b) {
    return new String(b, StandardCharsets.ISO_8859_1);
  }
}
