package io.gatehouse.server.internal;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.gatehouse.gateway.events.TrafficEvent;
import io.gatehouse.gateway.events.TrafficEventConsumer;
import io.gatehouse.gateway.security.InjectionDetection;
import io.gatehouse.insight.Finding;
import io.gatehouse.insight.advisor.Advice;
import io.gatehouse.insight.advisor.PostureAdvisor;
import io.gatehouse.insight.advisor.RuntimeFacts;
import io.gatehouse.insight.discovery.DiscoveryReport;
import io.gatehouse.insight.discovery.EndpointInventory;
import io.gatehouse.insight.discovery.Observation;
import io.gatehouse.insight.discovery.ObservedEndpoint;
import io.gatehouse.insight.threat.AlertStore;
import io.gatehouse.insight.threat.TemporaryBlocklist;
import io.gatehouse.insight.threat.ThreatAlert;
import io.gatehouse.insight.threat.ThreatEngine;
import io.gatehouse.insight.threat.ThreatSettings;
import io.gatehouse.insight.threat.TrafficSample;
import io.gatehouse.insight.threat.WebhookSignature;
import io.gatehouse.model.ApiDef;
import io.gatehouse.model.ConfigMapper;
import io.gatehouse.model.GatewayConfig;
import io.gatehouse.model.OperationDef;
import io.vertx.core.http.HttpMethod;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Wires the security intelligence into a running server: consumes traffic events (threat
 * detection, discovery), receives injection-protection detections, stores alerts, logs them, posts
 * them to signed webhooks, and serves the security and discovery management routes.
 */
final class SecurityMonitor implements TrafficEventConsumer {
  private static final Logger LOG = LoggerFactory.getLogger(SecurityMonitor.class);
  private static final ObjectMapper JSON = ConfigMapper.json();

  private final Supplier<GatewayConfig> config;
  private final ThreatEngine engine;
  private final AlertStore alerts = new AlertStore(1000);
  private final EndpointInventory inventory = new EndpointInventory(500, 100);
  private final List<URI> webhooks;
  private final String webhookSecret;
  private final HttpClient http;
  private final TemporaryBlocklist blocklist;
  private final Instant started = Instant.now();
  private final Map<String, List<String>> injections = new LinkedHashMap<>(16, 0.75f, true) {
    @Override
    protected boolean removeEldestEntry(Map.Entry<String, List<String>> eldest) {
      return size() > 10_000;
    }
  };

  SecurityMonitor(Supplier<GatewayConfig> config, ThreatSettings settings, List<URI> webhooks, String webhookSecret,
      TemporaryBlocklist blocklist) {
    this.config = requireNonNull(config, "config");
    this.webhooks = List.copyOf(webhooks);
    this.webhookSecret = webhookSecret == null || webhookSecret.isBlank() ? null : webhookSecret;
    this.http = webhooks.isEmpty() ? null : HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    this.blocklist = blocklist;
    this.engine = new ThreatEngine(settings, this::raise);
    if (!webhooks.isEmpty() && this.webhookSecret == null) {
      LOG.warn("alert webhooks are configured without a secret: deliveries are not signed");
    }
  }

  AlertStore alerts() {
    return alerts;
  }

  EndpointInventory inventory() {
    return inventory;
  }

  /** Called on the event loop by injection-protection: only records the categories for the coming traffic event. */
  void detected(InjectionDetection d) {
    List<String> cats = d.findings().stream().map(f -> f.category().name()).distinct().toList();
    synchronized (injections) {
      injections.put(d.requestId(), cats);
    }
  }

  @Override
  public void accept(TrafficEvent e) {
    List<String> cats;
    synchronized (injections) {
      cats = injections.remove(e.requestId());
    }
    engine.observe(new TrafficSample(e.time(), e.requestId(), e.clientIp(), e.subscription(), e.api(), e.operation(),
        e.method(), e.path(), e.query(), e.status(), e.bytesOut(), cats));
    if (!e.api().isEmpty() && e.backendStatus() != null) { // only what the backend served is an endpoint
      String below = belowPrefix(e.api(), e.path());
      inventory.record(new Observation(e.api(), e.method(), below, e.status(),
          e.subscription() != null && !e.subscription().isEmpty(), queryNames(e.query()), Set.of(), Set.of(), e.time()));
    }
  }

  private String belowPrefix(String api, String path) {
    String prefix = config.get().api(api).map(ApiDef::path).orElse("");
    if (prefix.length() > 1 && path.startsWith(prefix)) {
      String rest = path.substring(prefix.length());
      return rest.isEmpty() ? "/" : rest;
    }
    return path;
  }

  private static Set<String> queryNames(String query) {
    Set<String> names = new HashSet<>();
    if (query != null) {
      for (String pair : query.split("&")) {
        int eq = pair.indexOf('=');
        String n = eq < 0 ? pair : pair.substring(0, eq);
        if (!n.isEmpty()) {
          names.add(n);
        }
      }
    }
    return names;
  }

