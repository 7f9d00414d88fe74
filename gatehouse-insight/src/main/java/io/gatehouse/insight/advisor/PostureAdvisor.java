package io.gatehouse.insight.advisor;

import static io.gatehouse.insight.advisor.DefenderRecommendations.BACKEND_CALLS_AUTHENTICATED;
import static io.gatehouse.insight.advisor.DefenderRecommendations.BACKEND_CERTIFICATE_VALIDATION;
import static io.gatehouse.insight.advisor.DefenderRecommendations.CONFIGURATION_ENDPOINT_PUBLIC;
import static io.gatehouse.insight.advisor.DefenderRecommendations.DIRECT_MANAGEMENT_ENDPOINT;
import static io.gatehouse.insight.advisor.DefenderRecommendations.ENCRYPTED_PROTOCOLS;
import static io.gatehouse.insight.advisor.DefenderRecommendations.ENDPOINTS_AUTHENTICATED;
import static io.gatehouse.insight.advisor.DefenderRecommendations.MINIMUM_API_VERSION;
import static io.gatehouse.insight.advisor.DefenderRecommendations.SECRET_NAMED_VALUES;
import static io.gatehouse.insight.advisor.DefenderRecommendations.SUBSCRIPTIONS_NOT_ALL_APIS;
import static io.gatehouse.insight.advisor.DefenderRecommendations.UNUSED_ENDPOINTS_REMOVED;
import static java.util.Objects.requireNonNull;

import io.gatehouse.insight.Finding;
import io.gatehouse.insight.Severity;
import io.gatehouse.model.AdvisorDef;
import io.gatehouse.model.ApiDef;
import io.gatehouse.model.BackendDef;
import io.gatehouse.model.GatewayConfig;
import io.gatehouse.model.NamedValueDef;
import io.gatehouse.model.OperationDef;
import io.gatehouse.model.PoliciesDef;
import io.gatehouse.model.PolicyNames;
import io.gatehouse.model.ProductDef;
import io.gatehouse.model.SubscriptionDef;
import java.net.InetAddress;
import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Checks a {@link GatewayConfig} (and optional {@link RuntimeFacts}) against the posture rules
 * documented in {@code docs/security-analysis.md} and returns scored {@link Advice}; pure and
 * thread-safe.
 */
public final class PostureAdvisor {
  /** OWASP API Security Top 10 2023 ids used by the rules. */
  static final String API1 = "API1:2023 Broken Object Level Authorization";
  static final String API2 = "API2:2023 Broken Authentication";
  static final String API3 = "API3:2023 Broken Object Property Level Authorization";
  static final String API4 = "API4:2023 Unrestricted Resource Consumption";
  static final String API5 = "API5:2023 Broken Function Level Authorization";
  static final String API8 = "API8:2023 Security Misconfiguration";
  static final String API9 = "API9:2023 Improper Inventory Management";

  /** The permission that reveals secret values through the management API. */
  static final String SECRETS_REVEAL = "secrets:reveal";

  private static final Pattern SECRET_NAME = Pattern.compile(
      "(?i).*(secret|password|passwd|pwd|token|api[-_]?key|apikey|private[-_]?key|credential|client[-_]?secret|"
          + "access[-_]?key|signing[-_]?key|connection[-_]?string|\\bkey$|[-_]key$).*");
  private static final Set<String> BODY_METHODS = Set.of("POST", "PUT", "PATCH", "*");
  /** Policies that establish who the caller is. */
  private static final Set<String> AUTHENTICATING_POLICIES =
      Set.of(PolicyNames.VALIDATE_JWT, PolicyNames.VALIDATE_CLIENT_CERTIFICATE);
  /** Policies that bound how much one caller may send. */
  private static final Set<String> LIMITING_POLICIES = Set.of(
      PolicyNames.RATE_LIMIT, PolicyNames.RATE_LIMIT_BY_KEY, PolicyNames.QUOTA, PolicyNames.QUOTA_BY_KEY);

  private final Duration keyMaxAge;
  private final Duration certificateWarning;
  private final Duration endpointUnusedAfter;
  private final Duration adminUnusedAfter;

  private PostureAdvisor(Duration keyMaxAge, Duration certificateWarning, Duration endpointUnusedAfter,
      Duration adminUnusedAfter) {
    this.keyMaxAge = keyMaxAge;
    this.certificateWarning = certificateWarning;
    this.endpointUnusedAfter = endpointUnusedAfter;
    this.adminUnusedAfter = adminUnusedAfter;
  }

  /** The advisor with the documented windows: keys 90 days, certificates 30, endpoints 30, admins 90. */
  public static PostureAdvisor defaults() {
    return new PostureAdvisor(Duration.ofDays(90), Duration.ofDays(30), Duration.ofDays(30), Duration.ofDays(90));
  }

