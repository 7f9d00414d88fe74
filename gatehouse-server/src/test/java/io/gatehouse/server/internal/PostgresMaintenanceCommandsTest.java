package io.gatehouse.server.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.gatehouse.control.DatabaseUrl;
import io.gatehouse.control.PostgresConfigStore;
import io.gatehouse.control.certificates.CertificateUpload;
import io.gatehouse.control.secrets.MasterKeys;
import io.gatehouse.control.security.AuditLog;
import io.gatehouse.model.GatewayConfig;
import io.gatehouse.model.NamedValueDef;
import io.gatehouse.testing.TestCertificates;
import io.gatehouse.testing.postgres.PostgresServer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code rotate-keys} and {@code audit verify} with {@code --database postgresql://...}, on a real PostgreSQL. */
class PostgresMaintenanceCommandsTest {
  static final int REVISIONS = 25; // more than one re-wrapping batch

  @TempDir Path dir;
  PostgresServer pg;
  String db;
  String url;

  @BeforeEach
  void database() {
    pg = PostgresServer.shared();
    db = pg.createDatabase();
    url = pg.url(db);
  }

  PostgresConfigStore open(Path data) {
    return PostgresConfigStore.open(DatabaseUrl.parse(url, Map.of()), data, Map.of());
  }

  Set<String> keyIdsInDatabase() {
    String rows = pg.sql(db, "SELECT config FROM revisions UNION ALL SELECT private_key FROM instance_keys"
        + " UNION ALL SELECT private_key FROM certificates WHERE private_key IS NOT NULL");
    Set<String> out = new java.util.TreeSet<>();
    Matcher m = Pattern.compile("v1:([A-Za-z0-9_-]+):").matcher(rows);
    while (m.find()) {
      out.add(m.group(1));
    }
    return out;
  }

  @Test
  void rotateKeysReWrapsEverySecretOfPostgresqlAndTheOldKeyNoLongerOpensThem() throws Exception {
    Path data = dir.resolve("data");
    TestCertificates.Issued cert = TestCertificates.server(TestCertificates.authority("CA"), "api.example.test");
    try (PostgresConfigStore store = open(data)) {
      for (int i = 1; i <= REVISIONS; i++) {
        store.commit(GatewayConfig.EMPTY.withNamedValues(List.of(NamedValueDef.secret("db-password", "secret-" + i))),
            "test", "revision " + i);
      }
      store.certificates().put("api", new CertificateUpload("server", TestCertificates.pem(cert.certificate()),
          TestCertificates.pem(cert.key()), null, null), "test");
    }
    Path oldKeys = dir.resolve("old");
    Files.createDirectories(oldKeys);
    Files.copy(data.resolve(MasterKeys.FILE_NAME), oldKeys.resolve(MasterKeys.FILE_NAME));
    String oldId = MasterKeys.keyFile(data.resolve(MasterKeys.FILE_NAME)).keyIds().get(0);
    assertThat(keyIdsInDatabase()).containsExactly(oldId);

    ServeTest.Cli r = ServeTest.Cli.run("rotate-keys", "--data", data.toString(), "--database", url);
    assertThat(r.code()).as(r.err()).isZero();
    assertThat(r.err()).contains("rows re-wrapped").contains("copy ").doesNotContain(pg.password());
    String newId = MasterKeys.keyFile(data.resolve(MasterKeys.FILE_NAME)).keyIds().get(0);
    assertThat(MasterKeys.keyFile(data.resolve(MasterKeys.FILE_NAME)).keyIds()).hasSize(1);
    assertThat(newId).isNotEqualTo(oldId);
    assertThat(keyIdsInDatabase()).containsExactly(newId);

    try (PostgresConfigStore store = open(data)) {
      for (int i = 1; i <= REVISIONS; i++) {
        assertThat(store.get(i).orElseThrow().config().namedValue("db-password").orElseThrow().value())
            .isEqualTo("secret-" + i);
      }
      assertThat(store.certificates().material()).singleElement()
          .satisfies(m -> assertThat(m.privateKeyPem()).isEqualTo(TestCertificates.pem(cert.key())));
    }
    // the old key opens nothing: the store's own keys are re-wrapped too, so it does not even open
    assertThatThrownBy(() -> open(oldKeys)).hasMessageContaining("names master key " + newId);
  }

  @Test
  void auditVerifyPassesOnAnIntactPostgresqlChainAndNamesTheFirstAlteredRecord() {
    try (PostgresConfigStore store = open(dir.resolve("data"))) {
      AuditLog log = AuditLog.of(store);
      for (int i = 1; i <= 5; i++) {
        log.append("alice", "admin", "127.0.0.1", "config.update", "apis/a" + i, null, Map.of("n", i), "ok", "r" + i);
      }
    }
    // the auditor needs no master key: an empty directory
    Path empty = dir.resolve("auditor");
    ServeTest.Cli intact = ServeTest.Cli.run("audit", "verify", "--data", empty.toString(), "--database", url);
    assertThat(intact.code()).as(intact.err()).isZero();
    assertThat(intact.out()).contains("5");

    // the table refuses UPDATE by trigger; tampering takes a superuser who switches the trigger off
    assertThatThrownBy(() -> pg.sql(db, "UPDATE audit_log SET actor = 'mallory' WHERE seq = 3"))
        .hasMessageContaining("append-only");
    pg.sql(db, "ALTER TABLE audit_log DISABLE TRIGGER audit_log_no_update;"
        + " UPDATE audit_log SET actor = 'mallory' WHERE seq IN (3, 4);"
        + " ALTER TABLE audit_log ENABLE TRIGGER audit_log_no_update");
    ServeTest.Cli tampered = ServeTest.Cli.run("audit", "verify", "--database", url);
    assertThat(tampered.code()).isEqualTo(ExitCodes.CHECK_FAILED);
    assertThat(tampered.out()).startsWith("TAMPERED: record 3 altered");

    ServeTest.Cli unreachable = ServeTest.Cli.run("audit", "verify", "--database",
        "postgresql://gatehouse:wrong-password@127.0.0.1:" + pg.port() + "/" + db);
    assertThat(unreachable.code()).isEqualTo(ExitCodes.ENVIRONMENT);
    assertThat(unreachable.err()).doesNotContain("wrong-password");
  }
}
