package io.gatehouse.control.backup;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.gatehouse.control.DatabaseUrl;
import io.gatehouse.control.PostgresConfigStore;
import io.gatehouse.control.RevisionInfo;
import io.gatehouse.control.SqliteConfigStore;
import io.gatehouse.control.TestStores;
import io.gatehouse.control.analytics.Aggregate;
import io.gatehouse.control.analytics.AggregateKey;
import io.gatehouse.control.analytics.AnalyticsStore;
import io.gatehouse.control.analytics.JdbcAnalyticsStore;
import io.gatehouse.control.security.AuditLog;
import io.gatehouse.model.BackendDef;
import io.gatehouse.model.GatewayConfig;
import io.gatehouse.testing.postgres.PostgresServer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.LongStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Backup and restore of the PostgreSQL store: the same archive and checks as the embedded store's. */
class PostgresBackupsTest {
  static final char[] PASS = "correct horse battery staple".toCharArray();
  static final Backups.Kdf CHEAP = new Backups.Kdf(1024, 1, 1);
  static final long MINUTE = 1_764_000_000_000L;

  @TempDir Path dir;

  static GatewayConfig withBackend(String url) {
    return GatewayConfig.EMPTY.withBackends(List.of(BackendDef.of("b", url)));
  }

  /** Fills the store of {@code data}: two revisions, an admin token, three audit records, one analytics row. */
  static void fill(PostgresConfigStore store) {
    store.commit(withBackend("http://a"), "alice", "first");
    store.commit(withBackend("http://b"), "bob", "second");
    store.putAdminToken("admin", "sha256:abc");
    AuditLog log = AuditLog.of(store);
    for (int i = 0; i < 3; i++) {
      log.append("alice", "admin", "127.0.0.1", "config.put", "config", null, Map.of("i", i), "200", "r" + i);
    }
    try (JdbcAnalyticsStore analytics = store.analytics()) {
      Map<Long, Map<AggregateKey, Aggregate>> minutes = new HashMap<>();
      minutes.put(MINUTE, new HashMap<>(Map.of(new AggregateKey("orders", "", "", "alice", "2xx", "10.0.0.1"),
          Aggregate.of(7, 0, 70, 700, Aggregate.newHistogram()))));
      analytics.merge(minutes);
    }
  }

  DatabaseUrl emptyDatabase() {
    PostgresServer pg = PostgresServer.shared();
    return DatabaseUrl.parse(pg.url(pg.createDatabase()), Map.of());
  }

  @Test
  void backsUpAPostgresqlStoreAndRestoresItIntoAnEmptyDatabaseWithEverythingChecked() throws Exception {
    Path source = dir.resolve("source");
    Path archive = dir.resolve("backup.ghb");
    try (PostgresConfigStore store = (PostgresConfigStore) TestStores.open(TestStores.Kind.POSTGRESQL, source, Map.of())) {
      fill(store);
      Backups.Summary s = Backups.createFromPostgres(store.dataSource(), store.url().toString(), source, archive, PASS,
          new Backups.Options(true, true, Map.of(), CHEAP));
      assertThat(s.auditRecords()).isEqualTo(3);
      assertThat(s.files()).extracting(Backups.Entry::name)
          .contains(SqliteConfigStore.FILE_NAME, "analytics.db", AuditLog.HEAD_FILE, "master.key");
    }
    DatabaseUrl target = emptyDatabase();
    Path node = dir.resolve("node");
    com.zaxxer.hikari.HikariDataSource targetPool = pool(target);
    try {
      Backups.Summary restored = Backups.restoreToPostgres(archive, targetPool, target.toString(), node, PASS,
          new Backups.RestoreOptions(null, Map.of()));
      assertThat(restored.auditRecords()).isEqualTo(3);
    } finally {
      targetPool.close();
    }
    assertThat(node.resolve("master.key")).exists();
    assertThat(node.resolve(SqliteConfigStore.FILE_NAME)).doesNotExist();
    try (PostgresConfigStore copy = PostgresConfigStore.open(target, node, Map.of())) {
      assertThat(copy.current().id()).isEqualTo(2);
      assertThat(copy.current().config()).isEqualTo(withBackend("http://b"));
      assertThat(copy.adminTokenName("sha256:abc")).contains("admin");
      assertThat(AuditLog.of(copy).verify().intact()).isTrue();
      assertThat(AuditLog.of(copy).verify().checked()).isEqualTo(3);
      try (JdbcAnalyticsStore analytics = copy.analytics()) {
        assertThat(analytics.rows(AnalyticsStore.Grain.MINUTE, MINUTE, MINUTE + 60_000)).singleElement()
            .satisfies(r -> assertThat(r.totals().requests()).isEqualTo(7));
      }
    }
  }

