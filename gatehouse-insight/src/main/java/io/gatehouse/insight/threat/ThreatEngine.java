package io.gatehouse.insight.threat;

import static java.util.Objects.requireNonNull;

import io.gatehouse.insight.Severity;
import io.gatehouse.insight.discovery.PathNormalizer;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.function.Consumer;

/**
 * Streams {@link TrafficSample}s through the detectors (traffic spike, object enumeration, brute
 * force, injection, large response, scanning, unseen parameter) and hands each {@link ThreatAlert}
 * to the sink; memory is bounded per API, endpoint and identity. Thread-safe (calls serialize).
 */
public final class ThreatEngine {
  /** Detector ids. */
  public static final String SPIKE = "traffic-spike";
  public static final String ENUMERATION = "object-enumeration";
  public static final String BRUTE_FORCE = "brute-force";
  public static final String INJECTION = "injection";
  public static final String LARGE_RESPONSE = "large-response";
  public static final String SCANNING = "scanning";
  public static final String UNSEEN_PARAMETER = "unseen-parameter";

  private static final int SAMPLES = 10;

  private final ThreatSettings s;
  private final Consumer<ThreatAlert> sink;
  private final Map<String, Spike> spikes;
  private final Map<String, Enumeration> enumerations;
  private final Map<String, Window> failures;
  private final Map<String, Scan> scans;
  private final Map<String, Sizes> sizes;
  private final Map<String, Params> params;
  private final Map<String, Instant> lastAlert;
  private final SharedCounts shared;

  /** An engine with {@code settings} that hands alerts to {@code sink} (called under the engine's lock). */
  public ThreatEngine(ThreatSettings settings, Consumer<ThreatAlert> sink) {
    this(settings, sink, null);
  }

  /**
   * An engine whose brute-force counts and enumeration's distinct ids are {@code shared} with other
   * nodes' engines (nullable: counted here alone): each detection fires when the cluster-wide count
   * of an identity's failures, or of its distinct ids of one endpoint, reaches the threshold, on the
   * node that saw the request reaching it. While the shared store cannot answer, requests are
   * counted here. Runs of sequential ids are counted per node.
   */
  public ThreatEngine(ThreatSettings settings, Consumer<ThreatAlert> sink, SharedCounts shared) {
    this.shared = shared;
    this.s = requireNonNull(settings, "settings");
    this.sink = requireNonNull(sink, "sink");
    spikes = lru(s.maxEndpoints());
    enumerations = lru(s.maxIdentities());
    failures = lru(s.maxIdentities());
    scans = lru(s.maxIdentities());
    sizes = lru(s.maxEndpoints());
    params = lru(s.maxEndpoints());
    lastAlert = lru(s.maxIdentities() * 2);
  }

  /** Feeds one sample through every detector. */
  public synchronized void observe(TrafficSample e) {
    requireNonNull(e, "e");
    spike(e);
    enumeration(e);
    bruteForce(e);
    injection(e);
    largeResponse(e);
    scanning(e);
    unseenParameter(e);
  }

  /** How many identities and endpoints are tracked now, for tests of the memory bound. */
  public synchronized int trackedKeys() {
    return spikes.size() + enumerations.size() + failures.size() + scans.size() + sizes.size() + params.size();
  }

  // ---------------------------------------------------------------- detectors

  private void spike(TrafficSample e) {
    if (e.api().isEmpty()) {
      return;
    }
    Spike sp = spikes.computeIfAbsent(e.api(), k -> new Spike(e.time()));
    // Events arrive in completion order, not arrival order: a late one from the previous bucket
    // counts in the current one instead of closing it again (which would learn a bucket per flip).
    long bucket = Math.max(sp.bucket, e.time().toEpochMilli() / s.spikeBucket().toMillis());
    if (sp.bucket != bucket) {
      if (sp.bucket >= 0) {
        // close the finished bucket (and count skipped empty buckets as zero)
        long gap = Math.min(bucket - sp.bucket - 1, 100);
        learn(sp, sp.count);
        for (long i = 0; i < gap; i++) {
          learn(sp, 0);
        }
      }
      sp.bucket = bucket;
      sp.count = 0;
      sp.alerted = false;
      sp.samples.clear();
    }
    sp.count++;
    sample(sp.samples, e);
    if (!sp.alerted && sp.learned >= s.spikeWarmupBuckets() && learned(sp.firstSeen, e)
        && sp.count >= s.spikeMinRequests()
        && sp.count > s.spikeFactor() * Math.max(1.0, sp.baseline)) {
      sp.alerted = true;
      List<String> ev = new ArrayList<>(sp.samples);
      ev.add(0, sp.count + " requests in " + s.spikeBucket().toSeconds() + " s against a baseline of "
          + Math.round(sp.baseline));
      raise(e, SPIKE, Severity.MEDIUM, e.api(), "", "Traffic spike on API " + e.api(), ev);
    }
  }

