package io.gatehouse.control.internal;

import static java.util.Objects.requireNonNull;

import io.gatehouse.control.AdminTokens;
import io.gatehouse.control.security.Roles;
import java.security.SecureRandom;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import org.jdbi.v3.core.Jdbi;

/**
 * Personal access tokens, session tokens, local accounts and custom roles in the control-plane
 * database; token values are returned once at creation and stored only as SHA-256 hashes.
 *
 * <p>Thread-safe; every method blocks on the database.
 */
public final class IdentityStore {
  private static final SecureRandom RANDOM = new SecureRandom();

  /** A token's description, never its value. */
  public record TokenInfo(String id, String name, String kind, String owner, List<String> roles, Instant createdAt,
      Instant expiresAt, Instant revokedAt) {}

  /** A token just created, with its value (shown once). */
  public record Issued(TokenInfo info, String token) {}

  /** A local account, never its password hash. */
  public record Account(String name, List<String> roles, int failures, Instant lockedUntil, Instant createdAt) {}

  /** The outcome of a password check. */
  public enum Login { OK, BAD_CREDENTIALS, LOCKED }

  /** A hash checked for unknown names, so that they cost what known ones do; made on first use. */
  private static final class Dummy {
    static final String HASH = Argon2id.hash("gatehouse-dummy-password");
  }

  private final Jdbi jdbi;
  private final Clock clock;
  private volatile Map<String, Set<String>> customRoles;

  /** The store over {@code jdbi}, telling time with {@code clock}. */
  public IdentityStore(Jdbi jdbi, Clock clock) {
    this.jdbi = requireNonNull(jdbi, "jdbi");
    this.clock = requireNonNull(clock, "clock");
    this.customRoles = loadRoles();
  }

  /** The clock. */
  public Clock clock() {
    return clock;
  }

  // ---- tokens ----

  /** Creates a token of {@code kind} ({@code pat} or {@code session}) owned by {@code owner}. */
  public Issued createToken(String name, String kind, String owner, List<String> roles, Instant expiresAt) {
    byte[] bytes = new byte[32];
    RANDOM.nextBytes(bytes);
    String token = (kind.equals("session") ? "ghs_" : "ghp_") + Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
    byte[] idBytes = new byte[12];
    RANDOM.nextBytes(idBytes);
    String id = Base64.getUrlEncoder().withoutPadding().encodeToString(idBytes);
    Instant now = now();
    jdbi.useHandle(h -> h.createUpdate("INSERT INTO access_tokens (id, name, kind, owner, roles, token_hash, created_at,"
            + " expires_at, revoked_at) VALUES (:id, :name, :kind, :owner, :roles, :hash, :created, :expires, NULL)")
        .bind("id", id).bind("name", name).bind("kind", kind).bind("owner", owner)
        .bind("roles", String.join(",", roles)).bind("hash", AdminTokens.hash(token))
        .bind("created", now.toEpochMilli()).bind("expires", expiresAt == null ? null : expiresAt.toEpochMilli())
        .execute());
    return new Issued(new TokenInfo(id, name, kind, owner, List.copyOf(roles), now, expiresAt, null), token);
  }

  /** The live (neither revoked nor expired) token whose hash is {@code hash}. */
  public Optional<TokenInfo> liveToken(String hash) {
    long now = now().toEpochMilli();
    return jdbi.withHandle(h -> h.createQuery("SELECT * FROM access_tokens WHERE token_hash = :hash"
            + " AND revoked_at IS NULL AND (expires_at IS NULL OR expires_at > :now)")
        .bind("hash", hash).bind("now", now)
        .map((rs, ctx) -> token(rs)).findOne());
  }

  /** Personal access tokens (not sessions), of {@code owner} or of everyone when it is null, newest first. */
  public List<TokenInfo> tokens(String owner) {
    return jdbi.withHandle(h -> h.createQuery("SELECT * FROM access_tokens WHERE kind = 'pat'"
            + (owner == null ? "" : " AND owner = :owner") + " ORDER BY created_at DESC, id")
        .bindMap(owner == null ? Map.of() : Map.of("owner", owner))
        .map((rs, ctx) -> token(rs)).list());
  }

