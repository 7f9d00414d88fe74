package io.gatehouse.control.internal;

import static io.vertx.core.http.HttpMethod.DELETE;
import static io.vertx.core.http.HttpMethod.GET;
import static io.vertx.core.http.HttpMethod.POST;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import io.gatehouse.control.security.AuditLog;
import io.gatehouse.control.security.AuditRecord;
import io.gatehouse.control.security.Principal;
import io.gatehouse.control.security.Roles;
import io.gatehouse.model.ConfigMapper;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import java.util.function.Predicate;
import java.util.regex.Pattern;

/**
 * The identity and audit routes of management API v1: login, whoami, personal access tokens,
 * roles, local accounts and the audit log; handlers run on worker threads.
 */
public final class IdentityApi {
  /** The login route (the one route that needs no authentication). */
  public static final String LOGIN_PATH = ManagementApi.PREFIX + "/login";
  private static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._@-]{0,99}");
  private static final Duration DEFAULT_TOKEN_LIFETIME = Duration.ofDays(30);
  private static final Duration MAX_TOKEN_LIFETIME = Duration.ofDays(366);
  private static final int MIN_PASSWORD = 12;
  private static final Predicate<Call> ALWAYS = c -> true;
  private static final Predicate<Call> NEVER = c -> false;
  private static final Set<String> LOGIN_FIELDS = Set.of("name", "password");
  private static final Set<String> TOKEN_FIELDS = Set.of("name", "roles", "expiresIn", "expiresAt");
  private static final Set<String> ROLE_FIELDS = Set.of("name", "permissions");
  private static final Set<String> ACCOUNT_FIELDS = Set.of("name", "password", "roles");

  private final ManagementSecurity security;
  private final IdentityStore ids;
  private final List<Endpoint> endpoints = new ArrayList<>();

  /** The routes over {@code security}. */
  public IdentityApi(ManagementSecurity security) {
    this.security = security;
    this.ids = security.identities();
    String p = ManagementApi.PREFIX;
    add(POST, LOGIN_PATH, "identity", "Log in with a local account; returns a short-lived session token",
        Endpoint.Body.JSON, 200, List.of(), ALWAYS, this::login, Roles.PUBLIC);
    add(GET, p + "/whoami", "identity", "The caller: name, roles and permissions", Endpoint.Body.NONE, 200, List.of(),
        NEVER, this::whoami, Roles.AUTHENTICATED);
    add(GET, p + "/tokens", "tokens", "The caller's personal access tokens (everyone's with tokens:read), never values",
        Endpoint.Body.NONE, 200, List.of(), NEVER, this::listTokens, Roles.AUTHENTICATED);
    add(POST, p + "/tokens", "tokens", "Create a personal access token (name, roles, expiresIn|expiresAt); returns it once",
        Endpoint.Body.JSON, 201, List.of(), ALWAYS, this::createToken, Roles.AUTHENTICATED);
    add(DELETE, p + "/tokens/:id", "tokens", "Revoke a token (the caller's own; anyone's with tokens:write)",
        Endpoint.Body.NONE, 204, List.of(), ALWAYS, this::revokeToken, Roles.AUTHENTICATED);
    add(GET, p + "/roles", "roles", "Built-in and custom roles with their permissions", Endpoint.Body.NONE, 200,
        List.of(), NEVER, this::listRoles, "roles:read");
    add(POST, p + "/roles", "roles", "Create a custom role from permissions", Endpoint.Body.JSON, 201, List.of(), ALWAYS,
        this::createRole, "roles:write");
    add(DELETE, p + "/roles/:name", "roles", "Delete a custom role", Endpoint.Body.NONE, 204, List.of(), ALWAYS,
        this::deleteRole, "roles:write");
    add(GET, p + "/accounts", "accounts", "Local accounts (never password hashes)", Endpoint.Body.NONE, 200, List.of(),
        NEVER, c -> Reply.json(200, ids.accounts()), "accounts:read");
    add(POST, p + "/accounts", "accounts", "Create a local account (name, password, roles)", Endpoint.Body.JSON, 201,
        List.of(), ALWAYS, this::createAccount, "accounts:write");
    add(DELETE, p + "/accounts/:name", "accounts", "Delete a local account and revoke its tokens", Endpoint.Body.NONE,
        204, List.of(), ALWAYS, this::deleteAccount, "accounts:write");
    List<String> filters = List.of("actor", "action", "entity", "from", "to", "offset", "limit");
    add(GET, p + "/audit", "audit", "Audit records, oldest first, filtered and paged", Endpoint.Body.NONE, 200, filters,
        NEVER, this::audit, "audit:read");
    add(GET, p + "/audit/export", "audit", "Audit records as JSON lines (application/x-ndjson)", Endpoint.Body.NONE, 200,
        filters, NEVER, this::export, "audit:read");
  }

  /** Every endpoint, in registration order. */
  public List<Endpoint> endpoints() {
    return List.copyOf(endpoints);
  }

  private void add(io.vertx.core.http.HttpMethod method, String path, String tag, String summary, Endpoint.Body body,
      int status, List<String> query, Predicate<Call> mutates, Function<Call, Reply> handler, String permission) {
    endpoints.add(new Endpoint(method, path, tag, summary, body, status, query, mutates, handler, permission));
  }

  // ---- login ----

  private Reply login(Call c) {
    JsonNode body = JsonBody.object(c.body(), LOGIN_FIELDS, true);
    String name = text(body, "name");
    String password = text(body, "password");
    IdentityStore.Login outcome = ids.login(name, password, security.options().maxLoginFailures(),
        security.options().lockout());
    List<String> roles = ids.account(name).map(IdentityStore.Account::roles).orElse(List.of());
    if (outcome != IdentityStore.Login.OK) { // the password was checked first: a right one is never limited
      long wait = security.failures().failedLogin(c.clientIp(), name);
      security.audit().append(name, "", c.clientIp(), "login", "accounts/" + name, null, null,
          (wait > 0 ? "failed 429" : "failed 401") + (outcome == IdentityStore.Login.LOCKED ? " locked" : ""),
          c.requestId());
      if (wait > 0) {
        throw ApiException.tooMany("too many failed logins from " + c.clientIp() + " or for this account; the right"
            + " password is still accepted unless the account is locked", wait);
      }
      throw new ApiException(401, "invalid name or password, or the account is locked");
    }
    Instant expires = Instant.ofEpochMilli(ids.clock().millis()).plus(security.options().sessionTtl());
    IdentityStore.Issued issued = ids.createToken("session", "session", name, roles, expires);
    security.audit().append(name, String.join(",", roles), c.clientIp(), "login", "accounts/" + name, null,
        Map.of("session", issued.info().id(), "expiresAt", expires.toString()), "success", c.requestId());
    Map<String, Object> out = new LinkedHashMap<>();
    out.put("token", issued.token());
    out.put("tokenType", "Bearer");
    out.put("expiresAt", expires);
    out.put("roles", roles);
    return Reply.json(200, out);
  }

  private Reply whoami(Call c) {
    Principal p = c.who();
    Map<String, Object> out = new LinkedHashMap<>();
    out.put("name", p.name());
    out.put("method", p.method());
    out.put("roles", new java.util.TreeSet<>(p.roles()));
    out.put("permissions", new java.util.TreeSet<>(p.permissions()));
    return Reply.json(200, out);
  }

  // ---- tokens ----

  private Reply listTokens(Call c) {
    boolean all = c.who().permissions().contains("tokens:read");
    return Reply.json(200, ids.tokens(all ? null : c.who().name()).stream().map(IdentityApi::tokenView).toList());
  }

  private Reply createToken(Call c) {
    JsonNode body = JsonBody.object(c.body(), TOKEN_FIELDS, true);
    String name = text(body, "name");
    if (!NAME.matcher(name).matches()) {
      throw ApiException.badField("name", "expected 1-100 letters, digits, '.', '_', '@' or '-' but got '" + name + "'");
    }
    List<String> roles = roles(body);
    Set<String> wanted = ids.permissionsOf(roles);
    if (!c.who().permissions().containsAll(wanted)) {
      Set<String> extra = new java.util.TreeSet<>(wanted);
      extra.removeAll(c.who().permissions());
      throw new ApiException(403, "a token cannot hold permissions its creator lacks: " + extra);
    }
    Instant now = Instant.ofEpochMilli(ids.clock().millis());
    Instant expires = now.plus(DEFAULT_TOKEN_LIFETIME);
    if (body.has("expiresAt") && body.has("expiresIn")) {
      throw ApiException.badField("expiresIn", "expected at most one of 'expiresAt' and 'expiresIn' but got both");
    }
    if (body.has("expiresAt")) {
      String text = string(body, "expiresAt");
      try {
        expires = Instant.parse(text);
      } catch (DateTimeParseException e) {
        throw ApiException.badField("expiresAt", "expected an ISO-8601 instant such as 2026-01-31T12:00:00Z but got '"
            + text + "'");
      }
    } else if (body.has("expiresIn")) {
      String text = string(body, "expiresIn");
      try {
        expires = now.plus(Duration.parse(text));
      } catch (DateTimeParseException | ArithmeticException e) {
        throw ApiException.badField("expiresIn", "expected an ISO-8601 duration such as P30D or PT1H but got '"
            + text + "'");
      }
    }
    if (!expires.isAfter(now) || expires.isAfter(now.plus(MAX_TOKEN_LIFETIME))) {
      throw ApiException.badField("expiresAt", "expected a time in the next 366 days but got " + expires);
    }
    IdentityStore.Issued issued = ids.createToken(name, "pat", c.who().name(), roles, expires);
    Map<String, Object> out = tokenView(issued.info());
    out.put("token", issued.token());
    return Reply.json(201, out).header("Location", ManagementApi.PREFIX + "/tokens/" + issued.info().id());
  }

  private Reply revokeToken(Call c) {
    String owner = c.who().permissions().contains("tokens:write") ? null : c.who().name();
    ids.token(c.path("id")).filter(t -> owner == null || t.owner().equals(owner)).ifPresent(t -> {
      if (!c.who().permissions().containsAll(ids.permissionsOf(t.roles()))) {
        throw new ApiException(403, "token '" + t.id() + "' holds permissions the caller lacks; it cannot revoke it");
      }
    });
    if (ids.revoke(c.path("id"), owner).isEmpty()) {
      throw new ApiException(404, "no token '" + c.path("id") + "'" + (owner == null ? "" : " of " + owner));
    }
    return Reply.empty(204);
  }

  private static Map<String, Object> tokenView(IdentityStore.TokenInfo t) {
    Map<String, Object> out = new LinkedHashMap<>();
    out.put("id", t.id());
    out.put("name", t.name());
    out.put("owner", t.owner());
    out.put("roles", t.roles());
    out.put("createdAt", t.createdAt());
    out.put("expiresAt", t.expiresAt());
    out.put("revokedAt", t.revokedAt());
    return out;
  }

  // ---- roles ----

  private Reply listRoles(Call c) {
    List<Map<String, Object>> out = new ArrayList<>();
    Roles.BUILT_IN.forEach((name, perms) -> out.add(Map.of("name", name, "builtIn", true, "permissions", perms)));
    ids.customRoles().forEach((name, perms) -> out.add(Map.of("name", name, "builtIn", false,
        "permissions", new java.util.TreeSet<>(perms))));
    return Reply.json(200, out);
  }

  private Reply createRole(Call c) {
    JsonNode body = JsonBody.object(c.body(), ROLE_FIELDS, true);
    String name = text(body, "name");
    if (!NAME.matcher(name).matches()) {
      throw ApiException.badField("name", "expected 1-100 letters, digits, '.', '_', '@' or '-' but got '" + name + "'");
    }
    if (Roles.isBuiltIn(name)) {
      throw new ApiException(409, "role '" + name + "' is built in");
    }
    JsonNode perms = body.get("permissions");
    if (perms == null || !perms.isArray() || perms.isEmpty()) {
      throw ApiException.badField("permissions", "expected a non-empty array of permissions such as \"apis:read\"");
    }
    List<String> list = new ArrayList<>();
    for (JsonNode p : perms) {
      if (!Roles.isPermission(p.asText())) {
        throw ApiException.badField("permissions", "expected one of " + Roles.PERMISSIONS + " but got '" + p.asText() + "'");
      }
      list.add(p.asText());
    }
    if (!ids.createRole(name, list)) {
      throw new ApiException(409, "role '" + name + "' already exists");
    }
    return Reply.json(201, Map.of("name", name, "builtIn", false, "permissions", new java.util.TreeSet<>(list)))
        .header("Location", ManagementApi.PREFIX + "/roles/" + name);
  }

  private Reply deleteRole(Call c) {
    String name = c.path("name");
    if (Roles.isBuiltIn(name)) {
      throw new ApiException(409, "role '" + name + "' is built in and cannot be deleted");
    }
    if (!ids.deleteRole(name)) {
      throw new ApiException(404, "no role '" + name + "'");
    }
    return Reply.empty(204);
  }

  // ---- accounts ----

  private Reply createAccount(Call c) {
    JsonNode body = JsonBody.object(c.body(), ACCOUNT_FIELDS, true);
    String name = text(body, "name");
    if (!NAME.matcher(name).matches()) {
      throw ApiException.badField("name", "expected 1-100 letters, digits, '.', '_', '@' or '-' but got '" + name + "'");
    }
    if (name.equals(io.gatehouse.control.AdminTokens.ADMIN)) {
      throw new ApiException(409, "account name '" + name + "' is reserved for the bootstrap admin token");
    }
    String password = text(body, "password");
    if (password.length() < MIN_PASSWORD || password.length() > 1024) {
      throw ApiException.badField("password", "expected " + MIN_PASSWORD + " to 1024 characters but got "
          + password.length());
    }
    List<String> roles = roles(body);
    if (!ids.createAccount(name, password, roles)) {
      throw new ApiException(409, "account '" + name + "' already exists");
    }
    return Reply.json(201, ids.account(name).orElseThrow()).header("Location", ManagementApi.PREFIX + "/accounts/" + name);
  }

  private Reply deleteAccount(Call c) {
    if (!ids.deleteAccount(c.path("name"))) {
      throw new ApiException(404, "no account '" + c.path("name") + "'");
    }
    return Reply.empty(204);
  }

  // ---- audit ----

  private Reply audit(Call c) {
    int offset = ManagementApi.intParam(c, "offset", 0, Integer.MAX_VALUE, 0);
    int limit = ManagementApi.intParam(c, "limit", 1, 500, 100);
    List<Map<String, Object>> items = new ArrayList<>();
    security.audit().scan(c.query("actor").orElse(null), c.query("action").orElse(null),
        c.query("entity").orElse(null), instant(c, "from"), instant(c, "to"), offset, limit,
        r -> items.add(AuditLog.toJson(r)));
    Map<String, Object> out = new LinkedHashMap<>();
    out.put("offset", offset);
    out.put("limit", limit);
    out.put("items", items);
    return Reply.json(200, out);
  }

  private Reply export(Call c) {
    StringBuilder out = new StringBuilder();
    security.audit().scan(c.query("actor").orElse(null), c.query("action").orElse(null),
        c.query("entity").orElse(null), instant(c, "from"), instant(c, "to"), 0, Integer.MAX_VALUE,
        (AuditRecord r) -> {
          try {
            out.append(ConfigMapper.json().writeValueAsString(AuditLog.toJson(r))).append('\n');
          } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot write audit record " + r.seq(), e);
          }
        });
    return Reply.text(200, out.toString(), "application/x-ndjson");
  }

  // ---- helpers ----

  private List<String> roles(JsonNode body) {
    JsonNode node = body.get("roles");
    if (node == null || !node.isArray() || node.isEmpty()) {
      throw ApiException.badField("roles", "expected a non-empty array of role names");
    }
    List<String> out = new ArrayList<>();
    for (JsonNode r : node) {
      if (!ids.roleExists(r.asText())) {
        throw ApiException.badField("roles", "expected a built-in or custom role but got '" + r.asText() + "'");
      }
      out.add(r.asText());
    }
    return out;
  }

  private static String string(JsonNode body, String field) {
    JsonNode v = body.get(field);
    if (v == null || !v.isTextual()) {
      throw ApiException.badField(field, "expected a string");
    }
    return v.asText();
  }

  private static String text(JsonNode body, String field) {
    JsonNode v = body.get(field);
    if (v == null || !v.isTextual() || v.asText().isEmpty()) {
      throw ApiException.badField(field, "expected a non-empty string");
    }
    return v.asText();
  }

  private static Instant instant(Call c, String name) {
    String text = c.query(name).orElse(null);
    if (text == null) {
      return null;
    }
    try {
      return Instant.parse(text);
    } catch (DateTimeParseException e) {
      throw ApiException.badField(name, "expected an ISO-8601 instant such as 2026-01-31T12:00:00Z but got '" + text + "'");
    }
  }

}
