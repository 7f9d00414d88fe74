package io.gatehouse.control.security;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class IdentityTest {
  /** The store the tests run against: SQLite here, PostgreSQL in the subclass. */
  io.gatehouse.control.TestStores.Kind kind() {
    return io.gatehouse.control.TestStores.Kind.SQLITE;
  }

  @TempDir Path dir;
  Mgmt m;

  @AfterEach
  void stop() throws Exception {
    if (m != null) {
      m.close();
    }
  }

  @Test
  void bootstrapAdminTokenIsTheOwner() throws Exception {
    m = new Mgmt(kind(), dir, b -> {});
    Mgmt.Res me = m.owner("GET", "/api/v1/whoami", null);
    assertThat(me.status()).isEqualTo(200);
    assertThat(me.json().get("roles").toString()).isEqualTo("[\"owner\"]");
    assertThat(me.json().get("method").asText()).isEqualTo("bootstrap");
  }

  @Test
  void personalAccessTokenIsShownOnceWorksAndStopsWorkingWhenRevoked() throws Exception {
    m = new Mgmt(kind(), dir, b -> {});
    Mgmt.Res created = m.owner("POST", "/api/v1/tokens", "{\"name\":\"ci\",\"roles\":[\"reader\"],\"expiresIn\":\"P7D\"}");
    assertThat(created.status()).isEqualTo(201);
    String token = created.json().get("token").asText();
    assertThat(token).startsWith("ghp_");
    assertThat(Base64.getUrlDecoder().decode(token.substring(4))).hasSize(32);
    String id = created.json().get("id").asText();
    assertThat(created.json().get("expiresAt").asText()).isEqualTo("2026-01-08T00:00:00Z");

    Mgmt.Res list = m.owner("GET", "/api/v1/tokens", null);
    assertThat(list.body()).contains("\"ci\"").doesNotContain(token).doesNotContain("sha256");
    assertThat(m.call(token, "GET", "/api/v1/apis", null).status()).isEqualTo(200);
    assertThat(m.call(token, "POST", "/api/v1/apis", "{}").status()).isEqualTo(403);

    assertThat(m.owner("DELETE", "/api/v1/tokens/" + id, null).status()).isEqualTo(204);
    assertThat(m.call(token, "GET", "/api/v1/apis", null).status()).isEqualTo(401);
  }

  @Test
  void rejectsExpiredToken() throws Exception {
    m = new Mgmt(kind(), dir, b -> {});
    String token = m.owner("POST", "/api/v1/tokens", "{\"name\":\"short\",\"roles\":[\"reader\"],\"expiresIn\":\"PT1H\"}")
        .json().get("token").asText();
    assertThat(m.call(token, "GET", "/api/v1/whoami", null).status()).isEqualTo(200);
    m.clock.advance(Duration.ofMinutes(61));
    assertThat(m.call(token, "GET", "/api/v1/whoami", null).status()).isEqualTo(401);
  }

  @Test
  void aTokenCannotGrantMoreThanItsCreatorHolds() throws Exception {
    m = new Mgmt(kind(), dir, b -> {});
    String reader = m.tokenFor("reader");
    Mgmt.Res r = m.call(reader, "POST", "/api/v1/tokens", "{\"name\":\"up\",\"roles\":[\"admin\"]}");
    assertThat(r.status()).isEqualTo(403);
    assertThat(r.body()).contains("config:write");
    assertThat(m.call(reader, "POST", "/api/v1/tokens", "{\"name\":\"same\",\"roles\":[\"reader\"]}").status())
        .isEqualTo(201);
    assertThat(m.call(reader, "GET", "/api/v1/tokens", null).body()).contains("\"same\"");
    String admin = m.owner("POST", "/api/v1/tokens", "{\"name\":\"strong\",\"roles\":[\"admin\"]}").json().get("id").asText();
    assertThat(m.call(reader, "DELETE", "/api/v1/tokens/" + admin, null).status())
        .as("a weaker token cannot revoke a stronger one").isEqualTo(403);
  }

  @Test
  void customRoleGrantsExactlyItsPermissions() throws Exception {
    m = new Mgmt(kind(), dir, b -> {});
    assertThat(m.owner("POST", "/api/v1/roles", "{\"name\":\"api-viewer\",\"permissions\":[\"apis:read\"]}").status())
        .isEqualTo(201);
    assertThat(m.owner("POST", "/api/v1/roles", "{\"name\":\"bad\",\"permissions\":[\"apis:destroy\"]}").status())
        .isEqualTo(400);
    assertThat(m.owner("POST", "/api/v1/roles", "{\"name\":\"owner\",\"permissions\":[\"apis:read\"]}").status())
        .isEqualTo(409);
    String token = m.tokenFor("api-viewer");
    assertThat(m.call(token, "GET", "/api/v1/apis", null).status()).isEqualTo(200);
    assertThat(m.call(token, "GET", "/api/v1/products", null).status()).isEqualTo(403);
    assertThat(m.owner("DELETE", "/api/v1/roles/api-viewer", null).status()).isEqualTo(204);
    assertThat(m.call(token, "GET", "/api/v1/apis", null).status()).isEqualTo(403);
  }

  @Test
  void localAccountLogsInWithASessionTokenAndItsHashIsArgon2id() throws Exception {
    m = new Mgmt(kind(), dir, b -> b.sessionTtl(Duration.ofMinutes(10)));
    assertThat(m.owner("POST", "/api/v1/accounts",
        "{\"name\":\"alice\",\"password\":\"correct horse battery\",\"roles\":[\"operator\"]}").status()).isEqualTo(201);
    assertThat(m.owner("POST", "/api/v1/accounts", "{\"name\":\"bob\",\"password\":\"short\",\"roles\":[\"reader\"]}")
        .status()).isEqualTo(400);
    assertThat(m.owner("POST", "/api/v1/accounts",
        "{\"name\":\"admin\",\"password\":\"correct horse battery\",\"roles\":[\"reader\"]}").status())
        .as("the bootstrap token's name is reserved").isEqualTo(409);
    String stored = m.store.jdbi().withHandle(h -> h.createQuery("SELECT password_hash FROM accounts WHERE name = 'alice'")
        .mapTo(String.class).one());
    assertThat(stored).startsWith("$argon2id$v=19$m=19456,t=2,p=1$").doesNotContain("correct");
    assertThat(m.owner("GET", "/api/v1/accounts", null).body()).doesNotContain("argon2");

    Mgmt.Res login = m.call(null, "POST", "/api/v1/login", "{\"name\":\"alice\",\"password\":\"correct horse battery\"}");
    assertThat(login.status()).isEqualTo(200);
    String session = login.json().get("token").asText();
    assertThat(login.json().get("expiresAt").asText()).isEqualTo("2026-01-01T00:10:00Z");
    Mgmt.Res me = m.call(session, "GET", "/api/v1/whoami", null);
    assertThat(me.json().get("name").asText()).isEqualTo("alice");
    assertThat(me.json().get("method").asText()).isEqualTo("session");
    assertThat(m.call(session, "POST", "/api/v1/subscriptions", "{}").status()).isEqualTo(400);
    assertThat(m.call(session, "POST", "/api/v1/apis", "{}").status()).isEqualTo(403);

    m.clock.advance(Duration.ofMinutes(11));
    assertThat(m.call(session, "GET", "/api/v1/whoami", null).status()).isEqualTo(401);
  }

  @Test
  void locksAnAccountAfterRepeatedFailuresUntilTheLockoutEnds() throws Exception {
    m = new Mgmt(kind(), dir, b -> b.lockout(3, Duration.ofMinutes(15)));
    m.owner("POST", "/api/v1/accounts", "{\"name\":\"carol\",\"password\":\"a-long-password-1\",\"roles\":[\"reader\"]}");
    String good = "{\"name\":\"carol\",\"password\":\"a-long-password-1\"}";
    String bad = "{\"name\":\"carol\",\"password\":\"wrong-password-00\"}";
    for (int i = 0; i < 3; i++) {
      assertThat(m.call(null, "POST", "/api/v1/login", bad).status()).isEqualTo(401);
    }
    assertThat(m.call(null, "POST", "/api/v1/login", good).status()).as("locked").isEqualTo(401);
    m.clock.advance(Duration.ofMinutes(16));
    assertThat(m.call(null, "POST", "/api/v1/login", good).status()).isEqualTo(200);
  }

  @Test
  void rateLimitsLoginAttemptsPerClient() throws Exception {
    m = new Mgmt(kind(), dir, b -> b.limits(10_000, 3));
    String bad = "{\"name\":\"nobody\",\"password\":\"whatever-password\"}";
    for (int i = 0; i < 3; i++) {
      assertThat(m.call(null, "POST", "/api/v1/login", bad).status()).isEqualTo(401);
    }
    Mgmt.Res limited = m.call(null, "POST", "/api/v1/login", bad);
    assertThat(limited.status()).isEqualTo(429);
    assertThat(limited.header("Retry-After")).isNotNull();
    m.clock.advance(Duration.ofMinutes(1));
    assertThat(m.call(null, "POST", "/api/v1/login", bad).status()).isEqualTo(401);
  }

  @Test
  void rateLimitsFailedAuthenticationOfAnyKindPerClient() throws Exception {
    m = new Mgmt(kind(), dir, b -> b.limits(3, 10_000));
    assertThat(m.call("wrong-1", "GET", "/api/v1/apis", null).status()).isEqualTo(401);
    assertThat(m.call(null, "GET", "/api/v1/apis", null).status()).isEqualTo(401);
    assertThat(m.call(null, "POST", "/api/v1/login", "{\"name\":\"x\",\"password\":\"y\"}").status()).isEqualTo(401);
    Mgmt.Res limited = m.call("wrong-2", "GET", "/api/v1/apis", null);
    assertThat(limited.status()).isEqualTo(429);
    assertThat(limited.header("Retry-After")).isNotNull();
    assertThat(m.owner("GET", "/api/v1/apis", null).status()).as("a good token is never refused").isEqualTo(200);
    m.clock.advance(Duration.ofSeconds(61));
    assertThat(m.call("wrong-3", "GET", "/api/v1/apis", null).status()).isEqualTo(401);
  }
}
