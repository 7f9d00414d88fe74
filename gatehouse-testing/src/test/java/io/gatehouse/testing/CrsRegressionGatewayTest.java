package io.gatehouse.testing;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.gatehouse.gateway.accesslog.AccessLog;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Runs the OWASP Core Rule Set's regression suite through the running gateway: one API at {@code /}
 * in front of a {@link MockUpstream} with a {@code waf} policy at paranoia level 4 in detect mode
 * and the settings of CRS's own CI. Each stage's request is written on a new socket as go-ftw
 * writes it, and judged as go-ftw judges it from the request's access-log record: every {@code
 * expect_ids} rule is in {@code waf.rules} and no {@code no_expect_ids} rule is.
 *
 * <p>Judgement is exact: a stage the gateway refused before the policy ran (its HTTP/1.1 parser,
 * or its path and host checks) has no {@code waf} field, so no rule fired for it; it passes only
 * when it expected none. Such stages are also counted and listed apart. The rate is passed stages
 * over judged stages (those with {@code expect_ids} or {@code no_expect_ids}).
 */
class CrsRegressionGatewayTest {
  @RegisterExtension static final GatehouseExtension GH = GatehouseExtension.create();

  /** The asserted floor of the overall pass rate, percent of judged stages. */
  static final double FLOOR_PERCENT = 99.0;

  /**
   * The settings of the Core Rule Set's CI for its regression run besides the paranoia level (which
   * the policy sets): UTF-8 validation, URL-encoded processing of bodies without a Content-Type,
   * and the argument and file size limits its tests exercise.
   */
  static final String CI_SETTINGS = String.join("\n",
      "SecAction \"id:900950,phase:1,pass,nolog,setvar:tx.crs_validate_utf8_encoding=1\"",
      "SecAction \"id:900010,phase:1,pass,nolog,setvar:tx.enforce_bodyproc_urlencoded=1\"",
      "SecAction \"id:900300,phase:1,pass,nolog,setvar:tx.max_num_args=255\"",
      "SecAction \"id:900310,phase:1,pass,nolog,setvar:tx.arg_name_length=100\"",
      "SecAction \"id:900320,phase:1,pass,nolog,setvar:tx.arg_length=400\"",
      "SecAction \"id:900330,phase:1,pass,nolog,setvar:tx.total_arg_length=64000\"",
      "SecAction \"id:900340,phase:1,pass,nolog,setvar:tx.max_file_size=64100\"",
      "SecAction \"id:900350,phase:1,pass,nolog,setvar:tx.combined_file_sizes=65535\"", "");

  private static final Pattern REPEAT = Pattern.compile("\\{\\{\\s*\"((?:[^\"\\\\]|\\\\.)*)\"\\s*\\|\\s*repeat\\s+(\\d+)\\s*\\}\\}");
  private static final Duration READ_TIMEOUT = Duration.ofSeconds(5);
  private static final int CLIENTS = 2;

  @TempDir static Path settingsDir;

  /** One judged stage of the suite. */
  record Stage(String ruleFile, String name, byte[] request, Set<Long> expect, Set<Long> noExpect) {}

  /** What the gateway did with one stage. */
  record Outcome(Stage stage, int status, Set<Long> fired, String stoppedBy) {
    boolean passed() {
      return fired.containsAll(stage.expect) && stage.noExpect.stream().noneMatch(fired::contains);
    }
  }

