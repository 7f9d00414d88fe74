package io.gatehouse.control;

import io.gatehouse.control.secrets.Secrets;
import io.gatehouse.model.ConfigException;
import io.gatehouse.model.GatewayConfig;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.Optional;

/**
 * Durable storage of configuration revisions and admin tokens: once a method that writes has
 * returned, what it wrote survives a crash of the process.
 *
 * <p>Implementations are thread-safe. Every method may block on I/O: never call one on an event
 * loop.
 */
public interface ConfigStore extends AutoCloseable {

  /** The latest revision, or revision 0 holding {@link GatewayConfig#EMPTY} when none exists. */
  Revision current();

  /**
   * Validates {@code config} and stores its normalized form as a new revision, unless it equals
   * the current configuration (then the current revision is returned and nothing is written).
   *
   * @param source how the change arrived, for example {@code api}, {@code file} or {@code rollback}
   * @throws ConfigException listing every problem when the configuration is invalid
   */
  Revision commit(GatewayConfig config, String author, String message, String source);

  /**
   * Like {@link #commit(GatewayConfig, String, String, String)}, only if revision {@code base} is
   * still the newest: compare and set, checked in the committing transaction, so that a change
   * computed from {@code base} never silently replaces a revision committed after it (by this
   * server or another sharing the store).
   *
   * @throws StaleRevisionException when the newest revision is not {@code base}; nothing is written
   * @throws ConfigException listing every problem when the configuration is invalid
   */
  Revision commitOn(long base, GatewayConfig config, String author, String message, String source);

  /** {@link #commit(GatewayConfig, String, String, String)} with source {@code api}. */
  default Revision commit(GatewayConfig config, String author, String message) {
    return commit(config, author, message, "api");
  }

  /** Revisions newest first, skipping {@code offset} and returning at most {@code limit}. */
  List<RevisionInfo> list(int offset, int limit);

  /** The revision numbered {@code id}, if it exists (revision 0 is never stored). */
  Optional<Revision> get(long id);

  /**
   * Commits a new revision, with source {@code rollback}, whose configuration equals that of
   * revision {@code id} (0: the empty configuration before any commit); returns the current
   * revision when they are already equal.
   *
   * @throws NoSuchElementException when revision {@code id} does not exist
   */
  Revision rollback(long id, String author);

  /** Stores {@code hash} as the admin token named {@code name}, replacing that name's hash. */
  void putAdminToken(String name, String hash);

  /** The name of the admin token whose hash is {@code hash}. */
  Optional<String> adminTokenName(String hash);

  /** Whether an admin token named {@code name} exists. */
  boolean hasAdminToken(String name);

  /** How this store encrypts, seals and resolves secrets. */
  Secrets secrets();

  /** Releases connections; further calls fail. */
  @Override
  void close();
}
