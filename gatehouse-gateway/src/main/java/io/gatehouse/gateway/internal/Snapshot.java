package io.gatehouse.gateway.internal;

import io.gatehouse.gateway.internal.counters.CounterStore;
import io.gatehouse.gateway.internal.counters.PolicyStates;
import io.gatehouse.gateway.internal.policy.PolicyCompiler;
import io.gatehouse.gateway.internal.policy.PolicyRegistry;
import io.gatehouse.gateway.internal.policy.PolicyTable;
import io.gatehouse.model.ApiDef;
import io.gatehouse.model.BackendDef;
import io.gatehouse.model.ConfigException;
import io.gatehouse.model.ConfigProblem;
import io.gatehouse.model.GatewayConfig;
import io.gatehouse.model.GatewaySettings;
import io.gatehouse.model.NamedValueDef;
import io.gatehouse.model.OperationDef;
import io.gatehouse.model.ProductDef;
import io.gatehouse.model.SubscriptionDef;
import io.gatehouse.model.SubscriptionKeys;
import io.gatehouse.model.UserDef;
import io.gatehouse.gateway.internal.upstream.Upstream;
import io.gatehouse.gateway.internal.upstream.Upstreams;
import io.gatehouse.gateway.BackendStatus;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * An immutable, compiled configuration: route table, backends and key lookup map. Requests read
 * the current snapshot once and use it to the end, so a reload never disturbs a request in flight.
 */
public final class Snapshot {
  private static final Pattern NAMED_VALUE = Pattern.compile("\\$\\{nv:([^}]*)}");
  private static final CompiledApi[] NONE = new CompiledApi[0];

  private final long revision;
  private final GatewaySettings settings;
  private final Map<String, CompiledApi[]> byHost;
  private final CompiledApi[] anyHost;
  private final Map<String, Grant> grants;
  private final Set<String> stripResponseHeaders;
  private final Cidr trustedProxies;
  private final List<Upstream> upstreams;
  private List<String> debugSecrets = List.of();
  private Set<String> stateIdentities = Set.of();
  private final boolean keyedHashes;
  private final boolean unkeyedHashes;
  private volatile SubscriptionKeys.Hasher keyHasher;

  private Snapshot(long revision, GatewaySettings settings, Map<String, CompiledApi[]> byHost,
      CompiledApi[] anyHost, Map<String, Grant> grants, List<Upstream> upstreams) {
    this.revision = revision;
    this.upstreams = List.copyOf(upstreams);
    this.settings = settings;
    this.byHost = byHost;
    this.anyHost = anyHost;
    this.grants = grants;
    this.keyedHashes = grants.keySet().stream().anyMatch(h -> h.startsWith(SubscriptionKeys.KEYED_PREFIX));
    this.unkeyedHashes = grants.keySet().stream().anyMatch(h -> h.startsWith(SubscriptionKeys.HASH_PREFIX));
    Set<String> strip = new java.util.TreeSet<>(String.CASE_INSENSITIVE_ORDER);
    strip.addAll(settings.stripResponseHeaders());
    this.stripResponseHeaders = java.util.Collections.unmodifiableSet(strip);
    this.trustedProxies = Cidr.parse(settings.trustedProxies());
  }

  /** The snapshot of an empty configuration. */
  public static Snapshot empty() {
    return compile(GatewayConfig.EMPTY, 0, new Upstreams());
  }

  /**
   * Compiles {@code config} (already validated by the model) into a snapshot.
   *
   * @throws ConfigException when something only the gateway can check is wrong, such as a named
   *     value reference that does not resolve
   */
  public static Snapshot compile(GatewayConfig config, long revision, Upstreams registry) {
    return compile(config, revision, registry, CounterStore.inMemory());
  }

  /** Compiles {@code config} with stateful policies (quotas) counting in {@code counters}. */
  public static Snapshot compile(GatewayConfig config, long revision, Upstreams registry, CounterStore counters) {
    return compile(config, revision, registry, counters, new PolicyStates(), Map.of());
  }