  private void learn(Spike sp, long count) {
    // exponentially weighted baseline; spikes themselves are damped so they don't become normal
    double value = sp.learned >= s.spikeWarmupBuckets() ? Math.min(count, sp.baseline * s.spikeFactor()) : count;
    sp.baseline = sp.learned == 0 ? value : 0.8 * sp.baseline + 0.2 * value;
    sp.learned++;
  }

  private void enumeration(TrafficSample e) {
    String template = template(e);
    if (template == null || e.status() == 0) {
      return;
    }
    String id = lastVariable(template, e.path());
    if (id == null) {
      return;
    }
    String key = e.identity() + " " + e.api() + " " + template;
    Enumeration en = enumerations.computeIfAbsent(key, k -> new Enumeration());
    en.count(e, id, s);
    long numeric = parseLong(id);
    if (numeric != Long.MIN_VALUE && en.last != Long.MIN_VALUE && Math.abs(numeric - en.last) == 1) {
      en.run++;
    } else if (numeric != en.last) {
      en.run = 1;
    }
    en.last = numeric;
    if (shared != null) {
      // distinct ids counted cluster-wide (the answer comes later, on another thread); runs of
      // sequential ids stay a per-node detection
      shared.addDistinct(ENUMERATION + ":" + key, member(id), e.time(), s.window(), s.enumerationDistinctIds() * 2)
          .whenComplete((n, failed) -> sharedEnumeration(e, key, template, failed == null ? n : null));
      if (en.run >= s.enumerationSequentialRun()) {
        enumerationAlert(e, en, template, en.run + " consecutive sequential ids of " + template);
      }
      return;
    }
    boolean distinct = en.ids.size() >= s.enumerationDistinctIds();
    if (distinct || en.run >= s.enumerationSequentialRun()) {
      enumerationAlert(e, en, template, distinct
          ? en.ids.size() + " distinct ids of " + template + " within " + s.window().toSeconds() + " s"
          : en.run + " consecutive sequential ids of " + template);
    }
  }

  /** An id counted in the shared store ({@code count}: distinct ids when new, else 0), or counted here when it could not be ({@code null}). */
  private synchronized void sharedEnumeration(TrafficSample e, String key, String template, Long count) {
    Enumeration en = enumerations.computeIfAbsent(key, k -> new Enumeration());
    if (count != null && count == s.enumerationDistinctIds()) {
      enumerationAlert(e, en, template, count + " distinct ids of " + template + " within " + s.window().toSeconds()
          + " s across the cluster");
    } else if (count == null && en.ids.size() >= s.enumerationDistinctIds()) {
      enumerationAlert(e, en, template, en.ids.size() + " distinct ids of " + template + " within "
          + s.window().toSeconds() + " s");
    }
  }

  private void enumerationAlert(TrafficSample e, Enumeration en, String template, String summary) {
    List<String> ev = new ArrayList<>(en.samples);
    ev.add(0, summary);
    if (raise(e, ENUMERATION, Severity.HIGH, e.api(), e.identity(),
        "Object enumeration of " + e.api() + " " + template + " by " + e.identity(), ev)) {
      en.ids.clear();
      en.run = 0;
    }
  }

  /** An id as stored in the shared set: itself, or a digest when it is long (memory in the shared store is bounded). */
  private static String member(String id) {
    if (id.length() <= 64) {
      return id;
    }
    try {
      return "sha256:" + java.util.HexFormat.of().formatHex(
          java.security.MessageDigest.getInstance("SHA-256").digest(id.getBytes(java.nio.charset.StandardCharsets.UTF_8)));
    } catch (java.security.NoSuchAlgorithmException impossible) {
      throw new IllegalStateException(impossible);
    }
  }

  private void bruteForce(TrafficSample e) {
    if (e.status() != 401 && e.status() != 403) {
      return;
    }
    for (String identity : identities(e)) {
      if (shared != null) {
        // counted cluster-wide; the answer comes later, on another thread
        shared.add(BRUTE_FORCE + ":" + identity, e.time(), s.window())
            .whenComplete((count, failed) -> sharedFailure(e, identity, failed == null ? count : null));
        continue;
      }
      Window w = failures.computeIfAbsent(identity, k -> new Window());
      if (w.count(e, s.window()) >= s.bruteForceFailures()) {
        List<String> ev = new ArrayList<>(w.samples);
        ev.add(0, w.count + " answers 401/403 within " + s.window().toSeconds() + " s");
        raise(e, BRUTE_FORCE, Severity.HIGH, e.api(), identity, "Authentication brute force by " + identity, ev);
      }
    }
  }

