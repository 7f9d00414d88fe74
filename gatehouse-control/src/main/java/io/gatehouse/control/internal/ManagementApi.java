package io.gatehouse.control.internal;

import static io.vertx.core.http.HttpMethod.DELETE;
import static io.vertx.core.http.HttpMethod.GET;
import static io.vertx.core.http.HttpMethod.POST;
import static io.vertx.core.http.HttpMethod.PUT;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.gatehouse.control.ControlPlane;
import io.gatehouse.control.Revision;
import io.gatehouse.control.StaleRevisionException;
import io.gatehouse.control.secrets.ReferenceAllowlist;
import io.gatehouse.control.secrets.References;
import io.gatehouse.control.secrets.Secrets;
import io.gatehouse.model.ApiDef;
import io.gatehouse.model.ConfigDiff;
import io.gatehouse.model.ConfigException;
import io.gatehouse.model.ConfigLoader;
import io.gatehouse.model.ConfigMapper;
import io.gatehouse.model.ConfigProblem;
import io.gatehouse.model.GatewayConfig;
import io.gatehouse.model.OpenApiImporter;
import io.gatehouse.model.NamedValueDef;
import io.gatehouse.model.SourceLines;
import io.gatehouse.model.SubscriptionDef;
import io.gatehouse.model.SubscriptionKeys;
import io.gatehouse.model.TagSelection;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.Set;
import java.util.function.Function;
import java.util.function.Predicate;
import java.util.function.UnaryOperator;

/**
 * The routes of management API v1 and their handlers, as a list of {@link Endpoint}s; handlers
 * run on worker threads and may block on the store.
 */
public final class ManagementApi {
  /** The prefix of every route. */
  public static final String PREFIX = "/api/v1";
  /** The response header carrying the current revision after a call. */
  public static final String REVISION_HEADER = "Gatehouse-Revision";
  private static final int MAX_PAGE = 500;
  /** How problems of a whole configuration sent in a request name their source. */
  private static final String BODY = "request body";
  private static final Predicate<Call> ALWAYS = c -> true;
  private static final Predicate<Call> NEVER = c -> false;

  private final ControlPlane plane;
  private final RevisionRoutes revisions;
  private final ConfigLoader loader = ConfigLoader.withEnvironment(Map.of()).inlineDocumentsOnly();
  private final List<Endpoint> endpoints = new ArrayList<>();

  /** The API over {@code plane}. */
  public ManagementApi(ControlPlane plane) {
    this.plane = plane;
    this.revisions = new RevisionRoutes(plane, MAX_PAGE);
    for (EntityKind<?> kind : EntityKind.ALL) {
      entityRoutes(kind);
    }
    String subs = PREFIX + "/subscriptions/:name/";
    add(POST, subs + "regenerate-primary-key", "subscriptions", "Replace the primary key; returns it once",
        Endpoint.Body.NONE, 200, List.of(), ALWAYS, c -> regenerate(c, true), "subscriptions:write");
    add(POST, subs + "regenerate-secondary-key", "subscriptions", "Replace the secondary key; returns it once",
        Endpoint.Body.NONE, 200, List.of(), ALWAYS, c -> regenerate(c, false), "subscriptions:write");

    add(GET, PREFIX + "/revisions", "revisions", "List revisions, newest first", Endpoint.Body.NONE, 200,
        List.of("offset", "limit"), NEVER, c -> revisioned(revisions.list(c)), "revisions:read");
    add(GET, PREFIX + "/revisions/:id", "revisions", "Get one revision with its configuration",
        Endpoint.Body.NONE, 200, List.of(), NEVER, c -> revisioned(revisions.get(c)), "revisions:read");
    add(GET, PREFIX + "/revisions/:from/diff/:to", "revisions", "The changes from one revision to another",
        Endpoint.Body.NONE, 200, List.of(), NEVER, c -> revisioned(revisions.diff(c)), "revisions:read");
    add(POST, PREFIX + "/revisions/:id/rollback", "revisions",
        "Commit a new revision whose configuration equals revision id", Endpoint.Body.NONE, 200, List.of(), ALWAYS,
        this::rollback, "revisions:write");

    // ---- secrets (see docs/security.md) ----
    // Reveal is the one route that returns a secret value; it must require the strongest permission.
    add(POST, PREFIX + "/named-values/:name/reveal", "named-values",
        "Return a named value's value, secrets included (admin action)", Endpoint.Body.NONE, 200, List.of(), NEVER,
        this::reveal, "secrets:reveal");
    add(GET, PREFIX + "/seal/public-key", "secrets",
        "The instance's X25519 public key (PEM) that 'gatehouse seal' encrypts secret values to", Endpoint.Body.NONE,
        200, List.of(), NEVER, c -> Reply.text(200, plane.store().secrets().sealing().publicKeyPem(), "application/x-pem-file"),
        "authenticated");
    add(GET, PREFIX + "/secrets/references", "secrets",
        "The state of every reference named value: resolved, last success, last error (never the value)",
        Endpoint.Body.NONE, 200, List.of(), NEVER, this::referenceHealth, "named-values:read");

    add(GET, PREFIX + "/config", "config", "The whole current configuration (JSON, or YAML on Accept: application/yaml)",
        Endpoint.Body.NONE, 200, List.of(), NEVER, this::getConfig, "config:read");
    add(PUT, PREFIX + "/config", "config", "Replace the whole configuration; dryRun=true only plans",
        Endpoint.Body.CONFIG, 200, List.of("dryRun", "message", "selectTag"),
        c -> !c.query("dryRun").map(Boolean::parseBoolean).orElse(false), this::putConfig, "config:write");
  }

