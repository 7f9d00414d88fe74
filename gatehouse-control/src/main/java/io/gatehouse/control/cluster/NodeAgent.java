package io.gatehouse.control.cluster;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.gatehouse.control.cluster.internal.NodeFiles;
import io.gatehouse.control.cluster.internal.PinnedTrust;
import io.gatehouse.control.cluster.internal.Pki;
import io.gatehouse.control.cluster.internal.SignedSnapshots;
import io.gatehouse.model.ConfigMapper;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyStore;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManager;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A gateway node's side of hybrid mode: enrols once with a token, then fetches signed snapshots from
 * the control plane over mutual TLS (long poll), checks each signature before handing the snapshot
 * to its {@link Sink}, keeps the last good one encrypted on disk, and reports its status by
 * heartbeat.
 *
 * <p>Fail-static: while the control plane is unreachable the node keeps what it serves; at start
 * it serves its cached snapshot before it reaches the control plane, and it catches up as soon as
 * the control plane answers. Given several control nodes (all over one database, so they share the
 * node CA, the signing key and the enrolment tokens), the node talks to one at a time and moves to
 * the next as soon as one does not answer, answers with a server error, or offers a revision older
 * than the one served (the node never steps back). A snapshot whose signature does not check is
 * refused and the last good one stays. The long poll and the heartbeat run on their own daemon
 * threads.
 */