  /** Advice over the configuration alone, as of now. */
  public Advice advise(GatewayConfig config) {
    return advise(config, RuntimeFacts.NONE, Instant.now());
  }

  /** Advice over the configuration and the runtime facts, as of {@code now}. */
  public Advice advise(GatewayConfig config, RuntimeFacts facts, Instant now) {
    requireNonNull(config, "config");
    requireNonNull(facts, "facts");
    requireNonNull(now, "now");
    List<Finding> out = new ArrayList<>();
    List<String> notes = new ArrayList<>();
    for (ApiDef api : config.apis()) {
      authentication(config, api, out);
      plainHttp(api, out);
      keyInQuery(api, out);
      rateLimit(config, api, out);
      cors(config, api, out);
      bodyValidation(config, api, out);
      jwt(config, api, out);
      inventory(api, out);
    }
    for (SubscriptionDef s : config.subscriptions()) {
      if ("all".equals(s.scope()) && "active".equals(s.state())) {
        out.add(new Finding("subscription.scope-all", Severity.MEDIUM, "subscription " + s.name(),
            "Subscription grants access to every API",
            "A key scoped to 'all' reaches every API, including ones published later, so one leaked key exposes all of them.",
            "Scope the subscription to a product or an API (scope: product:NAME or api:NAME).", API5,
            SUBSCRIPTIONS_NOT_ALL_APIS));
      }
    }
    for (BackendDef b : config.backends()) {
      backendTls(b, out);
      backendCredentials(config, b, out);
    }
    for (NamedValueDef nv : config.namedValues()) {
      inlineSecret(nv, facts.namedValueSources().get(nv.name()), out);
    }
    runtime(config, facts, now, out, notes);
    out.sort(Comparator.comparing(Finding::severity).thenComparing(Finding::rule).thenComparing(Finding::resource));
    List<Finding> open = new ArrayList<>();
    List<Suppressed> suppressed = new ArrayList<>();
    Set<AdvisorDef.Suppression> used = new HashSet<>();
    for (Finding f : out) {
      AdvisorDef.Suppression s = suppression(config.advisor(), f);
      if (s == null) {
        open.add(f);
      } else {
        used.add(s);
        suppressed.add(new Suppressed(f, s.reason()));
      }
    }
    for (AdvisorDef.Suppression s : config.advisor().suppress()) {
      if (!used.contains(s)) {
        notes.add("advisor.suppress of " + s.rule() + (s.api() == null ? "" : " for api " + s.api())
            + " matches no finding; remove it if the finding is fixed");
      }
    }
    return new Advice(score(open), open, notes, suppressed);
  }

  /**
   * The suppression that accepts {@code f}, or {@code null}: by rule, and by API when it names one
   * (a finding is about API {@code NAME} when its resource is {@code api NAME ...}).
   */
  private static AdvisorDef.Suppression suppression(AdvisorDef advisor, Finding f) {
    String api = null;
    if (f.resource().startsWith("api ")) {
      String rest = f.resource().substring(4);
      int space = rest.indexOf(' ');
      api = space < 0 ? rest : rest.substring(0, space);
    }
    for (AdvisorDef.Suppression s : advisor.suppress()) {
      if (s.reason() != null && !s.reason().isBlank() && s.covers(f.rule(), api)) {
        return s;
      }
    }
    return null;
  }

  /** Each rule costs its severity's weight per finding, at most three findings per rule counted. */
  static int score(List<Finding> findings) {
    Map<String, Integer> perRule = new HashMap<>();
    int penalty = 0;
    for (Finding f : findings) {
      int n = perRule.merge(f.rule(), 1, Integer::sum);
      if (n <= 3) {
        penalty += weight(f.severity());
      }
    }
    return Math.max(0, 100 - penalty);
  }

  static int weight(Severity s) {
    switch (s) {
      case HIGH: return 15;
      case MEDIUM: return 6;
      default: return 2;
    }
  }

  // ---------------------------------------------------------------- configuration rules

