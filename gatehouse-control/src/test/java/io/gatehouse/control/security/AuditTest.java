package io.gatehouse.control.security;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.gatehouse.control.SqliteConfigStore;
import io.gatehouse.model.ConfigMapper;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AuditTest {
  /** The store the tests run against: SQLite here, PostgreSQL in the subclass. */
  io.gatehouse.control.TestStores.Kind kind() {
    return io.gatehouse.control.TestStores.Kind.SQLITE;
  }

  @TempDir Path dir;

  static final String BACKEND = "{\"name\":\"b1\",\"url\":\"http://127.0.0.1:9000\"}";
  static final String API = "{\"name\":\"orders\",\"path\":\"/orders\",\"backend\":\"b1\"}";

  @Test
  void recordsEveryMutationWithActorSourceBeforeAfterAndResult() throws Exception {
    try (Mgmt m = new Mgmt(kind(), dir, b -> {})) {
      assertThat(m.owner("POST", "/api/v1/backends", BACKEND).status()).isEqualTo(201);
      Mgmt.Res created = m.owner("POST", "/api/v1/apis", API);
      assertThat(created.status()).as(created.body()).isEqualTo(201);
      m.owner("PUT", "/api/v1/apis/orders", API.replace("/orders", "/orders/v2"));
      String reader = m.tokenFor("reader");
      assertThat(m.call(reader, "DELETE", "/api/v1/apis/orders", null).status()).isEqualTo(403);
      m.owner("GET", "/api/v1/apis", null);

      JsonNode items = m.owner("GET", "/api/v1/audit?entity=apis/", null).json().get("items");
      assertThat(items).hasSize(3);
      JsonNode create = items.get(0);
      assertThat(create.get("actor").asText()).isEqualTo("admin");
      assertThat(create.get("roles").asText()).isEqualTo("owner");
      assertThat(create.get("sourceIp").asText()).isEqualTo("127.0.0.1");
      assertThat(create.get("action").asText()).isEqualTo("postApis");
      assertThat(create.get("entity").asText()).isEqualTo("apis/orders");
      assertThat(create.get("before").isNull()).isTrue();
      assertThat(create.get("after").get("path").asText()).isEqualTo("/orders");
      assertThat(create.get("result").asText()).isEqualTo("success");
      assertThat(create.get("requestId").asText()).isEqualTo(created.header("X-Request-Id"));
      JsonNode replace = items.get(1);
      assertThat(replace.get("before").get("path").asText()).isEqualTo("/orders");
      assertThat(replace.get("after").get("path").asText()).isEqualTo("/orders/v2");
      JsonNode denied = items.get(2);
      assertThat(denied.get("actor").asText()).isEqualTo("admin");
      assertThat(denied.get("roles").asText()).isEqualTo("reader");
      assertThat(denied.get("result").asText()).isEqualTo("denied");
      assertThat(m.server.auditLog().verify().intact()).isTrue();
    }
  }

  @Test
  void redactsSecretsAndRecordsTokenCreationAndLogins() throws Exception {
    try (Mgmt m = new Mgmt(kind(), dir, b -> {})) {
      Mgmt.Res token = m.owner("POST", "/api/v1/tokens", "{\"name\":\"ci\",\"roles\":[\"reader\"]}");
      m.owner("POST", "/api/v1/accounts", "{\"name\":\"dave\",\"password\":\"dave-password-123\",\"roles\":[\"reader\"]}");
      m.call(null, "POST", "/api/v1/login", "{\"name\":\"dave\",\"password\":\"dave-password-123\"}");
      m.call(null, "POST", "/api/v1/login", "{\"name\":\"dave\",\"password\":\"not-the-password\"}");

      String export = m.owner("GET", "/api/v1/audit/export", null).body();
      assertThat(export).doesNotContain(token.json().get("token").asText()).doesNotContain("dave-password-123")
          .contains(AuditLog.REDACTED);
      String[] lines = export.strip().split("\n");
      assertThat(lines).hasSize(4);
      JsonNode tokenLine = ConfigMapper.json().readTree(lines[0]);
      assertThat(tokenLine.get("action").asText()).isEqualTo("postTokens");
      assertThat(tokenLine.get("entity").asText()).isEqualTo("tokens/" + token.json().get("id").asText());
      JsonNode ok = ConfigMapper.json().readTree(lines[2]);
      assertThat(ok.get("action").asText()).isEqualTo("login");
      assertThat(ok.get("actor").asText()).isEqualTo("dave");
      assertThat(ok.get("result").asText()).isEqualTo("success");
      assertThat(ConfigMapper.json().readTree(lines[3]).get("result").asText()).isEqualTo("failed 401");
      assertThat(m.owner("GET", "/api/v1/audit/export?action=login", null).body().strip().split("\n")).hasSize(2);
    }
  }

  @Test
  void filtersByActorActionAndTimeAndPages() throws Exception {
    try (Mgmt m = new Mgmt(kind(), dir, b -> {})) {
      AuditLog log = m.server.auditLog();
      for (int i = 0; i < 5; i++) {
        log.append(i % 2 == 0 ? "ann" : "ben", "admin", "10.0.0.1", i < 3 ? "postApis" : "deleteApis", "apis/a" + i, null,
            Map.of("i", i), "success", "r" + i);
      }
      assertThat(m.owner("GET", "/api/v1/audit?actor=ann", null).json().get("items")).hasSize(3);
      assertThat(m.owner("GET", "/api/v1/audit?action=deleteApis", null).json().get("items")).hasSize(2);
      JsonNode page = m.owner("GET", "/api/v1/audit?offset=1&limit=2", null).json().get("items");
      assertThat(page).hasSize(2);
      assertThat(page.get(0).get("seq").asLong()).isEqualTo(2);
      String future = Instant.now().plusSeconds(3600).toString();
      assertThat(m.owner("GET", "/api/v1/audit?from=" + future, null).json().get("items")).isEmpty();
      assertThat(m.owner("GET", "/api/v1/audit?to=" + future, null).json().get("items")).hasSize(5);
      assertThat(m.owner("GET", "/api/v1/audit?from=yesterday", null).status()).isEqualTo(400);
      assertThat(m.call(m.tokenFor("auditor"), "GET", "/api/v1/audit", null).status()).isEqualTo(200);
      assertThat(m.call(m.tokenFor("operator"), "GET", "/api/v1/audit", null).status()).isEqualTo(403);
    }
  }

  @Test
  void theServerCannotUpdateOrDeleteAuditRows() throws Exception {
    try (SqliteConfigStore store = SqliteConfigStore.open(dir)) {
      AuditLog.of(store).append("a", "owner", "127.0.0.1", "x", "e", null, null, "success", "r");
      org.assertj.core.api.Assertions.assertThatThrownBy(() -> store.jdbi().useHandle(h ->
          h.execute("UPDATE audit_log SET actor = 'b'"))).hasMessageContaining("append-only");
      org.assertj.core.api.Assertions.assertThatThrownBy(() -> store.jdbi().useHandle(h ->
          h.execute("DELETE FROM audit_log"))).hasMessageContaining("append-only");
    }
  }
}
