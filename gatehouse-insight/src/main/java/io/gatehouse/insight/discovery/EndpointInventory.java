package io.gatehouse.insight.discovery;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.gatehouse.insight.sensitive.SensitiveType;
import io.gatehouse.model.OperationDef;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * Aggregates {@link Observation}s per API, method and path template within fixed memory bounds
 * (endpoints per API, names per endpoint; whatever does not fit is counted as dropped), compares
 * the result with declared operations, and exports it as an OpenAPI 3.1 document. Thread-safe:
 * all methods synchronize on the inventory.
 */
public final class EndpointInventory {
  private static final ObjectMapper JSON = new ObjectMapper();

  private final int maxEndpointsPerApi;
  private final int maxNamesPerEndpoint;
  private final Map<String, Map<String, Entry>> apis = new HashMap<>();
  private long droppedEndpoints;

  private static final class Entry {
    final String method;
    final String template;
    Instant firstSeen;
    Instant lastSeen;
    long calls;
    final Map<Integer, Long> statuses = new TreeMap<>();
    long authenticated;
    long anonymous;
    final Set<String> params = new LinkedHashSet<>();
    final Set<String> fields = new LinkedHashSet<>();
    final EnumSet<SensitiveType> requestSensitive = EnumSet.noneOf(SensitiveType.class);
    final EnumSet<SensitiveType> responseSensitive = EnumSet.noneOf(SensitiveType.class);
    long droppedNames;

    Entry(String method, String template) {
      this.method = method;
      this.template = template;
    }
  }

  /**
   * Creates an inventory keeping at most {@code maxEndpointsPerApi} endpoints per API and
   * {@code maxNamesPerEndpoint} parameter and field names per endpoint.
   */
  public EndpointInventory(int maxEndpointsPerApi, int maxNamesPerEndpoint) {
    if (maxEndpointsPerApi < 1 || maxNamesPerEndpoint < 1) {
      throw new IllegalArgumentException("caps must be >= 1 but were maxEndpointsPerApi="
          + maxEndpointsPerApi + ", maxNamesPerEndpoint=" + maxNamesPerEndpoint);
    }
    this.maxEndpointsPerApi = maxEndpointsPerApi;
    this.maxNamesPerEndpoint = maxNamesPerEndpoint;
  }

  /** Records one observation. */
  public synchronized void record(Observation o) {
    requireNonNull(o, "o");
    Entry e = entry(o.api(), o.method(), o.effectiveTemplate(), o.time());
    if (e == null) {
      return;
    }
    e.calls++;
    e.statuses.merge(o.status(), 1L, Long::sum);
    if (o.authenticated()) {
      e.authenticated++;
    } else {
      e.anonymous++;
    }
    for (String p : o.queryParameters()) {
      addName(e, e.params, p);
    }
    for (String f : o.jsonFields()) {
      addName(e, e.fields, f);
    }
    e.requestSensitive.addAll(o.requestSensitive());
    e.responseSensitive.addAll(o.responseSensitive());
  }

  /**
   * Records the sensitive data types found in a sampled exchange of an endpoint without counting a
   * call (the exchange's {@link Observation} counts it); {@code template} as in
   * {@link Observation#effectiveTemplate()}.
   */
  public synchronized void recordSensitive(String api, String method, String template, Set<SensitiveType> request,
      Set<SensitiveType> response, Instant time) {
    requireNonNull(api, "api");
    requireNonNull(method, "method");
    requireNonNull(template, "template");
    requireNonNull(time, "time");
    if (request.isEmpty() && response.isEmpty()) {
      return;
    }
    Entry e = entry(api, method, template, time);
    if (e != null) {
      e.requestSensitive.addAll(request);
      e.responseSensitive.addAll(response);
    }
  }

  /** The entry of an endpoint, created when there is room (else counted as dropped and null). */
  private Entry entry(String api, String rawMethod, String template, Instant time) {
    String method = rawMethod.toUpperCase(Locale.ROOT);
    Map<String, Entry> endpoints = apis.computeIfAbsent(api, k -> new LinkedHashMap<>());
    String key = method + " " + template;
    Entry e = endpoints.get(key);
    if (e == null) {
      if (endpoints.size() >= maxEndpointsPerApi) {
        droppedEndpoints++;
        return null;
      }
      e = new Entry(method, template);
      endpoints.put(key, e);
    }
    if (e.firstSeen == null || time.isBefore(e.firstSeen)) {
      e.firstSeen = time;
    }
    if (e.lastSeen == null || time.isAfter(e.lastSeen)) {
      e.lastSeen = time;
    }
    return e;
  }

