package io.gatehouse.server.internal;

import static java.util.Objects.requireNonNull;

import io.gatehouse.control.analytics.Aggregate;
import io.gatehouse.control.analytics.AggregateKey;
import io.gatehouse.control.analytics.AnalyticsRetention;
import io.gatehouse.control.analytics.AnalyticsStore;
import io.gatehouse.control.cluster.NodeReport;
import io.gatehouse.control.cluster.internal.ReportCodec;
import io.gatehouse.gateway.events.TrafficEvent;
import io.gatehouse.gateway.events.TrafficEventConsumer;
import io.gatehouse.gateway.security.InjectionDetection;
import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A gateway node's telemetry for the control plane: its per-minute analytics (this is the
 * {@link AnalyticsStore} that the node's {@code Analytics} flushes into) and the requests it
 * served (for discovery and threat detection), sent over the node's mutual-TLS channel every
 * {@code every}.
 *
 * <p>While the control plane is away both wait in bounded buffers: analytics are merged per minute
 * and key, histograms encoded (at most {@link #MAX_ROWS} rows; beyond, the oldest minute is dropped
 * and counted), and go at most {@link #REPORT_ROWS} rows per report;
 * requests are queued (at most {@link #MAX_REQUESTS}; beyond, new ones are dropped and counted).
 * A report keeps its batch id until the control plane takes it, so a report sent again after a
 * lost answer is recognised there and not counted twice.
 */
final class NodeTelemetry implements AnalyticsStore, TrafficEventConsumer, AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(NodeTelemetry.class);
  /** Analytics rows (minute and key) kept while the control plane is away (histograms kept encoded: about 0.5 KB a row). */
  static final int MAX_ROWS = 100_000;
  /** Analytics rows in one report (each is decoded into a histogram while the report is built and read). */
  static final int REPORT_ROWS = 5_000;
  /** Requests kept while the control plane is away. */
  static final int MAX_REQUESTS = 50_000;
  /** Debug traces kept while the control plane is away; beyond, new ones are dropped. */
  static final int MAX_TRACES = 1_000;

  /** Sends a report; answers the control plane's status, throws when it is unreachable. */
  interface Channel {
    int send(NodeReport report) throws IOException, InterruptedException;
  }

  private final Channel channel;
  private final TreeMap<Long, Map<AggregateKey, Pending>> minutes = new TreeMap<>();
  private final ArrayDeque<NodeReport.ObservedRequest> requests = new ArrayDeque<>();
  private final ArrayDeque<NodeReport.DebugTrace> traces = new ArrayDeque<>();
  private final AtomicLong droppedRows = new AtomicLong();
  private final AtomicLong droppedRequests = new AtomicLong();
  private final AtomicLong sent = new AtomicLong();
  private final Map<String, List<String>> injections = new LinkedHashMap<>(16, 0.75f, true) {
    @Override
    protected boolean removeEldestEntry(Map.Entry<String, List<String>> eldest) {
      return size() > 10_000;
    }
  };
  private final ScheduledExecutorService sender;
  private int rows;
  private NodeReport inflight;
  private boolean warned;
  private boolean closed;
  private volatile int lastRefusal;

  private NodeTelemetry(Channel channel, ScheduledExecutorService sender) {
    this.channel = channel;
    this.sender = sender;
  }

  /** Telemetry sent through {@code channel} every {@code every} on its own daemon thread. */
  static NodeTelemetry start(Channel channel, Duration every) {
    requireNonNull(channel, "channel");
    ScheduledExecutorService sender = Executors.newSingleThreadScheduledExecutor(r -> {
      Thread t = new Thread(r, "gatehouse-node-reports");
      t.setDaemon(true);
      return t;
    });
    NodeTelemetry t = new NodeTelemetry(channel, sender);
    sender.scheduleWithFixedDelay(t::sendQuietly, every.toMillis(), every.toMillis(), TimeUnit.MILLISECONDS);
    return t;
  }

  /** Telemetry that sends only when {@link #send()} is called, for tests. */
  static NodeTelemetry manual(Channel channel) {
    return new NodeTelemetry(requireNonNull(channel, "channel"), null);
  }

  // ---------------------------------------------------------------- analytics: the outbox store

  @Override
  public void merge(Map<Long, Map<AggregateKey, Aggregate>> batch) {
    synchronized (this) {
      for (Map.Entry<Long, Map<AggregateKey, Aggregate>> m : batch.entrySet()) {
        Map<AggregateKey, Pending> keys = minutes.computeIfAbsent(m.getKey(), k -> new HashMap<>());
        for (Map.Entry<AggregateKey, Aggregate> k : m.getValue().entrySet()) {
          Pending p = keys.get(k.getKey());
          if (p == null) {
            keys.put(k.getKey(), new Pending(k.getValue()));
            rows++;
          } else {
            p.add(k.getValue());
          }
        }
      }
      while (rows > MAX_ROWS && minutes.size() > 1) {
        Map<AggregateKey, Pending> oldest = minutes.pollFirstEntry().getValue();
        rows -= oldest.size();
        droppedRows.addAndGet(oldest.size());
        LOG.warn("analytics buffer full while the control plane is away: dropped {} rows of the oldest minute",
            oldest.size());
      }
    }
  }

  @Override
  public int mergeOnce(String node, String batch, Map<Long, Map<AggregateKey, Aggregate>> batchMinutes) {
    merge(batchMinutes);
    return 0;
  }

  @Override
  public void scanEncoded(Grain grain, long fromMillis, long toMillis, Map<String, String> filters,
      java.util.Collection<String> dimensions, boolean latency, EncodedRowSink sink) {
    // a gateway node keeps nothing: its analytics are answered by the control plane
  }

  @Override
  public int purge(Instant now, AnalyticsRetention retention) {
    return 0;
  }

  /** One buffered row: totals and the latency histogram kept encoded (a few hundred bytes instead of kilobytes). */
  private static final class Pending {
    long requests;
    long errors;
    long bytesIn;
    long bytesOut;
    byte[] latency;

    Pending(Aggregate a) {
      requests = a.requests();
      errors = a.errors();
      bytesIn = a.bytesIn();
      bytesOut = a.bytesOut();
      latency = a.encodedLatency();
    }

    void add(Aggregate a) {
      Aggregate sum = aggregate();
      sum.merge(a);
      requests = sum.requests();
      errors = sum.errors();
      bytesIn = sum.bytesIn();
      bytesOut = sum.bytesOut();
      latency = sum.encodedLatency();
    }

    Aggregate aggregate() {
      return Aggregate.decoded(requests, errors, bytesIn, bytesOut, latency);
    }
  }

  // ---------------------------------------------------------------- requests

  /** Records the injection categories found in a request, for its coming traffic event. */
  void detected(InjectionDetection d) {
    List<String> cats = d.findings().stream().map(f -> f.category().name()).distinct().toList();
    synchronized (injections) {
      injections.put(d.requestId(), cats);
    }
  }

  @Override
  public void accept(TrafficEvent e) {
    List<String> cats;
    synchronized (injections) {
      cats = injections.remove(e.requestId());
    }
    NodeReport.ObservedRequest r = new NodeReport.ObservedRequest(e.time().toEpochMilli(), nz(e.requestId()),
        nz(e.clientIp()), nz(e.subscription()), nz(e.api()), nz(e.operation()), e.method(), e.path(), nz(e.query()),
        e.status(), e.bytesOut(), cats == null ? List.of() : cats, e.backendStatus() != null);
    synchronized (this) {
      if (requests.size() >= MAX_REQUESTS) {
        droppedRequests.incrementAndGet();
        return;
      }
      requests.add(r);
    }
  }

  /** Queues a request recorded with debug session {@code session}'s token ({@code trace}: the recorded request as JSON). */
  void traced(String session, com.fasterxml.jackson.databind.JsonNode trace) {
    NodeReport.DebugTrace t = new NodeReport.DebugTrace(session, trace);
    synchronized (this) {
      if (traces.size() < MAX_TRACES) {
        traces.add(t);
      }
    }
  }

  private static String nz(String s) {
    return s == null ? "" : s;
  }

  // ---------------------------------------------------------------- sending

  /** Analytics rows dropped because the buffer was full. */
  long droppedRows() {
    return droppedRows.get();
  }

  /** Requests dropped because the buffer was full. */
  long droppedRequests() {
    return droppedRequests.get();
  }

  /** Reports the control plane took. */
  long sent() {
    return sent.get();
  }

  /** Whether something waits to be sent. */
  synchronized boolean pending() {
    return inflight != null || !minutes.isEmpty() || !requests.isEmpty() || !traces.isEmpty();
  }

  /** The report being sent, for tests: sent again unchanged until the control plane takes it. */
  synchronized NodeReport inflight() {
    return inflight;
  }

  /**
   * Sends what waits, one report after another, until nothing is left or the control plane does
   * not take one (it stays, with its batch id, for the next call).
   *
   * @throws IOException when the control plane is unreachable
   */
  void send() throws IOException, InterruptedException {
    for (int i = 0; i < 100; i++) {
      NodeReport report = next();
      if (report == null) {
        return;
      }
      int status = channel.send(report);
      if (status == 503 || status == 429 || status == 502 || status == 504) {
        return; // the control plane cannot take it now: the same report goes again later
      }
      synchronized (this) {
        inflight = null;
      }
      if (status / 100 == 2) {
        sent.incrementAndGet();
        lastRefusal = 0;
      } else if (status != lastRefusal) { // once per change of answer, not once a second
        LOG.warn("control plane refused a report ({}): it is dropped, and so are later ones it refuses alike", status);
        lastRefusal = status;
      }
    }
  }

  private synchronized NodeReport next() {
    if (inflight != null) {
      return inflight;
    }
    if (minutes.isEmpty() && requests.isEmpty() && traces.isEmpty()) {
      return null;
    }
    Map<Long, Map<AggregateKey, Aggregate>> part = new HashMap<>();
    int taken = 0;
    // whole minutes while they fit; a minute larger than a report is split over several
    while (!minutes.isEmpty() && taken < REPORT_ROWS) {
      Map.Entry<Long, Map<AggregateKey, Pending>> m = minutes.firstEntry();
      Map<AggregateKey, Aggregate> out = part.computeIfAbsent(m.getKey(), k -> new HashMap<>());
      java.util.Iterator<Map.Entry<AggregateKey, Pending>> it = m.getValue().entrySet().iterator();
      while (it.hasNext() && taken < REPORT_ROWS) {
        Map.Entry<AggregateKey, Pending> k = it.next();
        out.put(k.getKey(), k.getValue().aggregate());
        it.remove();
        taken++;
        rows--;
      }
      if (m.getValue().isEmpty()) {
        minutes.pollFirstEntry();
      }
    }
    List<NodeReport.ObservedRequest> out = new java.util.ArrayList<>();
    while (!requests.isEmpty() && out.size() < ReportCodec.MAX_REQUESTS) {
      out.add(requests.poll());
    }
    List<NodeReport.DebugTrace> debug = new java.util.ArrayList<>();
    while (!traces.isEmpty() && debug.size() < ReportCodec.MAX_TRACES) {
      debug.add(traces.poll());
    }
    inflight = new NodeReport(UUID.randomUUID().toString(), part, out, debug);
    return inflight;
  }

  private void sendQuietly() {
    try {
      send();
      if (warned) {
        LOG.info("reports reach the control plane again");
        warned = false;
      }
    } catch (IOException e) {
      if (!warned) {
        LOG.warn("cannot report to the control plane ({}); keeping analytics and requests until it answers",
            e.toString());
        warned = true;
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (RuntimeException e) {
      LOG.warn("report failed: {}", e.toString());
    }
  }

  /** Stops the sender, then makes one last attempt to send what waits (call after the analytics' last flush). */
  @Override
  public void close() {
    synchronized (this) {
      if (closed) {
        return;
      }
      closed = true;
    }
    if (sender != null) {
      sender.shutdown();
      try {
        sender.awaitTermination(5, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      }
    }
    sendQuietly();
  }
}