  /**
   * Compiles {@code config} with stateful policies counting in {@code counters} and keeping their
   * in-memory state in {@code states} (both outlive the snapshot), resolving the uploaded
   * certificates backends name ({@code tls.clientCertificate}, {@code tls.caCertificate}) in
   * {@code certificates}, by name.
   */
  public static Snapshot compile(GatewayConfig config, long revision, Upstreams registry, CounterStore counters,
      PolicyStates states, Map<String, io.gatehouse.gateway.TlsCertificate> certificates) {
    List<ConfigProblem> problems = new ArrayList<>();
    Map<String, String> namedValues = new HashMap<>();
    for (NamedValueDef nv : config.namedValues()) {
      namedValues.put(nv.name(), nv.value());
    }
    try {
      Cidr.parse(config.settings().trustedProxies());
    } catch (IllegalArgumentException e) {
      problems.add(ConfigProblem.at("settings.trustedProxies", e.getMessage()));
    }
    Map<String, CompiledBackend> backends = new HashMap<>();
    List<Upstream> upstreams = new ArrayList<>();
    for (int i = 0; i < config.backends().size(); i++) {
      BackendDef b = config.backends().get(i);
      String at = "backends[" + i + "]";
      String url = b.url() == null ? null : substitute(b.url(), namedValues, at + ".url", problems);
      List<BackendDef.Member> members = null;
      if (b.members() != null) {
        members = new ArrayList<>();
        for (int j = 0; j < b.members().size(); j++) {
          BackendDef.Member m = b.members().get(j);
          members.add(new BackendDef.Member(
              substitute(m.url(), namedValues, at + ".members[" + j + "].url", problems), m.weight(), m.priority()));
        }
      }
      BackendDef resolved = new BackendDef(b.name(), url, b.timeout(), members, b.loadBalancing(), b.timeouts(),
          b.maxConnections(), b.http2(), b.healthCheck(), b.outlierDetection(), b.circuitBreaker(), b.retry(), b.tls(),
          credentials(b.credentials(), namedValues, at + ".credentials", problems));
      if (resolved.pool().isEmpty()) {
        problems.add(ConfigProblem.at(at, "expected 'url' or 'members'"));
        continue;
      }
      io.gatehouse.gateway.internal.upstream.BackendMaterial material =
          io.gatehouse.gateway.internal.tls.UploadedCertificates.material(b.tls(), certificates, at + ".tls", problems);
      if (material == null) {
        continue;
      }
      try {
        Upstream u = registry.obtain(resolved, config.settings().backendTimeout(), material);
        upstreams.add(u);
        backends.put(b.name(), new CompiledBackend(b.name(), u));
      } catch (IllegalArgumentException | NullPointerException e) {
        problems.add(ConfigProblem.at(at, "cannot use backend '" + b.name() + "': " + e.getMessage()));
      }
    }
    Map<String, Set<String>> productsOfApi = new HashMap<>();
    Map<String, Set<String>> apisOfProduct = new HashMap<>();
    for (ProductDef p : config.products()) {
      apisOfProduct.put(p.name(), Set.copyOf(p.apis()));
      for (String api : p.apis()) {
        productsOfApi.computeIfAbsent(api, k -> new HashSet<>()).add(p.name());
      }
    }
    // Policies: each scope compiled once, so stateful policies (rate limits) are shared by every
    // pipeline that includes them.
    PolicyCompiler policies = new PolicyCompiler(PolicyRegistry.standard(), namedValues, problems, counters, states);
    policies.outbound(registry.guard());
    policies.backends(new PolicyCompiler.Backends() { // set-backend-service
      @Override
      public Object named(String name) {
        return backends.get(name);
      }

      @Override
      public Object at(String url) {
        Upstream u = registry.obtain(new BackendDef("url:" + url, url, null), config.settings().backendTimeout());
        if (!upstreams.contains(u)) {
          upstreams.add(u);
        }
        return new CompiledBackend("url:" + url, u);
      }
    });
    PolicyCompiler.Scope globalPolicies = policies.scope(config.policies(), io.gatehouse.policy.PolicyScope.GLOBAL, "policies", "policies");
    Map<String, PolicyCompiler.Scope> productPolicies = new HashMap<>();
    for (int j = 0; j < config.products().size(); j++) {
      ProductDef p = config.products().get(j);
      productPolicies.put(p.name(), policies.scope(p.policies(), io.gatehouse.policy.PolicyScope.product(p.name()),
          "products[" + j + "].policies",
          "products[" + p.name() + "].policies"));
    }
    Map<String, List<CompiledApi>> hosts = new LinkedHashMap<>();
    List<CompiledApi> any = new ArrayList<>();
    for (int i = 0; i < config.apis().size(); i++) {
      ApiDef api = config.apis().get(i);
      PolicyTable table = policyTable(policies, globalPolicies, productPolicies,
          productsOfApi.getOrDefault(api.name(), Set.of()), api, "apis[" + i + "]", "apis[" + api.name() + "]");
      CompiledBackend backend = backends.get(api.backend());
      if (backend == null) {
        continue; // reported by the model's validator
      }
      String prefix = api.path().equals("/") ? "" : api.path();
      CompiledApi compiled = new CompiledApi(api, prefix, backend,
          OperationMatcher.compile(api.operations()),
          api.protocols().contains("http"), api.protocols().contains("https"),
          api.subscriptionRequired(), api.subscriptionKeyHeader(),
          api.allowKeyInQuery() ? api.subscriptionKeyQuery() : null,
          Set.copyOf(productsOfApi.getOrDefault(api.name(), Set.of())), table);
      if (api.hosts().isEmpty()) {
        any.add(compiled);
      } else {
        for (String host : api.hosts()) {
          hosts.computeIfAbsent(HostName.normalizeConfigured(host), k -> new ArrayList<>()).add(compiled);
        }
      }
    }
    Map<String, Boolean> blocked = new HashMap<>();
    for (UserDef u : config.users()) {
      blocked.put(u.name(), u.state().equals("blocked"));
    }
    Map<String, Grant> grants = new HashMap<>();
    for (SubscriptionDef raw : config.subscriptions()) {
      SubscriptionDef s = raw.hashed();
      Set<String> apis;
      if (s.scope().equals("all")) {
        apis = null;
      } else if (s.scope().startsWith("product:")) {
        apis = apisOfProduct.getOrDefault(s.scope().substring(8), Set.of());
      } else {
        apis = Set.of(s.scope().substring(4));
      }
      Grant grant = new Grant(s.name(), s.state(),
          s.expiresAt() == null ? 0 : s.expiresAt().toEpochMilli(), s.owner(),
          s.owner() != null && blocked.getOrDefault(s.owner(), false), apis,
          s.scope().startsWith("product:") ? s.scope().substring(8) : null);
      if (s.primaryKeyHash() != null) {
        grants.put(s.primaryKeyHash(), grant);
      }
      if (s.secondaryKeyHash() != null) {
        grants.put(s.secondaryKeyHash(), grant);
      }
    }
    if (!problems.isEmpty()) {
      throw new ConfigException(withoutSecrets(problems, config));
    }
    Map<String, CompiledApi[]> byHost = new HashMap<>();
    hosts.forEach((host, list) -> byHost.put(host, sorted(list)));
    Snapshot snapshot = new Snapshot(revision, config.settings(), Map.copyOf(byHost), sorted(any), Map.copyOf(grants),
        upstreams);
    List<String> secrets = new ArrayList<>();
    for (NamedValueDef nv : config.namedValues()) {
      if ((nv.isSecret() || nv.isReference()) && nv.value() != null && !nv.value().isEmpty()) {
        secrets.add(nv.value());
      }
    }
    snapshot.debugSecrets = List.copyOf(secrets);
    snapshot.stateIdentities = policies.stateIdentities();
    return snapshot;
  }

