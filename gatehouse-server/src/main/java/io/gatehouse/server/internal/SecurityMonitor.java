package io.gatehouse.server.internal;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.gatehouse.control.ManagementServer;
import io.gatehouse.control.MountedRoute;
import io.gatehouse.control.PostureFacts;
import io.gatehouse.gateway.events.TrafficEvent;
import io.gatehouse.gateway.events.TrafficEventConsumer;
import io.gatehouse.gateway.security.BodySample;
import io.gatehouse.gateway.security.BodySampling;
import io.gatehouse.gateway.security.InjectionDetection;
import io.gatehouse.insight.advisor.Advice;
import io.gatehouse.insight.advisor.PostureAdvisor;
import io.gatehouse.insight.advisor.RuntimeFacts;
import io.gatehouse.insight.discovery.DiscoveryReport;
import io.gatehouse.insight.discovery.EndpointInventory;
import io.gatehouse.insight.discovery.Observation;
import io.gatehouse.insight.discovery.ObservedEndpoint;
import io.gatehouse.insight.discovery.PathNormalizer;
import io.gatehouse.insight.sensitive.SensitiveDataScanner;
import io.gatehouse.insight.sensitive.SensitiveType;
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
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Wires the security intelligence into a running server: consumes traffic events (threat
 * detection, discovery), receives injection-protection detections and body samples (scanned for
 * sensitive data on one background thread behind a bounded queue), stores alerts, logs them, posts
 * them to signed webhooks, collects the advisor's runtime facts, and serves the security and
 * discovery management routes.
 */
final class SecurityMonitor implements TrafficEventConsumer {
  private static final Logger LOG = LoggerFactory.getLogger(SecurityMonitor.class);
  private static final ObjectMapper JSON = ConfigMapper.json();
  /** How often a server sharing its database publishes what discovery observed. */
  static final Duration DISCOVERY_PUBLISH = Duration.ofSeconds(1);

  private final Supplier<GatewayConfig> config;
  private final ThreatEngine engine;
  private final AlertStore alerts = new AlertStore(1000);
  private final EndpointInventory inventory = new EndpointInventory(500, 100);
  private final List<URI> webhooks;
  private final String webhookSecret;
  private final HttpClient http;
  private final TemporaryBlocklist blocklist; // decides what --auto-block blocks; shared enforces it
  private volatile io.gatehouse.control.security.ClientBlockList shared;
  private volatile io.gatehouse.control.security.DiscoveredEndpoints discovered;
  private final Instant started = Instant.now();
  private final BlockingQueue<BodySample> samples = new ArrayBlockingQueue<>(1000);
  private final AtomicLong samplesDropped = new AtomicLong();
  private final AtomicLong samplesScanned = new AtomicLong();
  private volatile int scanChars = 8192;
  private volatile PostureFacts posture;
  private volatile List<RuntimeFacts.CertificateSource> certificateSources = List.of();
  private final Map<String, Boolean> seenReports = new LinkedHashMap<>(16, 0.75f, false) {
    @Override
    protected boolean removeEldestEntry(Map.Entry<String, Boolean> eldest) {
      return size() > 10_000;
    }
  };
  private final Map<String, List<String>> injections = new LinkedHashMap<>(16, 0.75f, true) {
    @Override
    protected boolean removeEldestEntry(Map.Entry<String, List<String>> eldest) {
      return size() > 10_000;
    }
  };

  SecurityMonitor(Supplier<GatewayConfig> config, ThreatSettings settings, List<URI> webhooks, String webhookSecret,
      TemporaryBlocklist blocklist) {
    this(config, settings, webhooks, webhookSecret, blocklist, null);
  }

  /** A monitor whose brute-force counts are shared with other servers through {@code shared} (nullable: counted here). */
  SecurityMonitor(Supplier<GatewayConfig> config, ThreatSettings settings, List<URI> webhooks, String webhookSecret,
      TemporaryBlocklist blocklist, io.gatehouse.insight.threat.SharedCounts shared) {
    this.config = requireNonNull(config, "config");
    this.webhooks = List.copyOf(webhooks);
    this.webhookSecret = webhookSecret == null || webhookSecret.isBlank() ? null : webhookSecret;
    this.http = webhooks.isEmpty() ? null : HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    this.blocklist = blocklist;
    this.engine = new ThreatEngine(settings, this::raise, shared);
    if (!webhooks.isEmpty() && this.webhookSecret == null) {
      LOG.warn("alert webhooks are configured without a secret: deliveries are not signed");
    }
  }

