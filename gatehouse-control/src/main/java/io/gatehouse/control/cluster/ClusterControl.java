package io.gatehouse.control.cluster;

import static java.util.Objects.requireNonNull;

import io.gatehouse.control.ControlPlane;
import io.gatehouse.control.Revision;
import io.gatehouse.control.certificates.CertificateStore;
import io.gatehouse.control.cluster.internal.ClusterKeys;
import io.gatehouse.control.cluster.internal.NodeListener;
import io.gatehouse.control.cluster.internal.NodeStore;
import io.gatehouse.control.cluster.internal.Pki;
import io.gatehouse.control.cluster.internal.SignedSnapshots;
import io.gatehouse.control.secrets.Secrets;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;
import org.jdbi.v3.core.Jdbi;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The control plane's side of hybrid mode: enrolment tokens, the node registry, the node CA, and
 * the signed snapshot of the current revision that gateway nodes fetch over mutual TLS.
 *
 * <p>Each revision is resolved and signed once, when it is committed (or when a reference named
 * value, an uploaded certificate or the blocked clients change), and the same bytes go to every
 * node; nodes waiting in a long poll are answered at once. Thread-safe; methods that touch the database block.
 */
public final class ClusterControl {
  private static final Logger LOG = LoggerFactory.getLogger(ClusterControl.class);
  /** The first part of every enrolment token. */
  public static final String TOKEN_PREFIX = "ghn1";
  /** The longest lifetime of an enrolment token. */
  public static final Duration MAX_TOKEN_TTL = Duration.ofDays(7);

  private final NodeStore store;
  private final ClusterKeys keys;
  private final ControlPlane plane;
  private final Secrets secrets;
  private final CertificateStore certificates;
  private final Clock clock;
  private final List<Consumer<Published>> subscribers = new CopyOnWriteArrayList<>();
  private volatile Published current;
  private volatile NodeReport.Sink reports;
  private volatile io.gatehouse.control.security.ClientBlockList blocks;
  private volatile io.gatehouse.control.debugging.DebugSessionTable debugSessions;

  /**
   * A signed snapshot as served.
   *
   * @param revision its revision
   * @param etag the SHA-256 of its payload
   * @param envelope the signed envelope
   */
  public record Published(long revision, String etag, byte[] envelope) {}

  private ClusterControl(NodeStore store, ClusterKeys keys, ControlPlane plane, Clock clock) {
    this.store = store;
    this.keys = keys;
    this.plane = plane;
    this.secrets = plane.store().secrets();
    this.certificates = plane.store() instanceof io.gatehouse.control.ControlStore cs ? cs.certificates() : null;
    this.clock = clock;
  }

  /**
   * The cluster state in {@code jdbi}'s database (the control plane's own), creating the node CA and
   * the snapshot signing key on first use; publishes the current revision and every later one, and
   * the current revision again after every change of the uploaded certificates.
   */
  public static ClusterControl open(Jdbi jdbi, ControlPlane plane, Clock clock) {
    requireNonNull(plane, "plane");
    ClusterControl c = new ClusterControl(new NodeStore(requireNonNull(jdbi, "jdbi")),
        ClusterKeys.load(jdbi, plane.store().secrets().masterKeys()), plane, requireNonNull(clock, "clock"));
    synchronized (plane) {
      c.publish(plane.revision());
    }
    plane.onChange(c::publish);
    if (c.certificates != null) {
      c.certificates.onChange(c::republish);
    }
    return c;
  }

  /** Signs the current revision again (its resolved references or the certificates changed); nodes fetch it at once. */
  public synchronized void republish() {
    publish(plane.revision()); // read under the lock: never a revision older than one published meanwhile
  }

  private synchronized void publish(Revision rev) {
    if (current != null && rev.id() < current.revision()) {
      return; // a newer revision was published while this one waited
    }
    byte[] envelope = SignedSnapshots.sign(rev.id(), secrets.resolved(rev.config()), keys.keyHashing(),
        certificates == null ? List.of() : certificates.material(), blockedNow(),
        debugSessions == null ? List.of() : debugSessions.active(), keys.signing());
    String etag = SignedSnapshots.etag(envelope);
    if (current != null && current.etag().equals(etag)) {
      return;
    }
    Published p = new Published(rev.id(), etag, envelope);
    current = p;
    for (Consumer<Published> s : subscribers) {
      try {
        s.accept(p);
      } catch (RuntimeException e) {
        LOG.warn("snapshot subscriber failed: {}", e.toString());
      }
    }
  }

  /**
   * Sends {@code list}'s blocked clients to every gateway node with the snapshot, and the snapshot
   * again after every change of them, so that nodes enforce the blocks made through any server.
   */
  public void shareBlocks(io.gatehouse.control.security.ClientBlockList list) {
    this.blocks = requireNonNull(list, "list");
    list.onChange(this::republish);
    republish();
  }

  /**
   * Sends {@code table}'s live debug sessions (token hashes, never tokens) to every gateway node with
   * the snapshot, and the snapshot again after every change of them, so that nodes trace requests
   * carrying a session's token whatever server opened it.
   */
  public void shareDebugSessions(io.gatehouse.control.debugging.DebugSessionTable table) {
    this.debugSessions = requireNonNull(table, "table");
    table.onChange(this::republish);
    republish();
  }