  /** Every endpoint, in registration order (the OpenAPI document's route, once the server adds it). */
  public List<Endpoint> endpoints() {
    return List.copyOf(endpoints);
  }

  private void add(io.vertx.core.http.HttpMethod method, String path, String tag, String summary, Endpoint.Body body,
      int status, List<String> query, Predicate<Call> mutates, Function<Call, Reply> handler, String permission) {
    endpoints.add(new Endpoint(method, path, tag, summary, body, status, query, mutates, handler, permission));
  }

  private <T> void entityRoutes(EntityKind<T> kind) {
    String base = PREFIX + "/" + kind.segment();
    String one = base + "/:name";
    String tag = kind.segment();
    String read = kind.segment() + ":read";
    String write = kind.segment() + ":write";
    boolean apis = kind.type() == ApiDef.class; // APIs filter on inventory metadata (ApiInventoryFilter)
    add(GET, base, tag, "List " + kind.segment() + (apis ? ", filtered by inventory metadata" : ""), Endpoint.Body.NONE,
        200, apis ? ApiInventoryFilter.PARAMETERS : List.of(), NEVER,
        c -> {
          Predicate<ApiDef> keep = apis ? ApiInventoryFilter.of(c) : a -> true;
          return revisioned(Reply.json(200, kind.items().apply(plane.config()).stream()
              .filter(i -> !apis || keep.test((ApiDef) i)).map(ManagementApi::view).toList()));
        },
        read);
    add(POST, base, tag, "Create a " + kind.singular() + " (409 when the name exists)", Endpoint.Body.JSON, 201,
        List.of(), ALWAYS, c -> create(kind, c), write);
    add(GET, one, tag, "Get a " + kind.singular(), Endpoint.Body.NONE, 200, List.of(), NEVER,
        c -> revisioned(Reply.json(200, view(existing(kind, plane.config(), c.path("name"))))), read);
    add(PUT, one, tag, "Replace a " + kind.singular(), Endpoint.Body.JSON, 200, List.of(), ALWAYS,
        c -> replace(kind, c), write);
    add(DELETE, one, tag, "Delete a " + kind.singular() + " (409 while referenced)", Endpoint.Body.NONE, 204,
        List.of(), ALWAYS, c -> delete(kind, c), write);
  }

  // ---- entities ----

  private <T> Reply create(EntityKind<T> kind, Call c) {
    T parsed = prepare(kind, parseEntity(kind, c.body(), null));
    Map<String, String> generated = new LinkedHashMap<>();
    T item = kind.type() == SubscriptionDef.class ? kind.type().cast(withNewKeys((SubscriptionDef) parsed, generated)) : parsed;
    String name = kind.name().apply(item);
    Revision r = invalidAs400(() -> update(c, cfg -> {
      if (kind.find(cfg, name).isPresent()) {
        throw new ApiException(409, kind.singular() + " '" + name + "' already exists");
      }
      List<T> items = new ArrayList<>(kind.items().apply(cfg));
      items.add(item);
      return guarded(c, cfg, kind.with().apply(cfg, items));
    }, "create " + kind.segment() + "/" + name, "api"), null);
    Object body = view(kind.find(r.config(), name).orElseThrow());
    if (!generated.isEmpty()) {
      @SuppressWarnings("unchecked")
      Map<String, Object> withKeys = new LinkedHashMap<>((Map<String, Object>) body);
      withKeys.putAll(generated);
      body = withKeys;
    }
    body = withAuditWarnings(item, body);
    return revisioned(Reply.json(201, body).header("Location", PREFIX + "/" + kind.segment() + "/" + name), r);
  }

