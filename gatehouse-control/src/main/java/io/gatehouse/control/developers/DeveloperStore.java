package io.gatehouse.control.developers;

import static java.util.Objects.requireNonNull;

import io.gatehouse.control.ControlStore;
import io.gatehouse.control.internal.Argon2id;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import org.jdbi.v3.core.Jdbi;

/**
 * The developer accounts of the portal in the control-plane database: passwords stored only as
 * Argon2id hashes, single-use expiring links (email verification, password reset) stored only as
 * SHA-256 hashes, and which developer owns which subscription.
 *
 * <p>Every password check costs one Argon2id derivation whether or not the email is known, so that
 * answers and their timing do not tell which emails have accounts. Thread-safe; every method
 * blocks on the database: never call one on an event loop.
 */
public final class DeveloperStore {
  /** Consecutive failed sign-ins that lock an account. */
  public static final int MAX_FAILURES = 5;
  /** How long a locked account stays locked. */
  public static final Duration LOCKOUT = Duration.ofMinutes(15);
  /** The shortest password accepted. */
  public static final int MIN_PASSWORD_LENGTH = 10;

  private static final SecureRandom RANDOM = new SecureRandom();

  /** The outcome of a sign-in. */
  public enum SignIn {
    /** The password matched an active account. */
    OK,
    /** Unknown email or wrong password (the two are not told apart). */
    BAD_CREDENTIALS,
    /** Too many failures: the account is locked for a while. */
    LOCKED,
    /** The password matched, but the account is not active or not verified. */
    NOT_ALLOWED
  }

  /** A sign-in's outcome and, when the password matched, the account. */
  public record SignInResult(SignIn outcome, Optional<Developer> developer) {}

  /** A hash checked for unknown emails, so that they cost what known ones do; made on first use. */
  private static final class Dummy {
    static final String HASH = Argon2id.hash("gatehouse-dummy-developer-password");
  }

  private final Jdbi jdbi;
  private final Clock clock;

  private DeveloperStore(Jdbi jdbi, Clock clock) {
    this.jdbi = jdbi;
    this.clock = clock;
  }

  /** The developer accounts in {@code store}'s database, telling time with {@code clock}. */
  public static DeveloperStore over(ControlStore store, Clock clock) {
    return new DeveloperStore(requireNonNull(store, "store").jdbi(), requireNonNull(clock, "clock"));
  }

  /** The clock. */
  public Clock clock() {
    return clock;
  }

  /** {@code email} as stored and compared: trimmed and lower-cased. */
  public static String normalizeEmail(String email) {
    return requireNonNull(email, "email").strip().toLowerCase(Locale.ROOT);
  }

  /**
   * Creates an account unless {@code email} already has one; the password is hashed in both cases,
   * so the call costs the same.
   *
   * @param status the new account's status ({@link Developer#ACTIVE} or {@link Developer#PENDING})
   * @param verified whether the email counts as verified at once
   * @return the new account, or empty when the email is taken
   */
  public Optional<Developer> signUp(String email, String password, String name, String status, boolean verified) {
    requireNonNull(password, "password");
    requireNonNull(name, "name");
    String normalized = normalizeEmail(email);
    String hash = Argon2id.hash(password);
    String id = randomId(12);
    long now = clock.millis();
    int inserted = jdbi.withHandle(h -> h.createUpdate("INSERT INTO developers (id, email, name, password_hash, status,"
            + " email_verified, failures, locked_until, created_at) VALUES (:id, :email, :name, :hash, :status,"
            + " :verified, 0, 0, :now) ON CONFLICT (email) DO NOTHING")
        .bind("id", id).bind("email", normalized).bind("name", name).bind("hash", hash).bind("status", status)
        .bind("verified", verified ? 1 : 0).bind("now", now).execute());
    return inserted == 1 ? find(id) : Optional.empty();
  }