  private java.util.Map<String, Instant> blockedNow() {
    io.gatehouse.control.security.ClientBlockList b = blocks;
    if (b == null) {
      return java.util.Map.of();
    }
    java.util.Map<String, Instant> out = new java.util.LinkedHashMap<>();
    b.active().forEach((identity, block) -> out.put(identity, block.until()));
    return out;
  }

  /** The snapshot served now. */
  public Published current() {
    return current;
  }

  /** Calls {@code subscriber} with every snapshot published from now on. */
  public void onPublish(Consumer<Published> subscriber) {
    subscribers.add(requireNonNull(subscriber, "subscriber"));
  }

  /** Removes a subscriber. */
  public void removeSubscriber(Consumer<Published> subscriber) {
    subscribers.remove(subscriber);
  }

  /** The SHA-256 fingerprint (URL-safe Base64) of the node CA certificate, which every enrolment token carries. */
  public String caFingerprint() {
    return Pki.fingerprint(keys.ca());
  }

  /**
   * A new single-use enrolment token valid for {@code ttl}, created by {@code createdBy}.
   *
   * @throws IllegalArgumentException when {@code ttl} is not between 1 second and {@link #MAX_TOKEN_TTL}
   */
  public EnrolmentToken createToken(String createdBy, Duration ttl) {
    requireNonNull(createdBy, "createdBy");
    if (ttl.isNegative() || ttl.toSeconds() < 1 || ttl.compareTo(MAX_TOKEN_TTL) > 0) {
      throw new IllegalArgumentException("expected a lifetime from 1 second to " + MAX_TOKEN_TTL.toDays()
          + " days but got " + ttl.toSeconds() + " seconds");
    }
    SecureRandom random = new SecureRandom();
    byte[] idBytes = new byte[6];
    byte[] secret = new byte[32];
    random.nextBytes(idBytes);
    random.nextBytes(secret);
    String id = HexFormat.of().formatHex(idBytes);
    String secretText = java.util.Base64.getUrlEncoder().withoutPadding().encodeToString(secret);
    Instant now = clock.instant();
    Instant expires = now.plus(ttl);
    store.createToken(id, tokenHash(id, secretText), createdBy, now, expires);
    String fp = caFingerprint();
    return new EnrolmentToken(id, TOKEN_PREFIX + "." + id + "." + secretText + "." + fp, expires, fp);
  }

  /**
   * The hash under which a token's id and secret are stored.
   *
   * @throws IllegalArgumentException when {@code token} is not an enrolment token
   */
  public static String tokenHash(String token) {
    String[] p = parts(token);
    return tokenHash(p[1], p[2]);
  }

  /**
   * The node CA fingerprint that {@code token} carries.
   *
   * @throws IllegalArgumentException when {@code token} is not an enrolment token
   */
  public static String tokenFingerprint(String token) {
    return parts(token)[3];
  }

  private static String[] parts(String token) {
    String[] p = token == null ? new String[0] : token.strip().split("\\.", -1);
    if (p.length != 4 || !p[0].equals(TOKEN_PREFIX) || p[1].isEmpty() || p[2].isEmpty() || p[3].length() != 43) {
      throw new IllegalArgumentException("expected an enrolment token " + TOKEN_PREFIX
          + ".ID.SECRET.FINGERPRINT (from POST /api/v1/nodes/enrolment-tokens)");
    }
    return p;
  }

  private static String tokenHash(String id, String secret) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256")
          .digest((id + "." + secret).getBytes(StandardCharsets.UTF_8)));
    } catch (java.security.GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }

  /**
   * Hands the reports of gateway nodes (analytics, served requests) to {@code sink} from now on;
   * until then the node listener answers reports with 503 and nodes keep them to send again.
   */
  public void receiveReports(NodeReport.Sink sink) {
    this.reports = requireNonNull(sink, "sink");
  }

  /** Every node; blocking. */
  public List<NodeInfo> nodes() {
    return new ArrayList<>(store.list());
  }

  /** Revokes gateway node {@code id}: its certificate is refused from now on; false when no such live node. */
  public boolean revoke(String id) {
    return store.revoke(requireNonNull(id, "id"), clock.instant());
  }

  /** Records this control node's heartbeat (it lists itself with role {@code control}); blocking. */
  public void heartbeat(String id, String address, String version) {
    store.controlHeartbeat(id, address, version, plane.revision().id(), clock.instant());
  }

  /**
   * Starts the node listener on {@code host}:{@code port} (0: any free port): TLS with a certificate
   * of the node CA for {@code names}, client certificates of the node CA for snapshots and heartbeats,
   * the enrolment token for enrolment.
   */
  public Future<io.vertx.core.http.HttpServer> listen(Vertx vertx, String host, int port, List<String> names) {
    return NodeListener.start(vertx, host, port, names, keys, store, this::current, this::onPublish,
        this::removeSubscriber, clock, () -> reports);
  }
}