  private <T> Reply replace(EntityKind<T> kind, Call c) {
    String name = c.path("name");
    T parsed = prepare(kind, parseEntity(kind, c.body(), name));
    Revision r = invalidAs400(() -> update(c, cfg -> {
      T old = existing(kind, cfg, name);
      T item = parsed;
      if (parsed instanceof SubscriptionDef s) {
        SubscriptionDef before = (SubscriptionDef) old;
        item = kind.type().cast(s.withKeyMaterial(s.primaryKey(), s.secondaryKey(),
            s.primaryKey() == null && s.primaryKeyHash() == null ? before.primaryKeyHash() : s.primaryKeyHash(),
            s.secondaryKey() == null && s.secondaryKeyHash() == null ? before.secondaryKeyHash() : s.secondaryKeyHash()));
      }
      List<T> items = new ArrayList<>(kind.items().apply(cfg));
      items.set(items.indexOf(old), item);
      return guarded(c, cfg, kind.with().apply(cfg, items));
    }, "replace " + kind.segment() + "/" + name, "api"), null);
    return revisioned(Reply.json(200, withAuditWarnings(parsed, view(kind.find(r.config(), name).orElseThrow()))), r);
  }

  private <T> Reply delete(EntityKind<T> kind, Call c) {
    String name = c.path("name");
    try {
      Revision r = update(c, cfg -> {
        T old = existing(kind, cfg, name);
        List<T> items = new ArrayList<>(kind.items().apply(cfg));
        items.remove(old);
        return kind.with().apply(cfg, items);
      }, "delete " + kind.segment() + "/" + name, "api");
      return revisioned(Reply.empty(204), r);
    } catch (ConfigException e) {
      throw new ApiException(409, kind.singular() + " '" + name + "' is still referenced", e.problems());
    }
  }

  private Reply regenerate(Call c, boolean primary) {
    String name = c.path("name");
    String key = SubscriptionKeys.generate();
    Revision r = update(c, cfg -> {
      SubscriptionDef s = cfg.subscription(name)
          .orElseThrow(() -> new ApiException(404, "no subscription '" + name + "'"));
      List<SubscriptionDef> items = new ArrayList<>(cfg.subscriptions());
      items.set(items.indexOf(s), primary ? s.withKeys(key, null) : s.withKeys(null, key));
      return cfg.withSubscriptions(items);
    }, "regenerate " + (primary ? "primary" : "secondary") + " key of subscriptions/" + name, "api");
    Map<String, Object> body = new LinkedHashMap<>();
    body.put("name", name);
    body.put(primary ? "primaryKey" : "secondaryKey", key);
    return revisioned(Reply.json(200, body), r);
  }

  private static <T> T parseEntity(EntityKind<T> kind, String body, String pathName) {
    ObjectNode node = JsonBody.object(body, true);
    if (pathName != null) {
      JsonNode given = node.get("name");
      if (given == null || given.isNull()) {
        node.put("name", pathName);
      } else if (!given.isTextual() || !given.asText().equals(pathName)) {
        throw ApiException.badField("name", "expected '" + pathName + "' (the name in the path) or no name but got " + given);
      }
    }
    try {
      return ConfigLoader.mapValue(node, kind.type());
    } catch (ConfigException e) {
      throw new ApiException(400, "the body does not describe a " + kind.singular() + ": " + e.getMessage(), e.problems());
    }
  }

  /**
   * Adds {@code warnings}, the OpenAPI audit findings of an API's inline document, to the response
   * body; advisory only, never blocking the change.
   */
  private static Object withAuditWarnings(Object item, Object body) {
    if (!(item instanceof ApiDef api) || api.openapi() == null || api.openapi().inline() == null) {
      return body;
    }
    List<io.gatehouse.insight.Finding> findings;
    try {
      findings = io.gatehouse.insight.audit.OpenApiAuditor.audit(api.openapi().inline());
    } catch (RuntimeException e) {
      return body;
    }
    ObjectNode out = ConfigMapper.json().valueToTree(body);
    com.fasterxml.jackson.databind.node.ArrayNode warnings = out.putArray("warnings");
    for (io.gatehouse.insight.Finding f : findings) {
      ObjectNode w = warnings.addObject();
      w.put("rule", f.rule());
      w.put("severity", f.severity().name().toLowerCase(java.util.Locale.ROOT));
      w.put("resource", f.resource());
      w.put("title", f.title());
      w.put("remediation", f.remediation());
      w.put("owasp", f.owasp());
    }
    return out;
  }