  /**
   * Checks {@code password} for {@code email}: {@link MAX_FAILURES} consecutive failures lock the
   * account for {@link #LOCKOUT}; unknown emails cost one Argon2id derivation like known ones.
   */
  public SignInResult signIn(String email, String password) {
    requireNonNull(password, "password");
    String normalized = normalizeEmail(email);
    Optional<Map<String, Object>> row = jdbi.withHandle(h -> h.createQuery(
            "SELECT id, password_hash, failures, locked_until FROM developers WHERE email = :email")
        .bind("email", normalized).mapToMap().findOne());
    if (row.isEmpty()) {
      Argon2id.verify(password, Dummy.HASH);
      return new SignInResult(SignIn.BAD_CREDENTIALS, Optional.empty());
    }
    String id = (String) row.get().get("id");
    long now = clock.millis();
    boolean matches = Argon2id.verify(password, (String) row.get().get("password_hash"));
    if (((Number) row.get().get("locked_until")).longValue() > now) {
      return new SignInResult(SignIn.LOCKED, Optional.empty());
    }
    if (!matches) {
      int failures = ((Number) row.get().get("failures")).intValue() + 1;
      boolean lock = failures >= MAX_FAILURES;
      jdbi.useHandle(h -> h.createUpdate("UPDATE developers SET failures = :f, locked_until = :until WHERE id = :id")
          .bind("f", lock ? 0 : failures).bind("until", lock ? now + LOCKOUT.toMillis() : 0).bind("id", id).execute());
      return new SignInResult(SignIn.BAD_CREDENTIALS, Optional.empty());
    }
    jdbi.useHandle(h -> h.createUpdate("UPDATE developers SET failures = 0, locked_until = 0 WHERE id = :id")
        .bind("id", id).execute());
    Developer d = find(id).orElseThrow();
    boolean allowed = d.status().equals(Developer.ACTIVE) && d.emailVerified();
    return new SignInResult(allowed ? SignIn.OK : SignIn.NOT_ALLOWED, Optional.of(d));
  }

  /** Costs what {@link #signUp} costs for a taken email, for answers that must not tell. */
  public void hashDummy(String password) {
    Argon2id.hash(requireNonNull(password, "password"));
  }

  /** The account {@code id}. */
  public Optional<Developer> find(String id) {
    return jdbi.withHandle(h -> h.createQuery("SELECT * FROM developers WHERE id = :id").bind("id", id)
        .map((rs, ctx) -> developer(rs)).findOne());
  }

  /** The account of {@code email}. */
  public Optional<Developer> findByEmail(String email) {
    return jdbi.withHandle(h -> h.createQuery("SELECT * FROM developers WHERE email = :email")
        .bind("email", normalizeEmail(email)).map((rs, ctx) -> developer(rs)).findOne());
  }

  /** Every account, oldest first. */
  public List<Developer> list() {
    return jdbi.withHandle(h -> h.createQuery("SELECT * FROM developers ORDER BY created_at, id")
        .map((rs, ctx) -> developer(rs)).list());
  }

  /** Sets the status of {@code id}; false when there is no such account. */
  public boolean setStatus(String id, String status) {
    if (!List.of(Developer.ACTIVE, Developer.PENDING, Developer.BLOCKED).contains(status)) {
      throw new IllegalArgumentException("expected status active, pending or blocked but got '" + status + "'");
    }
    return jdbi.withHandle(h -> h.createUpdate("UPDATE developers SET status = :s WHERE id = :id")
        .bind("s", status).bind("id", id).execute()) == 1;
  }

  /** Marks {@code id}'s email as verified. */
  public void markVerified(String id) {
    jdbi.useHandle(h -> h.createUpdate("UPDATE developers SET email_verified = 1 WHERE id = :id").bind("id", id)
        .execute());
  }

  /** Replaces {@code id}'s password and clears its failures and lock. */
  public void setPassword(String id, String password) {
    String hash = Argon2id.hash(requireNonNull(password, "password"));
    jdbi.useHandle(h -> h.createUpdate(
            "UPDATE developers SET password_hash = :hash, failures = 0, locked_until = 0 WHERE id = :id")
        .bind("hash", hash).bind("id", id).execute());
  }