  private void addName(Entry e, Set<String> names, String name) {
    if (names.contains(name)) {
      return;
    }
    if (names.size() >= maxNamesPerEndpoint) {
      e.droppedNames++;
    } else {
      names.add(name);
    }
  }

  /** Observations not recorded because an API already had the maximum number of endpoints. */
  public synchronized long droppedEndpoints() {
    return droppedEndpoints;
  }

  /** A snapshot of the endpoints observed for {@code api}, sorted by template then method. */
  public synchronized List<ObservedEndpoint> endpoints(String api) {
    requireNonNull(api, "api");
    List<ObservedEndpoint> out = new ArrayList<>();
    for (Entry e : apis.getOrDefault(api, Map.of()).values()) {
      out.add(new ObservedEndpoint(api, e.method, e.template, e.firstSeen, e.lastSeen, e.calls,
          Map.copyOf(e.statuses), e.authenticated, e.anonymous, Set.copyOf(e.params),
          Set.copyOf(e.fields), sorted(e.requestSensitive), sorted(e.responseSensitive), e.droppedNames));
    }
    out.sort(Comparator.comparing(ObservedEndpoint::template).thenComparing(ObservedEndpoint::method));
    return out;
  }

  /** The APIs with observed endpoints. */
  public synchronized Set<String> apis() {
    return Set.copyOf(apis.keySet());
  }

  /**
   * One list of the endpoints several nodes observed: the entries of one API, method and template
   * become one (earliest first call, latest last call, counts summed, names and sensitive types
   * united), sorted by API, template then method.
   */
  public static List<ObservedEndpoint> merge(List<ObservedEndpoint> endpoints) {
    Map<String, ObservedEndpoint> merged = new LinkedHashMap<>();
    for (ObservedEndpoint e : endpoints) {
      merged.merge(e.api() + " " + e.method() + " " + e.template(), e, EndpointInventory::merge);
    }
    List<ObservedEndpoint> out = new ArrayList<>(merged.values());
    out.sort(Comparator.comparing(ObservedEndpoint::api).thenComparing(ObservedEndpoint::template)
        .thenComparing(ObservedEndpoint::method));
    return out;
  }

  private static ObservedEndpoint merge(ObservedEndpoint a, ObservedEndpoint b) {
    Map<Integer, Long> statuses = new TreeMap<>(a.statusCounts());
    b.statusCounts().forEach((k, v) -> statuses.merge(k, v, Long::sum));
    return new ObservedEndpoint(a.api(), a.method(), a.template(),
        a.firstSeen().isBefore(b.firstSeen()) ? a.firstSeen() : b.firstSeen(),
        a.lastSeen().isAfter(b.lastSeen()) ? a.lastSeen() : b.lastSeen(), a.calls() + b.calls(),
        Map.copyOf(statuses), a.authenticatedCalls() + b.authenticatedCalls(), a.anonymousCalls() + b.anonymousCalls(),
        union(a.queryParameters(), b.queryParameters()), union(a.jsonFields(), b.jsonFields()),
        sensitive(a.sensitiveInRequests(), b.sensitiveInRequests()),
        sensitive(a.sensitiveInResponses(), b.sensitiveInResponses()), a.droppedNames() + b.droppedNames());
  }

  private static Set<String> union(Set<String> a, Set<String> b) {
    Set<String> u = new LinkedHashSet<>(a);
    u.addAll(b);
    return Set.copyOf(u);
  }

  private static Set<SensitiveType> sensitive(Set<SensitiveType> a, Set<SensitiveType> b) {
    EnumSet<SensitiveType> u = EnumSet.noneOf(SensitiveType.class);
    u.addAll(a);
    u.addAll(b);
    return sorted(u);
  }

  private static Set<SensitiveType> sorted(EnumSet<SensitiveType> types) {
    return types.isEmpty() ? Set.of() : java.util.Collections.unmodifiableSet(EnumSet.copyOf(types));
  }

