package io.gatehouse.control.security;

import static java.util.Objects.requireNonNull;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.jdbi.v3.core.Jdbi;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The blocked clients of every server that shares one database (table {@code client_blocks}): each
 * block names an identity ({@code ip:ADDRESS} or {@code subscription:NAME}) and when it ends. Writes
 * go to the database; every server keeps the current set in memory, read again after each local
 * write and, when it {@linkplain #follow follows} a database shared with other servers, every
 * {@link #REFRESH} (so a block made through another server applies here within about that long). It
 * checks requests against that copy without touching the database. Expired blocks are ignored at
 * once and deleted by the next read that finds them. Thread-safe.
 */
public final class ClientBlockList implements AutoCloseable {
  /** How often the in-memory copy is read again from the database. */
  public static final Duration REFRESH = Duration.ofMillis(500);
  /** The most blocks held at once; beyond it the blocks that end first are dropped from the copy. */
  public static final int CAPACITY = 100_000;

  private static final Logger LOG = LoggerFactory.getLogger(ClientBlockList.class);

  /**
   * One block.
   *
   * @param identity {@code ip:ADDRESS} or {@code subscription:NAME}
   * @param until when it ends
   * @param source {@code operator} or {@code auto:DETECTOR}
   * @param createdBy who made it
   */
  public record Block(String identity, Instant until, String source, String createdBy) {
    public Block {
      requireNonNull(identity, "identity");
      requireNonNull(until, "until");
      requireNonNull(source, "source");
      requireNonNull(createdBy, "createdBy");
    }
  }

  private final Jdbi jdbi;
  private final Clock clock;
  private final List<Runnable> listeners = new CopyOnWriteArrayList<>();
  private volatile Map<String, Block> current = Map.of();
  private volatile boolean failing;
  private ScheduledExecutorService refresher;

  /** The blocks in {@code jdbi}'s database (schema migrated), judged by {@code clock}; read once now. */
  public ClientBlockList(Jdbi jdbi, Clock clock) {
    this.jdbi = requireNonNull(jdbi, "jdbi");
    this.clock = requireNonNull(clock, "clock");
    refresh();
  }

  /** Reads the database again every {@code every} on a daemon thread, until {@link #close()}; returns this list. */
  public synchronized ClientBlockList follow(Duration every) {
    if (refresher == null) {
      refresher = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "gatehouse-client-blocks");
        t.setDaemon(true);
        return t;
      });
      refresher.scheduleWithFixedDelay(this::refreshQuietly, every.toMillis(), every.toMillis(), TimeUnit.MILLISECONDS);
    }
    return this;
  }

  /**
   * Blocks {@code identity} until {@code until} (replacing a block of it), for every server.
   *
   * @throws IllegalArgumentException when the identity is not {@code ip:...} or {@code subscription:...}
   */
  public Block block(String identity, Instant until, String source, String createdBy) {
    checkIdentity(identity);
    Block b = new Block(identity, until, source, createdBy == null ? "" : createdBy);
    jdbi.useTransaction(h -> {
      h.createUpdate("DELETE FROM client_blocks WHERE identity = :id").bind("id", identity).execute();
      h.createUpdate("INSERT INTO client_blocks (identity, until_ms, source, created_by, created_at)"
              + " VALUES (:id, :until, :source, :by, :at)")
          .bind("id", identity).bind("until", until.toEpochMilli()).bind("source", b.source())
          .bind("by", b.createdBy()).bind("at", clock.millis()).execute();
    });
    refresh();
    return b;
  }

  /** Lifts the block of {@code identity} for every server; whether there was one in force. */
  public boolean unblock(String identity) {
    int n = jdbi.withHandle(h -> h.createUpdate("DELETE FROM client_blocks WHERE identity = :id AND until_ms > :now")
        .bind("id", identity).bind("now", clock.millis()).execute());
    refresh();
    return n > 0;
  }

  /** The blocks in force now, by identity, soonest end first; from memory. */
  public Map<String, Block> active() {
    Instant now = clock.instant();
    Map<String, Block> out = new LinkedHashMap<>();
    current.values().stream().filter(b -> now.isBefore(b.until()))
        .sorted(java.util.Comparator.comparing(Block::until)).forEach(b -> out.put(b.identity(), b));
    return out;
  }

  /** Whether the client at {@code ip} or with {@code subscription} (nullable) is blocked now; from memory, never blocks. */
  public boolean isBlocked(String ip, String subscription) {
    Map<String, Block> c = current;
    if (c.isEmpty()) {
      return false;
    }
    Instant now = clock.instant();
    Block b = c.get("ip:" + ip);
    if (b != null && now.isBefore(b.until())) {
      return true;
    }
    if (subscription == null || subscription.isEmpty()) {
      return false;
    }
    b = c.get("subscription:" + subscription);
    return b != null && now.isBefore(b.until());
  }

  /** Calls {@code listener} after each refresh that changed the set of blocks, on the refreshing thread. */
  public void onChange(Runnable listener) {
    listeners.add(requireNonNull(listener, "listener"));
  }

  /** Reads the blocks in force from the database now (deleting expired ones); tells the listeners when they changed. */
  public void refresh() {
    long now = clock.millis();
    Map<String, Block> read = new LinkedHashMap<>();
    boolean expired = jdbi.withHandle(h -> {
      boolean[] any = {false};
      h.createQuery("SELECT identity, until_ms, source, created_by FROM client_blocks ORDER BY until_ms DESC LIMIT :n")
          .bind("n", CAPACITY)
          .map((rs, ctx) -> new Block(rs.getString(1), Instant.ofEpochMilli(rs.getLong(2)), rs.getString(3),
              rs.getString(4)))
          .forEach(b -> {
            if (b.until().toEpochMilli() > now) {
              read.put(b.identity(), b);
            } else {
              any[0] = true;
            }
          });
      return any[0];
    });
    if (expired) { // a write only when there is something to delete
      jdbi.useHandle(h -> h.createUpdate("DELETE FROM client_blocks WHERE until_ms <= :now").bind("now", now).execute());
    }
    boolean changed;
    synchronized (this) {
      changed = !read.equals(current);
      current = Map.copyOf(read);
    }
    if (changed) {
      for (Runnable r : listeners) {
        try {
          r.run();
        } catch (RuntimeException e) {
          LOG.warn("client block listener failed: {}", e.toString());
        }
      }
    }
  }

  private void refreshQuietly() {
    try {
      refresh();
      if (failing) {
        failing = false;
        LOG.info("blocked clients readable again");
      }
    } catch (RuntimeException e) {
      if (!failing) {
        failing = true;
        LOG.warn("cannot read the blocked clients; enforcing the last ones read: {}", e.getMessage());
      }
    }
  }

  /**
   * Checks an identity.
   *
   * @throws IllegalArgumentException when it is not {@code ip:ADDRESS} or {@code subscription:NAME} (1 to 256 characters)
   */
  public static void checkIdentity(String identity) {
    if (identity == null || identity.length() > 300
        || !(identity.matches("ip:[0-9A-Fa-f:.]{2,64}") || identity.matches("subscription:[^\\s]{1,256}"))) {
      throw new IllegalArgumentException("expected ip:ADDRESS or subscription:NAME but got '" + identity + "'");
    }
  }

  @Override
  public synchronized void close() {
    if (refresher != null) {
      refresher.shutdownNow();
      refresher = null;
    }
  }
}