  /**
   * {@code problems} with every secret or reference value that a message quotes (a policy or a URL
   * parser quoting the substituted text) replaced by the variable that holds it, {@code ${nv:NAME}}.
   */
  static List<ConfigProblem> withoutSecrets(List<ConfigProblem> problems, GatewayConfig config) {
    List<NamedValueDef> secrets = new ArrayList<>();
    for (NamedValueDef nv : config.namedValues()) {
      if ((nv.isSecret() || nv.isReference()) && nv.value() != null && !nv.value().isEmpty()) {
        secrets.add(nv);
      }
    }
    if (secrets.isEmpty()) {
      return problems;
    }
    secrets.sort(Comparator.comparingInt((NamedValueDef nv) -> nv.value().length()).reversed());
    List<ConfigProblem> out = new ArrayList<>(problems.size());
    for (ConfigProblem p : problems) {
      String message = p.message();
      for (NamedValueDef nv : secrets) {
        message = message.replace(nv.value(), "${nv:" + nv.name() + "}");
      }
      out.add(message.equals(p.message()) ? p : new ConfigProblem(p.source(), p.line(), p.field(), message));
    }
    return out;
  }

  private static PolicyTable policyTable(PolicyCompiler compiler, PolicyCompiler.Scope global,
      Map<String, PolicyCompiler.Scope> productScopes, Set<String> products, ApiDef api, String at, String id) {
    Map<String, PolicyCompiler.Scope> ofProducts = new HashMap<>();
    for (String p : products) {
      PolicyCompiler.Scope scope = productScopes.get(p);
      if (scope != null) {
        ofProducts.put(p, scope);
      }
    }
    compiler.api(api); // API-aware policies (validate-content) read the API's OpenAPI document
    PolicyCompiler.Scope apiScope = compiler.scope(api.policies(), io.gatehouse.policy.PolicyScope.api(api.name()),
        at + ".policies", id + ".policies");
    Map<String, PolicyCompiler.Scope> operations = new LinkedHashMap<>();
    for (int j = 0; j < api.operations().size(); j++) {
      OperationDef op = api.operations().get(j);
      operations.put(op.toString(), compiler.scope(op.policies(), io.gatehouse.policy.PolicyScope.operation(op.toString()),
          at + ".operations[" + j + "].policies",
          id + ".operations[" + op + "].policies"));
    }
    compiler.api(null);
    return compiler.table(global, ofProducts, apiScope, operations);
  }