  /** The token {@code id}, live or not. */
  public Optional<TokenInfo> token(String id) {
    return jdbi.withHandle(h -> h.createQuery("SELECT * FROM access_tokens WHERE id = :id").bind("id", id)
        .map((rs, ctx) -> token(rs)).findOne());
  }

  /** Revokes token {@code id} (of {@code owner} only, unless it is null); returns it when it existed. */
  public Optional<TokenInfo> revoke(String id, String owner) {
    long now = now().toEpochMilli();
    return jdbi.inTransaction(h -> {
      Optional<TokenInfo> found = h.createQuery("SELECT * FROM access_tokens WHERE id = :id"
              + (owner == null ? "" : " AND owner = :owner"))
          .bind("id", id).bindMap(owner == null ? Map.of() : Map.of("owner", owner)).map((rs, ctx) -> token(rs)).findOne();
      if (found.isPresent() && found.get().revokedAt() == null) {
        h.createUpdate("UPDATE access_tokens SET revoked_at = :now WHERE id = :id").bind("now", now).bind("id", id)
            .execute();
      }
      return found;
    });
  }

  private static TokenInfo token(ResultSet rs) throws SQLException {
    long expires = rs.getLong("expires_at");
    boolean noExpiry = rs.wasNull();
    long revoked = rs.getLong("revoked_at");
    boolean notRevoked = rs.wasNull();
    return new TokenInfo(rs.getString("id"), rs.getString("name"), rs.getString("kind"), rs.getString("owner"),
        split(rs.getString("roles")), Instant.ofEpochMilli(rs.getLong("created_at")),
        noExpiry ? null : Instant.ofEpochMilli(expires), notRevoked ? null : Instant.ofEpochMilli(revoked));
  }

  // ---- accounts ----

  /** Creates a local account; false when the name is taken. */
  public boolean createAccount(String name, String password, List<String> roles) {
    String hash = Argon2id.hash(password);
    return jdbi.withHandle(h -> h.createUpdate("INSERT INTO accounts (name, password_hash, roles, failures, locked_until,"
            + " created_at) VALUES (:name, :hash, :roles, 0, 0, :now) ON CONFLICT (name) DO NOTHING")
        .bind("name", name).bind("hash", hash).bind("roles", String.join(",", roles))
        .bind("now", now().toEpochMilli()).execute()) == 1;
  }

  /** Every account, by name. */
  public List<Account> accounts() {
    return jdbi.withHandle(h -> h.createQuery("SELECT * FROM accounts ORDER BY name").map((rs, ctx) -> account(rs)).list());
  }

  /**
   * When each principal was last issued a token (a login's session or a personal access token it
   * created), by owner: the best record of an account's last authenticated use the store keeps.
   */
  public Map<String, Instant> lastTokenIssued() {
    Map<String, Instant> out = new LinkedHashMap<>();
    jdbi.useHandle(h -> h.createQuery("SELECT owner, MAX(created_at) AS last FROM access_tokens GROUP BY owner")
        .map((rs, ctx) -> Map.entry(rs.getString("owner"), Instant.ofEpochMilli(rs.getLong("last"))))
        .forEach(e -> out.put(e.getKey(), e.getValue())));
    return out;
  }

  /** The account named {@code name}. */
  public Optional<Account> account(String name) {
    return jdbi.withHandle(h -> h.createQuery("SELECT * FROM accounts WHERE name = :name").bind("name", name)
        .map((rs, ctx) -> account(rs)).findOne());
  }

  /** Deletes an account and revokes its sessions and tokens; false when it did not exist. */
  public boolean deleteAccount(String name) {
    long now = now().toEpochMilli();
    return jdbi.inTransaction(h -> {
      h.createUpdate("UPDATE access_tokens SET revoked_at = :now WHERE owner = :name AND revoked_at IS NULL")
          .bind("now", now).bind("name", name).execute();
      return h.createUpdate("DELETE FROM accounts WHERE name = :name").bind("name", name).execute() == 1;
    });
  }

