package io.gatehouse.control.security;

import static org.assertj.core.api.Assertions.assertThat;

import io.gatehouse.control.SqliteConfigStore;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Tampers with the SQLite rows directly and checks that verification names the first bad record. */
class AuditChainTest {
  @TempDir Path dir;

  @BeforeEach
  void fiveRecords() {
    try (SqliteConfigStore store = SqliteConfigStore.open(dir)) {
      AuditLog log = AuditLog.of(store);
      for (int i = 1; i <= 5; i++) {
        log.append("user" + i, "admin", "127.0.0.1", "putApisByName", "apis/a" + i, Map.of("n", i - 1), Map.of("n", i),
            "success", "req-" + i);
      }
    }
  }

  void sql(String... statements) throws Exception {
    try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + dir.resolve(SqliteConfigStore.FILE_NAME));
        Statement s = c.createStatement()) {
      s.execute("DROP TRIGGER IF EXISTS audit_log_no_update");
      s.execute("DROP TRIGGER IF EXISTS audit_log_no_delete");
      for (String statement : statements) {
        s.execute(statement);
      }
    }
  }

  @Test
  void anUntouchedLogVerifies() {
    AuditVerification v = AuditLog.verify(dir);
    assertThat(v.intact()).as(v.detail()).isTrue();
    assertThat(v.checked()).isEqualTo(5);
  }

  @Test
  void namesAnAlteredRecord() throws Exception {
    sql("UPDATE audit_log SET actor = 'mallory' WHERE seq = 3");
    AuditVerification v = AuditLog.verify(dir);
    assertThat(v.problem()).isEqualTo(AuditVerification.Problem.ALTERED);
    assertThat(v.seq()).isEqualTo(3);
    assertThat(v.detail()).startsWith("record 3 altered");
  }

  @Test
  void namesAnInsertedRecordEvenWithAValidForgedHash() throws Exception {
    String prev;
    try (SqliteConfigStore store = SqliteConfigStore.open(dir)) {
      prev = store.jdbi().withHandle(h -> h.createQuery("SELECT hash FROM audit_log WHERE seq = 2").mapTo(String.class).one());
    }
    AuditRecord forged = AuditLog.withHash(new AuditRecord(3, Instant.parse("2026-01-01T00:00:00Z"), "mallory", "owner",
        "10.6.6.6", "deleteApisByName", "apis/evidence", null, null, "success", "forged", prev, null));
    sql("UPDATE audit_log SET seq = seq + 100 WHERE seq >= 3",
        "UPDATE audit_log SET seq = seq - 99 WHERE seq >= 103",
        "INSERT INTO audit_log VALUES (3, " + forged.time().toEpochMilli() + ", 'mallory', 'owner', '10.6.6.6',"
            + " 'deleteApisByName', 'apis/evidence', NULL, NULL, 'success', 'forged', '" + prev + "', '" + forged.hash() + "')");
    AuditVerification v = AuditLog.verify(dir);
    assertThat(v.problem()).as(v.detail()).isEqualTo(AuditVerification.Problem.INSERTED);
    assertThat(v.seq()).isEqualTo(3);
  }

  @Test
  void namesAMissingRecord() throws Exception {
    sql("DELETE FROM audit_log WHERE seq = 2");
    AuditVerification v = AuditLog.verify(dir);
    assertThat(v.problem()).as(v.detail()).isEqualTo(AuditVerification.Problem.MISSING);
    assertThat(v.seq()).isEqualTo(2);
  }

  @Test
  void namesAMissingRecordWhenTheRestWereRenumbered() throws Exception {
    sql("DELETE FROM audit_log WHERE seq = 2", "UPDATE audit_log SET seq = seq - 1 WHERE seq > 2");
    AuditVerification v = AuditLog.verify(dir);
    assertThat(v.problem()).as(v.detail()).isEqualTo(AuditVerification.Problem.MISSING);
    assertThat(v.seq()).isEqualTo(2);
  }

  @Test
  void theHeadFileCatchesATruncatedTail() throws Exception {
    sql("DELETE FROM audit_log WHERE seq >= 4");
    AuditVerification v = AuditLog.verify(dir);
    assertThat(v.problem()).as(v.detail()).isEqualTo(AuditVerification.Problem.MISSING);
    assertThat(v.seq()).isEqualTo(4);
  }

  @Test
  void theHeadFileCatchesARecordAppendedBehindTheServersBack() throws Exception {
    String prev;
    try (SqliteConfigStore store = SqliteConfigStore.open(dir)) {
      prev = store.jdbi().withHandle(h -> h.createQuery("SELECT hash FROM audit_log WHERE seq = 5").mapTo(String.class).one());
    }
    AuditRecord forged = AuditLog.withHash(new AuditRecord(6, Instant.parse("2026-01-01T00:00:00Z"), "mallory", "owner",
        "10.6.6.6", "x", "e", null, null, "success", "forged", prev, null));
    sql("INSERT INTO audit_log VALUES (6, " + forged.time().toEpochMilli() + ", 'mallory', 'owner', '10.6.6.6', 'x', 'e',"
        + " NULL, NULL, 'success', 'forged', '" + prev + "', '" + forged.hash() + "')");
    AuditVerification v = AuditLog.verify(dir);
    assertThat(v.problem()).as(v.detail()).isEqualTo(AuditVerification.Problem.INSERTED);
    assertThat(v.seq()).isEqualTo(6);
  }
}
