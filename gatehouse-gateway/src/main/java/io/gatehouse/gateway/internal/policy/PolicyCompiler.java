package io.gatehouse.gateway.internal.policy;

import io.gatehouse.gateway.internal.counters.CounterStore;
import io.gatehouse.model.ConfigProblem;
import io.gatehouse.model.PoliciesDef;
import io.gatehouse.policy.PolicyConfigException;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Compiles policy configuration for one snapshot: resolves each entry through the
 * {@link PolicyRegistry}, substitutes named values, nests scopes (global, product, API,
 * operation) and builds a {@link PolicyTable} per API. Problems are collected, each located, for
 * example {@code apis[0].policies.inbound[1].rate-limit-by-key.calls}.
 */
public final class PolicyCompiler {
  private static final Pattern NAMED_VALUE = Pattern.compile("\\$\\{nv:([^}]*)}");
  private static final Object BASE = new Object();
  private static final io.gatehouse.gateway.internal.outbound.OutboundGuard STRICT =
      io.gatehouse.gateway.internal.outbound.OutboundGuard.create(null, List.of());

  private final PolicyRegistry registry;
  private final Map<String, String> namedValues;
  private final List<ConfigProblem> problems;
  private final CounterStore counters;
  private final io.gatehouse.gateway.internal.counters.PolicyStates states;
  private final java.util.Set<String> stateIdentities = new java.util.HashSet<>();
  private String location = "";
  private String scopeAt = "";
  private String scopeId = "";
  private io.gatehouse.policy.PolicyScope scope = io.gatehouse.policy.PolicyScope.GLOBAL;
  private final Map<Object, Object> shared = new HashMap<>();
  private io.gatehouse.gateway.internal.outbound.OutboundGuard outbound = STRICT;
  private Backends backends;
  private io.gatehouse.model.ApiDef api;

  /** Resolves backends for routing policies into opaque handles the gateway forwards to. */
  public interface Backends {
    /** The handle of the configured backend {@code name}, or {@code null} when there is none. */
    Object named(String name);

    /**
     * The handle of an ad-hoc backend at {@code url}.
     *
     * @throws IllegalArgumentException when the URL cannot be used
     */
    Object at(String url);
  }

  public PolicyCompiler(PolicyRegistry registry, Map<String, String> namedValues, List<ConfigProblem> problems) {
    this(registry, namedValues, problems, CounterStore.inMemory(), new io.gatehouse.gateway.internal.counters.PolicyStates());
  }

  /**
   * A compiler whose stateful policies count in {@code counters} (quotas) and keep their in-memory
   * state in {@code states} (rate limits, concurrency limits); both outlive the snapshot.
   */
  public PolicyCompiler(PolicyRegistry registry, Map<String, String> namedValues, List<ConfigProblem> problems,
      CounterStore counters, io.gatehouse.gateway.internal.counters.PolicyStates states) {
    this.registry = registry;
    this.namedValues = namedValues;
    this.problems = problems;
    this.counters = java.util.Objects.requireNonNull(counters, "counters");
    this.states = java.util.Objects.requireNonNull(states, "states");
  }

  /**
   * The state of the policy being created, kept across snapshots: by its identity (the scope by
   * name, the section and the position, for example {@code apis[orders].policies.inbound[1]}, plus
   * the policy's name), or by {@code counter} when the configuration names one (then every policy
   * of that name and {@code counter} shares it).
   *
   * @param counter the explicit counter name, nullable for the policy's identity
   */
  public <T> T state(String policyName, String counter, Class<T> type, java.util.function.Supplier<T> create) {
    String identity = (counter == null ? identity() : "counter:" + counter) + "|" + policyName;
    stateIdentities.add(identity);
    return states.obtain(identity, type, create);
  }

  /** The identities whose state this compilation used, for the gateway to keep. */
  public java.util.Set<String> stateIdentities() {
    return java.util.Set.copyOf(stateIdentities);
  }

