package io.gatehouse.testing.postgres;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class PostgresServerTest {

  @Test
  void startsAServerThatAnswersQueriesInAFreshDatabase() {
    try (PostgresServer pg = PostgresServer.start()) {
      String db = pg.createDatabase();
      assertThat(pg.sql(db, "SELECT current_database()").strip()).isEqualTo(db);
      assertThat(pg.sql(db, "SELECT current_setting('server_version_num')::int >= 150000").strip()).isEqualTo("t");
    }
  }

  @Test
  void keepsCommittedRowsAcrossAKillAndRestart() {
    try (PostgresServer pg = PostgresServer.start()) {
      String db = pg.createDatabase();
      pg.sql(db, "CREATE TABLE t (v INT); INSERT INTO t VALUES (42)");
      pg.kill();
      assertThat(pg.isRunning()).isFalse();
      assertThatThrownBy(() -> pg.sql(db, "SELECT 1")).isInstanceOf(IllegalStateException.class);
      pg.startAgain();
      assertThat(pg.sql(db, "SELECT v FROM t").strip()).isEqualTo("42");
    }
  }
}
