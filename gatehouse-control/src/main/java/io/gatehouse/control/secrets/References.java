package io.gatehouse.control.secrets;

import static java.util.Objects.requireNonNull;

import io.gatehouse.control.secrets.internal.VaultClient;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Resolves reference named values ({@code env:NAME}, {@code file:PATH}, {@code vault:MOUNT/PATH#FIELD})
 * at runtime, re-reads them every refresh interval, keeps the last good value when a source fails,
 * and records the outcome of every attempt in {@link #health()} and the log (never the value).
 * {@code env:} and {@code file:} references are read only when the {@link ReferenceAllowlist} allows
 * them, checked again on the real path right before each read.
 *
 * <p>Thread-safe; {@link #value(String)} may block on the first read of a reference, so call it off
 * event loops.
 */
public final class References implements AutoCloseable {
  /** The state of one reference; {@code error} is the last failure, or {@code null} after a success. */
  public record Health(String ref, boolean resolved, boolean lastAttemptOk, Instant lastSuccess,
      Instant lastAttempt, String error) {}

  private static final Logger LOG = LoggerFactory.getLogger(References.class);

  private final Map<String, String> env;
  private final ReferenceAllowlist allowlist;
  private final VaultClient vault;
  private final Duration refresh;
  private final Clock clock = Clock.systemUTC();
  private final Map<String, Entry> entries = new ConcurrentHashMap<>();
  private final List<Runnable> listeners = new CopyOnWriteArrayList<>();
  private ScheduledExecutorService scheduler;

  private static final class Entry {
    volatile String value;
    volatile Instant lastSuccess;
    volatile Instant lastAttempt;
    volatile String error;
  }

  private References(Map<String, String> env, ReferenceAllowlist allowlist, Duration refresh) {
    this.env = Map.copyOf(env);
    this.allowlist = allowlist;
    this.vault = VaultClient.fromEnvironment(env);
    this.refresh = refresh;
  }

  /**
   * References read from {@code env} (environment variables, and the {@code VAULT_*} settings of
   * {@link VaultClient}), refreshed every {@code refresh} once {@link #start()} is called; a
   * {@code file:} or {@code env:} reference is read only when {@code allowlist} allows it.
   */
  public static References create(Map<String, String> env, ReferenceAllowlist allowlist, Duration refresh) {
    requireNonNull(env, "env");
    requireNonNull(allowlist, "allowlist");
    requireNonNull(refresh, "refresh");
    if (refresh.isNegative() || refresh.isZero()) {
      throw new IllegalArgumentException("expected a positive refresh interval but got " + refresh);
    }
    return new References(env, allowlist, refresh);
  }

  /** Starts refreshing every interval on a daemon thread. */
  public synchronized References start() {
    if (scheduler == null) {
      scheduler = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "gatehouse-references");
        t.setDaemon(true);
        return t;
      });
      long ms = refresh.toMillis();
      scheduler.scheduleWithFixedDelay(this::refreshQuietly, ms, ms, TimeUnit.MILLISECONDS);
    }
    return this;
  }

  /** Which {@code file:} and {@code env:} references may be read. */
  public ReferenceAllowlist allowlist() {
    return allowlist;
  }

  /** Calls {@code listener} after a refresh that changed some value. */
  public void onChange(Runnable listener) {
    listeners.add(requireNonNull(listener, "listener"));
  }

  /**
   * The current value of {@code ref}: the last good one, read now when never tried; empty when it
   * has never resolved.
   */
  public Optional<String> value(String ref) {
    requireNonNull(ref, "ref");
    Entry e = entries.get(ref);
    if (e == null) {
      e = entries.computeIfAbsent(ref, r -> new Entry());
      synchronized (e) {
        if (e.lastAttempt == null) {
          attempt(ref, e);
        }
      }
    }
    return Optional.ofNullable(e.value);
  }

  /** Forgets references no longer in use. */
  public void retain(Collection<String> refs) {
    entries.keySet().retainAll(refs);
  }

  /**
   * Re-reads every known reference now, keeping the last good value on failure.
   *
   * @return whether some value changed
   */
  public boolean refreshNow() {
    boolean changed = false;
    for (Map.Entry<String, Entry> me : entries.entrySet()) {
      Entry e = me.getValue();
      synchronized (e) {
        String before = e.value;
        attempt(me.getKey(), e);
        changed |= !Objects.equals(before, e.value);
      }
    }
    if (changed) {
      for (Runnable l : listeners) {
        try {
          l.run();
        } catch (RuntimeException ex) {
          LOG.error("reference change listener failed", ex);
        }
      }
    }
    return changed;
  }

  /** The state of every known reference, sorted by reference. */
  public List<Health> health() {
    List<Health> out = new ArrayList<>();
    entries.forEach((ref, e) -> out.add(new Health(ref, e.value != null, e.error == null, e.lastSuccess,
        e.lastAttempt, e.error)));
    out.sort((a, b) -> a.ref().compareTo(b.ref()));
    return out;
  }

  @Override
  public synchronized void close() {
    if (scheduler != null) {
      scheduler.shutdownNow();
    }
  }

  private void refreshQuietly() {
    try {
      refreshNow();
    } catch (RuntimeException e) {
      LOG.error("refreshing references failed", e);
    }
  }

  private void attempt(String ref, Entry e) {
    e.lastAttempt = clock.instant();
    try {
      e.value = read(ref);
      e.lastSuccess = e.lastAttempt;
      if (e.error != null) {
        LOG.info("reference {} resolves again", ref);
      }
      e.error = null;
    } catch (IOException | RuntimeException ex) {
      String message = ex.getMessage() == null ? ex.getClass().getSimpleName() : ex.getMessage();
      boolean first = e.error == null;
      e.error = message;
      if (first) {
        LOG.warn("reference {} cannot be read ({}); {}", ref, message,
            e.value == null ? "it has no value yet" : "keeping its last good value");
      }
    } catch (InterruptedException ex) {
      Thread.currentThread().interrupt();
      e.error = "interrupted";
    }
  }

  private String read(String ref) throws IOException, InterruptedException {
    if (ref.startsWith("env:")) {
      Optional<String> refused = allowlist.refusal(ref);
      if (refused.isPresent()) {
        throw new IOException(refused.get());
      }
      String v = env.get(ref.substring(4));
      if (v == null) {
        throw new IOException("environment variable " + ref.substring(4) + " is not set");
      }
      return v;
    }
    if (ref.startsWith("file:")) {
      return Files.readString(allowlist.file(ref), StandardCharsets.UTF_8).strip();
    }
    if (ref.startsWith("vault:")) {
      if (vault == null) {
        throw new IOException("VAULT_ADDR is not set");
      }
      String spec = ref.substring(6);
      int hash = spec.lastIndexOf('#');
      if (hash <= 0) {
        throw new IllegalArgumentException("expected vault:MOUNT/PATH#FIELD but got '" + ref + "'");
      }
      return vault.read(spec.substring(0, hash), spec.substring(hash + 1));
    }
    throw new IllegalArgumentException("expected env:, file: or vault: but got '" + ref + "'");
  }
}
