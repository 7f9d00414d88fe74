package io.gatehouse.control;

import static java.util.Objects.requireNonNull;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import org.postgresql.PGConnection;
import org.postgresql.PGNotification;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Serves in this process the revisions that other servers commit to a shared PostgreSQL database:
 * every commit sends a notice on {@link #CHANNEL} when its transaction commits, this feed listens
 * for it on a connection of its own, loads the new revision and hands it to
 * {@link ControlPlane#adopt(Revision)}, the path of local commits, which announces each revision
 * once.
 *
 * <p>Notices sent while the feed is disconnected are lost, so it also compares the latest stored
 * revision number with the one served every {@code checkInterval}, and at once after each
 * (re)connection. While the database cannot be reached the plane keeps its revision and the feed
 * retries every second.
 *
 * <p>Threading: one daemon thread per feed, which also runs the plane's listeners of the revisions
 * it adopts.
 */
public final class RevisionFeed implements AutoCloseable {
  /** The channel of {@code NOTIFY}: the payload is the new revision's number. */
  public static final String CHANNEL = "gatehouse_revisions";
  /** How often the latest revision number is checked by default, in case notices were lost. */
  public static final Duration DEFAULT_CHECK_INTERVAL = Duration.ofSeconds(5);

  private static final Logger LOG = LoggerFactory.getLogger(RevisionFeed.class);
  private static final Duration RETRY = Duration.ofSeconds(1);
  private static final int WAIT_MILLIS = 1_000;
  private static final int NETWORK_TIMEOUT_MILLIS = 10_000;

  private final PostgresConfigStore store;
  private final ControlPlane plane;
  private final long checkNanos;
  private final Thread thread;
  private volatile boolean closed;

  private RevisionFeed(PostgresConfigStore store, ControlPlane plane, Duration checkInterval) {
    this.store = store;
    this.plane = plane;
    this.checkNanos = checkInterval.toNanos();
    this.thread = new Thread(this::run, "gatehouse-revision-feed");
    this.thread.setDaemon(true);
  }

  /**
   * Starts feeding {@code plane} (whose store is {@code store}) with the revisions committed by
   * other servers, checking the latest revision number every {@code checkInterval} as well.
   *
   * @throws IllegalArgumentException when {@code checkInterval} is not positive or {@code plane}
   *     is not over {@code store}
   */
  public static RevisionFeed start(PostgresConfigStore store, ControlPlane plane, Duration checkInterval) {
    requireNonNull(store, "store");
    requireNonNull(plane, "plane");
    requireNonNull(checkInterval, "checkInterval");
    if (checkInterval.isNegative() || checkInterval.isZero()) {
      throw new IllegalArgumentException("expected a positive check interval but got " + checkInterval);
    }
    if (plane.store() != store) {
      throw new IllegalArgumentException("the control plane is not over this store");
    }
    RevisionFeed feed = new RevisionFeed(store, plane, checkInterval);
    feed.thread.start();
    return feed;
  }

  private void run() {
    boolean lost = false;
    while (!closed) {
      try (Connection c = store.openSession()) {
        c.setNetworkTimeout(Runnable::run, NETWORK_TIMEOUT_MILLIS);
        c.setAutoCommit(true);
        try (Statement s = c.createStatement()) {
          s.execute("LISTEN " + CHANNEL);
        }
        if (lost) {
          LOG.info("revision feed reconnected to {}", store.url());
          lost = false;
        }
        listen(c);
      } catch (SQLException | RuntimeException e) {
        if (closed) {
          return;
        }
        if (!lost) {
          LOG.warn("revision feed lost the database {} (serving revision {} until it is back; retrying every {}s): {}",
              store.url(), plane.revision().id(), RETRY.toSeconds(), e.getMessage());
          lost = true;
        }
        pause();
      }
    }
  }

  /** Catches up, then waits for notices, checking the latest number every interval, until an error or close. */
  private void listen(Connection c) throws SQLException {
    PGConnection pg = c.unwrap(PGConnection.class);
    long nextCheck = System.nanoTime(); // at once: notices sent while disconnected are lost
    while (!closed) {
      long latest = -1;
      if (System.nanoTime() - nextCheck >= 0) {
        latest = latestId(c);
        nextCheck = System.nanoTime() + checkNanos;
      } else {
        PGNotification[] notices = pg.getNotifications(WAIT_MILLIS);
        if (notices != null) {
          for (PGNotification n : notices) {
            latest = Math.max(latest, parse(n.getParameter()));
          }
        }
      }
      if (latest > plane.revision().id()) {
        catchUp();
      }
    }
  }

  private void catchUp() {
    Revision revision = store.current(); // the newest: a revision superseded meanwhile is never compiled
    if (plane.adopt(revision)) {
      LOG.info("serving revision {} committed by another server", revision.id());
    }
  }

  private static long latestId(Connection c) throws SQLException {
    try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("SELECT COALESCE(MAX(id), 0) FROM revisions")) {
      rs.next();
      return rs.getLong(1);
    }
  }

  private static long parse(String payload) {
    try {
      return Long.parseLong(payload);
    } catch (NumberFormatException e) {
      return Long.MAX_VALUE; // not ours to read: look at the store
    }
  }

  private void pause() {
    try {
      Thread.sleep(RETRY.toMillis());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      closed = true;
    }
  }

  /** Stops listening and waits for the feed's thread to end (at most a few seconds). */
  @Override
  public void close() {
    closed = true;
    thread.interrupt();
    try {
      thread.join(WAIT_MILLIS + 5_000L);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