  @Test
  void passesTheCoreRuleSetRegressionSuiteThroughTheRunningGatewayAtParanoiaLevelFour() throws Exception {
    Path crs = WafPolicyTest.crs();
    Path settings = settingsDir.resolve("ci-settings.conf");
    Files.writeString(settings, CI_SETTINGS);
    GH.apply("""
        backends:
          - name: echo
            url: ${env:UPSTREAM_URL}
        apis:
          - name: crs
            path: /
            backend: echo
            subscriptionRequired: false
            policies:
              inbound:
                - waf:
                    rules: ['%s', '%s', '%s/*.conf']
                    paranoia-level: 4
                    mode: detect
                    inspection-budget: 60s
        """.formatted(settings, crs.resolve("crs-setup.conf.example"), crs.resolve("rules")));

    List<Stage> stages = new ArrayList<>();
    int unjudged = load(suite(), stages);

    Map<String, CompletableFuture<JsonNode>> records = new ConcurrentHashMap<>();
    ObjectMapper json = new ObjectMapper();
    AccessLog log = AccessLog.to(line -> {
      try {
        JsonNode r = json.readTree(line);
        records.computeIfAbsent(r.path("requestId").asText(), k -> new CompletableFuture<>()).complete(r);
      } catch (IOException e) {
        throw new java.io.UncheckedIOException(e);
      }
    });
    GH.gateway().events().subscribe(log);
    List<Outcome> outcomes = new ArrayList<>();
    ExecutorService clients = Executors.newFixedThreadPool(CLIENTS);
    try {
      List<Future<Outcome>> pending = new ArrayList<>();
      for (Stage s : stages) {
        pending.add(clients.submit(() -> run(s, records)));
      }
      for (Future<Outcome> f : pending) {
        outcomes.add(f.get());
      }
    } finally {
      clients.shutdownNow();
      GH.gateway().events().unsubscribe(log);
      GH.upstream().reset();
    }

    Map<String, int[]> perFile = new TreeMap<>();
    List<String> failures = new ArrayList<>();
    List<String> stopped = new ArrayList<>();
    int passed = 0;
    int passedInspected = 0;
    int inspected = 0;
    for (Outcome o : outcomes) {
      // stages, passed, stopped before the WAF, passed of those stopped
      int[] row = perFile.computeIfAbsent(o.stage().ruleFile(), k -> new int[4]);
      row[0]++;
      boolean ok = o.passed();
      if (ok) {
        row[1]++;
        passed++;
      }
      if (o.stoppedBy() != null) {
        row[2]++;
        if (ok) {
          row[3]++;
        }
        stopped.add(o.stage().name() + ": " + o.status() + " " + o.stoppedBy() + (ok ? " (passed: expects no rule)" : ""));
      } else {
        inspected++;
        if (ok) {
          passedInspected++;
        }
      }
      if (!ok) {
        failures.add(o.stage().name() + " expect " + o.stage().expect() + " no_expect " + o.stage().noExpect()
            + " fired " + o.fired() + (o.stoppedBy() == null ? "" : " (stopped before the WAF: " + o.stoppedBy() + ")"));
      }
    }
    StringBuilder table = new StringBuilder("| rule file | stages | passed | rate | stopped before the WAF (of them passed) |\n"
        + "|---|---:|---:|---:|---:|\n");
    perFile.forEach((file, r) -> table.append(String.format("| %s | %d | %d | %.1f %% | %d (%d) |%n",
        file, r[0], r[1], 100.0 * r[1] / r[0], r[2], r[3])));
    double rate = 100.0 * passed / outcomes.size();
    table.append(String.format("| all | %d | %d | %.2f %% | %d (%d) |%n", outcomes.size(), passed, rate,
        outcomes.size() - inspected, passed - passedInspected));
    table.append(String.format("%d stages reached the WAF, %d of them passed (%.2f %%); %d stages carry neither "
        + "expect_ids nor no_expect_ids and are not judged%n", inspected, passedInspected,
        100.0 * passedInspected / Math.max(1, inspected), unjudged));
    System.out.println(table);
    System.out.println("stopped before the WAF (" + stopped.size() + "):");
    stopped.forEach(s -> System.out.println("  " + s));
    System.out.println("failed (" + failures.size() + "):");
    failures.forEach(s -> System.out.println("  " + s));
    assertThat(rate).as("overall pass rate %% (see the failures printed above)").isGreaterThanOrEqualTo(FLOOR_PERCENT);
  }

  /** The problem types of the HTTP/1.1 validator, which answers before a request reaches the pipeline. */
  private static final Set<String> PARSER_PROBLEMS = java.util.Arrays.stream(
          io.gatehouse.gateway.internal.http1.Http1Violation.values())
      .map(v -> "urn:gatehouse:problem:" + v.type()).collect(java.util.stream.Collectors.toUnmodifiableSet());