  private void authentication(GatewayConfig config, ApiDef api, List<Finding> out) {
    if (api.subscriptionRequired()) {
      return;
    }
    boolean outer = hasAuthPolicy(config.policies()) || hasAuthPolicy(api.policies());
    if (outer) {
      return;
    }
    List<OperationDef> open = new ArrayList<>();
    for (OperationDef op : api.operations()) {
      if (!hasAuthPolicy(op.policies())) {
        open.add(op);
      }
    }
    if (api.operations().isEmpty() || open.size() == api.operations().size()) {
      out.add(new Finding("api.no-authentication", Severity.HIGH, "api " + api.name(),
          "API accepts anonymous calls",
          "The API requires no subscription key, validates no JWT and checks no client certificate, so anyone who can reach the gateway can call it.",
          "Set subscriptionRequired: true, or add validate-jwt (or a client-certificate check) to the API's inbound policies.", API2,
          ENDPOINTS_AUTHENTICATED));
      return;
    }
    for (OperationDef op : open) {
      out.add(new Finding("operation.no-authentication", Severity.HIGH, "api " + api.name() + " " + op,
          "Operation accepts anonymous calls",
          "Other operations of this API validate a token, this one does not, and the API requires no subscription key.",
          "Add validate-jwt to this operation's inbound policies, or to the API scope.", API2,
          ENDPOINTS_AUTHENTICATED));
    }
  }

  private static boolean hasAuthPolicy(PoliciesDef p) {
    for (String name : policyNames(p.inbound())) {
      if (AUTHENTICATING_POLICIES.contains(name)) {
        return true;
      }
    }
    return false;
  }

  private static void plainHttp(ApiDef api, List<Finding> out) {
    if (api.protocols().contains("http")) {
      out.add(new Finding("api.plain-http", Severity.MEDIUM, "api " + api.name(),
          "API is served over plain HTTP",
          "Keys, tokens and data cross the network in clear text and can be read or changed in transit.",
          "Set protocols: [https] and configure a gateway certificate.", API8, ENCRYPTED_PROTOCOLS));
    }
  }

  private static void keyInQuery(ApiDef api, List<Finding> out) {
    if (api.subscriptionRequired() && api.allowKeyInQuery()) {
      out.add(new Finding("api.key-in-query", Severity.MEDIUM, "api " + api.name(),
          "Subscription key accepted in the query string",
          "Query strings end up in browser history, proxy and server logs and Referer headers, leaking the key.",
          "Set allowKeyInQuery: false and send the key in the " + api.subscriptionKeyHeader() + " header.", API2));
    }
  }

  private static void rateLimit(GatewayConfig config, ApiDef api, List<Finding> out) {
    if (hasLimit(config.policies()) || hasLimit(api.policies())) {
      return;
    }
    for (ProductDef p : config.products()) {
      if (p.apis().contains(api.name()) && hasLimit(p.policies())) {
        return;
      }
    }
    if (!api.operations().isEmpty() && api.operations().stream().allMatch(op -> hasLimit(op.policies()))) {
      return;
    }
    out.add(new Finding("api.no-rate-limit", Severity.MEDIUM, "api " + api.name(),
        "API has no rate limit or quota",
        "Without a rate-limit or quota policy at any scope, one client can exhaust the backend or run up its costs.",
        "Add rate-limit or rate-limit-by-key (and a quota for external consumers) at the global, product or API scope.",
        API4));
  }

  private static boolean hasLimit(PoliciesDef p) {
    for (List<Object> section : List.of(p.inbound(), p.backend())) {
      for (String name : policyNames(section)) {
        if (LIMITING_POLICIES.contains(name)) {
          return true;
        }
      }
    }
    return false;
  }

  private static void cors(GatewayConfig config, ApiDef api, List<Finding> out) {
    List<PoliciesDef> scopes = new ArrayList<>(List.of(config.policies(), api.policies()));
    api.operations().forEach(op -> scopes.add(op.policies()));
    for (PoliciesDef scope : scopes) {
      for (Map<?, ?> cfg : policyConfigs(scope.inbound(), PolicyNames.CORS)) {
        List<String> origins = strings(cfg.get("allowed-origins"));
        if (!origins.contains("*")) {
          continue;
        }
        boolean credentials = Boolean.TRUE.equals(cfg.get("allow-credentials"))
            || "true".equals(String.valueOf(cfg.get("allow-credentials")));
        if (credentials) {
          out.add(new Finding("cors.any-origin-with-credentials", Severity.HIGH, "api " + api.name(),
              "CORS allows any origin with credentials",
              "Any web site could make a visitor's browser call the API with the visitor's cookies or credentials and read the answer.",
              "List the allowed origins explicitly when allow-credentials is true.", API8));
        } else {
          out.add(new Finding("cors.any-origin", Severity.MEDIUM, "api " + api.name(),
              "CORS allows any origin",
              "Every web site may call the API from a browser and read the answer.",
              "List the origins that need access in allowed-origins.", API8));
        }
        return;
      }
    }
  }