  /**
   * Shares discovery with the other servers of the database through {@code endpoints}: publishes
   * what this server observed every {@code every} (on a daemon thread, until the returned handle is
   * closed), and answers discovery with every server's observations merged.
   */
  AutoCloseable shareDiscovery(io.gatehouse.control.security.DiscoveredEndpoints endpoints, Duration every) {
    this.discovered = requireNonNull(endpoints, "endpoints");
    java.util.concurrent.ScheduledExecutorService publisher = java.util.concurrent.Executors.newSingleThreadScheduledExecutor(r -> {
      Thread t = new Thread(r, "gatehouse-discovery-publish");
      t.setDaemon(true);
      return t;
    });
    boolean[] failing = {false};
    publisher.scheduleWithFixedDelay(() -> {
      try {
        List<ObservedEndpoint> all = new ArrayList<>();
        for (String api : inventory.apis()) {
          all.addAll(inventory.endpoints(api));
        }
        endpoints.publish(all);
        if (failing[0]) {
          failing[0] = false;
          LOG.info("discovery observations written to the database again");
        }
      } catch (RuntimeException e) {
        if (!failing[0]) {
          failing[0] = true;
          LOG.warn("cannot write discovery observations to the database; retrying: {}", e.getMessage());
        }
      }
    }, every.toMillis(), every.toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS);
    return publisher::shutdownNow;
  }

  /**
   * The endpoints observed for {@code api}: this server's, merged with the other servers' when
   * discovery is shared (this server's alone, logged, while the database cannot be read). Blocking.
   */
  private List<ObservedEndpoint> observed(String api) {
    io.gatehouse.control.security.DiscoveredEndpoints d = discovered;
    List<ObservedEndpoint> own = inventory.endpoints(api);
    if (d == null) {
      return own;
    }
    try {
      List<ObservedEndpoint> all = new ArrayList<>(own);
      all.addAll(d.others(api));
      return EndpointInventory.merge(all);
    } catch (RuntimeException e) {
      LOG.warn("cannot read the other servers' discovery observations; answering with this server's: {}",
          e.getMessage());
      return own;
    }
  }

  /** Stores the blocks that {@code --auto-block} decides in {@code list}, which every node enforces. */
  void shareBlocks(io.gatehouse.control.security.ClientBlockList list) {
    this.shared = list;
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
    if ("client-blocked".equals(e.error())) {
      // refused before anything else ran: feeding it to the detectors would block the client again as soon as
      // an operator lifts the block (its refused requests count as failures)
      return;
    }
    List<String> cats;
    synchronized (injections) {
      cats = injections.remove(e.requestId());
    }
    observe(new TrafficSample(e.time(), e.requestId(), e.clientIp(), e.subscription(), e.api(), e.operation(),
        e.method(), e.path(), e.query(), e.status(), e.bytesOut(), cats), e.backendStatus() != null);
  }

  /** Feeds one request (of this server or of a gateway node) to the threat detectors and, when a backend answered, discovery. */
  private void observe(TrafficSample s, boolean backendAnswered) {
    engine.observe(s);
    if (!s.api().isEmpty() && backendAnswered) { // only what the backend served is an endpoint
      String below = belowPrefix(s.api(), s.path());
      inventory.record(new Observation(s.api(), s.method(), below, s.status(),
          s.subscription() != null && !s.subscription().isEmpty(), queryNames(s.query()), Set.of(), Set.of(), Set.of(),
          s.time(), templateOf(s.operation())));
    }
  }

  /**
   * Feeds the requests that gateway node {@code node} reports through the same detectors and
   * discovery as this server's own, so that identity-based detections (brute force, enumeration)
   * count across nodes. A report already seen (sent again after a lost answer) is ignored.
   */
  void observe(String node, io.gatehouse.control.cluster.NodeReport report) {
    synchronized (seenReports) {
      if (seenReports.put(node + " " + report.batch(), Boolean.TRUE) != null) {
        return;
      }
    }
    for (io.gatehouse.control.cluster.NodeReport.ObservedRequest r : report.requests()) {
      observe(new TrafficSample(Instant.ofEpochMilli(r.time()), r.requestId(), r.clientIp(),
          r.subscription().isEmpty() ? null : r.subscription(), r.api(), r.operation(), r.method(), r.path(),
          r.query().isEmpty() ? null : r.query(), r.status(), r.bytesOut(), r.injections()), r.backendAnswered());
    }
  }

  /** The path template of a matched operation ({@code "GET /users/{id}"}), or null when none matched. */
  static String templateOf(String operation) {
    int space = operation == null ? -1 : operation.indexOf(' ');
    return space < 0 ? null : operation.substring(space + 1);
  }

  // ---------------------------------------------------------------- sensitive data in body samples

  /** Called on the event loop by the gateway's body sampler: only enqueues (counted when the queue is full). */
  void sampled(BodySample s) {
    if (!samples.offer(s)) {
      samplesDropped.incrementAndGet();
    }
  }

