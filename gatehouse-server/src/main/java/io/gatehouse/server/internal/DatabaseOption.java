package io.gatehouse.server.internal;

import static java.util.Objects.requireNonNull;

import io.gatehouse.control.ControlPlane;
import io.gatehouse.control.ControlStore;
import io.gatehouse.control.DatabaseUrl;
import io.gatehouse.control.PostgresConfigStore;
import io.gatehouse.control.RevisionFeed;
import io.gatehouse.control.SqliteConfigStore;
import io.gatehouse.control.analytics.JdbcAnalyticsStore;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;

/**
 * {@code serve --database}: where the control plane keeps its state, the embedded SQLite files of
 * the data directory (no address, the default) or a PostgreSQL database shared by a cluster
 * ({@code postgresql://USER:PASSWORD@HOST:PORT/DB}). Nothing here writes the password anywhere.
 */
final class DatabaseOption {
  /** The option. */
  static final String FLAG = "--database";
  /** The environment variable read when the option is not given. */
  static final String ENV = "GATEHOUSE_DATABASE";

  /** The store cannot be opened because its server cannot be reached or refuses the connection. */
  static final class Unreachable extends RuntimeException {
    private static final long serialVersionUID = 1L;

    Unreachable(String message, Throwable cause) {
      super(message, cause);
    }
  }

  private DatabaseOption() {}

  /**
   * The PostgreSQL address in {@code text}, or in {@code env}'s {@value #ENV} when {@code text} is
   * null; empty for the embedded store (neither given, or blank); its password reference resolved
   * from {@code env}.
   *
   * @throws IllegalArgumentException with a one-line reason that never holds the password
   */
  static Optional<DatabaseUrl> parse(String option, Map<String, String> env) {
    String text = option != null ? option : env.get(ENV);
    if (text == null || text.isBlank()) {
      return Optional.empty();
    }
    if (!DatabaseUrl.isPostgres(text.strip())) {
      throw new IllegalArgumentException("expected " + DatabaseUrl.SCHEME
          + "://USER:PASSWORD@HOST:PORT/DB (omit " + FLAG + " for the embedded SQLite store)");
    }
    return Optional.of(DatabaseUrl.parse(text.strip(), env));
  }

  /**
   * Opens the store {@code text} names ({@link #parse}), with master keys from {@code data} or
   * {@code env}.
   *
   * @throws Unreachable when PostgreSQL cannot be reached or refuses the credentials
   */
  static ControlStore open(String text, Path data, Map<String, String> env) {
    requireNonNull(data, "data");
    Optional<DatabaseUrl> url = parse(text, env);
    if (url.isEmpty()) {
      return SqliteConfigStore.open(data, env);
    }
    try {
      return PostgresConfigStore.open(url.get(), data, env);
    } catch (IllegalStateException e) {
      throw new Unreachable(e.getMessage(), e);
    }
  }

  /**
   * Feeds {@code plane} the revisions other servers commit to the same PostgreSQL database
   * ({@link RevisionFeed}); nothing to do for the embedded store, which has one writer. Close the
   * result before the store.
   */
  static AutoCloseable feed(ControlStore store, ControlPlane plane) {
    return store instanceof PostgresConfigStore pg
        ? RevisionFeed.start(pg, plane, RevisionFeed.DEFAULT_CHECK_INTERVAL)
        : () -> { };
  }

  /**
   * With a PostgreSQL store, looks at the uploaded certificates every second, so that a certificate
   * uploaded, replaced or deleted through another server is served here too (its listeners run as
   * after a local change); nothing to do for the embedded store.
   */
  static void followCertificates(io.vertx.core.Vertx vertx, ControlStore store) {
    if (!(store instanceof PostgresConfigStore)) {
      return;
    }
    store.certificates().checkForChanges();
    vertx.setPeriodic(1000, id -> vertx.executeBlocking(() -> {
      try {
        store.certificates().checkForChanges();
      } catch (RuntimeException e) {
        org.slf4j.LoggerFactory.getLogger(DatabaseOption.class).debug("certificate check failed: {}", e.toString());
      }
      return null;
    }, false));
  }

  /** The discovery shared by the servers of a PostgreSQL database, written as {@code node}; null for SQLite (one server). */
  static io.gatehouse.control.security.DiscoveredEndpoints discovery(ControlStore store, String node) {
    return store instanceof PostgresConfigStore
        ? new io.gatehouse.control.security.DiscoveredEndpoints(store.jdbi(), node, java.time.Clock.systemUTC())
        : null;
  }

  /**
   * The blocked clients of {@code store}: with PostgreSQL read again every
   * {@link io.gatehouse.control.security.ClientBlockList#REFRESH}, since other servers write them;
   * the embedded store has one writer, this server. Close it before the store.
   */
  static io.gatehouse.control.security.ClientBlockList blocks(ControlStore store) {
    io.gatehouse.control.security.ClientBlockList list = new io.gatehouse.control.security.ClientBlockList(
        store.jdbi(), java.time.Clock.systemUTC());
    return store instanceof PostgresConfigStore ? list.follow(io.gatehouse.control.security.ClientBlockList.REFRESH) : list;
  }

  /**
   * The debug sessions of {@code store}: with PostgreSQL read again every
   * {@link io.gatehouse.control.debugging.DebugSessionTable#REFRESH}, since other servers open them;
   * the embedded store has one writer, this server. Close it before the store.
   */
  static io.gatehouse.control.debugging.DebugSessionTable debugSessions(ControlStore store) {
    io.gatehouse.control.debugging.DebugSessionTable table = new io.gatehouse.control.debugging.DebugSessionTable(
        store.jdbi(), java.time.Clock.systemUTC());
    return store instanceof PostgresConfigStore
        ? table.follow(io.gatehouse.control.debugging.DebugSessionTable.REFRESH) : table;
  }

  /**
   * Where the durable copy of quota counters lives: the PostgreSQL database of {@code store}, shared
   * by its servers, unless Redis holds the counters ({@code redis} not null); {@code null} for the
   * node's own {@code counters.db}.
   */
  static javax.sql.DataSource quotaDatabase(ControlStore store, io.gatehouse.gateway.RedisOptions redis) {
    return store instanceof PostgresConfigStore pg && redis == null ? pg.dataSource() : null;
  }

  /** The analytics store beside {@code store}: in its PostgreSQL database, or {@code data/analytics.db}. */
  static JdbcAnalyticsStore analytics(ControlStore store, Path data) {
    return store instanceof PostgresConfigStore pg ? pg.analytics() : JdbcAnalyticsStore.open(data);
  }
}
