package io.gatehouse.control;

import static java.util.Objects.requireNonNull;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import io.gatehouse.control.internal.JdbcConfigStore;
import io.gatehouse.control.secrets.MasterKeys;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.Map;
import org.flywaydb.core.Flyway;
import org.jdbi.v3.core.Jdbi;
import org.sqlite.SQLiteConfig;
import org.sqlite.SQLiteDataSource;

/**
 * The embedded {@link ConfigStore}: one SQLite file {@code <dataDir>/gatehouse.db} in WAL mode with
 * {@code synchronous=FULL}, so every acknowledged commit is on disk before the call returns.
 *
 * <p>The schema is migrated with Flyway when the store opens.
 */
public final class SqliteConfigStore extends JdbcControlStore {
  /** The database file name inside the data directory. */
  public static final String FILE_NAME = "gatehouse.db";
  /** Where the schema migrations of the database are, for Flyway. */
  public static final String MIGRATIONS = "classpath:io/gatehouse/control/migration/sqlite";

  private final Path file;

  private SqliteConfigStore(ConfigStore delegate, Path file, Jdbi jdbi) {
    super(delegate, jdbi);
    this.file = file;
  }

  /**
   * Opens (creating if needed) the store in {@code dataDir}, creating the directory too, and
   * migrates its schema.
   *
   * @throws UncheckedIOException when the directory cannot be created
   */
  public static SqliteConfigStore open(Path dataDir) {
    return open(dataDir, System.getenv());
  }

  /**
   * Like {@link #open(Path)}, with the master key sources of {@link MasterKeys#open} read from
   * {@code env} instead of the process environment.
   */
  public static SqliteConfigStore open(Path dataDir, Map<String, String> env) {
    requireNonNull(dataDir, "dataDir");
    requireNonNull(env, "env");
    io.gatehouse.model.storage.PrivateFiles.directory(dataDir);
    // created 0600 before SQLite opens it: its -wal and -shm files take the database file's mode
    Path file = io.gatehouse.model.storage.PrivateFiles.file(dataDir.resolve(FILE_NAME).toAbsolutePath());
    SQLiteConfig sqlite = new SQLiteConfig();
    sqlite.setJournalMode(SQLiteConfig.JournalMode.WAL);
    sqlite.setSynchronous(SQLiteConfig.SynchronousMode.FULL);
    sqlite.setBusyTimeout(10_000);
    sqlite.enforceForeignKeys(true);
    sqlite.setTransactionMode(SQLiteConfig.TransactionMode.IMMEDIATE);
    SQLiteDataSource raw = new SQLiteDataSource(sqlite);
    raw.setUrl("jdbc:sqlite:" + file);

    HikariConfig pool = new HikariConfig();
    pool.setDataSource(raw);
    pool.setPoolName("gatehouse-sqlite");
    pool.setMaximumPoolSize(4);
    pool.setMinimumIdle(1);
    HikariDataSource dataSource = new HikariDataSource(pool);
    try {
      Flyway.configure()
          .dataSource(dataSource)
          .locations(MIGRATIONS)
          .load()
          .migrate();
    } catch (RuntimeException e) {
      dataSource.close();
      throw e;
    }
    Jdbi jdbi = Jdbi.create(dataSource);
    try {
      MasterKeys keys = MasterKeys.open(dataDir, env);
      return new SqliteConfigStore(new JdbcConfigStore(jdbi, dataSource, keys), file, jdbi);
    } catch (RuntimeException e) {
      dataSource.close();
      throw e;
    }
  }

  /** The database file. */
  public Path file() {
    return file;
  }

  @Override
  public Path auditHeadFile() {
    return file.resolveSibling(io.gatehouse.control.security.AuditLog.HEAD_FILE);
  }
}
