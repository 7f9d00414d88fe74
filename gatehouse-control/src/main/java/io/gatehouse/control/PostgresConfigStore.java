package io.gatehouse.control;

import static java.util.Objects.requireNonNull;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import io.gatehouse.control.analytics.JdbcAnalyticsStore;
import io.gatehouse.control.internal.JdbcConfigStore;
import io.gatehouse.control.secrets.MasterKeys;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import javax.sql.DataSource;
import org.flywaydb.core.Flyway;
import org.jdbi.v3.core.Jdbi;
import org.postgresql.ds.PGSimpleDataSource;

/**
 * The shared {@link ControlStore} of a cluster: every table of the embedded store (revisions,
 * secrets' keys, identities, the audit log, certificates, analytics) in one PostgreSQL database,
 * reached through a connection pool. A write is acknowledged once PostgreSQL has committed it; while
 * the server cannot be reached, calls fail within {@link #CONNECTION_TIMEOUT} (the management API
 * answers 503) and nothing is half-written.
 *
 * <p>The schema is migrated with Flyway ({@link #MIGRATIONS}) when the store opens. Master keys stay
 * outside the database, in the data directory or the environment, as with SQLite: every server of
 * a cluster needs the same master key.
 */
public final class PostgresConfigStore extends JdbcControlStore {
  /** Where the schema migrations of PostgreSQL are, for Flyway. */
  public static final String MIGRATIONS = "classpath:io/gatehouse/control/migration/postgresql";
  /** How long a call waits for a connection before it fails as unavailable. */
  public static final Duration CONNECTION_TIMEOUT = Duration.ofSeconds(5);

  private final HikariDataSource pool;
  private final DatabaseUrl url;

  private PostgresConfigStore(ConfigStore delegate, HikariDataSource pool, Jdbi jdbi, DatabaseUrl url) {
    super(delegate, jdbi);
    this.pool = pool;
    this.url = url;
  }

  /**
   * Connects to {@code url}, migrates the schema and opens the master keys of {@code dataDir} (or
   * {@code env}'s {@code GATEHOUSE_MASTER_KEY}).
   *
   * @throws IllegalStateException when the server cannot be reached or refuses the credentials; the
   *     message names the address without its password
   */
  public static PostgresConfigStore open(DatabaseUrl url, Path dataDir, Map<String, String> env) {
    requireNonNull(url, "url");
    requireNonNull(dataDir, "dataDir");
    requireNonNull(env, "env");
    HikariDataSource pool = pool(url);
    try {
      Flyway.configure().dataSource(pool).locations(MIGRATIONS).load().migrate();
      io.gatehouse.model.storage.PrivateFiles.directory(dataDir);
      Jdbi jdbi = Jdbi.create(pool);
      MasterKeys keys = MasterKeys.open(dataDir, env);
      return new PostgresConfigStore(new JdbcConfigStore(jdbi, pool, keys), pool, jdbi, url);
    } catch (RuntimeException e) {
      pool.close();
      throw new IllegalStateException("cannot open the PostgreSQL database " + url + ": " + rootMessage(e), e);
    }
  }

  /**
   * A connection pool to {@code url} alone, without migrating anything (backups and restores);
   * close it when done.
   *
   * @throws IllegalStateException when the server cannot be reached or refuses the credentials
   */
  public static HikariDataSource connect(DatabaseUrl url) {
    return pool(requireNonNull(url, "url"));
  }

  /**
   * A new connection to this store's database outside the pool, for a session that lasts (the
   * {@link RevisionFeed}'s {@code LISTEN}); the caller closes it.
   *
   * @throws java.sql.SQLException when the server cannot be reached within {@link #CONNECTION_TIMEOUT}
   */
  public java.sql.Connection openSession() throws java.sql.SQLException {
    return unpooled(url).getConnection();
  }

  private static PGSimpleDataSource unpooled(DatabaseUrl url) {
    PGSimpleDataSource raw = new PGSimpleDataSource();
    raw.setURL(url.jdbcUrl());
    raw.setUser(url.user());
    raw.setPassword(url.password());
    raw.setApplicationName("gatehouse");
    raw.setConnectTimeout((int) CONNECTION_TIMEOUT.toSeconds());
    raw.setTcpKeepAlive(true);
    for (Map.Entry<String, String> p : url.parameters().entrySet()) {
      try {
        raw.setProperty(p.getKey(), p.getValue());
      } catch (java.sql.SQLException e) {
        throw new IllegalArgumentException("the database parameter " + p.getKey() + " is not accepted: " + e.getMessage(), e);
      }
    }
    return raw;
  }

  private static HikariDataSource pool(DatabaseUrl url) {
    PGSimpleDataSource raw = unpooled(url);
    HikariConfig config = new HikariConfig();
    config.setDataSource(raw);
    config.setPoolName("gatehouse-postgresql");
    config.setMaximumPoolSize(10);
    config.setMinimumIdle(1);
    config.setConnectionTimeout(CONNECTION_TIMEOUT.toMillis());
    config.setValidationTimeout(Math.min(CONNECTION_TIMEOUT.toMillis(), 3_000));
    config.setInitializationFailTimeout(CONNECTION_TIMEOUT.toMillis());
    try {
      return new HikariDataSource(config);
    } catch (RuntimeException e) {
      throw new IllegalStateException("cannot connect to the PostgreSQL database " + url + ": " + rootMessage(e), e);
    }
  }

  private static String rootMessage(Throwable e) {
    Throwable t = e;
    while (t.getCause() != null && t.getCause() != t) {
      t = t.getCause();
    }
    return t.getMessage() == null ? t.getClass().getSimpleName() : t.getMessage();
  }

  /** The address, without its password. */
  public DatabaseUrl url() {
    return url;
  }

  /** The connection pool, for the stores that share this database (analytics, backups); closed with the store. */
  public DataSource dataSource() {
    return pool;
  }

  /** The traffic analytics in the same database (their tables are migrated with this store's). */
  public JdbcAnalyticsStore analytics() {
    return JdbcAnalyticsStore.over(pool, "PostgreSQL database " + url);
  }

  /** Always {@code null}: the database is shared, so the audit chain's head is not mirrored to a local file. */
  @Override
  public Path auditHeadFile() {
    return null;
  }
}
