package io.gatehouse.control.backup;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.gatehouse.control.Revision;
import io.gatehouse.control.SqliteConfigStore;
import io.gatehouse.control.backup.BackupException.Kind;
import io.gatehouse.control.secrets.MasterKeys;
import io.gatehouse.control.security.AuditLog;
import io.gatehouse.model.GatewayConfig;
import io.gatehouse.model.NamedValueDef;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class BackupsTest {
  static final char[] PASS = "correct horse battery staple".toCharArray();
  static final Backups.Kdf CHEAP = new Backups.Kdf(1024, 1, 1);

  @TempDir Path dir;

  static GatewayConfig config(long i) {
    return GatewayConfig.EMPTY.withNamedValues(List.of(new NamedValueDef("counter", null, Long.toString(i), null, null),
        new NamedValueDef("token", NamedValueDef.SECRET, "s3cret-" + i, null, null)));
  }

  static Backups.Options options(boolean withKey) {
    return new Backups.Options(false, withKey, Map.of(), CHEAP);
  }

  /** A data directory with a few revisions (a secret among them) and audit records. */
  Path source(int revisions) {
    Path data = dir.resolve("source");
    try (SqliteConfigStore store = SqliteConfigStore.open(data, Map.of())) {
      AuditLog audit = AuditLog.of(store);
      for (int i = 1; i <= revisions; i++) {
        store.commit(config(i), "tester", "commit " + i);
        audit.append("tester", "admin", "127.0.0.1", "commit", "config", null, Map.of("revision", i), "success", "r" + i);
      }
    }
    return data;
  }

  @Test
  void backupWhileWritingRestoresAConsistentCopyWithAnIntactAuditChain() throws Exception {
    Path data = source(5);
    AtomicBoolean stop = new AtomicBoolean();
    AtomicLong acked = new AtomicLong();
    CountDownLatch writing = new CountDownLatch(20);
    List<Throwable> errors = new ArrayList<>();
    Thread writer;
    try (SqliteConfigStore store = SqliteConfigStore.open(data, Map.of())) {
      AuditLog audit = AuditLog.of(store);
      writer = new Thread(() -> {
        try {
          for (long i = 6; !stop.get(); i++) {
            Revision r = store.commit(config(i), "tester", "commit " + i);
            audit.append("tester", "admin", "127.0.0.1", "commit", "config", null, Map.of("revision", r.id()), "success", "r" + i);
            acked.set(r.id());
            writing.countDown();
          }
        } catch (Throwable t) {
          errors.add(t);
        }
      });
      writer.start();
      writing.await();
      long before = acked.get();
      Path archive = dir.resolve("b.ghb");
      Backups.Summary made = Backups.create(data, archive, PASS, options(true));
      stop.set(true);
      writer.join();
      assertThat(errors).isEmpty();
      assertThat(made.masterKeyIncluded()).isTrue();
      assertThat(made.masterKeyIds()).hasSize(1);

      Path target = dir.resolve("restored");
      Backups.Summary restored = Backups.restore(archive, target, PASS, new Backups.RestoreOptions(null, Map.of()));
      assertThat(restored.files()).extracting(Backups.Entry::name)
          .contains(SqliteConfigStore.FILE_NAME, AuditLog.HEAD_FILE, MasterKeys.FILE_NAME);
      assertThat(AuditLog.verify(target).intact()).as(AuditLog.verify(target).detail()).isTrue();
      try (SqliteConfigStore copy = SqliteConfigStore.open(target, Map.of())) {
        long last = copy.current().id();
        assertThat(last).isGreaterThanOrEqualTo(before);
        for (long id = 1; id <= last; id++) {
          assertThat(copy.get(id)).as("revision %d", id).contains(store.get(id).orElseThrow());
        }
        assertThat(copy.secrets().resolved(copy.current().config()).namedValues())
            .anySatisfy(nv -> assertThat(nv.value()).startsWith("s3cret-"));
      }
    }
  }

  @Test
  void damagedArchivesAreRefusedAndLeaveTheTargetAbsent() throws Exception {
    Path data = source(3);
    Path archive = dir.resolve("b.ghb");
    Backups.create(data, archive, PASS, options(true));
    byte[] good = Files.readAllBytes(archive);
    Path target = dir.resolve("target");
    Backups.RestoreOptions ro = new Backups.RestoreOptions(null, Map.of());

    for (int cut : new int[] {4, 40, 79, 80, 83, 200, good.length / 2, good.length - 17, good.length - 1}) {
      Path t = Files.write(dir.resolve("cut-" + cut + ".ghb"), java.util.Arrays.copyOf(good, cut));
      assertThatThrownBy(() -> Backups.restore(t, target, PASS, ro)).as("cut at %d", cut)
          .isInstanceOfSatisfying(BackupException.class, e -> assertThat(e.kind()).isEqualTo(Kind.TRUNCATED))
          .hasMessageContaining("truncated");
      assertThat(target).doesNotExist();
    }
    for (int at : new int[] {20, 60, 120, good.length / 2, good.length - 3}) {
      byte[] bad = good.clone();
      bad[at] ^= 0x01;
      Path t = Files.write(dir.resolve("flip-" + at + ".ghb"), bad);
      assertThatThrownBy(() -> Backups.restore(t, target, PASS, ro)).as("flip at %d", at)
          .isInstanceOfSatisfying(BackupException.class, e -> assertThat(e.kind()).isEqualTo(Kind.CORRUPTED))
          .hasMessageContaining("corrupted");
      assertThat(target).doesNotExist();
    }
    Path extra = Files.write(dir.resolve("extra.ghb"), java.util.Arrays.copyOf(good, good.length + 1));
    assertThatThrownBy(() -> Backups.restore(extra, target, PASS, ro))
        .isInstanceOfSatisfying(BackupException.class, e -> assertThat(e.kind()).isEqualTo(Kind.CORRUPTED))
        .hasMessageContaining("follow its final chunk");
    Path notOne = Files.writeString(dir.resolve("notes.txt"), "hello");
    assertThatThrownBy(() -> Backups.restore(notOne, target, PASS, ro))
        .hasMessageContaining("is not a Gatehouse backup");
    assertThatThrownBy(() -> Backups.restore(archive, target, "wrong passphrase!".toCharArray(), ro))
        .isInstanceOfSatisfying(BackupException.class, e -> assertThat(e.kind()).isEqualTo(Kind.WRONG_PASSPHRASE))
        .hasMessageContaining("passphrase does not open");
    assertThat(target).doesNotExist();
    try (var s = Files.list(dir)) {
      assertThat(s.map(p -> p.getFileName().toString())).noneMatch(n -> n.contains(".restore-"));
    }
  }

  @Test
  void refusesANonEmptyTargetAndLeavesItAlone() throws Exception {
    Path archive = dir.resolve("b.ghb");
    Backups.create(source(1), archive, PASS, options(true));
    Path target = Files.createDirectories(dir.resolve("busy"));
    Files.writeString(target.resolve("keep.txt"), "mine");
    assertThatThrownBy(() -> Backups.restore(archive, target, PASS, new Backups.RestoreOptions(null, Map.of())))
        .isInstanceOfSatisfying(BackupException.class, e -> assertThat(e.kind()).isEqualTo(Kind.USAGE))
        .hasMessageContaining("is not empty");
    try (var s = Files.list(target)) {
      assertThat(s).containsExactly(target.resolve("keep.txt"));
    }
    Path empty = Files.createDirectories(dir.resolve("empty"));
    Backups.restore(archive, empty, PASS, new Backups.RestoreOptions(null, Map.of()));
    assertThat(empty.resolve(SqliteConfigStore.FILE_NAME)).exists();
  }

  @Test
  void withoutItsMasterKeyARestoreNeedsTheKeyFromElsewhere() throws Exception {
    Path data = source(2);
    Path archive = dir.resolve("b.ghb");
    Backups.Summary s = Backups.create(data, archive, PASS, options(false));
    assertThat(s.masterKeyIncluded()).isFalse();
    assertThat(s.files()).extracting(Backups.Entry::name).doesNotContain(MasterKeys.FILE_NAME);
    Path target = dir.resolve("t");
    assertThatThrownBy(() -> Backups.restore(archive, target, PASS, new Backups.RestoreOptions(null, Map.of())))
        .isInstanceOfSatisfying(BackupException.class, e -> assertThat(e.kind()).isEqualTo(Kind.MISSING_MASTER_KEY))
        .hasMessageContaining(s.masterKeyIds().get(0));
    assertThat(target).doesNotExist();
    Path otherKey = dir.resolve("other.key");
    MasterKeys.keyFile(otherKey);
    assertThatThrownBy(() -> Backups.restore(archive, target, PASS, new Backups.RestoreOptions(otherKey, Map.of())))
        .isInstanceOfSatisfying(BackupException.class, e -> assertThat(e.kind()).isEqualTo(Kind.MISSING_MASTER_KEY));
    assertThat(target).doesNotExist();

    Backups.restore(archive, target, PASS, new Backups.RestoreOptions(data.resolve(MasterKeys.FILE_NAME), Map.of()));
    try (SqliteConfigStore copy = SqliteConfigStore.open(target, Map.of())) {
      assertThat(copy.secrets().resolved(copy.current().config()).namedValues())
          .anySatisfy(nv -> assertThat(nv.value()).isEqualTo("s3cret-2"));
    }
  }

  @Test
  void refusesToBackUpATamperedAuditLog() throws Exception {
    Path data = source(3);
    try (SqliteConfigStore store = SqliteConfigStore.open(data, Map.of())) {
      store.jdbi().useHandle(h -> {
        h.execute("DROP TRIGGER IF EXISTS audit_log_no_delete");
        h.execute("DELETE FROM audit_log WHERE seq = 3");
      });
    }
    assertThatThrownBy(() -> Backups.create(data, dir.resolve("b.ghb"), PASS, options(false)))
        .isInstanceOfSatisfying(BackupException.class, e -> assertThat(e.kind()).isEqualTo(Kind.FAILED))
        .hasMessageContaining("audit");
    assertThat(dir.resolve("b.ghb")).doesNotExist();
  }

  @Test
  void refusesABackupFromANewerSchema() throws Exception {
    Path data = source(1);
    try (SqliteConfigStore store = SqliteConfigStore.open(data, Map.of())) {
      store.jdbi().useHandle(h -> h.execute("INSERT INTO flyway_schema_history (installed_rank, version, description,"
          + " type, script, checksum, installed_by, execution_time, success) VALUES (99, '99', 'future', 'SQL',"
          + " 'V99__future.sql', 0, 'test', 0, 1)"));
    }
    Path archive = dir.resolve("b.ghb");
    assertThat(Backups.create(data, archive, PASS, options(true)).schemaVersion()).isEqualTo("99");
    Path target = dir.resolve("t");
    assertThatThrownBy(() -> Backups.restore(archive, target, PASS, new Backups.RestoreOptions(null, Map.of())))
        .isInstanceOfSatisfying(BackupException.class, e -> assertThat(e.kind()).isEqualTo(Kind.USAGE))
        .hasMessageContaining("newer Gatehouse").hasMessageContaining("99");
    assertThat(target).doesNotExist();
  }

  @Test
  void refusesShortPassphrasesAndExistingArchives() throws Exception {
    Path data = source(1);
    assertThatThrownBy(() -> Backups.create(data, dir.resolve("b.ghb"), "short".toCharArray(), options(false)))
        .hasMessageContaining("at least 12 characters");
    Path existing = Files.writeString(dir.resolve("old.ghb"), "x");
    assertThatThrownBy(() -> Backups.create(data, existing, PASS, options(false))).hasMessageContaining("exists");
    assertThatThrownBy(() -> Backups.create(data, dir.resolve("c.ghb"), PASS,
        new Backups.Options(false, true, Map.of("GATEHOUSE_MASTER_KEY", "x"), CHEAP)))
        .hasMessageContaining("GATEHOUSE_MASTER_KEY");
  }
}
