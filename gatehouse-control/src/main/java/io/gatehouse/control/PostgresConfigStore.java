package io.gatehouse.control;

import static java.util.Objects.requireNonNull;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import io.gatehouse.control.analytics.JdbcAnalyticsStore;
import io.gatehouse.control.certificates.CertificateStore;
import io.gatehouse.control.internal.JdbcConfigStore;
import io.gatehouse.control.secrets.MasterKeys;
import io.gatehouse.control.secrets.Secrets;
import io.gatehouse.model.GatewayConfig;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
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
public final class PostgresConfigStore implements ControlStore {
  /** Where the schema migrations of PostgreSQL are, for Flyway. */
  public static final String MIGRATIONS = "classpath:io/gatehouse/control/migration/postgresql";
  /** How long a call waits for a connection before it fails as unavailable. */
  public static final Duration CONNECTION_TIMEOUT = Duration.ofSeconds(5);

  private final ConfigStore delegate;
  private final HikariDataSource pool;
  private final Jdbi jdbi;
  private final CertificateStore certificates;
  private final DatabaseUrl url;

  private PostgresConfigStore(ConfigStore delegate, HikariDataSource pool, Jdbi jdbi, MasterKeys keys, DatabaseUrl url) {
    this.delegate = delegate;
    this.pool = pool;
    this.jdbi = jdbi;
    this.url = url;
    this.certificates = new CertificateStore(jdbi, keys, Clock.systemUTC());
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
      return new PostgresConfigStore(new JdbcConfigStore(jdbi, pool, keys), pool, jdbi, keys, url);
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

  @Override
  public Jdbi jdbi() {
    return jdbi;
  }

  @Override
  public CertificateStore certificates() {
    return certificates;
  }

  /** Always {@code null}: the database is shared, so the audit chain's head is not mirrored to a local file. */
  @Override
  public Path auditHeadFile() {
    return null;
  }

  @Override
  public Secrets secrets() {
    return delegate.secrets();
  }

  @Override
  public Revision current() {
    return delegate.current();
  }

  @Override
  public Revision commit(GatewayConfig config, String author, String message, String source) {
    return delegate.commit(config, author, message, source);
  }

  @Override
  public List<RevisionInfo> list(int offset, int limit) {
    return delegate.list(offset, limit);
  }

  @Override
  public Optional<Revision> get(long id) {
    return delegate.get(id);
  }

  @Override
  public Revision rollback(long id, String author) {
    return delegate.rollback(id, author);
  }

  @Override
  public void putAdminToken(String name, String hash) {
    delegate.putAdminToken(name, hash);
  }

  @Override
  public Optional<String> adminTokenName(String hash) {
    return delegate.adminTokenName(hash);
  }

  @Override
  public boolean hasAdminToken(String name) {
    return delegate.hasAdminToken(name);
  }

  @Override
  public void close() {
    delegate.close();
  }
}