public final class NodeAgent implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(NodeAgent.class);

  /** Where a checked snapshot goes: the gateway compiles and serves it, or throws and keeps the one it has. */
  @FunctionalInterface
  public interface Sink {
    /** Serves {@code snapshot}; throws when it cannot be compiled (the current one keeps serving). */
    void serve(Snapshot snapshot) throws Exception;
  }

  /**
   * How the agent runs.
   *
   * @param dataDir the node's data directory (its files go under {@code node/})
   * @param controlPlanes the control nodes' node listeners, {@code https://HOST:PORT} each, in the
   *     order they are tried (one address behind a load balancer is one entry)
   * @param enrolToken the enrolment token, nullable once enrolled
   * @param address the address the node reports (its gateway listener)
   * @param version the version it reports
   * @param heartbeat how often it reports
   * @param longPoll how long one snapshot request waits for a change (1 to 60 seconds)
   * @param retry the pause after a failed request
   */
  public record Settings(Path dataDir, List<URI> controlPlanes, String enrolToken, String address, String version,
      Duration heartbeat, Duration longPoll, Duration retry) {
    public Settings {
      requireNonNull(dataDir, "dataDir");
      controlPlanes = List.copyOf(requireNonNull(controlPlanes, "controlPlanes"));
      if (controlPlanes.isEmpty()) {
        throw new IllegalArgumentException("expected at least one control plane address");
      }
      for (URI controlPlane : controlPlanes) {
        if (!"https".equals(controlPlane.getScheme()) || controlPlane.getHost() == null || controlPlane.getPort() < 0) {
          throw new IllegalArgumentException("expected the control plane as https://HOST:PORT but got '" + controlPlane + "'");
        }
      }
      requireNonNull(address, "address");
      version = version == null ? "dev" : version;
      heartbeat = heartbeat == null ? Duration.ofSeconds(10) : heartbeat;
      longPoll = longPoll == null ? Duration.ofSeconds(30) : longPoll;
      retry = retry == null ? Duration.ofSeconds(1) : retry;
      if (longPoll.toSeconds() < 1 || longPoll.toSeconds() > 60) {
        throw new IllegalArgumentException("expected a long poll of 1 to 60 seconds but got " + longPoll);
      }
    }
  }

  /** The node could not start: not enrolled and enrolment failed, or no usable identity. */
  public static class StartException extends Exception {
    private static final long serialVersionUID = 1L;

    StartException(String message, Throwable cause) {
      super(message, cause);
    }
  }

  private final Settings settings;
  private final Sink sink;
  private final NodeFiles files;
  private final NodeFiles.Identity identity;
  private final HttpClient http;
  private final AtomicReference<Snapshot> served = new AtomicReference<>();
  private final AtomicLong refused = new AtomicLong();
  private final ScheduledExecutorService heartbeats;
  private final Thread poller;
  private volatile String skipEtag = "";
  private volatile boolean running = true;
  private volatile boolean reachable;
  private volatile int current;
  private volatile long lastBehind = -1;
  private volatile boolean behind;
  private volatile int lastHeartbeatStatus = 204;
  private volatile java.util.function.Supplier<JsonNode> backendStatus = () -> null;

  private NodeAgent(Settings settings, Sink sink, NodeFiles files, NodeFiles.Identity identity) throws StartException {
    this.settings = settings;
    this.sink = sink;
    this.files = files;
    this.identity = identity;
    this.http = client(identity);
    this.heartbeats = Executors.newSingleThreadScheduledExecutor(r -> {
      Thread t = new Thread(r, "gatehouse-node-heartbeat");
      t.setDaemon(true);
      return t;
    });
    this.poller = new Thread(this::poll, "gatehouse-node-snapshots");
    this.poller.setDaemon(true);
  }

  /**
   * Enrols when the data directory holds no identity yet (the control plane must answer then), serves
   * the cached snapshot when there is one, and starts fetching snapshots and sending heartbeats.
   *
   * @throws StartException when the node is not enrolled and enrolment fails, with the reason
   */
  public static NodeAgent start(Settings settings, Sink sink) throws StartException {
    requireNonNull(settings, "settings");
    requireNonNull(sink, "sink");
    NodeFiles files = new NodeFiles(settings.dataDir());
    if (!files.enrolled()) {
      if (settings.enrolToken() == null || settings.enrolToken().isBlank()) {
        throw new StartException("this node is not enrolled: give --enrol-token (from POST /api/v1/nodes/enrolment-tokens)",
            null);
      }
      enrol(settings, files);
    } else if (settings.enrolToken() != null && !settings.enrolToken().isBlank()) {
      LOG.info("node already enrolled; --enrol-token is ignored (delete {} to enrol again)", files.dir());
    }
    NodeFiles.Identity identity;
    try {
      identity = files.load();
    } catch (RuntimeException e) {
      throw new StartException("the node identity in " + files.dir() + " cannot be read: " + e.getMessage(), e);
    }
    NodeAgent agent = new NodeAgent(settings, sink, files, identity);
    agent.serveCache();
    agent.poller.start();
    long every = settings.heartbeat().toMillis();
    agent.heartbeats.scheduleWithFixedDelay(agent::heartbeat, 0, every, TimeUnit.MILLISECONDS);
    return agent;
  }

  /**
   * Enrols with the first control node that can be reached: one that cannot be reached or completes no
   * TLS handshake with the token's CA is skipped; one that answers decides.
   */
  private static void enrol(Settings s, NodeFiles files) throws StartException {
    StartException unreachable = null;
    for (URI controlPlane : s.controlPlanes()) {
      try {
        enrol(s, controlPlane, files);
        return;
      } catch (Unreachable e) {
        LOG.warn("{}", e.getMessage());
        unreachable = e;
      }
    }
    throw unreachable;
  }

  /** Enrolment could not reach one control node (the next may be tried). */
  private static final class Unreachable extends StartException {
    private static final long serialVersionUID = 1L;

    Unreachable(String message, Throwable cause) {
      super(message, cause);
    }
  }

  private static void enrol(Settings s, URI controlPlane, NodeFiles files) throws StartException {
    String fingerprint;
    try {
      fingerprint = ClusterControl.tokenFingerprint(s.enrolToken());
    } catch (IllegalArgumentException e) {
      throw new StartException("--enrol-token: " + e.getMessage(), e);
    }
    KeyPair pair = Pki.ecKeyPair();
    ObjectNode body = ConfigMapper.json().createObjectNode();
    body.put("token", s.enrolToken().strip());
    body.put("csr", Pki.certificationRequest(pair, "gatehouse-node"));
    body.put("address", s.address());
    body.put("version", s.version());
    HttpResponse<String> response;
    try {
      SSLContext tls = SSLContext.getInstance("TLS");
      tls.init(null, new TrustManager[] {PinnedTrust.fingerprint(fingerprint)}, null);
      handshake(tls, controlPlane); // a wrong CA fails here at once, with its reason
      HttpClient client = HttpClient.newBuilder().sslContext(tls).version(HttpClient.Version.HTTP_1_1)
          .connectTimeout(Duration.ofSeconds(10)).build();
      response = client.send(HttpRequest.newBuilder(controlPlane.resolve("/node/v1/enrol"))
          .timeout(Duration.ofSeconds(30)).header("Content-Type", "application/json")
          .POST(HttpRequest.BodyPublishers.ofString(body.toString())).build(), HttpResponse.BodyHandlers.ofString());
    } catch (IOException e) {
      throw new Unreachable("cannot enrol with " + controlPlane + ": " + describe(e), e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new StartException("enrolment interrupted", e);
    } catch (GeneralSecurityException e) {
      throw new StartException("cannot set up TLS: " + e.getMessage(), e);
    }
    JsonNode answer;
    try {
      answer = ConfigMapper.json().readTree(response.body());
    } catch (IOException e) {
      answer = null;
    }
    if (response.statusCode() != 201 || answer == null) {
      String detail = answer == null ? response.body() : answer.path("detail").asText(response.body());
      throw new StartException("the control plane refused the enrolment (" + response.statusCode() + "): " + detail, null);
    }
    X509Certificate ca = Pki.certificate(answer.path("caCertificate").asText());
    if (!Pki.fingerprint(ca).equals(fingerprint)) {
      throw new StartException("the control plane answered with a node CA other than the token's", null);
    }
    files.store(answer.path("nodeId").asText(), pair.getPrivate(), answer.path("certificate").asText(),
        answer.path("caCertificate").asText(), answer.path("snapshotKey").asText(), controlPlane.toString());
    LOG.info("enrolled with {} as node {}", controlPlane, answer.path("nodeId").asText());
  }

  /** Connects to {@code uri} and completes a TLS handshake with {@code tls}, so that a refused server fails fast. */
  private static void handshake(SSLContext tls, URI uri) throws IOException {
    try (javax.net.ssl.SSLSocket socket = (javax.net.ssl.SSLSocket) tls.getSocketFactory().createSocket()) {
      socket.connect(new java.net.InetSocketAddress(uri.getHost(), uri.getPort()), 10_000);
      socket.setSoTimeout(10_000);
      socket.startHandshake();
    }
  }

  static HttpClient client(NodeFiles.Identity id) throws StartException {
    try {
      KeyStore store = KeyStore.getInstance("PKCS12");
      store.load(null, null);
      char[] pass = "node".toCharArray();
      store.setKeyEntry("node", id.key(), pass, new java.security.cert.Certificate[] {id.certificate(), id.ca()});
      KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
      kmf.init(store, pass);
      SSLContext tls = SSLContext.getInstance("TLS");
      tls.init(kmf.getKeyManagers(), new TrustManager[] {PinnedTrust.ca(id.ca())}, null);
      return HttpClient.newBuilder().sslContext(tls).version(HttpClient.Version.HTTP_1_1)
          .connectTimeout(Duration.ofSeconds(5)).build();
    } catch (GeneralSecurityException | IOException e) {
      throw new StartException("cannot load the node's key and certificate: " + e.getMessage(), e);
    }
  }

  /** This node's id. */
  public String nodeId() {
    return identity.id();
  }

  /** The snapshot served now, or null before the first. */
  public Snapshot served() {
    return served.get();
  }

  /** How many snapshots were refused (signature, format, or a revision older than the one served) since start. */
  public long refusedSnapshots() {
    return refused.get();
  }

  /** The control node the agent talks to now. */
  public URI controlPlane() {
    return settings.controlPlanes().get(current);
  }

  /**
   * Where the backend status that each heartbeat reports comes from (a JSON array, as {@code GET
   * /api/v1/backend-status} items; null to report none); left out when it exceeds 48 KiB.
   */
  public void backendStatus(java.util.function.Supplier<JsonNode> source) {
    this.backendStatus = requireNonNull(source, "source");
  }

  /** Whether the last request to the control plane got an answer. */
  public boolean reachable() {
    return reachable;
  }

  private void serveCache() {
    byte[] cached;
    try {
      cached = files.readCache(identity.id());
    } catch (RuntimeException e) {
      LOG.error("the snapshot cache cannot be used; waiting for the control plane: {}", e.getMessage());
      return;
    }
    if (cached == null) {
      LOG.info("no cached snapshot: waiting for the control plane");
      return;
    }
    if (accept(cached, false)) {
      LOG.info("serving cached snapshot of revision {} until the control plane answers", served.get().revision());
    }
  }

  /** Checks, serves and caches one envelope; false when refused or not compiled. */
  private boolean accept(byte[] envelope, boolean cache) {
    Snapshot s;
    try {
      s = SignedSnapshots.open(envelope, identity.snapshotKey());
    } catch (SignedSnapshots.Refused e) {
      refused.incrementAndGet();
      Snapshot now = served.get();
      LOG.error("snapshot refused: {}; still serving revision {}", e.getMessage(), now == null ? "none" : now.revision());
      return false;
    }
    Snapshot now = served.get();
    if (now != null && now.etag().equals(s.etag())) {
      return true;
    }
    if (now != null && s.revision() < now.revision()) {
      // a control node that has not yet seen the newest revision (it is behind, or its database is):
      // serving its snapshot would roll the gateway back; wait until it catches up
      refused.incrementAndGet();
      behind = true;
      if (s.revision() != lastBehind) {
        LOG.warn("control node {} offers revision {}, older than revision {} served here; keeping {} until it catches up",
            controlPlane(), s.revision(), now.revision(), now.revision());
        lastBehind = s.revision();
      }
      return false;
    }
    try {
      sink.serve(s);
    } catch (Exception e) {
      skipEtag = s.etag();
      LOG.error("snapshot of revision {} cannot be served: {}; still serving revision {}", s.revision(),
          e.getMessage(), now == null ? "none" : now.revision());
      return false;
    }
    if (cache) { // before it counts as served: a node that says it serves a revision has it on disk
      try {
        files.writeCache(envelope, identity.id());
      } catch (RuntimeException e) {
        LOG.warn("cannot write the snapshot cache: {}", e.getMessage());
      }
    }
    served.set(s);
    if (cache) {
      heartbeats.execute(this::heartbeat);
    }
    return true;
  }

  /**
   * Moves to the next control node after {@code failed} did not answer; true when every one failed in
   * a row since the last answer, so the caller pauses before it starts the round again.
   */
  private boolean next(URI failed, int failures, String why) {
    int n = settings.controlPlanes().size();
    if (n > 1) {
      current = (current + 1) % n;
      if (failures < n) { // once per outage, not once a second while all of them are down
        LOG.info("control node {} {}; trying {}", failed, why, controlPlane());
      }
    }
    return failures % n == 0;
  }

  private void poll() {
    boolean warned = false;
    int lastRefusal = 0;
    int failures = 0;
    while (running) {
      Snapshot now = served.get();
      String etag = !skipEtag.isEmpty() ? skipEtag : now == null ? "" : now.etag();
      URI controlPlane = controlPlane();
      try {
        URI uri = controlPlane.resolve("/node/v1/snapshot?etag=" + etag + "&wait="
            + settings.longPoll().toSeconds());
        HttpResponse<byte[]> r = http.send(HttpRequest.newBuilder(uri).timeout(settings.longPoll().plusSeconds(15))
            .GET().build(), HttpResponse.BodyHandlers.ofByteArray());
        if (r.statusCode() >= 500) { // alive but not serving (starting, stopping, broken): another may be
          failures++;
          reachable = false;
          if (next(controlPlane, failures, "answered " + r.statusCode())) {
            pause();
          }
          continue;
        }
        reachable = true;
        if (warned) {
          LOG.info("control plane {} reachable again", controlPlane);
          warned = false;
        }
        if (r.statusCode() == 200) {
          if (!accept(r.body(), true)) {
            if (behind) { // another control node may have the newest revision
              behind = false;
              failures++;
              if (next(controlPlane, failures, "is behind")) {
                pause();
              }
              continue;
            }
            failures = 0;
            pause();
          } else {
            failures = 0;
            skipEtag = "";
          }
        } else if (r.statusCode() != 204) {
          failures = 0;
          if (r.statusCode() != lastRefusal) { // once per change of answer, not once a second
            LOG.warn("control plane answered {} to the snapshot request: {}", r.statusCode(),
                new String(r.body(), java.nio.charset.StandardCharsets.UTF_8));
            lastRefusal = r.statusCode();
          }
          pause();
          continue;
        }
        failures = 0;
        lastRefusal = 0;
      } catch (IOException e) {
        reachable = false;
        failures++;
        boolean all = next(controlPlane, failures, "is unreachable (" + describe(e) + ")");
        if (all && !warned && running) {
          Snapshot s = served.get();
          LOG.warn("control plane {} unreachable ({}); serving revision {} meanwhile", settings.controlPlanes(),
              describe(e), s == null ? "none" : s.revision());
          warned = true;
        }
        if (all) {
          pause();
        }
      } catch (InterruptedException e) {
        return;
      }
    }
  }

  private void pause() {
    try {
      Thread.sleep(settings.retry().toMillis());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      running = false;
    }
  }

  private void heartbeat() {
    if (!running) {
      return;
    }
    Snapshot s = served.get();
    ObjectNode body = ConfigMapper.json().createObjectNode();
    body.put("revision", s == null ? 0 : s.revision());
    body.put("version", settings.version());
    body.put("address", settings.address());
    try {
      JsonNode backends = backendStatus.get();
      if (backends != null && backends.isArray() && backends.toString().length() <= 48 * 1024) {
        body.set("backends", backends);
      }
    } catch (RuntimeException e) {
      LOG.debug("backend status unavailable: {}", e.toString());
    }
    try {
      HttpResponse<String> r = http.send(HttpRequest.newBuilder(controlPlane().resolve("/node/v1/heartbeat"))
          .timeout(Duration.ofSeconds(10)).header("Content-Type", "application/json")
          .POST(HttpRequest.BodyPublishers.ofString(body.toString())).build(), HttpResponse.BodyHandlers.ofString());
      if (r.statusCode() != 204 && r.statusCode() != lastHeartbeatStatus) {
        LOG.warn("control plane answered {} to the heartbeat: {}", r.statusCode(), r.body());
      }
      lastHeartbeatStatus = r.statusCode();
    } catch (IOException e) {
      LOG.debug("heartbeat failed: {}", describe(e));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /**
   * Sends {@code report} to the control plane over this node's mutual-TLS channel (blocking); the
   * control plane attributes it to this node's certificate.
   *
   * @return the control plane's status: 204 taken, 503 to be sent again later, 4xx refused
   * @throws IOException when the control plane is unreachable
   */
  public int report(NodeReport report) throws IOException, InterruptedException {
    HttpResponse<String> r = http.send(HttpRequest.newBuilder(controlPlane().resolve("/node/v1/report"))
        .timeout(Duration.ofSeconds(30)).header("Content-Type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofByteArray(io.gatehouse.control.cluster.internal.ReportCodec.write(report)))
        .build(), HttpResponse.BodyHandlers.ofString());
    if (r.statusCode() >= 400 && r.statusCode() != 503) {
      LOG.debug("control plane refused a report ({}): {}", r.statusCode(), r.body());
    }
    return r.statusCode();
  }

  private static String describe(Throwable e) {
    String m = e.getMessage();
    return e.getClass().getSimpleName() + (m == null ? "" : ": " + m);
  }

  /** Stops fetching and reporting; the gateway keeps what it serves. */
  @Override
  public void close() {
    running = false;
    poller.interrupt();
    heartbeats.shutdownNow();
    try {
      poller.join(5000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
