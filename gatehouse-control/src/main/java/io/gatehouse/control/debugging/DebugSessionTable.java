package io.gatehouse.control.debugging;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.gatehouse.model.ConfigMapper;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import org.jdbi.v3.core.Jdbi;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The debug sessions of every server that shares one database (table {@code debug_sessions}) and
 * the traces any node recorded with them (table {@code debug_traces}, the newest {@value #CAPACITY}
 * per session): a session is stored by the SHA-256 of its token only, and its traces are deleted
 * with it when it expires. Every server keeps the live sessions in memory, read again after each
 * local open and, when it {@linkplain #follow follows} the database, every {@link #REFRESH}.
 * Thread-safe.
 */
public final class DebugSessionTable implements AutoCloseable {
  /** How often the in-memory copy is read again from the database. */
  public static final Duration REFRESH = Duration.ofMillis(500);
  /** Traces kept per session, for the whole cluster; the oldest go first. */
  public static final int CAPACITY = 50;
  /** The longest trace kept, in characters of JSON; a longer one is dropped. */
  public static final int MAX_TRACE_CHARS = 256 * 1024;
  /** The longest session. */
  public static final Duration MAX_TTL = Duration.ofHours(1);

  private static final Logger LOG = LoggerFactory.getLogger(DebugSessionTable.class);
  private static final SecureRandom RANDOM = new SecureRandom();

  /**
   * One live session as nodes know it.
   *
   * @param id the session id
   * @param tokenHash the SHA-256 of its token, lower-case hex
   * @param api the API it traces
   * @param expiresAt when it ends
   */
  public record Session(String id, String tokenHash, String api, Instant expiresAt) {
    public Session {
      requireNonNull(id, "id");
      requireNonNull(tokenHash, "tokenHash");
      requireNonNull(api, "api");
      requireNonNull(expiresAt, "expiresAt");
    }
  }

  /** A session just opened: the only place its token appears. */
  public record Opened(String id, String token, String api, Instant expiresAt) {
    @Override
    public String toString() {
      return "Opened[id=" + id + ", api=" + api + ", expiresAt=" + expiresAt + "]";
    }
  }

  private final Jdbi jdbi;
  private final Clock clock;
  private final List<Runnable> listeners = new CopyOnWriteArrayList<>();
  private final ThreadPoolExecutor writer;
  private volatile List<Session> current = List.of();
  private volatile boolean failing;
  private ScheduledExecutorService refresher;

  /** The sessions in {@code jdbi}'s database (schema migrated), judged by {@code clock}; read once now. */
  public DebugSessionTable(Jdbi jdbi, Clock clock) {
    this.jdbi = requireNonNull(jdbi, "jdbi");
    this.clock = requireNonNull(clock, "clock");
    this.writer = new ThreadPoolExecutor(1, 1, 0, TimeUnit.MILLISECONDS, new ArrayBlockingQueue<>(1000), r -> {
      Thread t = new Thread(r, "gatehouse-debug-traces");
      t.setDaemon(true);
      return t;
    }, new ThreadPoolExecutor.DiscardPolicy()); // debugging never slows requests: beyond 1000 waiting, traces are dropped
    refresh();
  }

  /** The SHA-256 of {@code token}, lower-case hex. */
  public static String hash(String token) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256")
          .digest(token.getBytes(java.nio.charset.StandardCharsets.UTF_8)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  /** Reads the database again every {@code every} on a daemon thread, until {@link #close()}; returns this table. */
  public synchronized DebugSessionTable follow(Duration every) {
    if (refresher == null) {
      refresher = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "gatehouse-debug-sessions");
        t.setDaemon(true);
        return t;
      });
      refresher.scheduleWithFixedDelay(this::refreshQuietly, every.toMillis(), every.toMillis(), TimeUnit.MILLISECONDS);
    }
    return this;
  }

  /** Opens a session for {@code api} lasting {@code ttl} (1 s to 1 h) for every node; its token is returned only here. */
  public Opened open(String api, Duration ttl) {
    requireNonNull(api, "api");
    if (ttl.compareTo(Duration.ofSeconds(1)) < 0 || ttl.compareTo(MAX_TTL) > 0) {
      throw new IllegalArgumentException("expected a ttl from 1 s to 1 h but got " + ttl);
    }
    byte[] raw = new byte[16];
    RANDOM.nextBytes(raw);
    String token = HexFormat.of().formatHex(raw);
    RANDOM.nextBytes(raw);
    String id = HexFormat.of().formatHex(raw, 0, 8);
    Instant expires = clock.instant().plus(ttl);
    jdbi.useHandle(h -> h.createUpdate("INSERT INTO debug_sessions (id, token_hash, api, expires_ms, created_at)"
            + " VALUES (:id, :hash, :api, :expires, :at)")
        .bind("id", id).bind("hash", hash(token)).bind("api", api).bind("expires", expires.toEpochMilli())
        .bind("at", clock.millis()).execute());
    refresh();
    return new Opened(id, token, api, expires);
  }

  /** The live sessions, from memory. */
  public List<Session> active() {
    Instant now = clock.instant();
    return current.stream().filter(s -> now.isBefore(s.expiresAt())).toList();
  }

  /**
   * Files {@code trace} (a recorded request as JSON) under live session {@code sessionId} as recorded
   * by {@code node}, keeping the newest {@value #CAPACITY} of the session; blocking. A trace of no
   * live session, or longer than {@value #MAX_TRACE_CHARS} characters, is dropped; one that {@code node}
   * filed already for the session (same {@code requestId}: a report sent again) is filed once.
   *
   * @return whether it was filed now
   */
  public boolean record(String sessionId, String node, JsonNode trace) {
    String text = trace.toString();
    String requestId = trace.path("requestId").asText("");
    if (text.length() > MAX_TRACE_CHARS || node.length() > 200 || sessionId.length() > 32 || requestId.length() > 200) {
      return false;
    }
    long now = clock.millis();
    return jdbi.inTransaction(h -> {
      boolean live = h.createQuery("SELECT count(*) FROM debug_sessions WHERE id = :id AND expires_ms > :now")
          .bind("id", sessionId).bind("now", now).mapTo(Long.class).one() > 0;
      if (!live) {
        return false;
      }
      if (!requestId.isEmpty() && h.createQuery("SELECT count(*) FROM debug_traces WHERE session_id = :id AND node = :node"
              + " AND request_id = :rid").bind("id", sessionId).bind("node", node).bind("rid", requestId)
          .mapTo(Long.class).one() > 0) {
        return false;
      }
      h.createUpdate("INSERT INTO debug_traces (session_id, node, request_id, recorded_ms, trace)"
              + " VALUES (:id, :node, :rid, :at, :trace)")
          .bind("id", sessionId).bind("node", node).bind("rid", requestId).bind("at", now).bind("trace", text).execute();
      h.createUpdate("DELETE FROM debug_traces WHERE session_id = :id AND seq NOT IN"
              + " (SELECT seq FROM debug_traces WHERE session_id = :id ORDER BY seq DESC LIMIT :n)")
          .bind("id", sessionId).bind("n", CAPACITY).execute();
      return true;
    });
  }

  /** {@link #record} on this table's writer thread, without waiting; dropped when 1000 wait already. */
  public void recordLater(String sessionId, String node, JsonNode trace) {
    writer.execute(() -> {
      try {
        record(sessionId, node, trace);
      } catch (RuntimeException e) {
        LOG.debug("debug trace not filed: {}", e.toString());
      }
    });
  }

  /**
   * The traces of live session {@code id}, oldest first, each the recorded request with field
   * {@code node} naming the node that recorded it; empty when there is no such live session. Blocking.
   */
  public Optional<List<ObjectNode>> traces(String id) {
    long now = clock.millis();
    return jdbi.inTransaction(h -> {
      boolean live = h.createQuery("SELECT count(*) FROM debug_sessions WHERE id = :id AND expires_ms > :now")
          .bind("id", id).bind("now", now).mapTo(Long.class).one() > 0;
      if (!live) {
        return Optional.empty();
      }
      List<ObjectNode> out = new ArrayList<>();
      h.createQuery("SELECT node, trace FROM debug_traces WHERE session_id = :id ORDER BY seq")
          .bind("id", id).map((rs, ctx) -> {
            try {
              ObjectNode o = ConfigMapper.json().createObjectNode();
              o.put("node", rs.getString(1)); // first in the listing, and last written: a trace cannot name its node
              o.setAll((ObjectNode) ConfigMapper.json().readTree(rs.getString(2)));
              o.put("node", rs.getString(1));
              return o;
            } catch (java.io.IOException | ClassCastException e) {
              throw new IllegalStateException("stored debug trace does not parse: " + e.getMessage(), e);
            }
          }).forEach(out::add);
      return Optional.of(out);
    });
  }

  /** Calls {@code listener} after each refresh that changed the live sessions, on the refreshing thread. */
  public void onChange(Runnable listener) {
    listeners.add(requireNonNull(listener, "listener"));
  }

  /** Reads the live sessions from the database now (deleting expired ones and their traces); tells the listeners when they changed. */
  public void refresh() {
    long now = clock.millis();
    List<Session> read = new ArrayList<>();
    boolean[] expired = {false};
    jdbi.useHandle(h -> h.createQuery("SELECT id, token_hash, api, expires_ms FROM debug_sessions ORDER BY id")
        .map((rs, ctx) -> new Session(rs.getString(1), rs.getString(2), rs.getString(3),
            Instant.ofEpochMilli(rs.getLong(4))))
        .forEach(s -> {
          if (s.expiresAt().toEpochMilli() > now) {
            read.add(s);
          } else {
            expired[0] = true;
          }
        }));
    if (expired[0]) { // a write only when there is something to delete
      jdbi.useTransaction(h -> {
        h.createUpdate("DELETE FROM debug_traces WHERE session_id IN (SELECT id FROM debug_sessions WHERE expires_ms <= :now)")
            .bind("now", now).execute();
        h.createUpdate("DELETE FROM debug_sessions WHERE expires_ms <= :now").bind("now", now).execute();
      });
    }
    boolean changed;
    synchronized (this) {
      changed = !read.equals(current);
      current = List.copyOf(read);
    }
    if (changed) {
      for (Runnable r : listeners) {
        try {
          r.run();
        } catch (RuntimeException e) {
          LOG.warn("debug session listener failed: {}", e.toString());
        }
      }
    }
  }

  private void refreshQuietly() {
    try {
      refresh();
      if (failing) {
        failing = false;
        LOG.info("debug sessions readable again");
      }
    } catch (RuntimeException e) {
      if (!failing) {
        failing = true;
        LOG.warn("cannot read the debug sessions; honouring the last ones read: {}", e.getMessage());
      }
    }
  }

  @Override
  public synchronized void close() {
    if (refresher != null) {
      refresher.shutdownNow();
      refresher = null;
    }
    writer.shutdown();
  }
}