  private static void bodyValidation(GatewayConfig config, ApiDef api, List<Finding> out) {
    if (hasPolicy(config.policies(), PolicyNames.VALIDATE_CONTENT) || hasPolicy(api.policies(), PolicyNames.VALIDATE_CONTENT)) {
      return;
    }
    for (OperationDef op : api.operations()) {
      if (BODY_METHODS.contains(op.method()) && !hasPolicy(op.policies(), PolicyNames.VALIDATE_CONTENT)) {
        out.add(new Finding("operation.body-not-validated", Severity.MEDIUM, "api " + api.name() + " " + op,
            "Request body reaches the backend unvalidated",
            "The operation accepts a body but no validate-content policy checks it against a schema, so unexpected "
                + "properties (mass assignment) and oversized or malformed payloads reach the backend.",
            "Add validate-content with the operation's JSON schema and additionalProperties: false.", API3));
      }
    }
  }

  private static void jwt(GatewayConfig config, ApiDef api, List<Finding> out) {
    List<PoliciesDef> scopes = new ArrayList<>(List.of(config.policies(), api.policies()));
    api.operations().forEach(op -> scopes.add(op.policies()));
    Set<String> seen = new LinkedHashSet<>();
    for (PoliciesDef scope : scopes) {
      for (Map<?, ?> cfg : policyConfigs(scope.inbound(), PolicyNames.VALIDATE_JWT)) {
        List<String> algorithms = strings(first(cfg, "algorithms"));
        Set<String> keyAlgs = inlineKeyAlgorithms(first(cfg, "jwks"));
        boolean hmac = algorithms.stream().anyMatch(a -> a.toUpperCase(Locale.ROOT).startsWith("HS"))
            || (algorithms.isEmpty() && keyAlgs.stream().anyMatch(a -> a.startsWith("HS")));
        if (hmac && !api.subscriptionRequired() && seen.add("hmac")) {
          out.add(new Finding("jwt.hmac-on-public-api", Severity.HIGH, "api " + api.name(),
              "Public API accepts HMAC-signed tokens",
              "With HS256/384/512 every party that can verify a token can also mint one; a public API should only "
                  + "trust asymmetric signatures from its identity provider.",
              "Restrict algorithms to RS256/PS256/ES256/EdDSA and use the provider's JWKS.", API2));
        }
        Object audiences = first(cfg, "audiences", "audience");
        if (strings(audiences).isEmpty() && seen.add("aud")) {
          out.add(new Finding("jwt.no-audience", Severity.MEDIUM, "api " + api.name(),
              "Tokens are accepted without an audience check",
              "A token issued for any other application of the same identity provider is accepted by this API.",
              "Set audiences to this API's identifier.", API2));
        }
        if (!algorithms.isEmpty() && !keyAlgs.isEmpty()) {
          List<String> beyond = algorithms.stream().filter(a -> !keyAlgs.contains(a.toUpperCase(Locale.ROOT))).toList();
          if (!beyond.isEmpty() && seen.add("algs")) {
            out.add(new Finding("jwt.algorithms-beyond-keys", Severity.MEDIUM, "api " + api.name(),
                "Algorithm allowlist is wider than the keys",
                "The allowlist names " + beyond + " that none of the configured keys uses; a wide allowlist invites "
                    + "algorithm-confusion attempts and hides configuration mistakes.",
                "Limit algorithms to " + keyAlgs + ".", API2));
          }
        }
      }
    }
  }

  private static Set<String> inlineKeyAlgorithms(Object jwks) {
    Set<String> algs = new LinkedHashSet<>();
    Object keys = jwks instanceof Map<?, ?> m ? m.get("keys") : null;
    if (!(keys instanceof List<?> list)) {
      return algs;
    }
    for (Object k : list) {
      if (!(k instanceof Map<?, ?> key)) {
        continue;
      }
      Object alg = key.get("alg");
      if (alg != null) {
        algs.add(alg.toString().toUpperCase(Locale.ROOT));
        continue;
      }
      String kty = String.valueOf(key.get("kty"));
      switch (kty) {
        case "RSA": algs.addAll(List.of("RS256", "RS384", "RS512", "PS256", "PS384", "PS512")); break;
        case "EC":
          String crv = String.valueOf(key.get("crv"));
          algs.add(crv.equals("P-384") ? "ES384" : crv.equals("P-521") ? "ES512" : crv.equals("secp256k1") ? "ES256K" : "ES256");
          break;
        case "OKP": algs.addAll(List.of("EDDSA", "ED25519")); break;
        case "oct": algs.addAll(List.of("HS256", "HS384", "HS512")); break;
        default: break;
      }
    }
    return algs;
  }

