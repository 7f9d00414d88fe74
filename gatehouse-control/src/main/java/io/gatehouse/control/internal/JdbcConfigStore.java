package io.gatehouse.control.internal;

import static java.util.Objects.requireNonNull;

import io.gatehouse.control.ConfigStore;
import io.gatehouse.control.Revision;
import io.gatehouse.control.RevisionInfo;
import io.gatehouse.control.secrets.MasterKeys;
import io.gatehouse.control.secrets.Sealing;
import io.gatehouse.control.secrets.Secrets;
import io.gatehouse.model.ConfigDiff;
import io.gatehouse.model.ConfigException;
import io.gatehouse.model.ConfigProblem;
import io.gatehouse.model.ConfigValidator;
import io.gatehouse.model.GatewayConfig;
import io.gatehouse.model.SubscriptionKeys;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.Optional;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.Jdbi;

/**
 * A {@link ConfigStore} over any JDBC database with the portable schema of
 * {@code io/gatehouse/control/migration}; commits are serialized in this process and run in one
 * transaction each.
 */
public final class JdbcConfigStore implements ConfigStore {
  private static final Revision EMPTY =
      new Revision(new RevisionInfo(0, Instant.EPOCH, "system", "empty configuration", "none"), GatewayConfig.EMPTY);
  private static final String COLUMNS = "id, created_at, author, message, source";

  private final Jdbi jdbi;
  private final AutoCloseable resources;
  private final Object writeLock = new Object();
  private final Secrets secrets;

  /**
   * A store over {@code jdbi}, encrypting secrets under {@code keys}, closing {@code resources} on
   * {@link #close()}; loads or creates the instance's sealing key pair.
   */
  public JdbcConfigStore(Jdbi jdbi, AutoCloseable resources, MasterKeys keys) {
    this.jdbi = requireNonNull(jdbi, "jdbi");
    this.resources = requireNonNull(resources, "resources");
    this.secrets = Secrets.of(requireNonNull(keys, "keys"), sealing(jdbi, keys), keyHasher(jdbi, keys));
  }

  /** The name of the instance's sealing key pair in table {@code instance_keys}. */
  public static final String SEALING_KEY = "sealing";

  private static Sealing sealing(Jdbi jdbi, MasterKeys keys) {
    Sealing fresh = Sealing.generate();
    return jdbi.inTransaction(h -> {
      h.createUpdate("INSERT INTO instance_keys (name, public_key, private_key, created_at) "
              + "VALUES (:name, :pub, :priv, :time) ON CONFLICT (name) DO NOTHING")
          .bind("name", SEALING_KEY)
          .bind("pub", fresh.publicKeyPem())
          .bind("priv", keys.encrypt(fresh.privateKey()))
          .bind("time", System.currentTimeMillis())
          .execute();
      return h.createQuery("SELECT public_key, private_key FROM instance_keys WHERE name = :name")
          .bind("name", SEALING_KEY)
          .map((rs, ctx) -> Sealing.of(Sealing.parsePublicKey(rs.getString("public_key")).getEncoded(),
              keys.decrypt(rs.getString("private_key"))))
          .one();
    });
  }

  /** The name of the instance's subscription-key hashing key in table {@code instance_keys}. */
  public static final String SUBSCRIPTION_KEY_HASHING = "subscription-key-hashing";

  /** Loads or creates the 32-byte key of keyed subscription-key hashes, stored encrypted under the master key. */
  private static SubscriptionKeys.Hasher keyHasher(Jdbi jdbi, MasterKeys keys) {
    byte[] fresh = new byte[32];
    new java.security.SecureRandom().nextBytes(fresh);
    return jdbi.inTransaction(h -> {
      h.createUpdate("INSERT INTO instance_keys (name, public_key, private_key, created_at) "
              + "VALUES (:name, '', :priv, :time) ON CONFLICT (name) DO NOTHING")
          .bind("name", SUBSCRIPTION_KEY_HASHING)
          .bind("priv", keys.encrypt(fresh))
          .bind("time", System.currentTimeMillis())
          .execute();
      return SubscriptionKeys.keyed(h.createQuery("SELECT private_key FROM instance_keys WHERE name = :name")
          .bind("name", SUBSCRIPTION_KEY_HASHING)
          .map((rs, ctx) -> keys.decrypt(rs.getString("private_key")))
          .one());
    });
  }

  @Override
  public Secrets secrets() {
    return secrets;
  }

  @Override
  public Revision current() {
    return jdbi.withHandle(this::latest).orElse(EMPTY);
  }

  @Override
  public Revision commit(GatewayConfig config, String author, String message, String source) {
    return commit(-1, config, author, message, source);
  }

  @Override
  public Revision commitOn(long base, GatewayConfig config, String author, String message, String source) {
    if (base < 0) {
      throw new IllegalArgumentException("expected a revision number >= 0 but got " + base);
    }
    return commit(base, config, author, message, source);
  }

