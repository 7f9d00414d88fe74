package io.gatehouse.gateway.internal.policy.builtin;

import io.gatehouse.gateway.events.WafOutcome;
import io.gatehouse.gateway.internal.policy.PolicyCompiler;
import io.gatehouse.gateway.internal.policy.PolicyConfig;
import io.gatehouse.gateway.internal.policy.Section;
import io.gatehouse.model.PolicyNames;
import io.gatehouse.policy.Body;
import io.gatehouse.policy.BodyTooLargeException;
import io.gatehouse.policy.Headers;
import io.gatehouse.policy.Policy;
import io.gatehouse.policy.PolicyConfigException;
import io.gatehouse.policy.PolicyContext;
import io.gatehouse.policy.Response;
import io.gatehouse.gateway.security.InjectionDetection;
import io.gatehouse.gateway.security.InjectionDetections;
import io.gatehouse.insight.injection.InjectionCategory;
import io.gatehouse.insight.injection.InjectionFinding;
import io.gatehouse.waf.WafEngine;
import io.gatehouse.waf.WafMatch;
import io.gatehouse.waf.WafRequest;
import io.gatehouse.waf.WafResponse;
import io.gatehouse.waf.WafTransaction;
import io.gatehouse.waf.WafVerdict;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code waf}: runs a SecLang rule set (the OWASP Core Rule Set from the files {@code rules} names,
 * plus {@code custom-rules}) on the request line, headers and body up to {@code max-body-size};
 * with {@code inspect-response}, on the response too;
 * {@code mode: block} answers 403 when an anomaly score reaches its threshold or the
 * request uses up its {@code inspection-budget} (fail closed), {@code mode: detect} only logs. The
 * compiled rule set is shared by every policy with the same rules and settings while the files are
 * unchanged.
 */
final class WebApplicationFirewall extends Base {
  private static final Logger LOG = LoggerFactory.getLogger(WebApplicationFirewall.class);
  private static final Pattern RULE_ID = Pattern.compile("[0-9]{1,9}(-[0-9]{1,9})?");
  private static final Pattern TAG = Pattern.compile("[A-Za-z0-9_./:-]{1,128}");
  private static final Pattern TARGET = Pattern.compile("[A-Za-z_]{1,40}(:[A-Za-z0-9_.\\-\\[\\]]{1,128})?");

  WebApplicationFirewall() {
    super(PolicyNames.WAF);
  }