  // ---- single-use links ----

  /**
   * Issues a single-use token for {@code purpose} ({@code verify} or {@code reset}) valid for
   * {@code ttl}; returns its value, which is stored only as a hash. Earlier tokens of the same
   * purpose for the same account stop working.
   */
  public String issueLink(String developerId, String purpose, Duration ttl) {
    String token = randomId(32);
    long expires = clock.millis() + ttl.toMillis();
    jdbi.useTransaction(h -> {
      h.createUpdate("DELETE FROM developer_links WHERE developer_id = :id AND purpose = :p")
          .bind("id", developerId).bind("p", purpose).execute();
      h.createUpdate("INSERT INTO developer_links (token_hash, developer_id, purpose, expires_at)"
              + " VALUES (:hash, :id, :p, :expires)")
          .bind("hash", sha256(token)).bind("id", developerId).bind("p", purpose).bind("expires", expires).execute();
    });
    return token;
  }

  /**
   * Uses up {@code token} of {@code purpose}: answers its account when the token exists and has
   * not expired, and deletes it either way (a second use finds nothing).
   */
  public Optional<Developer> consumeLink(String purpose, String token) {
    if (token == null || token.isEmpty() || token.length() > 200) {
      return Optional.empty();
    }
    String hash = sha256(token);
    Optional<Map<String, Object>> row = jdbi.inTransaction(h -> {
      Optional<Map<String, Object>> found = h.createQuery(
              "SELECT developer_id, expires_at FROM developer_links WHERE token_hash = :hash AND purpose = :p")
          .bind("hash", hash).bind("p", purpose).mapToMap().findOne();
      h.createUpdate("DELETE FROM developer_links WHERE token_hash = :hash").bind("hash", hash).execute();
      return found;
    });
    if (row.isEmpty() || ((Number) row.get().get("expires_at")).longValue() <= clock.millis()) {
      return Optional.empty();
    }
    return find((String) row.get().get("developer_id"));
  }

  // ---- subscription ownership ----

  /** Records that {@code developerId} owns the subscription {@code name} to {@code product}. */
  public void addSubscription(String developerId, String name, String product) {
    jdbi.useHandle(h -> h.createUpdate("INSERT INTO developer_subscriptions (name, developer_id, product, created_at)"
            + " VALUES (:name, :id, :product, :now)")
        .bind("name", name).bind("id", developerId).bind("product", product).bind("now", clock.millis()).execute());
  }

  /** The names of the subscriptions {@code developerId} owns, oldest first. */
  public List<String> subscriptions(String developerId) {
    return jdbi.withHandle(h -> h.createQuery(
            "SELECT name FROM developer_subscriptions WHERE developer_id = :id ORDER BY created_at, name")
        .bind("id", developerId).mapTo(String.class).list());
  }

  /** The developer that owns subscription {@code name}. */
  public Optional<String> ownerOf(String name) {
    return jdbi.withHandle(h -> h.createQuery("SELECT developer_id FROM developer_subscriptions WHERE name = :name")
        .bind("name", name).mapTo(String.class).findOne());
  }

  /** Forgets the ownership of subscription {@code name}. */
  public void removeSubscription(String name) {
    jdbi.useHandle(h -> h.createUpdate("DELETE FROM developer_subscriptions WHERE name = :name").bind("name", name)
        .execute());
  }

  private static Developer developer(ResultSet rs) throws SQLException {
    return new Developer(rs.getString("id"), rs.getString("email"), rs.getString("name"), rs.getString("status"),
        rs.getInt("email_verified") == 1, Instant.ofEpochMilli(rs.getLong("created_at")));
  }

  private static String randomId(int bytes) {
    byte[] b = new byte[bytes];
    RANDOM.nextBytes(b);
    return Base64.getUrlEncoder().withoutPadding().encodeToString(b);
  }

  private static String sha256(String token) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(token.getBytes(StandardCharsets.UTF_8)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