  @Test
  void refusesToRestoreIntoADatabaseThatHoldsDataAndLeavesTheDataDirectoryAbsent() throws Exception {
    Path source = dir.resolve("source");
    Path archive = dir.resolve("backup.ghb");
    DatabaseUrl url = TestStores.url(source);
    try (PostgresConfigStore store = PostgresConfigStore.open(url, source, Map.of())) {
      fill(store);
      Backups.createFromPostgres(store.dataSource(), url.toString(), source, archive, PASS,
          new Backups.Options(false, true, Map.of(), CHEAP));
      Path node = dir.resolve("node");
      assertThatThrownBy(() -> Backups.restoreToPostgres(archive, store.dataSource(), url.toString(), node, PASS,
          new Backups.RestoreOptions(null, Map.of())))
          .isInstanceOf(BackupException.class)
          .hasMessageContaining("already holds Gatehouse data")
          .satisfies(e -> assertThat(((BackupException) e).kind()).isEqualTo(BackupException.Kind.USAGE));
      assertThat(node).doesNotExist();
    }
  }

  @Test
  void takesAConsistentSnapshotWhileAnotherServerCommitsAndItRestoresIntoAnEmbeddedDataDirectory() throws Exception {
    Path source = dir.resolve("source");
    Path archive = dir.resolve("backup.ghb");
    DatabaseUrl url = TestStores.url(source);
    AtomicBoolean stop = new AtomicBoolean();
    try (PostgresConfigStore store = PostgresConfigStore.open(url, source, Map.of());
        PostgresConfigStore other = PostgresConfigStore.open(url, source, Map.of())) {
      fill(store);
      Thread writer = new Thread(() -> {
        AuditLog log = AuditLog.of(other);
        for (int i = 0; !stop.get(); i++) {
          other.commit(withBackend("http://w" + i), "writer", "during the backup");
          log.append("writer", "admin", "127.0.0.1", "config.put", "config", null, Map.of("i", i), "200", "w" + i);
        }
      }, "writer");
      writer.start();
      try {
        Backups.createFromPostgres(store.dataSource(), url.toString(), source, archive, PASS,
            new Backups.Options(false, true, Map.of(), CHEAP));
      } finally {
        stop.set(true);
        writer.join();
      }
    }
    Path embedded = dir.resolve("embedded");
    Backups.Summary restored = Backups.restore(archive, embedded, PASS, new Backups.RestoreOptions(null, Map.of()));
    try (SqliteConfigStore copy = SqliteConfigStore.open(embedded, Map.of())) {
      long last = copy.current().id();
      assertThat(copy.list(0, 10_000)).extracting(RevisionInfo::id)
          .containsExactlyElementsOf(LongStream.iterate(last, i -> i >= 1, i -> i - 1).boxed().toList());
      assertThat(AuditLog.of(copy).verify().intact()).isTrue();
      assertThat(AuditLog.of(copy).verify().checked()).isEqualTo(restored.auditRecords());
    }
    assertThat(Files.readString(embedded.resolve(AuditLog.HEAD_FILE))).startsWith(restored.auditRecords() + " ");
  }

  static com.zaxxer.hikari.HikariDataSource pool(DatabaseUrl url) {
    com.zaxxer.hikari.HikariConfig c = new com.zaxxer.hikari.HikariConfig();
    c.setJdbcUrl(url.jdbcUrl());
    c.setUsername(url.user());
    c.setPassword(url.password());
    c.setMaximumPoolSize(2);
    return new com.zaxxer.hikari.HikariDataSource(c);
  }

  static long quotaCount(javax.sql.DataSource db, String key) throws Exception {
    try (java.sql.Connection c = db.getConnection();
        java.sql.PreparedStatement q = c.prepareStatement("SELECT count FROM quota_counters WHERE key = ?")) {
      q.setString(1, key);
      try (java.sql.ResultSet rs = q.executeQuery()) {
        return rs.next() ? rs.getLong(1) : -1;
      }
    }
  }

  @Test
  void keepsTheSharedQuotaCountersInTheArchiveAndRestoresThemIntoPostgresql() throws Exception {
    Path source = dir.resolve("source");
    Path archive = dir.resolve("backup.ghb");
    long end = System.currentTimeMillis() + 86_400_000L;
    try (PostgresConfigStore store = (PostgresConfigStore) TestStores.open(TestStores.Kind.POSTGRESQL, source, Map.of())) {
      fill(store);
      try (java.sql.Connection c = store.dataSource().getConnection();
          java.sql.PreparedStatement up = c.prepareStatement(
              "INSERT INTO quota_counters (key, window_start, window_end, count) VALUES (?, 0, ?, ?)")) {
        up.setString(1, "orders|1d|sub:alice|calls");
        up.setLong(2, end);
        up.setLong(3, 41);
        up.executeUpdate();
      }
      Backups.Summary s = Backups.createFromPostgres(store.dataSource(), store.url().toString(), source, archive, PASS,
          new Backups.Options(false, true, Map.of(), CHEAP));
      assertThat(s.files()).extracting(Backups.Entry::name).contains("counters.db");
    }
    DatabaseUrl target = emptyDatabase();
    com.zaxxer.hikari.HikariDataSource targetPool = pool(target);
    try {
      Backups.restoreToPostgres(archive, targetPool, target.toString(), dir.resolve("node"), PASS,
          new Backups.RestoreOptions(null, Map.of()));
      assertThat(quotaCount(targetPool, "orders|1d|sub:alice|calls")).as("the quota's consumption").isEqualTo(41);
    } finally {
      targetPool.close();
    }
  }
}
