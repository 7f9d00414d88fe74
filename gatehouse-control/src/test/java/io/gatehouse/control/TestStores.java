package io.gatehouse.control;

import io.gatehouse.testing.postgres.PostgresServer;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Opens the store a test runs against: SQLite in the test's directory, or PostgreSQL in a fresh
 * database of the JVM's shared test server, one database per directory, so that opening the same
 * directory again reaches the same data (and the same master key file).
 */
public final class TestStores {
  /** The databases a store can live in. */
  public enum Kind { SQLITE, POSTGRESQL }

  private static final Map<Path, String> DATABASES = new ConcurrentHashMap<>();

  private TestStores() {}

  /** Opens (creating if needed) the {@code kind} store of {@code dir}, master keys from {@code env}. */
  public static ControlStore open(Kind kind, Path dir, Map<String, String> env) {
    return switch (kind) {
      case SQLITE -> SqliteConfigStore.open(dir, env);
      case POSTGRESQL -> PostgresConfigStore.open(url(dir), dir, env);
    };
  }

  /** {@link #open(Kind, Path, Map)} with the process environment. */
  public static ControlStore open(Kind kind, Path dir) {
    return open(kind, dir, System.getenv());
  }

  /** The PostgreSQL address of {@code dir}'s database, created on first use. */
  public static DatabaseUrl url(Path dir) {
    PostgresServer pg = PostgresServer.shared();
    String db = DATABASES.computeIfAbsent(dir.toAbsolutePath(), d -> pg.createDatabase());
    return DatabaseUrl.parse(pg.url(db), Map.of());
  }
}