  private static void backendTls(BackendDef b, List<Finding> out) {
    boolean anyHttps = false;
    boolean internalHttps = false;
    for (BackendDef.Member m : b.pool()) {
      URI uri = uri(m.url());
      if (uri == null || uri.getHost() == null) {
        continue;
      }
      if ("https".equalsIgnoreCase(uri.getScheme())) {
        anyHttps = true;
        internalHttps |= isInternalHost(uri.getHost());
      } else if (!isLoopback(uri.getHost())) {
        out.add(new Finding("backend.plain-http", Severity.MEDIUM, "backend " + b.name(),
            "Backend is called over plain HTTP",
            "Requests, credentials and answers between the gateway and " + uri.getHost() + " travel unencrypted.",
            "Use an https URL for the backend.", API8));
        break;
      }
    }
    if (!anyHttps) {
      return;
    }
    BackendDef.Tls tls = b.tls();
    if (tls != null && !tls.verify()) {
      out.add(new Finding("backend.tls-verify-off", Severity.HIGH, "backend " + b.name(),
          "Backend TLS certificate is not verified",
          "With verify: false anyone on the path to the backend can impersonate it and read every request.",
          "Remove verify: false; for a private CA give caFile or caPem, or pin the key with pins.", API8,
          BACKEND_CERTIFICATE_VALIDATION));
      return;
    }
    boolean anchored = tls != null && (tls.caFile() != null || tls.caPem() != null || tls.caCertificate() != null
        || (tls.pins() != null && !tls.pins().isEmpty()));
    if (internalHttps && !anchored) {
      out.add(new Finding("backend.tls-no-ca-or-pin", Severity.LOW, "backend " + b.name(),
          "Internal backend trusts every public CA",
          "The backend is addressed by an IP or internal name but is verified against the JVM's public trust store "
              + "instead of the organisation's CA or a pinned key.",
          "Set tls.caFile/caPem to the internal CA, or tls.pins to the backend key's SHA-256.", API8));
    }
  }

  private static void backendCredentials(GatewayConfig config, BackendDef b, List<Finding> out) {
    if (b.tls() != null && (b.tls().clientCert() != null || b.tls().clientCertificate() != null)) {
      return;
    }
    BackendDef.Credentials c = b.credentials();
    if (c != null && (c.basic() != null || c.header() != null || c.query() != null || c.oauth2() != null)) {
      return;
    }
    List<ApiDef> users = config.apis().stream().filter(a -> b.name().equals(a.backend())).toList();
    if (users.isEmpty()) {
      return;
    }
    for (ApiDef api : users) {
      if (!setsCredential(config.policies()) && !setsCredential(api.policies())) {
        out.add(new Finding("backend.no-credentials", Severity.LOW, "backend " + b.name(),
            "Gateway calls the backend without credentials",
            "Nothing proves to the backend that a call came through the gateway, so a caller that reaches the backend "
                + "directly bypasses every gateway policy.",
            "Give the backend credentials (credentials: basic, header, query or oauth2, from secret named values) "
                + "or a client certificate (tls.clientCert/clientKey).", API8, BACKEND_CALLS_AUTHENTICATED));
        return;
      }
    }
  }

  private static boolean setsCredential(PoliciesDef p) {
    for (List<Object> section : List.of(p.inbound(), p.backend())) {
      for (String n : policyNames(section)) {
        if (n.startsWith("authentication-")) {
          return true;
        }
      }
      for (Map<?, ?> cfg : policyConfigs(section, PolicyNames.SET_HEADER)) {
        String name = String.valueOf(cfg.get("name")).toLowerCase(Locale.ROOT);
        if (name.equals("authorization") || name.contains("api-key") || name.contains("apikey") || name.contains("token")) {
          return true;
        }
      }
    }
    return false;
  }

  /**
   * A secret kept in the configuration itself rather than referenced from a secret store: a plain
   * named value that looks like a secret (high: plain text), or a {@code secret} value held inline
   * (medium: encrypted at rest, but the secret's source of truth is the gateway, not a store). A
   * value written as {@code ${env:NAME}} in the file ({@code source}, or the value itself when it was
   * loaded with its placeholders kept) counts as a reference.
   */
  private static void inlineSecret(NamedValueDef nv, String source, List<Finding> out) {
    if (NamedValueDef.REFERENCE.equals(nv.type())) {
      return;
    }
    String written = source != null ? source.trim() : nv.value() != null ? nv.value().trim() : "";
    if (written.startsWith("${env:")) {
      return;
    }
    if (nv.isSecret()) {
      out.add(new Finding("named-value.inline-secret", Severity.MEDIUM, "named value " + nv.name(),
          "Secret held inline instead of referenced from a secret store",
          "The secret is encrypted at rest, but the gateway is its source of truth: rotating it means editing the"
              + " configuration, and every export carries it (sealed).",
          "Keep the secret in a secret store and use a reference named value (env:, file: or vault:).", API8));
    } else if (SECRET_NAME.matcher(nv.name()).matches()) {
      out.add(new Finding("named-value.inline-secret", Severity.HIGH, "named value " + nv.name(),
          "Secret stored in plain text in the configuration",
          "The value looks like a secret and is a plain named value, so it lands unencrypted in Git, exports and"
              + " backups.",
          "Make it a secret named value, or better a reference to a secret store (env:, file: or vault:).", API8,
          SECRET_NAMED_VALUES));
    }
  }