  /** Sends one stage on its own connection and reads the verdict from its access-log record. */
  private static Outcome run(Stage s, Map<String, CompletableFuture<JsonNode>> records) throws Exception {
    Response r = send(s.request());
    if (r.requestId() == null || PARSER_PROBLEMS.contains(r.type())) {
      // answered before a request reached the pipeline (the HTTP/1.1 validator's problem types): no
      // access-log record
      String why = r.status() == 0 ? "no response within " + READ_TIMEOUT.toSeconds() + " s"
          : "HTTP/1.1 parser: " + r.detail();
      return new Outcome(s, r.status(), Set.of(), why);
    }
    JsonNode record;
    try {
      record = records.computeIfAbsent(r.requestId(), k -> new CompletableFuture<>()).get(Await.DEADLINE.toSeconds(), TimeUnit.SECONDS);
    } catch (TimeoutException e) {
      throw new AssertionError("no access-log record for " + s.name() + " (request " + r.requestId() + ")");
    } finally {
      records.remove(r.requestId());
    }
    JsonNode waf = record.get("waf");
    if (waf == null) {
      String error = record.path("error").asText("");
      return new Outcome(s, r.status(), Set.of(), "gateway " + (error.isEmpty() ? "status " + r.status() : error) + ": " + r.detail());
    }
    Set<Long> fired = new LinkedHashSet<>();
    waf.path("rules").forEach(n -> fired.add(n.asLong()));
    return new Outcome(s, r.status(), fired, null);
  }

  /** The status, request id and problem detail of the response to {@code request} on a new connection. */
  private static Response send(byte[] request) throws IOException {
    try (Socket socket = new Socket("127.0.0.1", GH.gateway().port())) {
      socket.setSoTimeout((int) READ_TIMEOUT.toMillis());
      OutputStream out = socket.getOutputStream();
      out.write(request);
      out.flush();
      InputStream in = socket.getInputStream();
      try {
        return Response.read(in);
      } catch (SocketTimeoutException e) {
        return new Response(0, null, "", "");
      }
    }
  }

  /** A final response read off the socket: the head, then a Content-Length or chunked body, or up to the end. */
  record Response(int status, String requestId, String type, String detail) {
    static Response read(InputStream in) throws IOException {
      while (true) {
        String head = head(in);
        if (head == null) {
          return new Response(0, null, "", "connection closed without a response");
        }
        int status = Integer.parseInt(head.substring(9, 12));
        if (status >= 100 && status < 200) {
          continue;
        }
        String requestId = null;
        long length = -1;
        boolean chunked = false;
        for (String line : head.split("\r\n")) {
          int colon = line.indexOf(':');
          if (colon < 0) {
            continue;
          }
          String name = line.substring(0, colon).trim();
          String value = line.substring(colon + 1).trim();
          if (name.equalsIgnoreCase("x-request-id")) {
            requestId = value;
          } else if (name.equalsIgnoreCase("content-length")) {
            length = Long.parseLong(value);
          } else if (name.equalsIgnoreCase("transfer-encoding")) {
            chunked = value.toLowerCase(java.util.Locale.ROOT).contains("chunked");
          }
        }
        byte[] body;
        if (chunked) {
          body = chunks(in);
        } else if (length >= 0) {
          body = in.readNBytes((int) length);
        } else {
          body = in.readAllBytes();
        }
        String text = new String(body, StandardCharsets.UTF_8);
        Matcher m = Pattern.compile("\"detail\":\"((?:[^\"\\\\]|\\\\.)*)\"").matcher(text);
        Matcher t = Pattern.compile("\"type\":\"([^\"]*)\"").matcher(text);
        return new Response(status, requestId, t.find() ? t.group(1) : "", m.find() ? m.group(1) : "");
      }
    }

    private static String head(InputStream in) throws IOException {
      ByteArrayOutputStream head = new ByteArrayOutputStream();
      int b;
      int n = 0;
      while ((b = in.read()) >= 0) {
        head.write(b);
        n++;
        byte[] h = head.toByteArray();
        if (n >= 4 && h[n - 4] == '\r' && h[n - 3] == '\n' && h[n - 2] == '\r' && h[n - 1] == '\n') {
          return head.toString(StandardCharsets.ISO_8859_1);
        }
      }
      return null;
    }