  private void raise(ThreatAlert a) {
    alerts.accept(a);
    LOG.warn("security alert {} {} {} api={} identity={}: {}", a.severity(), a.detector(), a.id(), a.api(), a.identity(),
        a.title());
    if (blocklist != null) {
      blocklist.accept(a);
    }
    if (http == null) {
      return;
    }
    byte[] body = alertJson(a).toString().getBytes(StandardCharsets.UTF_8);
    for (URI hook : webhooks) {
      HttpRequest.Builder b = HttpRequest.newBuilder(hook).timeout(Duration.ofSeconds(10))
          .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofByteArray(body));
      if (webhookSecret != null) {
        b.header(WebhookSignature.HEADER, WebhookSignature.sign(webhookSecret, body));
      }
      http.sendAsync(b.build(), HttpResponse.BodyHandlers.discarding()).whenComplete((r, err) -> {
        if (err != null) {
          LOG.warn("alert webhook {} failed: {}", hook.getHost(), err.toString());
        } else if (r.statusCode() >= 300) {
          LOG.warn("alert webhook {} answered {}", hook.getHost(), r.statusCode());
        }
      });
    }
  }

  static ObjectNode alertJson(ThreatAlert a) {
    ObjectNode o = JSON.createObjectNode();
    o.put("id", a.id());
    o.put("time", a.time().toString());
    o.put("detector", a.detector());
    o.put("severity", a.severity().name().toLowerCase(java.util.Locale.ROOT));
    o.put("api", a.api());
    o.put("identity", a.identity());
    o.put("title", a.title());
    ArrayNode ev = o.putArray("evidence");
    a.evidence().forEach(ev::add);
    return o;
  }

  // ---------------------------------------------------------------- management routes

  /** Mounts the security and discovery routes behind the management server's authentication. */
  void mount(io.gatehouse.control.ManagementServer management) {
    Router router = management.router();
    router.route(HttpMethod.GET, "/api/v1/security/recommendations")
        .handler(management.requiring("config:read")).handler(this::recommendations);
    router.route(HttpMethod.GET, "/api/v1/security/alerts")
        .handler(management.requiring("audit:read")).handler(this::alertList);
    router.route(HttpMethod.GET, "/api/v1/discovery/:api/openapi")
        .handler(management.requiring("config:read")).handler(this::discoveryOpenApi);
    router.route(HttpMethod.GET, "/api/v1/discovery/:api")
        .handler(management.requiring("config:read")).handler(this::discovery);
  }

  /** The runtime facts the server knows: traffic last-seen times per declared operation. */
  RuntimeFacts facts(List<RuntimeFacts.Listener> listeners) {
    Map<String, Instant> lastSeen = new LinkedHashMap<>();
    for (ApiDef api : config.get().apis()) {
      for (ObservedEndpoint e : inventory.endpoints(api.name())) {
        lastSeen.merge(api.name() + " " + e.method() + " " + e.template(), e.lastSeen(),
            (x, y) -> x.isAfter(y) ? x : y);
      }
    }
    return new RuntimeFacts(listeners, lastSeen, started, null, null, certificates.get(), null, null);
  }

  private Supplier<List<RuntimeFacts.Certificate>> certificates = List::of;

  /** Where the certificates in use come from, for the expiry rules. */
  void certificates(Supplier<List<RuntimeFacts.Certificate>> certificates) {
    this.certificates = requireNonNull(certificates, "certificates");
  }

  private List<RuntimeFacts.Listener> listeners = List.of();

  void listeners(List<RuntimeFacts.Listener> listeners) {
    this.listeners = List.copyOf(listeners);
  }

  private void recommendations(RoutingContext ctx) {
    Advice advice = PostureAdvisor.defaults().advise(config.get(), facts(listeners), Instant.now());
    ObjectNode root = JSON.createObjectNode();
    root.put("score", advice.score());
    ArrayNode arr = root.putArray("findings");
    for (Finding f : advice.findings()) {
      ObjectNode o = arr.addObject();
      o.put("rule", f.rule());
      o.put("severity", f.severity().name().toLowerCase(java.util.Locale.ROOT));
      o.put("resource", f.resource());
      o.put("title", f.title());
      o.put("explanation", f.explanation());
      o.put("remediation", f.remediation());
      o.put("owasp", f.owasp());
    }
    ArrayNode notes = root.putArray("notes");
    advice.notes().forEach(notes::add);
    json(ctx, 200, root.toString());
  }

  private void alertList(RoutingContext ctx) {
    ObjectNode root = JSON.createObjectNode();
    ArrayNode items = root.putArray("items");
    for (ThreatAlert a : alerts.list()) {
      items.add(alertJson(a));
    }
    root.put("dropped", alerts.dropped());
    json(ctx, 200, root.toString());
  }

  private void discovery(RoutingContext ctx) {
    String name = ctx.pathParam("api");
    ApiDef api = config.get().api(name).orElse(null);
    if (api == null) {
      notFound(ctx, name);
      return;
    }
    DiscoveryReport report = inventory.compare(name, api.operations(), Map.of(), Instant.now(), Duration.ofDays(30));
    ObjectNode root = JSON.createObjectNode();
    root.put("api", name);
    root.set("endpoints", JSON.valueToTree(inventory.endpoints(name)));
    root.set("shadow", JSON.valueToTree(report.shadow()));
    ArrayNode unused = root.putArray("unused");
    for (OperationDef op : report.unused()) {
      unused.add(op.toString());
    }
    root.set("undocumentedParameters", JSON.valueToTree(report.undocumentedParameters()));
    json(ctx, 200, root.toString());
  }

  private void discoveryOpenApi(RoutingContext ctx) {
    String name = ctx.pathParam("api");
    if (config.get().api(name).isEmpty()) {
      notFound(ctx, name);
      return;
    }
    json(ctx, 200, inventory.exportOpenApi(name));
  }

  private static void notFound(RoutingContext ctx, String name) {
    ObjectNode p = JSON.createObjectNode();
    p.put("type", "about:blank");
    p.put("title", "Not Found");
    p.put("status", 404);
    p.put("detail", "no API named '" + name + "'");
    ctx.response().setStatusCode(404).putHeader("Content-Type", "application/problem+json").end(p.toString());
  }

  private static void json(RoutingContext ctx, int status, String body) {
    ctx.response().setStatusCode(status).putHeader("Content-Type", "application/json").end(body);
  }
}