  private static void inventory(ApiDef api, List<Finding> out) {
    io.gatehouse.model.InventoryDef inv = api.inventory();
    if ("external".equals(inv.exposure()) && inv.owner() == null && !inv.retired()) {
      out.add(new Finding("api.external-without-owner", Severity.MEDIUM, "api " + api.name(),
          "External API without an owner",
          "Nobody is named to answer for an API reachable from outside: vulnerabilities, incidents and deprecation"
              + " have no one to go to.",
          "Set inventory.owner (and inventory.contact) on the API.", API9));
    }
  }

  /** Severity of an endpoint returning {@code t}: credentials and financial or national ids HIGH, contact data MEDIUM, addresses LOW. */
  static Severity severityOf(io.gatehouse.insight.sensitive.SensitiveType t) {
    if (t.credential()) {
      return Severity.HIGH;
    }
    switch (t) {
      case PAYMENT_CARD: case IBAN: case US_SSN:
        return Severity.HIGH;
      case EMAIL: case PHONE:
        return Severity.MEDIUM;
      default:
        return Severity.LOW;
    }
  }

  private static void sensitiveResponses(RuntimeFacts facts, List<Finding> out) {
    for (RuntimeFacts.SensitiveEndpoint e : facts.sensitiveEndpoints()) {
      if (e.inResponses().isEmpty()) {
        continue;
      }
      List<io.gatehouse.insight.sensitive.SensitiveType> types = e.inResponses().stream().sorted().toList();
      Severity severity = types.stream().map(PostureAdvisor::severityOf).min(Comparator.naturalOrder()).orElseThrow();
      String what = String.join(", ", types.stream().map(io.gatehouse.insight.sensitive.SensitiveType::plural).toList());
      String endpoint = e.method() + " " + e.template();
      out.add(new Finding("endpoint.sensitive-data-in-response", severity, "api " + e.api() + " " + endpoint,
          endpoint + " returns " + what,
          "Sampled responses of this endpoint carried " + what + " ("
              + String.join(", ", types.stream().map(io.gatehouse.insight.sensitive.SensitiveType::id).toList())
              + "). Every caller who can reach it receives them, and they end up in client logs and caches.",
          "Return only the fields the client needs (or a masked form), or mask them at the gateway with an outbound"
              + " mask-data policy, and make sure the endpoint checks that the caller may see this object.", API3));
    }
  }

  // ---------------------------------------------------------------- runtime rules