  /**
   * The stable identity of the policy being created: its location with APIs, products and
   * operations written by name instead of position, for example
   * {@code apis[orders].operations[GET /orders/{id}].policies.inbound[0]}.
   */
  public String identity() {
    return location.startsWith(scopeAt) ? scopeId + location.substring(scopeAt.length()) : location;
  }

  /** The stable identity of the scope whose policies are being compiled, e.g. {@code apis[orders].policies}. */
  public String scopeIdentity() {
    return scopeId;
  }

  /** The scope whose policies are being compiled, as a typed value. */
  public io.gatehouse.policy.PolicyScope policyScope() {
    return scope;
  }

  /** The gateway's policy state, shared by every snapshot of one gateway; also its clocks. */
  public io.gatehouse.gateway.internal.counters.PolicyStates states() {
    return states;
  }

  /** The gateway's counter store, shared by every snapshot of one gateway. */
  public CounterStore counters() {
    return counters;
  }

  /** Where the policy being created is configured, e.g. {@code apis[0].policies.inbound[1]}. */
  public String location() {
    return location;
  }

  /**
   * Sets the API whose scopes (API, operations) are compiled next, or {@code null} while the
   * global and product scopes are compiled.
   */
  public void api(io.gatehouse.model.ApiDef api) {
    this.api = api;
  }

  /** The API whose policies are being compiled, or {@code null} at the global and product scopes. */
  public io.gatehouse.model.ApiDef api() {
    return api;
  }

  /**
   * The value cached under {@code key} for this compilation, computed once with {@code compute}
   * (so several policies of one snapshot share, for example, one compiled OpenAPI contract).
   */
  @SuppressWarnings("unchecked")
  public <T> T shared(Object key, java.util.function.Supplier<T> compute) {
    Object v = shared.get(key);
    if (v == null) {
      v = compute.get();
      shared.put(key, v);
    }
    return (T) v;
  }

  /** The compiled entries of one scope, by section; {@code base} kept as a marker. */
  public static final class Scope {
    static final Scope EMPTY = new Scope(new EnumMap<>(Section.class));
    final Map<Section, List<Object>> sections;

    Scope(Map<Section, List<Object>> sections) {
      this.sections = sections;
    }

    List<Object> get(Section s) {
      return sections.getOrDefault(s, List.of());
    }
  }

  /** Sets the guard of the gateway's outbound calls (key fetches); without it, a strict one. */
  public void outbound(io.gatehouse.gateway.internal.outbound.OutboundGuard guard) {
    this.outbound = java.util.Objects.requireNonNull(guard, "guard");
  }

  /** The guard every outbound call of a compiled policy passes. */
  public io.gatehouse.gateway.internal.outbound.OutboundGuard outbound() {
    return outbound;
  }

  /** Sets how routing policies resolve backends; without it they are refused. */
  public void backends(Backends backends) {
    this.backends = backends;
  }

  /** The handle of configured backend {@code name}, for {@code field}. */
  public Object backendNamed(String field, String name) {
    Object b = backends == null ? null : backends.named(name);
    if (b == null) {
      throw new PolicyConfigException(field, "unknown backend '" + name + "'");
    }
    return b;
  }

  /** The handle of an ad-hoc backend at {@code url}, for {@code field}. */
  public Object backendAt(String field, String url) {
    if (backends == null) {
      throw new PolicyConfigException(field, "backends cannot be resolved here");
    }
    try {
      return backends.at(url);
    } catch (IllegalArgumentException | NullPointerException e) {
      throw new PolicyConfigException(field, "cannot use '" + url + "' as a backend: " + e.getMessage());
    }
  }

