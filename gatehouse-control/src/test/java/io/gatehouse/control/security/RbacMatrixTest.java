package io.gatehouse.control.security;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every route of the management API's own OpenAPI document against every built-in role: a route
 * added without a declared permission, or one that enforces something other than it declares,
 * fails here.
 */
class RbacMatrixTest {
  /** The store the tests run against: SQLite here, PostgreSQL in the subclass. */
  io.gatehouse.control.TestStores.Kind kind() {
    return io.gatehouse.control.TestStores.Kind.SQLITE;
  }

  @TempDir Path dir;
  Mgmt m;

  @BeforeEach
  void start() throws Exception {
    m = new Mgmt(kind(), dir, b -> {});
  }

  @AfterEach
  void stop() throws Exception {
    m.close();
  }

  record Op(String method, String path, String permission, boolean hasBody) {
    String concretePath() {
      return path.replaceAll("\\{[^}]+}", "no-such-thing");
    }
  }

  List<Op> operations() throws Exception {
    Mgmt.Res doc = m.owner("GET", "/api/v1/openapi.json", null);
    assertThat(doc.status()).isEqualTo(200);
    List<Op> ops = new ArrayList<>();
    Iterator<Map.Entry<String, JsonNode>> paths = doc.json().get("paths").fields();
    while (paths.hasNext()) {
      Map.Entry<String, JsonNode> p = paths.next();
      Iterator<Map.Entry<String, JsonNode>> methods = p.getValue().fields();
      while (methods.hasNext()) {
        Map.Entry<String, JsonNode> op = methods.next();
        JsonNode permission = op.getValue().get("x-gatehouse-permission");
        ops.add(new Op(op.getKey().toUpperCase(Locale.ROOT), p.getKey(), permission == null ? null : permission.asText(),
            op.getValue().has("requestBody")));
      }
    }
    return ops;
  }

  @Test
  void everyRouteDeclaresAKnownPermission() throws Exception {
    List<Op> ops = operations();
    assertThat(ops).hasSizeGreaterThan(40);
    for (Op op : ops) {
      assertThat(op.permission()).as("permission of %s %s", op.method(), op.path()).isNotNull();
      assertThat(Roles.isPermission(op.permission()) || op.permission().equals(Roles.PUBLIC)
          || op.permission().equals(Roles.AUTHENTICATED)).as("%s %s declares %s", op.method(), op.path(), op.permission())
          .isTrue();
    }
    assertThat(ops).filteredOn(o -> Roles.PUBLIC.equals(o.permission())).extracting(Op::path)
        .containsExactly("/api/v1/login");
    assertThat(ops).filteredOn(o -> o.path().startsWith("/api/v1/backend-status")).extracting(Op::permission)
        .containsExactly("backends:read", "backends:read");
  }

  @Test
  void everyRouteEnforcesItsPermissionForEveryBuiltInRole() throws Exception {
    List<Op> ops = operations();
    Map<String, String> tokens = new LinkedHashMap<>();
    for (String role : Roles.BUILT_IN.keySet()) {
      tokens.put(role, m.tokenFor(role));
    }
    List<String> mismatches = new ArrayList<>();
    int calls = 0;
    for (Op op : ops) {
      for (Map.Entry<String, String> t : tokens.entrySet()) {
        boolean allowed = Roles.permits(Roles.BUILT_IN.get(t.getKey()), op.permission());
        Mgmt.Res r = m.call(t.getValue(), op.method(), op.concretePath(), op.hasBody() ? "{}" : null);
        calls++;
        boolean denied = r.status() == 403 && r.body().contains("is required");
        if (allowed == denied || r.status() == 401 || r.status() >= 500) {
          mismatches.add(t.getKey() + " " + op.method() + " " + op.path() + " (" + op.permission() + ") -> " + r.status());
        }
      }
    }
    assertThat(mismatches).isEmpty();
    assertThat(calls).isEqualTo(ops.size() * Roles.BUILT_IN.size());
  }

  @Test
  void everyRouteButLoginRefusesAnonymousCallers() throws Exception {
    for (Op op : operations()) {
      Mgmt.Res r = m.call(null, op.method(), op.concretePath(), op.hasBody() ? "{}" : null);
      if (Roles.PUBLIC.equals(op.permission())) {
        assertThat(r.status()).as("%s %s", op.method(), op.path()).isNotIn(401, 403);
      } else {
        assertThat(r.status()).as("%s %s", op.method(), op.path()).isEqualTo(401);
      }
    }
  }

  @Test
  void builtInRolesGrantWhatTheirNamesSay() {
    // Written by hand, independently of the table the server enforces.
    assertThat(Roles.BUILT_IN.get(Roles.READER)).allMatch(p -> p.endsWith(":read")).doesNotContain("audit:read");
    assertThat(Roles.BUILT_IN.get(Roles.AUDITOR)).allMatch(p -> p.endsWith(":read")).contains("audit:read");
    assertThat(Roles.BUILT_IN.get(Roles.API_PUBLISHER)).filteredOn(p -> p.endsWith(":write"))
        .containsExactlyInAnyOrder("apis:write", "products:write", "policies:write", "debugging:write");
    assertThat(Roles.BUILT_IN.get(Roles.OPERATOR)).filteredOn(p -> p.endsWith(":write"))
        .containsExactlyInAnyOrder("subscriptions:write", "users:write", "developers:write");
    assertThat(Roles.BUILT_IN.get(Roles.ADMIN)).contains("config:write", "audit:read")
        .doesNotContain("roles:write", "accounts:write", Roles.SECRETS_REVEAL);
    assertThat(Roles.BUILT_IN.entrySet()).filteredOn(e -> e.getValue().contains(Roles.SECRETS_REVEAL))
        .extracting(java.util.Map.Entry::getKey).as("only owners read secrets").containsExactly(Roles.OWNER);
    assertThat(Roles.BUILT_IN.get(Roles.OWNER)).containsAll(Roles.PERMISSIONS);
    assertThat(Roles.permits(Roles.PERMISSIONS, null)).as("an undeclared permission is denied to all").isFalse();
  }

}