  /** A failure counted in the shared store ({@code count}), or counted here when it could not be ({@code null}). */
  private synchronized void sharedFailure(TrafficSample e, String identity, Long count) {
    Window w = failures.computeIfAbsent(identity, k -> new Window());
    long local = w.count(e, s.window());
    long n = count != null ? count : local;
    boolean reached = count != null ? n == s.bruteForceFailures() : n >= s.bruteForceFailures();
    if (reached) {
      List<String> ev = new ArrayList<>(w.samples);
      ev.add(0, n + " answers 401/403 within " + s.window().toSeconds() + " s"
          + (count != null ? " across the cluster" : ""));
      raise(e, BRUTE_FORCE, Severity.HIGH, e.api(), identity, "Authentication brute force by " + identity, ev);
    }
  }

  private void injection(TrafficSample e) {
    if (e.injections().isEmpty()) {
      return;
    }
    raise(e, INJECTION, Severity.HIGH, e.api(), e.identity(),
        "Injection attempt (" + String.join(", ", e.injections()) + ") by " + e.identity(),
        List.of(e.describe(), "request " + e.requestId()));
  }

  private void largeResponse(TrafficSample e) {
    String template = template(e);
    if (template == null || e.status() < 200 || e.status() >= 300) {
      return;
    }
    String key = e.api() + " " + template;
    Sizes sz = sizes.computeIfAbsent(key, k -> new Sizes(e.time()));
    if (sz.n >= s.largeResponseWarmup() && learned(sz.firstSeen, e) && e.bytesOut() >= s.largeResponseMinBytes()
        && e.bytesOut() > s.largeResponseFactor() * Math.max(1.0, sz.mean)) {
      raise(e, LARGE_RESPONSE, Severity.MEDIUM, e.api(), e.identity(),
          "Unusually large response from " + key,
          List.of(e.describe() + " (" + e.bytesOut() + " bytes against a mean of " + Math.round(sz.mean) + ")"));
      return; // do not learn the outlier
    }
    sz.n++;
    sz.mean += (e.bytesOut() - sz.mean) / Math.min(sz.n, 1000);
  }

  private void scanning(TrafficSample e) {
    String identity = e.identity();
    Scan sc = scans.computeIfAbsent(identity, k -> new Scan());
    if (sc.start == null || e.time().isAfter(sc.start.plus(s.window()))) {
      sc.start = e.time();
      sc.endpoints.clear();
      sc.notFound = 0;
      sc.samples.clear();
    }
    String endpoint = e.api() + " " + e.method() + " " + PathNormalizer.template(e.path());
    if (sc.endpoints.size() < s.scanDistinctEndpoints() * 2) {
      sc.endpoints.add(endpoint);
    }
    if (e.status() == 404) {
      sc.notFound++;
      sample(sc.samples, e);
    } else if (sc.samples.size() < SAMPLES) {
      sample(sc.samples, e);
    }
    if (sc.endpoints.size() >= s.scanDistinctEndpoints() || sc.notFound >= s.scanNotFound()) {
      List<String> ev = new ArrayList<>(sc.samples);
      ev.add(0, sc.endpoints.size() + " distinct endpoints and " + sc.notFound + " answers 404 within "
          + s.window().toSeconds() + " s");
      raise(e, SCANNING, Severity.MEDIUM, "", identity, "Scanning by " + identity, ev);
    }
  }

  private void unseenParameter(TrafficSample e) {
    String template = template(e);
    if (template == null || e.status() == 0 || e.status() == 404) {
      return;
    }
    Params p = params.computeIfAbsent(e.api() + " " + template, k -> new Params(e.time()));
    Set<String> names = queryNames(e.query());
    if (p.seen < s.paramWarmup() || !learned(p.firstSeen, e)) {
      p.seen = Math.min(p.seen + 1, s.paramWarmup());
      for (String n : names) {
        if (p.names.size() < 64) {
          p.names.add(n);
        }
      }
      return;
    }
    for (String n : names) {
      if (!p.names.contains(n)) {
        if (raise(e, UNSEEN_PARAMETER, Severity.LOW, e.api(), e.identity(),
            "Unseen query parameter '" + n + "' on " + e.api() + " " + template, List.of(e.describe()))) {
          if (p.names.size() < 64) {
            p.names.add(n); // report each new name once
          }
        }
        return;
      }
    }
  }

  // ---------------------------------------------------------------- helpers

  /** Whether the learning period has passed between a key's first sample and {@code e}. */
  private boolean learned(Instant firstSeen, TrafficSample e) {
    return !e.time().isBefore(firstSeen.plus(s.learningPeriod()));
  }