  /**
   * Compares what {@code api} served with its declared operations.
   *
   * @param declaredParameters documented query parameter names per declared operation (may be
   *     empty: then no parameter is reported as undocumented)
   * @param now the current time
   * @param unusedAfter a declared operation without calls for this long is reported as unused
   */
  public synchronized DiscoveryReport compare(String api, List<OperationDef> declared,
      Map<OperationDef, Set<String>> declaredParameters, Instant now, Duration unusedAfter) {
    requireNonNull(api, "api");
    return compare(endpoints(api), declared, declaredParameters, now, unusedAfter);
  }

  /**
   * Compares {@code observed} endpoints of one API (this inventory's, or several nodes' {@link
   * #merge merged}) with its declared operations, as {@link #compare(String, List, Map, Instant, Duration)}.
   */
  public static DiscoveryReport compare(List<ObservedEndpoint> observed, List<OperationDef> declared,
      Map<OperationDef, Set<String>> declaredParameters, Instant now, Duration unusedAfter) {
    requireNonNull(observed, "observed");
    requireNonNull(declared, "declared");
    requireNonNull(declaredParameters, "declaredParameters");
    requireNonNull(now, "now");
    requireNonNull(unusedAfter, "unusedAfter");
    List<ObservedEndpoint> shadow = new ArrayList<>();
    Map<String, Set<String>> undocumented = new TreeMap<>();
    Map<OperationDef, Instant> lastCall = new HashMap<>();
    for (ObservedEndpoint e : observed) {
      OperationDef match = null;
      for (OperationDef op : declared) {
        if ((op.method().equals(e.method()) || op.method().equals("*")) && matches(op.path(), e.template())) {
          match = op;
          break;
        }
      }
      if (match == null) {
        shadow.add(e);
        continue;
      }
      lastCall.merge(match, e.lastSeen(), (a, b) -> a.isAfter(b) ? a : b);
      Set<String> documented = declaredParameters.get(match);
      if (documented != null) {
        Set<String> extra = new TreeSet<>(e.queryParameters());
        extra.removeAll(documented);
        if (!extra.isEmpty()) {
          undocumented.put(e.method() + " " + e.template(), extra);
        }
      }
    }
    List<OperationDef> unused = new ArrayList<>();
    Instant cutoff = now.minus(unusedAfter);
    for (OperationDef op : declared) {
      Instant last = lastCall.get(op);
      if (last == null || last.isBefore(cutoff)) {
        unused.add(op);
      }
    }
    return new DiscoveryReport(shadow, unused, undocumented);
  }

  /**
   * Whether an observed template is served by a declared path: a declared {@code {name}} matches
   * any one segment, a final {@code *} the rest, an observed placeholder only a declared one.
   */
  static boolean matches(String declared, String observed) {
    String[] d = split(declared);
    String[] o = split(observed);
    for (int i = 0; i < d.length; i++) {
      if (d[i].equals("*") && i == d.length - 1) {
        return o.length >= d.length - 1;
      }
      if (i >= o.length) {
        return false;
      }
      boolean dVar = d[i].startsWith("{") && d[i].endsWith("}") && d[i].indexOf('}') == d[i].length() - 1;
      boolean oVar = o[i].startsWith("{") && o[i].endsWith("}");
      if (dVar) {
        continue;
      }
      if (!oVar && d[i].indexOf('{') >= 0) {
        // A segment mixing literals and parameters ({ipv4}.txt) matches as the gateway routes it.
        if (!segmentMatches(d[i], o[i])) {
          return false;
        }
        continue;
      }
      if (oVar || !d[i].equals(o[i])) {
        return false;
      }
    }
    return d.length == o.length;
  }

  private static boolean segmentMatches(String declared, String observed) {
    try {
      return io.gatehouse.model.PathTemplate.parse("/" + declared).matches("/" + observed);
    } catch (IllegalArgumentException e) {
      return false;
    }
  }

  private static String[] split(String path) {
    String p = path.startsWith("/") ? path.substring(1) : path;
    if (p.endsWith("/")) {
      p = p.substring(0, p.length() - 1);
    }
    return p.isEmpty() ? new String[0] : p.split("/", -1);
  }

  /**
   * Exports what was observed for {@code api} as an OpenAPI 3.1 document: paths with their path
   * and query parameters, JSON request fields, observed response codes, and the observation
   * statistics under {@code x-gatehouse-observed}.
   */
  public synchronized String exportOpenApi(String api) {
    requireNonNull(api, "api");
    return exportOpenApi(api, endpoints(api));
  }