  /**
   * Checks a password. Unknown names cost the same hashing work as known ones. {@code maxFailures}
   * consecutive failures lock the account for {@code lockout}; while locked even the right password
   * answers {@link Login#LOCKED}.
   */
  public Login login(String name, String password, int maxFailures, Duration lockout) {
    Optional<Map<String, Object>> row = jdbi.withHandle(h -> h.createQuery(
            "SELECT password_hash, failures, locked_until FROM accounts WHERE name = :name")
        .bind("name", name).mapToMap().findOne());
    if (row.isEmpty()) {
      Argon2id.verify(password, Dummy.HASH);
      return Login.BAD_CREDENTIALS;
    }
    long now = now().toEpochMilli();
    long lockedUntil = ((Number) row.get().get("locked_until")).longValue();
    if (lockedUntil > now) {
      return Login.LOCKED;
    }
    boolean ok = Argon2id.verify(password, (String) row.get().get("password_hash"));
    if (ok) {
      jdbi.useHandle(h -> h.createUpdate("UPDATE accounts SET failures = 0, locked_until = 0 WHERE name = :name")
          .bind("name", name).execute());
      return Login.OK;
    }
    int failures = ((Number) row.get().get("failures")).intValue() + 1;
    boolean lock = failures >= maxFailures;
    jdbi.useHandle(h -> h.createUpdate("UPDATE accounts SET failures = :f, locked_until = :until WHERE name = :name")
        .bind("f", lock ? 0 : failures).bind("until", lock ? now + lockout.toMillis() : 0).bind("name", name).execute());
    return lock ? Login.LOCKED : Login.BAD_CREDENTIALS;
  }

  private static Account account(ResultSet rs) throws SQLException {
    return new Account(rs.getString("name"), split(rs.getString("roles")), rs.getInt("failures"),
        Instant.ofEpochMilli(rs.getLong("locked_until")), Instant.ofEpochMilli(rs.getLong("created_at")));
  }

  // ---- roles ----

  /** Custom roles and their permissions. */
  public Map<String, Set<String>> customRoles() {
    return customRoles;
  }

  /** Whether {@code role} is built in or custom. */
  public boolean roleExists(String role) {
    return Roles.isBuiltIn(role) || customRoles.containsKey(role);
  }

  /** Creates a custom role; false when the name is taken. */
  public boolean createRole(String name, Collection<String> permissions) {
    boolean created = jdbi.withHandle(h -> h.createUpdate("INSERT INTO custom_roles (name, permissions, created_at)"
            + " VALUES (:name, :perms, :now) ON CONFLICT (name) DO NOTHING")
        .bind("name", name).bind("perms", String.join(",", new TreeSet<>(permissions)))
        .bind("now", now().toEpochMilli()).execute()) == 1;
    customRoles = loadRoles();
    return created;
  }

  /** Deletes a custom role; false when it did not exist. Principals holding it lose its permissions at once. */
  public boolean deleteRole(String name) {
    boolean deleted = jdbi.withHandle(h -> h.createUpdate("DELETE FROM custom_roles WHERE name = :name")
        .bind("name", name).execute()) == 1;
    customRoles = loadRoles();
    return deleted;
  }

  /** The union of the permissions of {@code roles}; unknown roles grant nothing. */
  public Set<String> permissionsOf(Collection<String> roles) {
    Set<String> out = new TreeSet<>();
    for (String r : roles) {
      out.addAll(Roles.BUILT_IN.getOrDefault(r, customRoles.getOrDefault(r, Set.of())));
    }
    return out;
  }

  private Map<String, Set<String>> loadRoles() {
    Map<String, Set<String>> out = new LinkedHashMap<>();
    jdbi.useHandle(h -> h.createQuery("SELECT name, permissions FROM custom_roles ORDER BY name").mapToMap()
        .forEach(m -> out.put((String) m.get("name"), Set.copyOf(split((String) m.get("permissions"))))));
    return java.util.Collections.unmodifiableMap(out);
  }

  static List<String> split(String csv) {
    if (csv == null || csv.isBlank()) {
      return List.of();
    }
    return new ArrayList<>(Arrays.stream(csv.split(",")).map(String::strip).filter(s -> !s.isEmpty()).toList());
  }

  private Instant now() {
    return Instant.ofEpochMilli(clock.millis());
  }
}