  /** Resolves an API's inline OpenAPI document into operations; other kinds pass through. */
  private static <T> T prepare(EntityKind<T> kind, T item) {
    if (!(item instanceof ApiDef api) || api.openapi() == null) {
      return item;
    }
    if (api.openapi().inline() == null || api.openapi().file() != null || api.openapi().url() != null) {
      throw ApiException.badField("openapi", "expected only 'inline' (the document's text); 'file' and 'url' are not accepted here");
    }
    try {
      return kind.type().cast(new OpenApiImporter().importInto(api, api.openapi().inline()));
    } catch (io.gatehouse.model.OpenApiImportException e) {
      throw ApiException.badField(e.field(), io.gatehouse.model.ReadErrors.scrub(e.getMessage()));
    }
  }

  private static SubscriptionDef withNewKeys(SubscriptionDef s, Map<String, String> generated) {
    String primary = s.primaryKey();
    String secondary = s.secondaryKey();
    if (primary == null && s.primaryKeyHash() == null) {
      primary = SubscriptionKeys.generate();
      generated.put("primaryKey", primary);
    }
    if (secondary == null && s.secondaryKeyHash() == null) {
      secondary = SubscriptionKeys.generate();
      generated.put("secondaryKey", secondary);
    }
    return s.withKeyMaterial(primary, secondary,
        primary == null ? s.primaryKeyHash() : null, secondary == null ? s.secondaryKeyHash() : null);
  }

  private static <T> T existing(EntityKind<T> kind, GatewayConfig config, String name) {
    return kind.find(config, name).orElseThrow(() -> new ApiException(404, "no " + kind.singular() + " '" + name + "'"));
  }

  /**
   * What entity routes show: the entity, except subscriptions, which show no key material, and
   * secret named values, which show metadata only.
   */
  public static Object view(Object item) {
    if (item instanceof NamedValueDef nv) {
      return Secrets.view(nv);
    }
    if (!(item instanceof SubscriptionDef s)) {
      return item;
    }
    Map<String, Object> out = new LinkedHashMap<>();
    out.put("name", s.name());
    out.put("scope", s.scope());
    out.put("state", s.state());
    if (s.expiresAt() != null) {
      out.put("expiresAt", s.expiresAt());
    }
    if (s.owner() != null) {
      out.put("owner", s.owner());
    }
    if (!s.tags().isEmpty()) {
      out.put("tags", s.tags());
    }
    return out;
  }

  // ---- revisions ----

  private Reply rollback(Call c) {
    Revision target = revisions.revisionOrEmpty(c, "id"); // revision 0, the empty configuration, as the diff reads it
    return commit(target.config(), c, "rollback to revision " + target.id(), "rollback", false);
  }

  /** The integer query parameter {@code name} in [{@code min}, {@code max}], or {@code fallback}; 400 otherwise. */
  static int intParam(Call c, String name, int min, int max, int fallback) {
    String text = c.query(name).orElse(null);
    if (text == null) {
      return fallback;
    }
    try {
      int value = Integer.parseInt(text);
      if (value >= min && value <= max) {
        return value;
      }
    } catch (NumberFormatException e) {
      // reported below
    }
    throw ApiException.badField(name, "expected an integer from " + min + " to " + max + " but got '" + text + "'");
  }

  // ---- whole configuration ----

  private Reply getConfig(Call c) {
    GatewayConfig config = SubscriptionKeyViews.forCaller(c.who(), plane.store().secrets().sealed(plane.config()));
    if (wantsYaml(c.accept())) {
      try {
        return revisioned(Reply.text(200, ConfigMapper.yaml().writeValueAsString(config), "application/yaml"));
      } catch (JsonProcessingException e) {
        throw new IllegalStateException("cannot write YAML: " + e.getOriginalMessage(), e);
      }
    }
    return revisioned(Reply.json(200, config));
  }