  /**
   * Compiles the policies of {@code scope} found at {@code at} (for example
   * {@code apis[0].policies}), whose stable identity is {@code id} (the same written by name,
   * {@code apis[orders].policies}).
   */
  public Scope scope(PoliciesDef def, io.gatehouse.policy.PolicyScope scope, String at, String id) {
    if (def == null || def.isEmpty()) {
      return Scope.EMPTY;
    }
    this.scope = java.util.Objects.requireNonNull(scope, "scope");
    scopeAt = at;
    scopeId = id;
    Map<Section, List<Object>> out = new EnumMap<>(Section.class);
    section(out, Section.INBOUND, def.inbound(), at);
    section(out, Section.BACKEND, def.backend(), at);
    section(out, Section.OUTBOUND, def.outbound(), at);
    section(out, Section.ON_ERROR, def.onError(), at);
    return new Scope(out);
  }

  private void section(Map<Section, List<Object>> out, Section section, List<Object> entries, String at) {
    if (entries.isEmpty()) {
      return;
    }
    List<Object> compiled = new ArrayList<>();
    boolean base = false;
    for (int i = 0; i < entries.size(); i++) {
      String where = at + "." + section.key() + "[" + i + "]";
      Object entry = entries.get(i);
      if (PoliciesDef.BASE.equals(entry)) {
        if (base) {
          problems.add(ConfigProblem.at(where, "'base' may appear only once per section"));
        }
        base = true;
        compiled.add(BASE);
        continue;
      }
      try {
        compiled.add(step(entry, section, where));
      } catch (PolicyConfigException e) {
        problems.add(ConfigProblem.at(e.field().isEmpty() ? where : where + "." + e.field(), e.getMessage()));
      }
    }
    out.put(section, compiled);
  }

  /**
   * Compiles one entry ({@code {name: {config}}}) configured at {@code where}; problems are thrown
   * as {@link PolicyConfigException} whose field is relative to {@code where}.
   */
  public Step step(Object entry, Section section, String where) {
    if (!(entry instanceof Map<?, ?> map) || map.size() != 1) {
      throw new PolicyConfigException("",
          "expected a policy as '{name: {configuration}}' or 'base' but got " + PolicyConfig.describe(entry));
    }
    Map.Entry<?, ?> e = map.entrySet().iterator().next();
    String name = String.valueOf(e.getKey());
    BuiltinPolicyFactory factory = registry.get(name);
    if (factory == null) {
      throw new PolicyConfigException(name, "unknown policy '" + name + "'; known policies are " + registry.names());
    }
    Object raw = e.getValue();
    if (raw != null && !(raw instanceof Map)) {
      throw new PolicyConfigException(name, "expected the policy's configuration as a map but got "
          + PolicyConfig.describe(raw));
    }
    @SuppressWarnings("unchecked")
    Map<String, Object> config = raw == null ? new LinkedHashMap<>() : (Map<String, Object>) substitute(raw, name);
    io.gatehouse.policy.Policy policy;
    String outer = location;
    location = where;
    try {
      PolicyConfig pc = PolicyConfig.of(config);
      policy = factory.create(pc, section, this);
      pc.done();
    } catch (PolicyConfigException x) {
      throw new PolicyConfigException(x.field().isEmpty() ? name : name + "." + x.field(), x.getMessage());
    } catch (RuntimeException x) {
      throw new PolicyConfigException(name, "the policy refused its configuration: " + x.getMessage());
    } finally {
      location = outer;
    }
    if (policy == null) {
      throw new PolicyConfigException(name, "the policy factory returned nothing");
    }
    return new Step(where, name, section, scope, policy);
  }

  /** Compiles a nested list of entries (as in {@code choose}); no {@code base} allowed. */
  public Step[] steps(List<Object> entries, Section section, String field, String where) {
    List<Step> out = new ArrayList<>();
    for (int i = 0; i < entries.size(); i++) {
      String rel = field + "[" + i + "]";
      try {
        out.add(step(entries.get(i), section, where + "." + rel));
      } catch (PolicyConfigException e) {
        throw new PolicyConfigException(e.field().isEmpty() ? rel : rel + "." + e.field(), e.getMessage());
      }
    }
    return out.toArray(new Step[0]);
  }