  private void runtime(GatewayConfig config, RuntimeFacts facts, Instant now, List<Finding> out, List<String> notes) {
    sensitiveResponses(facts, out);
    for (RuntimeFacts.Listener l : facts.listeners()) {
      if (!l.role().equals("management") || isLoopback(l.host())) {
        continue;
      }
      out.add(new Finding("management.beyond-loopback", Severity.HIGH, "listener " + l.host() + ":" + l.port(),
          "Management API is reachable beyond loopback",
          "The management API can change every API and key; bound to " + l.host() + " it is exposed to the network.",
          "Bind it to 127.0.0.1 and reach it through an SSH tunnel or an authenticating proxy.", API8,
          DIRECT_MANAGEMENT_ENDPOINT));
      if (isPublicOrWildcard(l.host())) {
        out.add(new Finding("management.public-network", Severity.HIGH, "listener " + l.host() + ":" + l.port(),
            "Management API is open to public networks",
            "Bound to " + l.host() + ", the management API (configuration, keys, secrets' metadata) accepts connections "
                + "on every interface or on a public address, not only from a private network.",
            "Bind it to 127.0.0.1, or at most to a private address behind a firewall that admits only operators.",
            API8, CONFIGURATION_ENDPOINT_PUBLIC));
      }
      if (!l.tls()) {
        out.add(new Finding("management.no-tls", Severity.HIGH, "listener " + l.host() + ":" + l.port(),
            "Management API is served without TLS off loopback",
            "Admin tokens and configuration cross the network in clear text.",
            "Terminate TLS in front of the management listener or keep it on loopback.", API8));
      }
    }
    if (facts.subscriptionKeysCreated().isEmpty()) {
      if (!config.subscriptions().isEmpty()) {
        notes.add("subscription.key-age skipped: the configuration records no key creation time");
      }
    } else {
      for (SubscriptionDef s : config.subscriptions()) {
        Instant created = facts.subscriptionKeysCreated().get(s.name());
        if (created != null && "active".equals(s.state()) && created.plus(keyMaxAge).isBefore(now)) {
          out.add(new Finding("subscription.key-age", Severity.MEDIUM, "subscription " + s.name(),
              "Subscription keys older than " + keyMaxAge.toDays() + " days",
              "Long-lived keys accumulate copies in scripts, logs and laptops; the older a key, the likelier it leaked.",
              "Regenerate the secondary key, move clients to it, then regenerate the primary.", API2));
        }
      }
    }
    for (RuntimeFacts.Certificate c : facts.certificates()) {
      if (c.notAfter().isBefore(now)) {
        out.add(new Finding("certificate.expired", Severity.HIGH, "certificate " + c.name(),
            "Certificate has expired", "The certificate " + c.subject() + " expired at " + c.notAfter() + "; TLS handshakes fail.",
            "Install a renewed certificate.", API8));
      } else if (c.notAfter().isBefore(now.plus(certificateWarning))) {
        out.add(new Finding("certificate.expiring", Severity.MEDIUM, "certificate " + c.name(),
            "Certificate expires within " + certificateWarning.toDays() + " days",
            "The certificate " + c.subject() + " expires at " + c.notAfter() + ".",
            "Renew it now and automate renewal.", API8));
      }
    }
    if (!facts.endpointLastSeen().isEmpty()) {
      Instant since = facts.observedSince();
      if (since == null || !since.plus(endpointUnusedAfter).isAfter(now)) {
        for (ApiDef api : config.apis()) {
          for (OperationDef op : api.operations()) {
            String key = api.name() + " " + op;
            Instant last = facts.endpointLastSeen().get(key);
            if (last == null || last.plus(endpointUnusedAfter).isBefore(now)) {
              out.add(new Finding("endpoint.unused", Severity.LOW, "api " + key,
                  "Endpoint unused for " + endpointUnusedAfter.toDays() + " days",
                  "The operation is published but " + (last == null ? "was never called" : "was last called at " + last)
                      + "; unused endpoints keep attack surface nobody watches.",
                  "Remove the operation or deprecate it.", API9, UNUSED_ENDPOINTS_REMOVED));
            }
          }
        }
      } else {
        notes.add("endpoint.unused skipped: traffic observed for less than " + endpointUnusedAfter.toDays() + " days");
      }
    }
    for (RuntimeFacts.AdminAccount a : facts.admins()) {
      Instant ref = a.lastUsed() != null ? a.lastUsed() : a.created();
      if (ref != null && ref.plus(adminUnusedAfter).isBefore(now)) {
        out.add(new Finding("admin.unused", Severity.MEDIUM, "admin " + a.name(),
            "Administrator account unused for " + adminUnusedAfter.toDays() + " days",
            "Dormant privileged accounts are attractive to attackers and nobody notices their misuse.",
            "Disable or delete the account.", API5));
      }
      if (!a.secondFactor()) {
        out.add(new Finding("admin.no-second-factor", Severity.HIGH, "admin " + a.name(),
            "Administrator account without a second factor or single sign-on",
            "A stolen or guessed password alone grants full control of the gateway.",
            "Sign administrators in through OIDC single sign-on with multi-factor authentication at the identity"
                + " provider (--mgmt-oidc-issuer) and delete the local account; local accounts have no second factor.",
            API2));
      }
    }
    for (Map.Entry<String, Set<String>> r : facts.roles().entrySet()) {
      Set<String> permissions = r.getValue();
      boolean reveals = permissions.contains(SECRETS_REVEAL);
      boolean writes = permissions.stream().anyMatch(x -> x.endsWith(":write"));
      if (reveals && !writes) {
        out.add(new Finding("role.read-only-reveals-secrets", Severity.MEDIUM, "role " + r.getKey(),
            "Read-only role can reveal secret values",
            "The role changes nothing but holds " + SECRETS_REVEAL + ", so everyone given it for reading (auditors, "
                + "dashboards, support) can read every secret named value and backend credential in clear.",
            "Remove " + SECRETS_REVEAL + " from the role; grant it only to the few who rotate secrets.", API5,
            MINIMUM_API_VERSION));
      }
    }
    if (facts.auditChain() != null && !facts.auditChain().intact()) {
      out.add(new Finding("audit.chain-broken", Severity.HIGH, "audit log",
          "Audit chain verification failed",
          "A link of the tamper-evident audit chain does not verify (" + facts.auditChain().detail()
              + "): records were changed or removed.",
          "Investigate who had database access, restore the audit table from a backup and compare.", API8));
    }
  }

