package io.gatehouse.control.security;

import static org.assertj.core.api.Assertions.assertThat;

import io.gatehouse.control.SqliteConfigStore;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The head file stays consistent with the log whichever side of the database commit a crash falls on. */
class AuditHeadCrashTest {
  @TempDir Path dir;

  @Test
  void acceptsALogEndingAtThePendingOrTheCommittedRecordAndNothingElse() throws Exception {
    try (SqliteConfigStore store = SqliteConfigStore.open(dir, Map.of())) {
      AuditLog log = AuditLog.of(store);
      AuditRecord a = log.append("u", "admin", "::1", "act", "e/1", null, null, "success", "r1");
      AuditRecord b = log.append("u", "admin", "::1", "act", "e/2", null, null, "success", "r2");
      Path head = dir.resolve(AuditLog.HEAD_FILE);
      assertThat(Files.readAllLines(head)).containsExactly("2 " + b.hash());

      // crashed after the commit of record 2, before the head update
      Files.write(head, List.of("1 " + a.hash(), "2 " + b.hash() + " pending"));
      assertThat(log.verify().intact()).isTrue();
      // crashed before the commit of record 3: the log ends at the committed record
      Files.write(head, List.of("2 " + b.hash(), "3 " + "ab".repeat(32) + " pending"));
      assertThat(log.verify().intact()).isTrue();
      // a pending line does not excuse a log that ends elsewhere
      Files.write(head, List.of("1 " + a.hash(), "3 " + "ab".repeat(32) + " pending"));
      AuditVerification v = log.verify();
      assertThat(v.intact()).isFalse();
      assertThat(v.problem()).isEqualTo(AuditVerification.Problem.INSERTED);
      // the next append rewrites a clean head
      AuditRecord c = log.append("u", "admin", "::1", "act", "e/3", null, null, "success", "r3");
      assertThat(Files.readAllLines(head)).containsExactly("3 " + c.hash());
      assertThat(log.verify().intact()).isTrue();
    }
  }
}