  @Override
  public io.gatehouse.policy.Policy create(PolicyConfig c, Section section, PolicyCompiler compiler) {
    requestSectionsOnly(name(), section);
    List<String> globs = c.strings("rules");
    List<String> custom = c.strings("custom-rules");
    for (int i = 0; i < custom.size(); i++) {
      // Files reach the engine only through 'rules', which the management API checks against
      // --reference-allow; a custom rule must not name one of its own.
      if (custom.get(i).toLowerCase(java.util.Locale.ROOT).contains("fromfile")) {
        throw new PolicyConfigException("custom-rules[" + i + "]",
            "operators that read files (@pmFromFile, @ipMatchFromFile) are not allowed in custom rules;"
            + " put such a rule in a file named by 'rules'");
      }
    }
    if (globs.isEmpty() && custom.isEmpty()) {
      throw new PolicyConfigException("rules", "is required: list the rule files (e.g. the Core Rule Set's "
          + "crs-setup.conf and rules/*.conf) or give custom-rules");
    }
    int paranoia = (int) c.number("paranoia-level", 1, 1, 4);
    Map<String, Object> thresholds = c.map("anomaly-threshold");
    PolicyConfig t = PolicyConfig.of(thresholds);
    long inbound = t.number("inbound", 5, 1, 100_000);
    long outbound = t.number("outbound", 4, 1, 100_000);
    try {
      t.done();
    } catch (PolicyConfigException e) {
      throw new PolicyConfigException("anomaly-threshold." + e.field(), e.getMessage());
    }
    boolean block = c.oneOf("mode", "block", "block", "detect").equals("block");
    int maxBody = (int) c.number("max-body-size", 128 * 1024, 0, 16L * 1024 * 1024);
    java.time.Duration budget = c.duration("inspection-budget", java.time.Duration.ofSeconds(1));
    boolean inspectResponse = c.bool("inspect-response", false);
    int maxResponseBody = (int) c.number("max-response-body-size", 128 * 1024, 0, 16L * 1024 * 1024);
    int maxRecords = (int) c.number("max-collection-records", io.gatehouse.waf.WafCollections.DEFAULT_MAX_RECORDS, 1, 1_000_000);
    java.time.Duration collectionTimeout = c.duration("collection-timeout", io.gatehouse.waf.WafCollections.DEFAULT_TIMEOUT);
    // IP, SESSION, USER, GLOBAL and RESOURCE records belong to this policy (its place in the
    // configuration) and outlive configuration reloads; new bounds start a new store
    Collections state = compiler.state(name(), null, Collections.class, Collections::new);
    io.gatehouse.waf.WafCollections collections = state.obtain(maxRecords, collectionTimeout,
        compiler.states()::monotonicMillis);
    String settings = "SecAction \"id:900000,phase:1,pass,nolog,setvar:tx.blocking_paranoia_level=" + paranoia + "\"\n"
        + "SecAction \"id:900110,phase:1,pass,nolog,setvar:tx.inbound_anomaly_score_threshold=" + inbound
        + ",setvar:tx.outbound_anomaly_score_threshold=" + outbound + "\"\n";
    String exclusions = exclusions(c.list("exclusions"));
    WafEngine engine = WafEngines.get(globs, settings, String.join("\n", custom), exclusions,
        block ? WafEngine.Mode.BLOCK : WafEngine.Mode.DETECT, budget);
    return (Policy) (ctx, next) -> {
      Body body = ctx.request().body();
      if (maxBody == 0 || body.length() == 0) {
        WafTransaction tx = engine.begin(request(ctx, new byte[0]), collections);
        Response r = verdict(ctx, tx.inspectRequest(), block);
        return r != null ? ctx.completed(r) : proceed(ctx, next, tx, inspectResponse, maxResponseBody, block);
      }
      if (body.length() > maxBody) {
        return ctx.completed(tooLarge(ctx, maxBody));
      }
      WafTransaction[] tx = new WafTransaction[1];
      return body.aggregate(maxBody).handle((bytes, error) -> {
        Throwable cause = error instanceof CompletionException && error.getCause() != null ? error.getCause() : error;
        if (cause instanceof BodyTooLargeException) {
          return tooLarge(ctx, maxBody);
        }
        if (cause != null) {
          throw new CompletionException(cause);
        }
        ctx.request().body(Body.of(bytes));
        tx[0] = engine.begin(request(ctx, bytes), collections);
        return verdict(ctx, tx[0].inspectRequest(), block);
      }).thenCompose(r -> r != null ? ctx.completed(r) : proceed(ctx, next, tx[0], inspectResponse, maxResponseBody, block));
    };
  }

  /** The persistent collections of one {@code waf} policy, replaced when its bounds change. */
  static final class Collections {
    private io.gatehouse.waf.WafCollections current;
    private int maxRecords;
    private java.time.Duration timeout;

    synchronized io.gatehouse.waf.WafCollections obtain(int maxRecords, java.time.Duration timeout,
        java.util.function.LongSupplier nowMillis) {
      if (current == null || this.maxRecords != maxRecords || !this.timeout.equals(timeout)) {
        current = io.gatehouse.waf.WafCollections.inMemory(maxRecords, timeout, nowMillis);
        this.maxRecords = maxRecords;
        this.timeout = timeout;
      }
      return current;
    }
  }

  /**
   * Forwards, then (with {@code inspect-response}) runs the response phases on the status, headers
   * and a body of known length up to the limit (a longer or streamed body: headers only).
   */
  private static CompletionStage<Response> proceed(PolicyContext ctx, io.gatehouse.policy.PolicyChain next, WafTransaction tx,
      boolean inspectResponse, int maxBody, boolean block) {
    CompletionStage<Response> forwarded = next.proceed(ctx);
    if (!inspectResponse) {
      return forwarded;
    }
    return forwarded.thenCompose(res -> {
      long length = res.body().length();
      if (maxBody == 0 || length < 0 || length > maxBody) {
        Response r = verdict(ctx, tx.inspectResponse(response(res, new byte[0])), block);
        return ctx.completed(r != null ? r : res);
      }
      return res.body().aggregate(maxBody).thenApply(bytes -> {
        res.body(Body.of(bytes));
        Response r = verdict(ctx, tx.inspectResponse(response(res, bytes)), block);
        return r != null ? r : res;
      });
    });
  }