  // ---------------------------------------------------------------- helpers

  static List<String> policyNames(List<Object> section) {
    List<String> names = new ArrayList<>();
    for (Object entry : section) {
      if (entry instanceof Map<?, ?> m && m.size() == 1) {
        names.add(String.valueOf(m.keySet().iterator().next()));
      } else if (entry instanceof String s && !s.equals(PoliciesDef.BASE)) {
        names.add(s);
      }
      if (entry instanceof Map<?, ?> m) {
        // nested flow policies (choose: {when: [{policies: [...]}], otherwise: [...]}) count too
        for (Object v : m.values()) {
          collectNested(v, names);
        }
      }
    }
    return names;
  }

  private static void collectNested(Object v, List<String> names) {
    if (v instanceof Map<?, ?> m) {
      for (Map.Entry<?, ?> e : m.entrySet()) {
        if (e.getValue() instanceof List<?> l && ("policies".equals(e.getKey()) || "otherwise".equals(e.getKey()))) {
          @SuppressWarnings("unchecked")
          List<Object> list = (List<Object>) l;
          names.addAll(policyNames(list));
        } else {
          collectNested(e.getValue(), names);
        }
      }
    } else if (v instanceof List<?> l) {
      for (Object o : l) {
        collectNested(o, names);
      }
    }
  }

  private static boolean hasPolicy(PoliciesDef p, String name) {
    return policyNames(p.inbound()).contains(name);
  }

  private static List<Map<?, ?>> policyConfigs(List<Object> section, String name) {
    List<Map<?, ?>> out = new ArrayList<>();
    for (Object entry : section) {
      if (entry instanceof Map<?, ?> m && m.size() == 1 && m.containsKey(name)) {
        Object cfg = m.get(name);
        out.add(cfg instanceof Map<?, ?> c ? c : Map.of());
      }
    }
    return out;
  }

  private static Object first(Map<?, ?> cfg, String... names) {
    for (String n : names) {
      if (cfg.containsKey(n)) {
        return cfg.get(n);
      }
    }
    return null;
  }

  private static List<String> strings(Object v) {
    if (v == null) {
      return List.of();
    }
    if (v instanceof List<?> l) {
      return l.stream().map(String::valueOf).toList();
    }
    String s = v.toString().trim();
    return s.isEmpty() ? List.of() : List.of(s.split("\\s*,\\s*"));
  }

  private static URI uri(String url) {
    try {
      return URI.create(url);
    } catch (IllegalArgumentException e) {
      return null;
    }
  }

  static boolean isLoopback(String host) {
    String h = host.startsWith("[") ? host.substring(1, host.length() - 1) : host;
    if (h.equalsIgnoreCase("localhost")) {
      return true;
    }
    if (!looksLikeIp(h)) {
      return false;
    }
    try {
      return InetAddress.getByName(h).isLoopbackAddress();
    } catch (java.net.UnknownHostException e) {
      return false;
    }
  }

  /**
   * Whether a bind address accepts connections from public networks: a wildcard, or an IP literal
   * that is not loopback, private (RFC 1918, IPv6 unique local) or link-local. A host name is not
   * resolved (the advisor never calls the network) and so not judged.
   */
  static boolean isPublicOrWildcard(String host) {
    String h = host.startsWith("[") ? host.substring(1, host.length() - 1) : host;
    if (h.isEmpty() || h.equals("*")) {
      return true;
    }
    if (!looksLikeIp(h)) {
      return false;
    }
    try {
      InetAddress a = InetAddress.getByName(h);
      if (a.isAnyLocalAddress()) {
        return true;
      }
      boolean uniqueLocal = a instanceof java.net.Inet6Address && (a.getAddress()[0] & 0xfe) == 0xfc;
      return !(a.isLoopbackAddress() || a.isSiteLocalAddress() || a.isLinkLocalAddress() || uniqueLocal);
    } catch (java.net.UnknownHostException e) {
      return false;
    }
  }

  private static boolean isInternalHost(String host) {
    String h = host.startsWith("[") ? host.substring(1, host.length() - 1) : host;
    if (looksLikeIp(h)) {
      return true;
    }
    String lower = h.toLowerCase(Locale.ROOT);
    return !lower.contains(".") || lower.endsWith(".internal") || lower.endsWith(".local") || lower.endsWith(".lan")
        || lower.endsWith(".svc") || lower.endsWith(".cluster.local") || lower.endsWith(".corp");
  }

  private static boolean looksLikeIp(String h) {
    return h.contains(":") || h.chars().allMatch(c -> Character.isDigit(c) || c == '.');
  }
}