    private static byte[] chunks(InputStream in) throws IOException {
      ByteArrayOutputStream body = new ByteArrayOutputStream();
      while (true) {
        StringBuilder size = new StringBuilder();
        int b;
        while ((b = in.read()) >= 0 && b != '\n') {
          if (b != '\r') {
            size.append((char) b);
          }
        }
        int semi = size.indexOf(";");
        int n = Integer.parseInt((semi < 0 ? size.toString() : size.substring(0, semi)).trim(), 16);
        if (n == 0) {
          return body.toByteArray();
        }
        body.write(in.readNBytes(n));
        in.readNBytes(2);
      }
    }
  }

  /** The repository's copy of the CRS regression tests. */
  static Path suite() {
    Path rules = WafPolicyTest.crs();
    Path suite = rules.getParent().resolve("crs-regression");
    assertThat(suite).as("testdata/crs-regression (run testdata/refresh.sh)").isDirectory();
    return suite;
  }

  /** Adds every judged stage under {@code root} to {@code out}; returns how many stages are not judged. */
  static int load(Path root, List<Stage> out) throws IOException {
    ObjectMapper yaml = new ObjectMapper(new YAMLFactory());
    List<Path> files;
    try (Stream<Path> s = Files.walk(root)) {
      files = s.filter(p -> p.toString().endsWith(".yaml")).sorted().toList();
    }
    int unjudged = 0;
    for (Path f : files) {
      String ruleFile = f.getParent().getFileName().toString();
      Iterator<JsonNode> docs = yaml.readerFor(JsonNode.class).readValues(f.toFile());
      while (docs.hasNext()) {
        for (JsonNode test : docs.next().path("tests")) {
          int stageNo = 0;
          for (JsonNode stage : test.path("stages")) {
            stageNo++;
            JsonNode log = stage.path("output").path("log");
            if (!log.has("expect_ids") && !log.has("no_expect_ids")) {
              unjudged++;
              continue;
            }
            out.add(new Stage(ruleFile, f.getFileName() + " test " + test.path("test_id").asText() + " stage " + stageNo,
                request(stage.path("input")), ids(log.path("expect_ids")), ids(log.path("no_expect_ids"))));
          }
        }
      }
    }
    return unjudged;
  }

  private static Set<Long> ids(JsonNode list) {
    Set<Long> ids = new LinkedHashSet<>();
    list.forEach(n -> ids.add(n.asLong()));
    return Set.copyOf(ids);
  }

  /**
   * The bytes go-ftw writes for a stage input: {@code encoded_request} decoded as is; otherwise the
   * request line, the headers in order, with {@code Content-Length} (when there is data) and {@code
   * Connection: close} added when absent unless {@code autocomplete_headers: false}, and the data.
   */
  static byte[] request(JsonNode in) {
    if (in.has("encoded_request")) {
      return Base64.getMimeDecoder().decode(in.path("encoded_request").asText().trim());
    }
    String method = in.path("method").asText("GET");
    String uri = in.path("uri").asText("/");
    String version = in.path("version").asText("HTTP/1.1");
    byte[] body = in.has("data") ? template(in.path("data").asText()).getBytes(StandardCharsets.UTF_8) : new byte[0];
    StringBuilder head = new StringBuilder(method).append(' ').append(uri).append(' ').append(version).append("\r\n");
    boolean hasLength = false;
    boolean hasConnection = false;
    Iterator<Map.Entry<String, JsonNode>> it = in.path("headers").fields();
    while (it.hasNext()) {
      Map.Entry<String, JsonNode> h = it.next();
      head.append(h.getKey()).append(": ").append(h.getValue().asText()).append("\r\n");
      hasLength |= h.getKey().equalsIgnoreCase("content-length");
      hasConnection |= h.getKey().equalsIgnoreCase("connection");
    }
    if (in.path("autocomplete_headers").asBoolean(true)) {
      if (body.length > 0 && !hasLength) {
        head.append("Content-Length: ").append(body.length).append("\r\n");
      }
      if (!hasConnection) {
        head.append("Connection: close\r\n");
      }
    }
    head.append("\r\n");
    byte[] h = head.toString().getBytes(StandardCharsets.UTF_8);
    byte[] all = java.util.Arrays.copyOf(h, h.length + body.length);
    System.arraycopy(body, 0, all, h.length, body.length);
    return all;
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
}