  private static CompiledApi[] sorted(List<CompiledApi> apis) {
    if (apis.isEmpty()) {
      return NONE;
    }
    apis.sort(Comparator.comparingInt((CompiledApi a) -> a.prefix().length()).reversed());
    return apis.toArray(NONE);
  }

  private static String substitute(String text, Map<String, String> values, String at,
      List<ConfigProblem> problems) {
    if (text.indexOf("${nv:") < 0) {
      return text;
    }
    Matcher m = NAMED_VALUE.matcher(text);
    StringBuilder out = new StringBuilder();
    while (m.find()) {
      String value = values.get(m.group(1));
      if (value == null) {
        problems.add(ConfigProblem.at(at, "unknown named value '" + m.group(1) + "'"));
        value = "";
      }
      m.appendReplacement(out, Matcher.quoteReplacement(value));
    }
    m.appendTail(out);
    return out.toString();
  }

  /** {@code c} with every {@code ${nv:NAME}} substituted, {@code null} for none. */
  private static BackendDef.Credentials credentials(BackendDef.Credentials c, Map<String, String> values, String at,
      List<ConfigProblem> problems) {
    if (c == null) {
      return null;
    }
    BackendDef.Basic basic = c.basic() == null ? null : new BackendDef.Basic(
        sub(c.basic().username(), values, at + ".basic.username", problems),
        sub(c.basic().password(), values, at + ".basic.password", problems));
    BackendDef.Parameter header = c.header() == null ? null : new BackendDef.Parameter(c.header().name(),
        sub(c.header().value(), values, at + ".header.value", problems));
    BackendDef.Parameter query = c.query() == null ? null : new BackendDef.Parameter(c.query().name(),
        sub(c.query().value(), values, at + ".query.value", problems));
    BackendDef.OAuth2 o = c.oauth2();
    BackendDef.OAuth2 oauth2 = o == null ? null : new BackendDef.OAuth2(
        sub(o.tokenUrl(), values, at + ".oauth2.tokenUrl", problems),
        sub(o.clientId(), values, at + ".oauth2.clientId", problems),
        sub(o.clientSecret(), values, at + ".oauth2.clientSecret", problems),
        sub(o.scope(), values, at + ".oauth2.scope", problems),
        sub(o.audience(), values, at + ".oauth2.audience", problems), o.clientAuth());
    return new BackendDef.Credentials(basic, header, query, oauth2);
  }

