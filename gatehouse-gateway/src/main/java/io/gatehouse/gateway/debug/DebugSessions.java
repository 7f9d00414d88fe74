package io.gatehouse.gateway.debug;

import static java.util.Objects.requireNonNull;

import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Debug sessions of one gateway: a session is opened for one API for at most an hour; requests to
 * that API carrying header {@value #HEADER} with the session's token record their stages, timing
 * and backend exchange (secret headers redacted) into the session's ring buffer of the last
 * {@value #CAPACITY} requests. Thread-safe.
 */
public final class DebugSessions {
  /** The request header carrying a debug token. */
  public static final String HEADER = "Gatehouse-Debug";
  /** Requests kept per session. */
  public static final int CAPACITY = 20;
  /** The longest session. */
  public static final Duration MAX_TTL = Duration.ofHours(1);
  /** Headers whose values are never recorded. */
  public static final Set<String> SECRET_HEADERS = Set.of("authorization", "proxy-authorization", "cookie",
      "set-cookie", "subscription-key", "ocp-apim-subscription-key", "x-api-key", "gatehouse-debug");

  private static final SecureRandom RANDOM = new SecureRandom();
  private final Map<String, Session> byToken = new ConcurrentHashMap<>();
  private final Map<String, Session> byId = new ConcurrentHashMap<>();
  private volatile boolean active;

  /** One open session: what {@link #open} returns; the token is shown only there. */
  public record Opened(String id, String token, String api, Instant expiresAt) {}

  /** One recorded step: a stage, what it decided, and microseconds since the request head arrived. */
  public record Step(String stage, String detail, long atMicros) {}

  /** One recorded request. */
  public record Trace(Instant time, String requestId, String method, String path, int status, long totalMicros,
      List<Step> steps) {}

  /** Opens a session for {@code api} lasting {@code ttl} (1 s to 1 h). */
  public Opened open(String api, Duration ttl) {
    requireNonNull(api, "api");
    requireNonNull(ttl, "ttl");
    if (ttl.compareTo(Duration.ofSeconds(1)) < 0 || ttl.compareTo(MAX_TTL) > 0) {
      throw new IllegalArgumentException("expected a ttl from 1 s to 1 h but got " + ttl);
    }
    purge();
    byte[] raw = new byte[16];
    RANDOM.nextBytes(raw);
    String token = HexFormat.of().formatHex(raw);
    RANDOM.nextBytes(raw);
    String id = HexFormat.of().formatHex(raw, 0, 8);
    Session s = new Session(id, api, Instant.now().plus(ttl));
    byToken.put(token, s);
    byId.put(id, s);
    active = true;
    return new Opened(id, token, api, s.expiresAt);
  }

  /** The traces of session {@code id}, oldest first; empty when there is no such live session. */
  public Optional<List<Trace>> traces(String id) {
    purge();
    Session s = byId.get(id);
    return s == null ? Optional.empty() : Optional.of(s.snapshot());
  }

  /** Whether any session is open: the request path looks at the header only then. */
  public boolean active() {
    return active;
  }

  /** A recorder for a request to {@code api} carrying {@code token}, or null when it does not apply. */
  public Recorder recorder(String token, String api, String method, String path, String requestId, long startNanos) {
    Session s = byToken.get(token);
    if (s == null || !s.api.equals(api) || Instant.now().isAfter(s.expiresAt)) {
      return null;
    }
    return new Recorder(s, method, path, requestId, startNanos);
  }

  private void purge() {
    Instant now = Instant.now();
    byToken.values().removeIf(s -> now.isAfter(s.expiresAt));
    byId.values().removeIf(s -> now.isAfter(s.expiresAt));
    active = !byToken.isEmpty();
  }

  private static final class Session {
    final String id;
    final String api;
    final Instant expiresAt;
    final ArrayDeque<Trace> ring = new ArrayDeque<>(CAPACITY);

    Session(String id, String api, Instant expiresAt) {
      this.id = id;
      this.api = api;
      this.expiresAt = expiresAt;
    }

    synchronized void add(Trace t) {
      if (ring.size() == CAPACITY) {
        ring.removeFirst();
      }
      ring.addLast(t);
    }

    synchronized List<Trace> snapshot() {
      return List.copyOf(ring);
    }
  }

  /** Records one request's steps; confined to its event loop. */
  public static final class Recorder {
    private final Session session;
    private final String method;
    private final String path;
    private final String requestId;
    private final long startNanos;
    private final Instant time = Instant.now();
    private final List<Step> steps = new ArrayList<>();

    Recorder(Session session, String method, String path, String requestId, long startNanos) {
      this.session = session;
      this.method = method;
      this.path = path;
      this.requestId = requestId;
      this.startNanos = startNanos;
    }

    /** Records {@code stage} deciding {@code detail} now. */
    public void step(String stage, String detail) {
      steps.add(new Step(stage, detail, (System.nanoTime() - startNanos) / 1_000));
    }

    /** Records headers as {@code name: value} lines, secret ones as {@code ***}. */
    public void headers(String stage, Iterable<Map.Entry<String, String>> headers) {
      StringBuilder b = new StringBuilder();
      for (Map.Entry<String, String> h : headers) {
        boolean secret = SECRET_HEADERS.contains(h.getKey().toLowerCase(Locale.ROOT));
        b.append(h.getKey()).append(": ").append(secret ? "***" : h.getValue()).append('\n');
      }
      step(stage, b.toString());
    }

    /** Ends the request with {@code status} and stores it in the session. */
    public void finish(int status) {
      session.add(new Trace(time, requestId, method, path, status, (System.nanoTime() - startNanos) / 1_000,
          List.copyOf(steps)));
    }
  }
}