  private static WafResponse response(Response res, byte[] body) {
    List<Map.Entry<String, String>> headers = new ArrayList<>();
    for (String name : res.headers().names()) {
      for (String v : res.headers().getAll(name)) {
        headers.add(Map.entry(name, text(v)));
      }
    }
    return new WafResponse(res.status(), "HTTP/1.1", headers, body);
  }

  private static Response tooLarge(PolicyContext ctx, int maxBody) {
    return ctx.problem(413, "Content Too Large",
        "the request body exceeds the " + maxBody + " bytes that the web application firewall inspects");
  }

  /** SecLang removals for {@code exclusions: [{rule: 942100}, {tag: attack-sqli, target: ARGS:q}]}. */
  static String exclusions(List<Object> list) {
    StringBuilder b = new StringBuilder();
    for (int i = 0; i < list.size(); i++) {
      String field = "exclusions[" + i + "]";
      if (!(list.get(i) instanceof Map<?, ?> m)) {
        throw new PolicyConfigException(field, "expected a map such as {rule: 942100} or {tag: attack-sqli, target: ARGS:q}");
      }
      @SuppressWarnings("unchecked")
      PolicyConfig e = PolicyConfig.of((Map<String, Object>) m);
      String rule = e.string("rule", null);
      String tag = e.string("tag", null);
      String target = e.string("target", null);
      try {
        e.done();
      } catch (PolicyConfigException x) {
        throw new PolicyConfigException(field + "." + x.field(), x.getMessage());
      }
      if ((rule == null) == (tag == null)) {
        throw new PolicyConfigException(field, "give exactly one of rule (an id or id range) and tag");
      }
      if (rule != null && !RULE_ID.matcher(rule).matches()) {
        throw new PolicyConfigException(field + ".rule", "expected a rule id such as 942100 or a range such as 942100-942199");
      }
      if (tag != null && !TAG.matcher(tag).matches()) {
        throw new PolicyConfigException(field + ".tag", "expected a tag name such as attack-sqli");
      }
      if (target != null && !TARGET.matcher(target).matches()) {
        throw new PolicyConfigException(field + ".target", "expected a variable such as ARGS:q or REQUEST_COOKIES:session");
      }
      String by = rule != null ? "Id " + rule : "Tag " + tag;
      if (target == null) {
        b.append("SecRuleRemoveBy").append(by).append('\n');
      } else {
        b.append("SecRuleUpdateTargetBy").append(by).append(" \"!").append(target).append("\"\n");
      }
    }
    return b.toString();
  }

  /**
   * The request as the client sent it: the request-target and protocol as received (before routing
   * strips the API's path), the headers policies see (hop-by-hop fields and names with {@code _}
   * are dropped before any policy runs, and never reach the backend either) and the body.
   */
  private static WafRequest request(PolicyContext ctx, byte[] body) {
    Headers h = ctx.request().headers();
    List<Map.Entry<String, String>> headers = new ArrayList<>();
    for (String name : h.names()) {
      for (String v : h.getAll(name)) {
        headers.add(Map.entry(name, text(v)));
      }
    }
    String uri;
    String protocol;
    if (ctx instanceof io.gatehouse.gateway.internal.policy.GatewayContext g) {
      uri = g.requestTarget();
      protocol = g.protocol();
    } else {
      String query = ctx.request().query();
      uri = ctx.request().path() + (query == null || query.isEmpty() ? "" : "?" + query);
      protocol = "HTTP/1.1";
    }
    return new WafRequest(ctx.request().method(), uri, protocol, headers, body, ctx.clientIp());
  }