  private Reply putConfig(Call c) {
    String text = c.body() == null ? "" : c.body();
    GatewayConfig file = invalidAs400(() -> loader.parse(text, BODY, null), null);
    Set<String> tags = selectedTags(c);
    UnaryOperator<GatewayConfig> scoped =
        current -> tags.isEmpty() ? file : invalidAs400(() -> TagSelection.apply(current, file, tags), text);
    boolean dryRun = c.query("dryRun").map(Boolean::parseBoolean).orElse(false);
    if (dryRun) { // refused for the same reasons, and with the same problems, as the real change
      Revision current = plane.revision();
      GatewayConfig scopedWanted = scoped.apply(current.config());
      invalidAs400(() -> {
        plane.check(guarded(c, current.config(), SubscriptionKeyViews.keepingKeys(current.config(), scopedWanted)));
        return null;
      }, text);
      Map<String, Object> body = new LinkedHashMap<>();
      body.put("dryRun", true);
      body.put("changed", false);
      body.put("revision", current.id());
      GatewayConfig wanted = invalidAs400(() -> plane.store().secrets().unseal(scopedWanted), text);
      plan(body, ConfigDiff.between(current.config(),
          plane.store().secrets().withKeyedHashes(SubscriptionKeyViews.keepingKeys(current.config(), wanted))));
      return revisioned(Reply.json(200, body));
    }
    return commit(scoped, c, c.query("message").orElse("apply configuration"), "api", true, text);
  }

  /** The answer to a whole-configuration change: whether a revision was created, which, and the plan. */
  private static Map<String, Object> outcome(Revision before, Revision after) {
    Map<String, Object> body = new LinkedHashMap<>();
    body.put("dryRun", false);
    body.put("changed", after.id() != before.id());
    body.put("revision", after.id());
    plan(body, ConfigDiff.between(before.config(), after.config()));
    return body;
  }

  /** Puts the field-level {@code plan} and its {@code summary} into an answer. */
  private static void plan(Map<String, Object> body, ConfigDiff diff) {
    body.put("plan", diff.changes());
    body.put("summary", diff.summary());
  }

  /**
   * The tags of the {@code selectTag} query parameter (comma-separated); empty when absent.
   *
   * @throws ApiException 400 naming a malformed tag
   */
  private static Set<String> selectedTags(Call c) {
    Set<String> out = new LinkedHashSet<>();
    for (String tag : c.query("selectTag").orElse("").split(",")) {
      String t = tag.trim();
      if (t.isEmpty()) {
        continue;
      }
      if (!TagSelection.isTag(t)) {
        throw ApiException.badField("selectTag", "expected tags of 1 to 64 letters, digits and ._:/@=+- separated"
            + " by commas but got '" + t + "'");
      }
      out.add(t);
    }
    return out;
  }

  /**
   * Commits {@code wanted} for caller {@code c} and answers with the outcome; with {@code keepKeys},
   * subscriptions given without keys keep theirs ({@link SubscriptionKeyViews#keepingKeys}).
   */
  private Reply commit(GatewayConfig wanted, Call c, String message, String source, boolean keepKeys) {
    return commit(current -> wanted, c, message, source, keepKeys, null);
  }

  /**
   * Like {@link #commit(GatewayConfig, Call, String, String, boolean)} with the configuration made
   * from the current one; problems located in {@code text} when given.
   */
  private Reply commit(UnaryOperator<GatewayConfig> change, Call c, String message, String source,
      boolean keepKeys, String text) {
    Revision[] before = new Revision[1];
    Revision after = invalidAs400(() -> update(c, current -> {
      before[0] = plane.revision();
      GatewayConfig wanted = change.apply(current);
      return guarded(c, current, keepKeys ? SubscriptionKeyViews.keepingKeys(current, wanted) : wanted);
    }, message, source), text);
    return revisioned(Reply.json(200, outcome(before[0], after)), after);
  }

  private Reply reveal(Call c) {
    String name = c.path("name");
    NamedValueDef nv = plane.config().namedValue(name)
        .orElseThrow(() -> new ApiException(404, "no named value '" + name + "'"));
    String value = nv.value();
    if (nv.isReference()) {
      GatewayConfig resolved = plane.store().secrets().resolved(GatewayConfig.EMPTY.withNamedValues(List.of(nv)));
      value = resolved.namedValues().get(0).value();
      if (value == null) {
        throw new ApiException(409, "reference named value '" + name + "' (" + nv.ref() + ") has no value yet");
      }
    }
    Map<String, Object> body = new LinkedHashMap<>();
    body.put("name", name);
    body.put("type", nv.type());
    body.put("value", value);
    return revisioned(Reply.json(200, body));
  }

