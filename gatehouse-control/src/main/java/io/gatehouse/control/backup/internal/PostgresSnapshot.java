package io.gatehouse.control.backup.internal;

import io.gatehouse.control.PostgresConfigStore;
import io.gatehouse.control.SqliteConfigStore;
import io.gatehouse.control.backup.BackupException;
import io.gatehouse.control.backup.BackupException.Kind;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import javax.sql.DataSource;
import org.flywaydb.core.Flyway;

/**
 * Moves the store between PostgreSQL and the SQLite files of a backup archive: {@link #export}
 * reads every table in one {@code REPEATABLE READ} read-only transaction (one consistent snapshot
 * while servers keep writing); {@link #load} writes them into an empty PostgreSQL database in one
 * transaction (all rows or none).
 */
public final class PostgresSnapshot {
  /** Where the analytics schema of the embedded store is, for Flyway. */
  public static final String ANALYTICS_MIGRATIONS = "classpath:io/gatehouse/control/migration/analytics";

  private PostgresSnapshot() {}

  /**
   * Writes the configuration tables to the new SQLite file {@code configDb} and, when
   * {@code analyticsDb} is not null, the analytics to that new file; both get the embedded schema.
   * The quota counters (table {@code quota_counters}), when there are any, go to the new file
   * {@code countersDb} in a node's {@code counters.db} format, in the same snapshot.
   *
   * @return how many quota counters were written (0: {@code countersDb} was not created)
   */
  public static long export(DataSource database, String where, Path configDb, Path analyticsDb, Path countersDb) {
    migrate(configDb, SqliteConfigStore.MIGRATIONS);
    if (analyticsDb != null) {
      migrate(analyticsDb, ANALYTICS_MIGRATIONS);
    }
    try (Connection pg = database.getConnection()) {
      pg.setAutoCommit(false);
      pg.setTransactionIsolation(Connection.TRANSACTION_REPEATABLE_READ);
      pg.setReadOnly(true);
      try {
        into(pg, configDb, TableCopy.CONFIG_TABLES);
        if (analyticsDb != null) {
          into(pg, analyticsDb, TableCopy.ANALYTICS_TABLES);
        }
        if (TableCopy.count(pg, TableCopy.QUOTA_COUNTERS) <= 0) {
          return 0;
        }
        try (Connection out = DriverManager.getConnection("jdbc:sqlite:" + countersDb.toAbsolutePath());
            java.sql.Statement create = out.createStatement()) {
          create.execute(TableCopy.NODE_COUNTERS_SCHEMA);
          out.setAutoCommit(false);
          long rows = TableCopy.copy(pg, TableCopy.QUOTA_COUNTERS, out, TableCopy.NODE_COUNTERS);
          out.commit();
          return rows;
        }
      } finally {
        pg.rollback(); // read only: nothing to commit
      }
    } catch (SQLException e) {
      throw new BackupException(Kind.IO, "cannot read the PostgreSQL database " + where + ": " + e.getMessage(), e);
    }
  }

  /**
   * Refuses {@code database} when it holds Gatehouse data, so that a restore never mixes two
   * histories.
   */
  public static void requireEmpty(DataSource database, String where) {
    List<String> tables = new ArrayList<>(TableCopy.CONFIG_TABLES);
    tables.addAll(TableCopy.ANALYTICS_TABLES);
    tables.add(TableCopy.QUOTA_COUNTERS);
    try (Connection pg = database.getConnection()) {
      for (String t : tables) {
        long rows = TableCopy.count(pg, t);
        if (rows > 0) {
          throw new BackupException(Kind.USAGE, "the PostgreSQL database " + where + " already holds Gatehouse data"
              + " (table " + t + " has " + rows + " rows); restore into an empty database");
        }
      }
    } catch (SQLException e) {
      throw new BackupException(Kind.IO, "cannot read the PostgreSQL database " + where + ": " + e.getMessage(), e);
    }
  }

  /**
   * Migrates {@code database} to the PostgreSQL schema and copies the rows of the checked SQLite
   * files {@code configDb}, {@code analyticsDb} and {@code countersDb} (each but the first null
   * when the backup has none; the counters go to table {@code quota_counters}) into it, in one
   * transaction.
   */
  public static long load(DataSource database, String where, Path configDb, Path analyticsDb, Path countersDb) {
    try {
      Flyway.configure().dataSource(database).locations(PostgresConfigStore.MIGRATIONS).load().migrate();
    } catch (RuntimeException e) {
      throw new BackupException(Kind.IO, "cannot create the schema in the PostgreSQL database " + where + ": "
          + e.getMessage(), e);
    }
    try (Connection pg = database.getConnection()) {
      pg.setAutoCommit(false);
      try {
        long rows = from(configDb, pg, TableCopy.CONFIG_TABLES);
        if (analyticsDb != null) {
          rows += from(analyticsDb, pg, TableCopy.ANALYTICS_TABLES);
        }
        if (countersDb != null) {
          try (Connection in = DriverManager.getConnection("jdbc:sqlite:" + countersDb.toAbsolutePath())) {
            rows += TableCopy.copy(in, TableCopy.NODE_COUNTERS, pg, TableCopy.QUOTA_COUNTERS);
          }
        }
        pg.commit();
        return rows;
      } catch (SQLException | RuntimeException e) {
        pg.rollback();
        throw e;
      }
    } catch (SQLException e) {
      throw new BackupException(Kind.IO, "cannot write the PostgreSQL database " + where + ": " + e.getMessage(), e);
    }
  }

  private static void into(Connection pg, Path sqlite, List<String> tables) throws SQLException {
    try (Connection out = DriverManager.getConnection("jdbc:sqlite:" + sqlite.toAbsolutePath())) {
      out.setAutoCommit(false);
      TableCopy.copy(pg, out, tables);
      out.commit();
    }
  }

  private static long from(Path sqlite, Connection pg, List<String> tables) throws SQLException {
    try (Connection in = DriverManager.getConnection("jdbc:sqlite:" + sqlite.toAbsolutePath())) {
      return TableCopy.copy(in, pg, tables);
    }
  }

  private static void migrate(Path sqlite, String locations) {
    Flyway.configure().dataSource("jdbc:sqlite:" + sqlite.toAbsolutePath(), null, null).locations(locations).load()
        .migrate();
  }
}