  private boolean raise(TrafficSample e, String detector, Severity severity, String api, String identity, String title,
      List<String> evidence) {
    String key = detector + " " + api + " " + identity;
    Instant last = lastAlert.get(key);
    if (last != null && e.time().isBefore(last.plus(s.cooldown()))) {
      return false;
    }
    lastAlert.put(key, e.time());
    sink.accept(new ThreatAlert(UUID.randomUUID().toString(), e.time(), detector, severity, api, identity, title,
        evidence.size() > SAMPLES + 1 ? evidence.subList(0, SAMPLES + 1) : evidence));
    return true;
  }

  private static List<String> identities(TrafficSample e) {
    List<String> ids = new ArrayList<>(2);
    ids.add("ip:" + e.clientIp());
    if (e.subscription() != null && !e.subscription().isEmpty()) {
      ids.add("subscription:" + e.subscription());
    }
    return ids;
  }

  /** The templated path of the sample: the operation's template, else the discovered one; null when unrouted. */
  private static String template(TrafficSample e) {
    if (e.api().isEmpty()) {
      return null;
    }
    if (!e.operation().isEmpty()) {
      int sp = e.operation().indexOf(' ');
      return sp < 0 ? e.operation() : e.operation().substring(sp + 1);
    }
    return PathNormalizer.template(e.path());
  }

  /** The path segment standing where the template's last variable segment is, or null. */
  static String lastVariable(String template, String path) {
    String[] t = template.split("/", -1);
    String[] p = path.split("/", -1);
    int offset = p.length - t.length; // the path may carry the API prefix before the template
    if (offset < 0) {
      return null;
    }
    for (int i = t.length - 1; i >= 0; i--) {
      if (t[i].startsWith("{") && t[i].endsWith("}")) {
        String v = p[i + offset];
        return v.isEmpty() ? null : v;
      }
    }
    return null;
  }

  private static long parseLong(String s) {
    if (s.isEmpty() || s.length() > 18) {
      return Long.MIN_VALUE;
    }
    for (int i = 0; i < s.length(); i++) {
      if (!Character.isDigit(s.charAt(i))) {
        return Long.MIN_VALUE;
      }
    }
    return Long.parseLong(s);
  }

  private static Set<String> queryNames(String query) {
    Set<String> names = new HashSet<>();
    if (query == null || query.isEmpty()) {
      return names;
    }
    for (String pair : query.split("&")) {
      int eq = pair.indexOf('=');
      String n = eq < 0 ? pair : pair.substring(0, eq);
      if (!n.isEmpty() && names.size() < 32) {
        names.add(n.length() > 64 ? n.substring(0, 64) : n);
      }
    }
    return names;
  }

  private static void sample(Deque<String> samples, TrafficSample e) {
    if (samples.size() >= SAMPLES) {
      samples.removeFirst();
    }
    samples.addLast(e.describe());
  }

  private static <V> Map<String, V> lru(int max) {
    return new LinkedHashMap<>(16, 0.75f, true) {
      @Override
      protected boolean removeEldestEntry(Map.Entry<String, V> eldest) {
        return size() > max;
      }
    };
  }

  private static final class Spike {
    final Instant firstSeen;
    long bucket = -1;
    long count;
    int learned;
    double baseline;
    boolean alerted;
    final Deque<String> samples = new ArrayDeque<>();

    Spike(Instant firstSeen) {
      this.firstSeen = firstSeen;
    }
  }

  private static final class Enumeration {
    Instant start;
    final Set<String> ids = new HashSet<>();
    long last = Long.MIN_VALUE;
    int run;
    final Deque<String> samples = new ArrayDeque<>();

    /** Counts {@code id} in the tumbling window of {@code e}'s time (at most twice the threshold). */
    void count(TrafficSample e, String id, ThreatSettings s) {
      if (start == null || e.time().isAfter(start.plus(s.window()))) {
        start = e.time();
        ids.clear();
        samples.clear();
      }
      if (ids.size() < s.enumerationDistinctIds() * 2) {
        ids.add(id);
      }
      sample(samples, e);
    }
  }

  private static final class Window {
    Instant start;
    int count;
    final Deque<String> samples = new ArrayDeque<>();

    int count(TrafficSample e, Duration window) {
      if (start == null || e.time().isAfter(start.plus(window))) {
        start = e.time();
        count = 0;
        samples.clear();
      }
      count++;
      sample(samples, e);
      return count;
    }
  }

  private static final class Scan {
    Instant start;
    final Set<String> endpoints = new HashSet<>();
    int notFound;
    final Deque<String> samples = new ArrayDeque<>();
  }

  private static final class Sizes {
    final Instant firstSeen;
    long n;
    double mean;

    Sizes(Instant firstSeen) {
      this.firstSeen = firstSeen;
    }
  }

  private static final class Params {
    final Instant firstSeen;
    int seen;
    final Set<String> names = new HashSet<>();

    Params(Instant firstSeen) {
      this.firstSeen = firstSeen;
    }
  }

}