  private Reply referenceHealth(Call c) {
    References refs = plane.store().secrets().references();
    return revisioned(Reply.json(200, Map.of("items", refs == null ? List.of() : refs.health())));
  }

  static boolean wantsYaml(String accept) {
    if (accept == null) {
      return false;
    }
    String a = accept.toLowerCase(java.util.Locale.ROOT);
    return (a.contains("application/yaml") || a.contains("application/x-yaml") || a.contains("text/yaml"))
        && !a.startsWith("application/json");
  }

  // ---- helpers ----

  /**
   * Commits {@code change} for caller {@code c}: applied again on the newest revision when another
   * change came first ({@link ControlPlane#update}), or, when the call has {@code If-Match}, applied
   * only to that revision and refused with 412 when it is not the newest.
   */
  private Revision update(Call c, UnaryOperator<GatewayConfig> change, String message, String source) {
    OptionalLong expected = expectedRevision(c);
    try {
      return expected.isPresent() ? plane.updateOn(expected.getAsLong(), change, c.principal(), message, source)
          : plane.update(change, c.principal(), message, source);
    } catch (StaleRevisionException e) {
      String detail = expected.isPresent()
          ? "If-Match names revision " + e.base() + " but the configuration is at revision " + e.latest().id()
              + "; read it again (its ETag) and decide whether the change still applies"
          : "the configuration changed " + ControlPlane.MAX_ATTEMPTS + " times while this change was being made"
              + " (last on revision " + e.latest().id() + "); send it again";
      throw new ApiException(expected.isPresent() ? 412 : 409, detail, List.of(),
          Map.of("ETag", etag(e.latest().id()), REVISION_HEADER, Long.toString(e.latest().id())));
    }
  }

  /**
   * The revision named by the call's {@code If-Match} header ({@code "17"}, as {@code ETag} gives it;
   * {@code W/"17"} and {@code 17} too), or empty without one or with {@code *}.
   *
   * @throws ApiException 400 when the header names anything else, or more than one revision
   */
  static OptionalLong expectedRevision(Call c) {
    String header = c.ifMatch() == null ? "" : c.ifMatch().trim();
    if (header.isEmpty() || header.equals("*")) {
      return OptionalLong.empty();
    }
    String tag = header.startsWith("W/") ? header.substring(2) : header;
    if (tag.length() >= 2 && tag.startsWith("\"") && tag.endsWith("\"")) {
      tag = tag.substring(1, tag.length() - 1);
    }
    try {
      long id = Long.parseLong(tag);
      if (id >= 0) {
        return OptionalLong.of(id);
      }
    } catch (NumberFormatException e) {
      // reported below
    }
    throw new ApiException(400, "If-Match: expected one revision ETag such as \"17\" (from ETag or "
        + REVISION_HEADER + ") but got '" + header + "'");
  }

  /** The entity tag of revision {@code id}: its number, quoted. */
  static String etag(long id) {
    return "\"" + id + "\"";
  }

  private Reply revisioned(Reply reply) {
    return revisioned(reply, plane.revision());
  }

  private static Reply revisioned(Reply reply, Revision r) {
    return reply.header(REVISION_HEADER, Long.toString(r.id())).header("ETag", etag(r.id()));
  }

  /** {@code after}, once {@link ConfigWriteRules} allow caller {@code c} to change {@code before} into it. */
  private GatewayConfig guarded(Call c, GatewayConfig before, GatewayConfig after) {
    References refs = plane.store().secrets().references();
    ConfigWriteRules.check(c.who(), refs == null ? ReferenceAllowlist.none() : refs.allowlist(), before, after);
    return after;
  }

  /**
   * The result of {@code action}, or a 400 listing its problems, located in the request body
   * {@code text} (nullable: the body is not the configuration) by their field paths.
   */
  private static <R> R invalidAs400(java.util.function.Supplier<R> action, String text) {
    try {
      return action.get();
    } catch (ConfigException e) {
      List<ConfigProblem> problems = text == null ? e.problems() : SourceLines.of(text).locate(e.problems(), BODY);
      throw new ApiException(400, problems.size() == 1 ? "invalid configuration: " + problems.get(0)
          : "invalid configuration: " + problems.size() + " problems", problems);
    }
  }
}
