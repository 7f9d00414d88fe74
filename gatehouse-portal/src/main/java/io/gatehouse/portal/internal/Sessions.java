package io.gatehouse.portal.internal;

import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.util.Base64;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Signed-in developers' sessions in memory: random 256-bit ids, each with its CSRF token, ending
 * after an idle period or an absolute lifetime. A restart signs everyone out. Thread-safe.
 */
public final class Sessions {
  private static final SecureRandom RANDOM = new SecureRandom();
  private static final int MAX_SESSIONS = 100_000;

  /** One session: its developer, CSRF token, start and last use (epoch milliseconds). */
  public record Session(String id, String developerId, String csrfToken, long createdAt, long lastSeen) {}

  private final ConcurrentHashMap<String, Session> sessions = new ConcurrentHashMap<>();
  private final Clock clock;
  private final Duration idle;
  private final Duration absolute;

  /** Sessions ending after {@code idle} unused or {@code absolute} after creation. */
  public Sessions(Clock clock, Duration idle, Duration absolute) {
    this.clock = clock;
    this.idle = idle;
    this.absolute = absolute;
  }

  /** A new session for {@code developerId}, with fresh id and CSRF token (never an id the client chose). */
  public Session create(String developerId) {
    if (sessions.size() >= MAX_SESSIONS) {
      purge();
    }
    long now = clock.millis();
    Session s = new Session(random(), developerId, random(), now, now);
    sessions.put(s.id(), s);
    return s;
  }

  /** The live session {@code id}, its last use moved to now; expired sessions are removed. */
  public Optional<Session> touch(String id) {
    if (id == null || id.isEmpty()) {
      return Optional.empty();
    }
    Session s = sessions.get(id);
    if (s == null) {
      return Optional.empty();
    }
    long now = clock.millis();
    if (now - s.lastSeen() > idle.toMillis() || now - s.createdAt() > absolute.toMillis()) {
      sessions.remove(id);
      return Optional.empty();
    }
    Session next = new Session(s.id(), s.developerId(), s.csrfToken(), s.createdAt(), now);
    sessions.put(id, next);
    return Optional.of(next);
  }

  /** Ends session {@code id}. */
  public void remove(String id) {
    if (id != null) {
      sessions.remove(id);
    }
  }

  /** Ends every session of {@code developerId}. */
  public void removeDeveloper(String developerId) {
    sessions.values().removeIf(s -> s.developerId().equals(developerId));
  }

  private void purge() {
    long now = clock.millis();
    sessions.values().removeIf(s -> now - s.lastSeen() > idle.toMillis() || now - s.createdAt() > absolute.toMillis());
  }

  private static String random() {
    byte[] b = new byte[32];
    RANDOM.nextBytes(b);
    return Base64.getUrlEncoder().withoutPadding().encodeToString(b);
  }
}