  private static String sub(String text, Map<String, String> values, String at, List<ConfigProblem> problems) {
    return text == null ? null : substitute(text, values, at, problems);
  }

  /** The backend runtimes this snapshot uses. */
  public List<Upstream> upstreams() {
    return upstreams;
  }

  /** The state of every backend of this snapshot. */
  public List<BackendStatus> backendStatus() {
    return upstreams.stream().map(Upstream::status).toList();
  }

  /** The configuration revision this snapshot was compiled from. */
  public long revision() {
    return revision;
  }

  GatewaySettings settings() {
    return settings;
  }

  /**
   * Copies a backend's response header fields to {@code to}, leaving out hop-by-hop fields, the
   * backend's {@code X-Request-Id} (the gateway sets its own) and the configured disclosure headers.
   */
  void copyResponseHeaders(io.vertx.core.MultiMap from, io.vertx.core.MultiMap to) {
    String connection = from.get("Connection");
    for (Map.Entry<String, String> h : from) {
      String name = h.getKey();
      if (Forwarding.isHopByHop(name, connection) || name.equalsIgnoreCase("x-request-id")
          || stripResponseHeaders.contains(name)) {
        continue;
      }
      to.add(name, h.getValue());
    }
  }

  /** The identities of the policy states this snapshot's policies use (see {@link PolicyStates}). */
  public Set<String> stateIdentities() {
    return stateIdentities;
  }

  /** The values of secret and reference named values, which debug traces redact. */
  List<String> debugSecrets() {
    return debugSecrets;
  }

  Cidr trustedProxies() {
    return trustedProxies;
  }

  /**
   * The grant of subscription key {@code key}, or {@code null}: looked up by its keyed hash when
   * the configuration holds keyed hashes, by its unkeyed hash when it holds those.
   */
  Grant grantOfKey(String key) {
    if (keyedHashes && keyHasher != null) {
      Grant g = grants.get(keyHasher.hash(key));
      if (g != null) {
        return g;
      }
    }
    return unkeyedHashes ? grants.get(SubscriptionKeys.hash(key)) : null;
  }

  /** Looks keyed subscription-key hashes up with {@code hasher} (without one, they match no key). */
  public void keyHasher(SubscriptionKeys.Hasher hasher) {
    this.keyHasher = hasher;
  }

  /** The API serving {@code path} on {@code host} (lower case, no port), or {@code null}. */
  CompiledApi route(String host, String path) {
    if (host != null) {
      CompiledApi[] forHost = byHost.get(host);
      if (forHost != null) {
        CompiledApi hit = match(forHost, path);
        if (hit != null) {
          return hit;
        }
      }
    }
    return match(anyHost, path);
  }

  private static CompiledApi match(CompiledApi[] apis, String path) {
    for (CompiledApi api : apis) {
      String prefix = api.prefix();
      if (prefix.isEmpty()) {
        return api;
      }
      if (path.startsWith(prefix)
          && (path.length() == prefix.length() || path.charAt(prefix.length()) == '/')) {
        return api;
      }
    }
    return null;
  }
}