  /** Commits {@code config}; when {@code base >= 0}, only if revision {@code base} is the newest. */
  private Revision commit(long base, GatewayConfig config, String author, String message, String source) {
    requireNonNull(config, "config");
    requireNonNull(author, "author");
    requireNonNull(source, "source");
    List<ConfigProblem> problems = ConfigValidator.validate(config);
    if (!problems.isEmpty()) {
      throw new ConfigException(problems);
    }
    GatewayConfig normalized = secrets.withKeyedHashes(config.normalized());
    String json = secrets.toStored(normalized);
    String text = message == null ? "" : message;
    synchronized (writeLock) {
      return jdbi.inTransaction(h -> {
        WriteLocks.serialize(h, WriteLocks.REVISIONS); // across the servers sharing a PostgreSQL database
        Optional<Revision> latest = latest(h);
        long latestId = latest.map(Revision::id).orElse(0L);
        if (base >= 0 && latestId != base) { // compare and set, under the lock that numbers revisions
          throw new io.gatehouse.control.StaleRevisionException(base, latest.orElse(EMPTY));
        }
        if (latest.isPresent() && ConfigDiff.between(latest.get().config(), normalized).isEmpty()) {
          return latest.get();
        }
        long id = latest.map(Revision::id).orElse(0L) + 1;
        Instant now = Instant.ofEpochMilli(System.currentTimeMillis());
        h.createUpdate("INSERT INTO revisions (id, created_at, author, message, source, config) "
                + "VALUES (:id, :time, :author, :message, :source, :config)")
            .bind("id", id)
            .bind("time", now.toEpochMilli())
            .bind("author", author)
            .bind("message", text)
            .bind("source", source)
            .bind("config", json)
            .execute();
        if (WriteLocks.isPostgres(h)) { // delivered to the other servers' feeds only when this transaction commits
          h.createQuery("SELECT pg_notify(:channel, :id)").bind("channel", io.gatehouse.control.RevisionFeed.CHANNEL)
              .bind("id", Long.toString(id)).mapToMap().one();
        }
        return new Revision(new RevisionInfo(id, now, author, text, source), normalized);
      });
    }
  }

  @Override
  public List<RevisionInfo> list(int offset, int limit) {
    if (offset < 0 || limit < 0) {
      throw new IllegalArgumentException("expected offset >= 0 and limit >= 0 but got " + offset + ", " + limit);
    }
    return jdbi.withHandle(h -> h.createQuery(
            "SELECT " + COLUMNS + " FROM revisions ORDER BY id DESC LIMIT :limit OFFSET :offset")
        .bind("limit", limit)
        .bind("offset", offset)
        .map((rs, ctx) -> info(rs))
        .list());
  }

  @Override
  public Optional<Revision> get(long id) {
    return jdbi.withHandle(h -> h.createQuery("SELECT " + COLUMNS + ", config FROM revisions WHERE id = :id")
        .bind("id", id)
        .map((rs, ctx) -> revision(rs, secrets))
        .findOne());
  }

  @Override
  public Revision rollback(long id, String author) {
    GatewayConfig target = id == 0 ? GatewayConfig.EMPTY // revision 0, as the management API reads it
        : get(id).orElseThrow(() -> new NoSuchElementException("no revision " + id)).config();
    return commit(target, author, "rollback to revision " + id, "rollback");
  }

  @Override
  public void putAdminToken(String name, String hash) {
    requireNonNull(name, "name");
    requireNonNull(hash, "hash");
    synchronized (writeLock) {
      jdbi.useTransaction(h -> h.createUpdate(
              "INSERT INTO admin_tokens (name, token_hash, created_at) VALUES (:name, :hash, :time) "
                  + "ON CONFLICT (name) DO UPDATE SET token_hash = excluded.token_hash, created_at = excluded.created_at")
          .bind("name", name)
          .bind("hash", hash)
          .bind("time", System.currentTimeMillis())
          .execute());
    }
  }

  @Override
  public Optional<String> adminTokenName(String hash) {
    requireNonNull(hash, "hash");
    return jdbi.withHandle(h -> h.createQuery("SELECT name FROM admin_tokens WHERE token_hash = :hash")
        .bind("hash", hash)
        .mapTo(String.class)
        .findOne());
  }

  @Override
  public boolean hasAdminToken(String name) {
    requireNonNull(name, "name");
    return jdbi.withHandle(h -> h.createQuery("SELECT COUNT(*) FROM admin_tokens WHERE name = :name")
        .bind("name", name)
        .mapTo(Long.class)
        .one()) > 0;
  }

  @Override
  public void close() {
    try {
      resources.close();
    } catch (Exception e) {
      throw new IllegalStateException("closing the store failed: " + e.getMessage(), e);
    }
  }

  private Optional<Revision> latest(Handle h) {
    return h.createQuery("SELECT " + COLUMNS + ", config FROM revisions ORDER BY id DESC LIMIT 1")
        .map((rs, ctx) -> revision(rs, secrets))
        .findOne();
  }

  private static RevisionInfo info(ResultSet rs) throws SQLException {
    return new RevisionInfo(rs.getLong("id"), Instant.ofEpochMilli(rs.getLong("created_at")),
        rs.getString("author"), rs.getString("message"), rs.getString("source"));
  }

  private static Revision revision(ResultSet rs, Secrets secrets) throws SQLException {
    RevisionInfo info = info(rs);
    try {
      return new Revision(info, secrets.fromStored(rs.getString("config")));
    } catch (RuntimeException e) {
      throw new IllegalStateException("stored revision " + info.id() + " cannot be read: " + e.getMessage(), e);
    }
  }
}