  /** Exports {@code endpoints} observed for {@code api} (this inventory's, or several nodes' merged) as {@link #exportOpenApi(String)}. */
  public static String exportOpenApi(String api, List<ObservedEndpoint> endpoints) {
    requireNonNull(api, "api");
    ObjectNode root = JSON.createObjectNode();
    root.put("openapi", "3.1.0");
    ObjectNode info = root.putObject("info");
    info.put("title", api + " (observed)");
    info.put("version", "observed");
    ObjectNode paths = root.putObject("paths");
    boolean anyAuth = false;
    for (ObservedEndpoint e : endpoints) {
      String openApiPath = openApiPath(e.template());
      ObjectNode item = paths.has(openApiPath) ? (ObjectNode) paths.get(openApiPath) : paths.putObject(openApiPath);
      ObjectNode op = item.putObject(e.method().toLowerCase(Locale.ROOT));
      ArrayNode params = op.putArray("parameters");
      int index = 0;
      for (String seg : split(e.template())) {
        if (seg.startsWith("{")) {
          ObjectNode p = params.addObject();
          p.put("name", paramName(seg, index++));
          p.put("in", "path");
          p.put("required", true);
          ObjectNode schema = p.putObject("schema");
          schemaFor(seg, schema);
        }
      }
      for (String q : new TreeSet<>(e.queryParameters())) {
        ObjectNode p = params.addObject();
        p.put("name", q);
        p.put("in", "query");
        p.putObject("schema").put("type", "string");
      }
      if (!e.jsonFields().isEmpty()) {
        ObjectNode props = op.putObject("requestBody").putObject("content")
            .putObject("application/json").putObject("schema").put("type", "object")
            .putObject("properties");
        for (String f : new TreeSet<>(e.jsonFields())) {
          props.putObject(f);
        }
      }
      ObjectNode responses = op.putObject("responses");
      for (Map.Entry<Integer, Long> s : new TreeMap<>(e.statusCounts()).entrySet()) {
        responses.putObject(String.valueOf(s.getKey())).put("description", "observed " + s.getValue() + " times");
      }
      if (e.authenticatedCalls() > 0) {
        anyAuth = true;
        op.putArray("security").addObject().putArray("observed");
      }
      ObjectNode x = op.putObject("x-gatehouse-observed");
      x.put("firstSeen", String.valueOf(e.firstSeen()));
      x.put("lastSeen", String.valueOf(e.lastSeen()));
      x.put("calls", e.calls());
      x.put("authenticatedCalls", e.authenticatedCalls());
      x.put("anonymousCalls", e.anonymousCalls());
      ArrayNode inRequests = x.putArray("sensitiveInRequests");
      e.sensitiveInRequests().stream().sorted().forEach(t -> inRequests.add(t.id()));
      ArrayNode inResponses = x.putArray("sensitiveInResponses");
      e.sensitiveInResponses().stream().sorted().forEach(t -> inResponses.add(t.id()));
    }
    if (anyAuth) {
      root.putObject("components").putObject("securitySchemes").putObject("observed")
          .put("type", "apiKey").put("in", "header").put("name", "Authorization")
          .put("description", "Callers were authenticated; the scheme is not visible to discovery.");
    }
    try {
      return JSON.writerWithDefaultPrettyPrinter().writeValueAsString(root);
    } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
      throw new IllegalStateException("cannot serialize observed OpenAPI document", e);
    }
  }

  private static String openApiPath(String template) {
    StringBuilder b = new StringBuilder();
    int index = 0;
    for (String seg : split(template)) {
      b.append('/');
      b.append(seg.startsWith("{") ? "{" + paramName(seg, index++) + "}" : seg);
    }
    return b.length() == 0 ? "/" : b.toString();
  }

  private static String paramName(String placeholder, int index) {
    return placeholder.substring(1, placeholder.length() - 1) + (index + 1);
  }

  private static void schemaFor(String placeholder, ObjectNode schema) {
    switch (placeholder) {
      case "{int}":
        schema.put("type", "integer");
        break;
      case "{uuid}":
        schema.put("type", "string").put("format", "uuid");
        break;
      case "{date}":
        schema.put("type", "string").put("format", "date");
        break;
      case "{email}":
        schema.put("type", "string").put("format", "email");
        break;
      default:
        schema.put("type", "string");
        break;
    }
  }
}
