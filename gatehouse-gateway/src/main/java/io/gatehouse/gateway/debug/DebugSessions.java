package io.gatehouse.gateway.debug;

import static java.util.Objects.requireNonNull;

import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Debug sessions of one gateway: a session is opened for one API for at most an hour; requests to
 * that API carrying header {@value #HEADER} with the session's token record their stages, each
 * policy's decision and timing, and each backend attempt (secrets redacted) into the session's
 * ring buffer of the last {@value #CAPACITY} requests, readable until the session expires.
 * Sessions opened elsewhere (by another server of the cluster) are {@linkplain #share shared} by the
 * SHA-256 of their token only, and each finished trace is also handed to the {@linkplain #onRecorded
 * listener}, which files it for the whole cluster. Thread-safe.
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
  /** What replaces a secret value in a trace. */
  public static final String REDACTED = "***";

  /** A policy ran and let the request (or response) go on. */
  public static final String CONTINUED = "continued";
  /** A policy answered itself (inbound, backend) or replaced the response (outbound, on-error). */
  public static final String SHORT_CIRCUITED = "short-circuited";
  /** A policy failed. */
  public static final String ERROR = "error";
  /** A policy in a {@code choose} branch that was not taken. */
  public static final String SKIPPED = "skipped";

  private static final SecureRandom RANDOM = new SecureRandom();
  private final Clock clock;
  private final Map<String, Session> byToken = new ConcurrentHashMap<>(); // by token hash
  private final Map<String, Session> byId = new ConcurrentHashMap<>();
  private volatile Map<String, Session> shared = Map.of(); // by token hash
  private volatile java.util.function.BiConsumer<String, Trace> listener = (id, t) -> { };
  private volatile boolean active;

  /** Sessions timed by the system clock. */
  public DebugSessions() {
    this(Clock.systemUTC());
  }

  /** Sessions whose expiry is judged by {@code clock}. */
  public DebugSessions(Clock clock) {
    this.clock = requireNonNull(clock, "clock");
  }

  /** One open session: what {@link #open} returns; the token is shown only there. */
  public record Opened(String id, String token, String api, Instant expiresAt) {}

  /** One recorded step: a stage, what it decided, and microseconds since the request head arrived. */
  public record Step(String stage, String detail, long atMicros) {}

  /**
   * One policy's decision.
   *
   * @param scope {@code global}, {@code product}, {@code api} or {@code operation}
   * @param section {@code inbound}, {@code backend}, {@code outbound} or {@code on-error}
   * @param policy the policy's name, for example {@code rate-limit}
   * @param position its index in the list it is configured in
   * @param location where it is configured, for example {@code apis[0].policies.inbound[1].rate-limit}
   * @param outcome {@link #CONTINUED}, {@link #SHORT_CIRCUITED}, {@link #ERROR} or {@link #SKIPPED}
   * @param status the response status when short-circuited, else 0
   * @param micros time spent in the policy (for an asynchronous policy: until it called the rest of
   *     the chain or answered)
   * @param branch for {@code choose}: the branch taken ({@code when[i]}, {@code otherwise} or
   *     {@code none}); otherwise {@code null}
   * @param error the failure (type and message, secrets redacted) when the outcome is {@link #ERROR}
   * @param atMicros when the policy started, in microseconds since the request head arrived
   */
  public record PolicyDecision(String scope, String section, String policy, int position, String location,
      String outcome, int status, long micros, String branch, String error, long atMicros) {}

  /** One header as recorded, its value possibly {@link #REDACTED}. */
  public record Header(String name, String value) {}

  /**
   * One try at the backend.
   *
   * @param attempt 1 for the first try, 2 for the first retry, ...
   * @param member the pool member chosen, {@code scheme://host:port}
   * @param method the request method sent
   * @param uri path and query sent, secret query values {@link #REDACTED}
   * @param requestHeaders the request headers sent, secret values redacted
   * @param status the backend's status, 0 without an answer
   * @param responseHeaders the backend's response headers, secret values redacted
   * @param latencyMicros from sending the request to the response head or the failure
   * @param error why the attempt failed or was discarded, else {@code null}
   * @param atMicros when the attempt started, in microseconds since the request head arrived
   */
  public record BackendAttempt(int attempt, String member, String method, String uri, List<Header> requestHeaders,
      int status, List<Header> responseHeaders, long latencyMicros, String error, long atMicros) {}

  /** One recorded request. */
  public record Trace(Instant time, String requestId, String method, String path, int status, long totalMicros,
      List<Step> steps, List<PolicyDecision> policies, List<BackendAttempt> backend) {}

  /**
   * A session opened elsewhere, as every node of a cluster knows it: never its token, only the token's hash.
   *
   * @param id the session id
   * @param tokenHash {@link #hash} of its token
   * @param api the API it traces
   * @param expiresAt when it ends
   */
  public record Shared(String id, String tokenHash, String api, Instant expiresAt) {
    public Shared {
      requireNonNull(id, "id");
      requireNonNull(tokenHash, "tokenHash");
      requireNonNull(api, "api");
      requireNonNull(expiresAt, "expiresAt");
    }
  }

  /** The SHA-256 of {@code token}, lower-case hex: how sessions are known by the nodes that did not open them. */
  public static String hash(String token) {
    try {
      return HexFormat.of().formatHex(java.security.MessageDigest.getInstance("SHA-256")
          .digest(token.getBytes(java.nio.charset.StandardCharsets.UTF_8)));
    } catch (java.security.NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  /** A new random session token (128 bits, hex). */
  public static String newToken() {
    byte[] raw = new byte[16];
    RANDOM.nextBytes(raw);
    return HexFormat.of().formatHex(raw);
  }

  /** A new random session id (64 bits, hex). */
  public static String newId() {
    byte[] raw = new byte[8];
    RANDOM.nextBytes(raw);
    return HexFormat.of().formatHex(raw);
  }

  /**
   * Replaces the sessions opened elsewhere by {@code sessions}: requests carrying a token whose hash
   * one of them names are traced too, and their traces go only to the {@linkplain #onRecorded listener}.
   */
  public void share(Collection<Shared> sessions) {
    Map<String, Session> m = new java.util.HashMap<>();
    for (Shared x : sessions) {
      m.put(x.tokenHash(), new Session(x.id(), x.api(), x.expiresAt()));
    }
    shared = Map.copyOf(m);
    purge();
  }

  /** Hands every finished trace, with its session id, to {@code listener} (on the request's event loop: it must not block). */
  public void onRecorded(java.util.function.BiConsumer<String, Trace> listener) {
    this.listener = requireNonNull(listener, "listener");
  }

  /** Opens a session for {@code api} lasting {@code ttl} (1 s to 1 h). */
  public Opened open(String api, Duration ttl) {
    requireNonNull(api, "api");
    requireNonNull(ttl, "ttl");
    if (ttl.compareTo(Duration.ofSeconds(1)) < 0 || ttl.compareTo(MAX_TTL) > 0) {
      throw new IllegalArgumentException("expected a ttl from 1 s to 1 h but got " + ttl);
    }
    purge();
    String token = newToken();
    String id = newId();
    Session s = new Session(id, api, clock.instant().plus(ttl));
    byToken.put(hash(token), s);
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
    return recorder(token, api, method, path, requestId, startNanos, List.of());
  }

  /**
   * A recorder for a request to {@code api} carrying {@code token}, or null when it does not apply;
   * any recorded header or query value containing one of {@code secrets} (the values of secret named
   * values) is {@link #REDACTED}.
   */
  public Recorder recorder(String token, String api, String method, String path, String requestId, long startNanos,
      Collection<String> secrets) {
    if (token == null || token.isEmpty() || token.length() > 200) {
      return null;
    }
    String h = hash(token);
    Session s = byToken.get(h);
    boolean local = s != null;
    if (s == null) {
      s = shared.get(h);
    }
    Instant now = clock.instant();
    if (s == null || !s.api.equals(api) || now.isAfter(s.expiresAt)) {
      return null;
    }
    return new Recorder(local ? s : null, s.id, listener, now, method, path, requestId, startNanos, secrets);
  }

  private void purge() {
    Instant now = clock.instant();
    byToken.values().removeIf(s -> now.isAfter(s.expiresAt));
    byId.values().removeIf(s -> now.isAfter(s.expiresAt));
    active = !byToken.isEmpty() || shared.values().stream().anyMatch(s -> !now.isAfter(s.expiresAt));
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

  /** Records one request's steps, policy decisions and backend attempts; confined to its event loop. */
  public static final class Recorder {
    private final Session session;
    private final String sessionId;
    private final java.util.function.BiConsumer<String, Trace> listener;
    private final String method;
    private final String path;
    private final String requestId;
    private final long startNanos;
    private final Instant time;
    private final Collection<String> secrets;
    private final List<Step> steps = new ArrayList<>();
    private final List<OpenDecision> policies = new ArrayList<>();
    private final List<OpenAttempt> backend = new ArrayList<>();
    private int[] open = new int[8];
    private int depth;

    Recorder(Session session, String sessionId, java.util.function.BiConsumer<String, Trace> listener, Instant time,
        String method, String path, String requestId, long startNanos, Collection<String> secrets) {
      this.session = session;
      this.sessionId = sessionId;
      this.listener = listener;
      this.time = time;
      this.method = method;
      this.path = path;
      this.requestId = requestId;
      this.startNanos = startNanos;
      this.secrets = List.copyOf(secrets);
    }

    /** Records {@code stage} deciding {@code detail} now. */
    public void step(String stage, String detail) {
      steps.add(new Step(stage, redact(detail), micros(System.nanoTime())));
    }

    // ---------------------------------------------------------------- policies

    /**
     * Records that a policy starts now and returns its handle for {@link #policyEnded}; the policy
     * stays open (so that {@link #branch} and nested policies belong to it) until it ends.
     */
    public int policyStarted(String scope, String section, String policy, int position, String location) {
      OpenDecision d = new OpenDecision(scope, section, policy, position, location, System.nanoTime());
      policies.add(d);
      int handle = policies.size() - 1;
      if (depth == open.length) {
        open = java.util.Arrays.copyOf(open, depth * 2);
      }
      open[depth++] = handle;
      return handle;
    }

    /** Ends policy {@code handle} with {@code outcome} (and {@code status} when short-circuited); ignored when already ended. */
    public void policyEnded(int handle, String outcome, int status) {
      if (handle < 0 || handle >= policies.size()) {
        return;
      }
      OpenDecision d = policies.get(handle);
      if (d.outcome != null) {
        return;
      }
      d.outcome = outcome;
      d.status = status;
      d.nanos = System.nanoTime() - d.startNanos;
      for (int i = depth - 1; i >= 0; i--) {
        if (open[i] == handle) {
          System.arraycopy(open, i + 1, open, i, depth - i - 1);
          depth--;
          break;
        }
      }
    }

    /** Ends every policy still open with {@link #ERROR} and {@code error} (type and message). */
    public void policiesFailed(Throwable error) {
      String text = error == null ? "" : redact(error.toString());
      while (depth > 0) {
        int handle = open[depth - 1];
        policyEnded(handle, ERROR, 0);
        policies.get(handle).error = text;
      }
    }

    /** Records which branch the innermost open policy (a {@code choose}) took. */
    public void branch(String branch) {
      if (depth > 0) {
        policies.get(open[depth - 1]).branch = branch;
      }
    }

    /** Records a policy that did not run because its branch's condition did not hold. */
    public void policySkipped(String scope, String section, String policy, int position, String location) {
      OpenDecision d = new OpenDecision(scope, section, policy, position, location, System.nanoTime());
      d.outcome = SKIPPED;
      policies.add(d);
    }

    // ---------------------------------------------------------------- backend

    /** Records the start of backend attempt {@code attempt} (1-based) to {@code member}. */
    public void backendRequest(int attempt, String member, String method, String uri,
        Iterable<Map.Entry<String, String>> headers) {
      long now = System.nanoTime();
      String shownUri = redactQuery(uri);
      backend.add(new OpenAttempt(attempt, member, method, shownUri, headerList(headers), now));
      step("backend", "attempt " + attempt + ": request " + method + " " + member + shownUri);
    }

    /** Records the backend's answer to the open attempt. */
    public void backendResponse(int status, Iterable<Map.Entry<String, String>> headers) {
      OpenAttempt a = lastOpen();
      if (a != null) {
        a.status = status;
        a.responseHeaders = headerList(headers);
        a.nanos = System.nanoTime() - a.startNanos;
        a.ended = true;
      }
      step("backend", "response " + status);
    }

    /**
     * Records that attempt {@code attempt} (1-based) failed with {@code cause}, or that its answer
     * {@code status} (> 0) was discarded for a retry.
     */
    public void backendFailed(int attempt, int status, Throwable cause) {
      OpenAttempt a = null;
      for (int i = backend.size() - 1; i >= 0 && a == null; i--) {
        if (backend.get(i).attempt == attempt && !backend.get(i).ended) {
          a = backend.get(i);
        }
      }
      String why = status > 0 ? "status " + status + " discarded for a retry" : cause == null ? "failed" : cause.toString();
      if (a != null) {
        a.status = status;
        a.error = redact(why);
        a.nanos = System.nanoTime() - a.startNanos;
        a.ended = true;
      }
      step("backend", "attempt " + attempt + " failed: " + redact(why));
    }

    private OpenAttempt lastOpen() {
      OpenAttempt a = backend.isEmpty() ? null : backend.get(backend.size() - 1);
      return a == null || a.ended ? null : a;
    }

    /** Ends the request with {@code status} and stores it in the session. */
    public void finish(int status) {
      if (depth > 0) {
        policiesFailed(new IllegalStateException("the exchange ended while the policy was running"));
      }
      List<PolicyDecision> decisions = new ArrayList<>(policies.size());
      for (OpenDecision d : policies) {
        decisions.add(new PolicyDecision(d.scope, d.section, d.policy, d.position, d.location, d.outcome, d.status,
            d.nanos / 1_000, d.branch, d.error, micros(d.startNanos)));
      }
      List<BackendAttempt> attempts = new ArrayList<>(backend.size());
      for (OpenAttempt a : backend) {
        attempts.add(new BackendAttempt(a.attempt, a.member, a.method, a.uri, a.requestHeaders, a.status,
            a.responseHeaders, a.ended ? a.nanos / 1_000 : (System.nanoTime() - a.startNanos) / 1_000, a.error,
            micros(a.startNanos)));
      }
      Trace trace = new Trace(time, requestId, method, redactQuery(path), status, micros(System.nanoTime()),
          List.copyOf(steps), List.copyOf(decisions), List.copyOf(attempts));
      if (session != null) {
        session.add(trace);
      }
      try {
        listener.accept(sessionId, trace);
      } catch (RuntimeException e) {
        // filing a trace for the cluster never fails the request
      }
    }

    private long micros(long nanos) {
      return (nanos - startNanos) / 1_000;
    }

    // ---------------------------------------------------------------- redaction

    private List<Header> headerList(Iterable<Map.Entry<String, String>> headers) {
      if (headers == null) {
        return List.of();
      }
      List<Header> out = new ArrayList<>();
      for (Map.Entry<String, String> h : headers) {
        boolean secret = SECRET_HEADERS.contains(h.getKey().toLowerCase(Locale.ROOT)) || carriesSecret(h.getValue());
        out.add(new Header(h.getKey(), secret ? REDACTED : h.getValue()));
      }
      return List.copyOf(out);
    }

    private boolean carriesSecret(String value) {
      if (value == null) {
        return false;
      }
      for (String s : secrets) {
        if (!s.isEmpty() && value.contains(s)) {
          return true;
        }
      }
      return false;
    }

    private String redact(String text) {
      if (text == null) {
        return null;
      }
      String out = text;
      for (String s : secrets) {
        if (!s.isEmpty() && out.contains(s)) {
          out = out.replace(s, REDACTED);
        }
      }
      return out;
    }

    /** Replaces the value of every query parameter that carries a secret (or whose whole text does). */
    private String redactQuery(String uri) {
      if (uri == null) {
        return null;
      }
      int q = uri.indexOf('?');
      if (q < 0) {
        return redact(uri);
      }
      StringBuilder b = new StringBuilder(redact(uri.substring(0, q))).append('?');
      String[] params = uri.substring(q + 1).split("&", -1);
      for (int i = 0; i < params.length; i++) {
        if (i > 0) {
          b.append('&');
        }
        String p = params[i];
        int eq = p.indexOf('=');
        String value = eq < 0 ? "" : java.net.URLDecoder.decode(p.substring(eq + 1), java.nio.charset.StandardCharsets.UTF_8);
        if (eq >= 0 && (carriesSecret(value) || carriesSecret(p.substring(eq + 1)))) {
          b.append(p, 0, eq + 1).append(REDACTED);
        } else {
          b.append(redact(p));
        }
      }
      return b.toString();
    }
  }

  private static final class OpenDecision {
    final String scope;
    final String section;
    final String policy;
    final int position;
    final String location;
    final long startNanos;
    String outcome;
    int status;
    long nanos;
    String branch;
    String error;

    OpenDecision(String scope, String section, String policy, int position, String location, long startNanos) {
      this.scope = scope;
      this.section = section;
      this.policy = policy;
      this.position = position;
      this.location = location;
      this.startNanos = startNanos;
    }
  }

  private static final class OpenAttempt {
    final int attempt;
    final String member;
    final String method;
    final String uri;
    final List<Header> requestHeaders;
    final long startNanos;
    int status;
    List<Header> responseHeaders = List.of();
    long nanos;
    String error;
    boolean ended;

    OpenAttempt(int attempt, String member, String method, String uri, List<Header> requestHeaders, long startNanos) {
      this.attempt = attempt;
      this.member = member;
      this.method = method;
      this.uri = uri;
      this.requestHeaders = requestHeaders;
      this.startNanos = startNanos;
    }
  }
}