  /**
   * A header value as the engine expects it (Unicode text, which it inspects as UTF-8 bytes): the
   * HTTP layer hands over field values one character per received byte, so a value whose bytes are
   * valid UTF-8 is decoded as UTF-8, and the engine sees exactly the bytes the client sent. Other
   * values are passed unchanged (their bytes above 0x7F then reach the rules UTF-8 encoded).
   */
  static String text(String wire) {
    int i = 0;
    while (i < wire.length() && wire.charAt(i) < 0x80) {
      i++;
    }
    if (i == wire.length()) {
      return wire;
    }
    for (int j = i; j < wire.length(); j++) {
      if (wire.charAt(j) > 0xFF) {
        return wire; // not a byte string (set by a policy): already text
      }
    }
    byte[] bytes = wire.getBytes(java.nio.charset.StandardCharsets.ISO_8859_1);
    try {
      return java.nio.charset.StandardCharsets.UTF_8.newDecoder()
          .onMalformedInput(java.nio.charset.CodingErrorAction.REPORT)
          .onUnmappableCharacter(java.nio.charset.CodingErrorAction.REPORT)
          .decode(java.nio.ByteBuffer.wrap(bytes)).toString();
    } catch (java.nio.charset.CharacterCodingException e) {
      return wire;
    }
  }

  /** CRS attack tags as the threat engine's injection categories. */
  private static final Map<String, InjectionCategory> CATEGORIES = Map.of(
      "attack-sqli", InjectionCategory.SQLI, "attack-xss", InjectionCategory.XSS,
      "attack-rce", InjectionCategory.COMMAND, "attack-lfi", InjectionCategory.LFI,
      "attack-rfi", InjectionCategory.RFI, "attack-php", InjectionCategory.PHP,
      "attack-ssrf", InjectionCategory.SSRF, "attack-injection-generic", InjectionCategory.NODE);

  /**
   * Feeds matches of attack rules to the threat engine (alerts, auto-blocking, security pages) as
   * injection detections; the evidence is the rule and variable, never the value.
   */
  private static void publish(PolicyContext ctx, WafVerdict v, boolean blocked) {
    List<InjectionFinding> findings = new ArrayList<>();
    for (WafMatch m : v.matches()) {
      for (String tag : m.tags()) {
        InjectionCategory c = CATEGORIES.get(tag);
        if (c != null) {
          findings.add(new InjectionFinding(c, m.variable().isEmpty() ? "request" : m.variable(),
              "rule " + m.ruleId(), Math.min(100, Math.max(v.inboundScore(), v.outboundScore()) * 10), "waf:" + m.ruleId()));
          break;
        }
      }
    }
    if (findings.isEmpty()) {
      return;
    }
    String subscription = ctx instanceof io.gatehouse.gateway.internal.policy.GatewayContext g ? g.subscriptionName() : "";
    InjectionDetections.publish(new InjectionDetection(Instant.now(), ctx.requestId(), ctx.apiName(), ctx.operation(),
        ctx.clientIp(), subscription == null || subscription.isEmpty() ? null : subscription, ctx.request().method(),
        ctx.request().path(), blocked, findings));
  }

  private static Response verdict(PolicyContext ctx, WafVerdict v, boolean block) {
    boolean refuse = block && (v.blocked() || v.budgetExceeded());
    if (!v.matchedRuleIds().isEmpty() || v.budgetExceeded()) {
      LOG.warn("waf {} request {} api={} client={}: rules {} score {}/{}{}", refuse ? "blocked" : "detected",
          ctx.requestId(), ctx.apiName(), ctx.clientIp(), v.matchedRuleIds(), v.inboundScore(), v.outboundScore(),
          v.budgetExceeded() ? " (inspection time budget exceeded)" : "");
    }
    publish(ctx, v, refuse);
    if (ctx instanceof io.gatehouse.gateway.internal.policy.GatewayContext g) {
      g.waf(new WafOutcome(v.matchedRuleIds(), v.inboundScore(), refuse ? WafOutcome.BLOCK : WafOutcome.DETECT));
    }
    // the client learns that the firewall refused the request, never which rule matched
    return refuse ? ctx.problem(403, "Forbidden", "the request was refused by the web application firewall") : null;
  }
}
