package io.gatehouse.control.security;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The failed-authentication limits of the management listener: a valid credential is checked
 * first and never refused, failures are counted per address and per presented identity, and no
 * one can lock an account beyond the documented lockout.
 */
class FailedAuthenticationLimitTest {
  @TempDir Path dir;
  Mgmt m;

  @AfterEach
  void stop() throws Exception {
    if (m != null) {
      m.close();
    }
  }

  @Test
  void aValidTokenIsAcceptedFromAnAddressOverItsFailureLimit() throws Exception {
    m = new Mgmt(dir, b -> b.limits(20, 10));
    String reader = m.tokenFor("reader");
    for (int i = 0; i < 20; i++) {
      assertThat(m.call(null, "GET", "/api/v1/whoami", null).status()).isEqualTo(401);
    }
    Mgmt.Res limited = m.call(null, "GET", "/api/v1/whoami", null);
    assertThat(limited.status()).isEqualTo(429);
    assertThat(limited.header("Retry-After")).isNotNull();
    assertThat(m.call("not-a-token", "GET", "/api/v1/whoami", null).status()).isEqualTo(429);

    Mgmt.Res owner = m.owner("GET", "/api/v1/whoami", null);
    assertThat(owner.status()).as("the owner is not locked out by anonymous failures").isEqualTo(200);
    assertThat(owner.json().get("name").asText()).isEqualTo("admin");
    assertThat(m.call(reader, "GET", "/api/v1/apis", null).status()).isEqualTo(200);
  }

  @Test
  void countsFailuresOfOneTokenAcrossAddresses() throws Exception {
    m = new Mgmt(dir, b -> b.limits(3, 10));
    String stolen = "ghp_revoked-or-guessed-token-value";
    assertThat(m.from("127.0.0.2", stolen, "GET", "/api/v1/whoami", null).status()).isEqualTo(401);
    assertThat(m.from("127.0.0.3", stolen, "GET", "/api/v1/whoami", null).status()).isEqualTo(401);
    assertThat(m.from("127.0.0.4", stolen, "GET", "/api/v1/whoami", null).status()).isEqualTo(401);
    Mgmt.Raw limited = m.from("127.0.0.5", stolen, "GET", "/api/v1/whoami", null);
    assertThat(limited.status()).as("the fourth failure of the same token, from a fresh address").isEqualTo(429);
    assertThat(limited.text()).containsIgnoringCase("Retry-After").doesNotContain(stolen);
    assertThat(m.from("127.0.0.5", "another-wrong-token", "GET", "/api/v1/whoami", null).status())
        .as("the fresh address itself is not over its limit").isEqualTo(401);
    assertThat(m.from("127.0.0.5", Mgmt.OWNER_TOKEN, "GET", "/api/v1/whoami", null).status()).isEqualTo(200);
  }

  @Test
  void aRightPasswordLogsInFromAnAddressOverItsLoginLimit() throws Exception {
    m = new Mgmt(dir, b -> b.limits(10_000, 3));
    createAccount("alice");
    for (int i = 0; i < 3; i++) {
      assertThat(m.call(null, "POST", "/api/v1/login", "{\"name\":\"nobody\",\"password\":\"whatever-password\"}")
          .status()).isEqualTo(401);
    }
    Mgmt.Res limited = m.call(null, "POST", "/api/v1/login", "{\"name\":\"nobody\",\"password\":\"whatever-password\"}");
    assertThat(limited.status()).isEqualTo(429);
    assertThat(limited.header("Retry-After")).isNotNull();
    Mgmt.Res login = m.call(null, "POST", "/api/v1/login", "{\"name\":\"alice\",\"password\":\"a-long-password-1\"}");
    assertThat(login.status()).as("a right password from the same address").isEqualTo(200);
    assertThat(m.call(login.json().get("token").asText(), "GET", "/api/v1/whoami", null).status()).isEqualTo(200);
  }

  @Test
  void anAttackerCannotLockAnAccountBeyondTheAccountLockout() throws Exception {
    m = new Mgmt(dir, b -> b.limits(10_000, 3).lockout(1_000, Duration.ofMinutes(15)));
    createAccount("alice");
    String wrong = "{\"name\":\"alice\",\"password\":\"wrong-password-00\"}";
    for (String address : new String[] {"127.0.0.2", "127.0.0.3", "127.0.0.4"}) {
      assertThat(m.from(address, null, "POST", "/api/v1/login", wrong).status()).isEqualTo(401);
    }
    assertThat(m.from("127.0.0.5", null, "POST", "/api/v1/login", wrong).status())
        .as("failures for one account name are counted across addresses").isEqualTo(429);
    Mgmt.Raw right = m.from("127.0.0.5", null, "POST", "/api/v1/login",
        "{\"name\":\"alice\",\"password\":\"a-long-password-1\"}");
    assertThat(right.status()).as("the account owner still logs in").isEqualTo(200);
    assertThat(m.call(null, "POST", "/api/v1/login", "{\"name\":\"alice\",\"password\":\"a-long-password-1\"}")
        .status()).isEqualTo(200);
  }

  @Test
  void theDocumentedAccountLockoutStillApplies() throws Exception {
    m = new Mgmt(dir, b -> b.limits(10_000, 10_000));
    createAccount("bob");
    for (int i = 0; i < 5; i++) {
      assertThat(m.call(null, "POST", "/api/v1/login", "{\"name\":\"bob\",\"password\":\"wrong-password-00\"}")
          .status()).isEqualTo(401);
    }
    String right = "{\"name\":\"bob\",\"password\":\"a-long-password-1\"}";
    assertThat(m.call(null, "POST", "/api/v1/login", right).status()).as("locked after 5 wrong passwords").isEqualTo(401);
    m.clock.advance(Duration.ofMinutes(16));
    assertThat(m.call(null, "POST", "/api/v1/login", right).status()).isEqualTo(200);
  }

  private void createAccount(String name) throws Exception {
    assertThat(m.owner("POST", "/api/v1/accounts",
        "{\"name\":\"" + name + "\",\"password\":\"a-long-password-1\",\"roles\":[\"reader\"]}").status()).isEqualTo(201);
  }
}
