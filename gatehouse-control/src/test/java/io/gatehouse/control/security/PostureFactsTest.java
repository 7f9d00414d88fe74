package io.gatehouse.control.security;

import static org.assertj.core.api.Assertions.assertThat;

import io.gatehouse.control.PostureFacts;
import io.gatehouse.control.Revision;
import io.gatehouse.insight.Finding;
import io.gatehouse.insight.advisor.PostureAdvisor;
import io.gatehouse.insight.advisor.RuntimeFacts;
import io.gatehouse.model.ConfigLoader;
import io.gatehouse.model.GatewayConfig;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The advisor's runtime rules fed from the real stores: accounts and logins, revisions, the audit chain. */
class PostureFactsTest {
  static final String PASSWORD = "correct horse battery";
  static final String CONFIG = """
      backends:
        - name: b
          url: http://127.0.0.1:9
      apis:
        - name: orders
          path: /orders
          backend: b
      subscriptions:
        - name: s1
          scope: api:orders
          primaryKey: primary-key-0123456789abcdef
          secondaryKey: secondary-key-0123456789abcdef
      """;

  @TempDir Path dir;
  Mgmt m;
  PostureFacts facts;

  @BeforeEach
  void start() throws Exception {
    m = new Mgmt(dir, b -> {});
    facts = m.server.postureFacts();
  }

  @AfterEach
  void stop() throws Exception {
    m.close();
  }

  static List<String> rules(List<Finding> findings, String prefix) {
    return findings.stream().filter(f -> f.rule().startsWith(prefix)).map(f -> f.rule() + " " + f.resource()).toList();
  }

  List<Finding> advise(RuntimeFacts f, Instant now) {
    return PostureAdvisor.defaults().advise(m.plane.config(), f, now).findings();
  }

  RuntimeFacts adminFacts() {
    return new RuntimeFacts(null, null, null, facts.administrators(), null, null, null, null);
  }

  @Test
  void rolesFactListsBuiltInAndCustomRolesSoAReadOnlyRoleRevealingSecretsIsReported() throws Exception {
    assertThat(m.owner("POST", "/api/v1/roles",
        "{\"name\":\"peek\",\"permissions\":[\"named-values:read\",\"secrets:reveal\"]}").status()).isEqualTo(201);
    assertThat(facts.roles()).containsKeys("owner", "admin", "reader", "peek");
    assertThat(facts.roles().get("peek")).containsExactlyInAnyOrder("named-values:read", "secrets:reveal");
    RuntimeFacts f = new RuntimeFacts(null, null, null, null, null, null, null, null, null, facts.roles());
    assertThat(rules(advise(f, Instant.now()), "role.")).containsExactly("role.read-only-reveals-secrets role peek");
  }

  void account(String name, String role) throws Exception {
    assertThat(m.owner("POST", "/api/v1/accounts",
        "{\"name\":\"" + name + "\",\"password\":\"" + PASSWORD + "\",\"roles\":[\"" + role + "\"]}").status())
        .isEqualTo(201);
  }

  void login(String name) throws Exception {
    assertThat(m.call(null, "POST", "/api/v1/login", "{\"name\":\"" + name + "\",\"password\":\"" + PASSWORD + "\"}")
        .status()).isEqualTo(200);
  }

  @Test
  void adminAccountsUnusedForNinetyDaysAndWithoutSecondFactorAreReportedFromTheAccountStore() throws Exception {
    account("dormant", Roles.ADMIN);
    account("active", Roles.OWNER);
    account("viewer", Roles.READER);
    login("dormant");
    m.clock.advance(Duration.ofDays(100));
    login("active");
    List<RuntimeFacts.AdminAccount> admins = facts.administrators();
    assertThat(admins).extracting(RuntimeFacts.AdminAccount::name).containsExactlyInAnyOrder("dormant", "active");
    assertThat(admins).filteredOn(a -> a.name().equals("active")).singleElement()
        .extracting(RuntimeFacts.AdminAccount::lastUsed).isEqualTo(m.clock.instant());
    List<Finding> fs = advise(adminFacts(), m.clock.instant());
    assertThat(rules(fs, "admin.unused")).containsExactly("admin.unused admin dormant");
    assertThat(rules(fs, "admin.no-second-factor"))
        .containsExactlyInAnyOrder("admin.no-second-factor admin dormant", "admin.no-second-factor admin active");
  }

  @Test
  void adminRulesStayQuietWithoutLocalAdministrators() throws Exception {
    account("viewer", Roles.READER);
    m.clock.advance(Duration.ofDays(400));
    assertThat(facts.administrators()).isEmpty();
    assertThat(rules(advise(adminFacts(), m.clock.instant()), "admin.")).isEmpty();
  }

  @Test
  void subscriptionKeyAgeComesFromTheRevisionThatLastChangedTheOlderKey() throws Exception {
    GatewayConfig cfg = ConfigLoader.withEnvironment(Map.of()).parse(CONFIG, "t.yaml", dir);
    Revision first = m.plane.apply(cfg, "test", "subscription s1");
    assertThat(facts.subscriptionKeysCreated()).containsEntry("s1", first.info().time());
    // rotating only the secondary key leaves the primary as old as before
    Revision secondary = m.plane.update(c -> c.withSubscriptions(List.of(c.subscriptions().get(0)
        .withKeys(null, "new-secondary-0123456789").hashed())),
        "test", "rotate secondary");
    assertThat(facts.subscriptionKeysCreated()).containsEntry("s1", first.info().time());
    Instant now = first.info().time();
    RuntimeFacts keyFacts = new RuntimeFacts(null, null, null, null, null, null, facts.subscriptionKeysCreated(), null);
    assertThat(rules(advise(keyFacts, now.plus(Duration.ofDays(91))), "subscription.key-age"))
        .containsExactly("subscription.key-age subscription s1");
    assertThat(rules(advise(keyFacts, now.plus(Duration.ofDays(80))), "subscription.key-age")).isEmpty();
    // rotating the primary too makes the keys as old as the older rotation: the secondary's
    m.plane.update(c -> c.withSubscriptions(List.of(c.subscriptions().get(0)
        .withKeys("new-primary-0123456789", null).hashed())), "test", "rotate primary");
    assertThat(facts.subscriptionKeysCreated()).containsEntry("s1", secondary.info().time());
  }

  @Test
  void aBrokenAuditChainIsReportedAndAnIntactOneIsNot() throws Exception {
    account("someone", Roles.READER); // audited
    account("another", Roles.READER);
    RuntimeFacts intact = new RuntimeFacts(null, null, null, null, facts.auditChain(), null, null, null);
    assertThat(intact.auditChain().intact()).as(intact.auditChain().detail()).isTrue();
    assertThat(rules(advise(intact, m.clock.instant()), "audit.")).isEmpty();
    try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + dir.resolve("gatehouse.db"));
        Statement s = c.createStatement()) {
      s.execute("DROP TRIGGER IF EXISTS audit_log_no_update");
      s.execute("UPDATE audit_log SET actor = 'mallory' WHERE seq = 1");
    }
    assertThat(facts.auditChain().intact()).as("cached for five minutes").isTrue();
    m.clock.advance(Duration.ofMinutes(6));
    RuntimeFacts broken = new RuntimeFacts(null, null, null, null, facts.auditChain(), null, null, null);
    assertThat(broken.auditChain().detail()).contains("record 1 altered");
    assertThat(rules(advise(broken, m.clock.instant()), "audit.")).containsExactly("audit.chain-broken audit log");
  }
}