  /** Compiles a CEL expression for {@code field}. */
  public Expression expression(String field, String text, boolean condition) {
    try {
      return condition ? Expressions.condition(text) : Expressions.compile(text);
    } catch (IllegalArgumentException e) {
      throw new PolicyConfigException(field, e.getMessage());
    }
  }

  private Object substitute(Object value, String field) {
    if (value instanceof String s) {
      if (s.indexOf("${nv:") < 0) {
        return s;
      }
      Matcher m = NAMED_VALUE.matcher(s);
      StringBuilder out = new StringBuilder();
      while (m.find()) {
        String v = namedValues.get(m.group(1));
        if (v == null) {
          throw new PolicyConfigException(field, "unknown named value '" + m.group(1) + "'");
        }
        m.appendReplacement(out, Matcher.quoteReplacement(v));
      }
      m.appendTail(out);
      return out.toString();
    }
    if (value instanceof Map<?, ?> map) {
      Map<String, Object> out = new LinkedHashMap<>();
      for (Map.Entry<?, ?> e : map.entrySet()) {
        String k = String.valueOf(e.getKey());
        out.put(k, substitute(e.getValue(), field + "." + k));
      }
      return out;
    }
    if (value instanceof List<?> list) {
      List<Object> out = new ArrayList<>();
      for (int i = 0; i < list.size(); i++) {
        out.add(substitute(list.get(i), field + "[" + i + "]"));
      }
      return out;
    }
    return value;
  }

  /**
   * Builds the pipelines of one API from its scopes: {@code products} maps each product containing
   * the API to its scope; {@code operations} maps each operation ({@code METHOD /path}) to its scope,
   * or is empty when the API lists no operations.
   */
  public PolicyTable table(Scope global, Map<String, Scope> products, Scope api, Map<String, Scope> operations) {
    Map<String, Scope> ops = operations.isEmpty() ? Map.of("", Scope.EMPTY) : operations;
    Map<String, Scope> prods = new LinkedHashMap<>();
    prods.put("", Scope.EMPTY);
    prods.putAll(products);
    Map<String, Map<String, Pipeline>> out = new HashMap<>();
    for (Map.Entry<String, Scope> op : ops.entrySet()) {
      Map<String, Pipeline> byProduct = new HashMap<>();
      for (Map.Entry<String, Scope> p : prods.entrySet()) {
        Pipeline pipeline = new Pipeline(
            nest(Section.INBOUND, global, p.getValue(), api, op.getValue()),
            nest(Section.BACKEND, global, p.getValue(), api, op.getValue()),
            nest(Section.OUTBOUND, global, p.getValue(), api, op.getValue()),
            nest(Section.ON_ERROR, global, p.getValue(), api, op.getValue()));
        if (!pipeline.isEmpty()) {
          byProduct.put(p.getKey(), pipeline);
        }
      }
      if (!byProduct.isEmpty()) {
        out.put(op.getKey(), Map.copyOf(byProduct));
      }
    }
    return out.isEmpty() ? PolicyTable.NONE : new PolicyTable(Map.copyOf(out));
  }

  private static Step[] nest(Section section, Scope... scopes) {
    List<Step> effective = List.of();
    for (Scope scope : scopes) {
      effective = merge(effective, scope.get(section));
    }
    return effective.toArray(new Step[0]);
  }

  private static List<Step> merge(List<Step> parent, List<Object> items) {
    if (items.isEmpty()) {
      return parent;
    }
    List<Step> out = new ArrayList<>();
    boolean hasBase = items.contains(BASE);
    if (!hasBase) {
      out.addAll(parent);
    }
    for (Object item : items) {
      if (item == BASE) {
        out.addAll(parent);
      } else {
        out.add((Step) item);
      }
    }
    return out;
  }
}