  /**
   * Installs the gateway's body sampler feeding this monitor and starts the scanning thread;
   * returns a handle that stops both.
   */
  AutoCloseable startSampling(BodySampling.Settings settings) {
    scanChars = settings.maxBytes();
    Thread worker = new Thread(() -> {
      try {
        while (!Thread.currentThread().isInterrupted()) {
          scan(samples.take());
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }, "gatehouse-sensitive-scan");
    worker.setDaemon(true);
    worker.start();
    AutoCloseable installed = BodySampling.install(settings, this::sampled);
    return () -> {
      installed.close();
      worker.interrupt();
    };
  }

  /** Scans one sample's query values, request body and response body and records the types found. */
  void scan(BodySample s) {
    try {
      Set<SensitiveType> request = EnumSet.noneOf(SensitiveType.class);
      if (s.query() != null && !s.query().isEmpty()) {
        for (String pair : s.query().split("&")) {
          int eq = pair.indexOf('=');
          if (eq >= 0 && eq < pair.length() - 1) {
            request.addAll(SensitiveDataScanner.scan(decode(pair.substring(eq + 1)), 1024).types());
          }
        }
      }
      request.addAll(SensitiveDataScanner.scan(s.requestBody(), scanChars).types());
      Set<SensitiveType> response = SensitiveDataScanner.scan(s.responseBody(), scanChars).types();
      String template = templateOf(s.operation());
      inventory.recordSensitive(s.api(), s.method(), template != null ? template : PathNormalizer.template(s.path()),
          request, response, s.time());
      samplesScanned.incrementAndGet();
    } catch (RuntimeException e) {
      LOG.warn("sensitive-data scan of request {} failed: {}", s.requestId(), e.toString());
    }
  }

  private static String decode(String value) {
    try {
      return java.net.URLDecoder.decode(value, StandardCharsets.UTF_8);
    } catch (IllegalArgumentException e) {
      return value;
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
      Instant until = a.identity().isEmpty() ? null : blocklist.blocked(Instant.now()).get(a.identity());
      io.gatehouse.control.security.ClientBlockList cluster = shared;
      if (until != null && cluster != null) { // every node enforces it: through the database and the snapshots
        java.util.concurrent.ForkJoinPool.commonPool().execute(() -> {
          try {
            cluster.block(a.identity(), until, "auto:" + a.detector(), "threat-engine");
          } catch (RuntimeException e) {
            LOG.warn("cannot store the automatic block of {}; it applies on no node: {}", a.identity(), e.toString());
          }
        });
      }
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

  /** Mounts the security and discovery routes behind the management server's authentication and permission checks. */
  void mount(ManagementServer management) {
    management.mount(new MountedRoute(HttpMethod.GET, "/api/v1/security/recommendations", "security",
        "Posture advice over the configuration and the server's runtime facts: score, findings, notes", "config:read",
        List.of(), this::recommendations));
    management.mount(new MountedRoute(HttpMethod.GET, "/api/v1/security/alerts", "security",
        "Threat detection alerts, newest first (at most 1000 kept)", "audit:read", List.of(), this::alertList));
    management.mount(new MountedRoute(HttpMethod.GET, "/api/v1/discovery", "discovery",
        "The API inventory: each API's metadata with its observed endpoints and sensitive data seen", "config:read",
        List.of(), offEventLoop(this::inventoryList)));
    management.mount(new MountedRoute(HttpMethod.GET, "/api/v1/discovery/:api/openapi", "discovery",
        "The observed API as an OpenAPI 3.1 document", "config:read", List.of(), offEventLoop(this::discoveryOpenApi)));
    management.mount(new MountedRoute(HttpMethod.GET, "/api/v1/discovery/:api", "discovery",
        "Observed endpoints of an API (with sensitive data types), shadow and unused endpoints", "config:read",
        List.of(), offEventLoop(this::discovery)));
  }

  /**
   * Sets where the advisor's store facts (administrators, key ages, audit chain) and certificate
   * expiries come from; without them those rules are skipped.
   */
  void factSources(PostureFacts posture, List<RuntimeFacts.CertificateSource> certificates) {
    this.posture = posture;
    this.certificateSources = List.copyOf(certificates);
  }

  /**
   * The runtime facts the server knows: listeners, traffic last-seen times per declared operation,
   * sensitive data per endpoint, and, once {@link #factSources} was called, administrators, roles,
   * key ages, the audit chain and certificates. Blocking (reads the stores): call on a worker thread.
   */
  RuntimeFacts facts(List<RuntimeFacts.Listener> listeners) {
    Map<String, Instant> lastSeen = new LinkedHashMap<>();
    List<RuntimeFacts.SensitiveEndpoint> sensitive = new ArrayList<>();
    for (ApiDef api : config.get().apis()) {
      for (ObservedEndpoint e : observed(api.name())) { // every server's, when discovery is shared
        lastSeen.merge(api.name() + " " + e.method() + " " + e.template(), e.lastSeen(),
            (x, y) -> x.isAfter(y) ? x : y);
        if (!e.sensitiveInRequests().isEmpty() || !e.sensitiveInResponses().isEmpty()) {
          sensitive.add(new RuntimeFacts.SensitiveEndpoint(api.name(), e.method(), e.template(),
              e.sensitiveInRequests(), e.sensitiveInResponses()));
        }
      }
    }
    PostureFacts p = posture;
    List<RuntimeFacts.Certificate> certificates = new ArrayList<>();
    for (RuntimeFacts.CertificateSource source : certificateSources) {
      try {
        certificates.addAll(source.certificates());
      } catch (RuntimeException e) {
        LOG.warn("certificate source failed: {}", e.toString());
      }
    }
    return new RuntimeFacts(listeners, lastSeen, started, p == null ? null : p.administrators(),
        p == null ? null : p.auditChain(), certificates, p == null ? null : p.subscriptionKeysCreated(), null,
        sensitive, p == null ? null : p.roles());
  }

  private List<RuntimeFacts.Listener> listeners = List.of();

  void listeners(List<RuntimeFacts.Listener> listeners) {
    this.listeners = List.copyOf(listeners);
  }

  /** {@code handler} on a worker thread when discovery is shared (it reads the database), else as it is. */
  private io.vertx.core.Handler<RoutingContext> offEventLoop(io.vertx.core.Handler<RoutingContext> handler) {
    return ctx -> {
      if (discovered == null) {
        handler.handle(ctx);
        return;
      }
      ctx.vertx().executeBlocking(() -> {
        handler.handle(ctx);
        return null;
      }, false).onFailure(e -> {
        LOG.error("discovery failed", e);
        ctx.fail(500, e);
      });
    };
  }

  private void recommendations(RoutingContext ctx) {
    ctx.vertx().executeBlocking(() -> recommendationsJson(), false).onComplete(ar -> {
      if (ar.succeeded()) {
        json(ctx, 200, ar.result());
      } else {
        LOG.error("posture advice failed", ar.cause());
        ctx.fail(500, ar.cause());
      }
    });
  }

  /** The body of {@code GET /api/v1/security/recommendations}; blocking. */
  String recommendationsJson() {
    Advice advice = PostureAdvisor.defaults().advise(config.get(), facts(listeners), Instant.now());
    return FindingReport.tree(FindingReport.Report.of(advice)).toString();
  }

  private void inventoryList(RoutingContext ctx) {
    ObjectNode root = JSON.createObjectNode();
    ArrayNode items = root.putArray("apis");
    for (ApiDef api : config.get().apis()) {
      ObjectNode o = items.addObject();
      o.put("api", api.name());
      o.put("path", api.path());
      o.set("inventory", JSON.valueToTree(api.inventory()));
      List<ObservedEndpoint> endpoints = observed(api.name());
      o.put("observedEndpoints", endpoints.size());
      Set<SensitiveType> inRequests = new TreeSet<>();
      Set<SensitiveType> inResponses = new TreeSet<>();
      ArrayNode sensitive = o.putArray("sensitiveEndpoints");
      for (ObservedEndpoint e : endpoints) {
        inRequests.addAll(e.sensitiveInRequests());
        inResponses.addAll(e.sensitiveInResponses());
        if (!e.sensitiveInRequests().isEmpty() || !e.sensitiveInResponses().isEmpty()) {
          ObjectNode se = sensitive.addObject();
          se.put("endpoint", e.method() + " " + e.template());
          se.set("sensitiveInRequests", JSON.valueToTree(e.sensitiveInRequests()));
          se.set("sensitiveInResponses", JSON.valueToTree(e.sensitiveInResponses()));
        }
      }
      o.set("sensitiveInRequests", JSON.valueToTree(inRequests));
      o.set("sensitiveInResponses", JSON.valueToTree(inResponses));
    }
    ObjectNode sampling = root.putObject("sampling");
    sampling.put("scanned", samplesScanned.get());
    sampling.put("dropped", samplesDropped.get());
    root.put("droppedEndpoints", inventory.droppedEndpoints());
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
    List<ObservedEndpoint> endpoints = observed(name);
    DiscoveryReport report = EndpointInventory.compare(endpoints, api.operations(), Map.of(), Instant.now(),
        Duration.ofDays(30));
    ObjectNode root = JSON.createObjectNode();
    root.put("api", name);
    root.set("endpoints", JSON.valueToTree(endpoints));
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
    json(ctx, 200, EndpointInventory.exportOpenApi(name, observed(name)));
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
