package io.gatehouse.insight.threat;

import static java.util.Objects.requireNonNull;

import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;

/**
 * Blocks an alert's identity ({@code ip:...} or {@code subscription:...}) for a time to live after
 * alerts of the chosen detectors, never blocking allowlisted identities; bounded and thread-safe.
 */
public final class TemporaryBlocklist implements Consumer<ThreatAlert> {
  private final Duration ttl;
  private final Set<String> detectors;
  private final Set<String> allowlist;
  private final int capacity;
  private final Map<String, Instant> until = new LinkedHashMap<>();

  /**
   * @param ttl how long a block lasts
   * @param detectors detector ids whose alerts block; empty means every detector
   * @param allowlist identities never blocked, e.g. {@code ip:10.0.0.1}
   * @param capacity the most identities blocked at once (the oldest block is lifted beyond)
   */
  public TemporaryBlocklist(Duration ttl, Set<String> detectors, Set<String> allowlist, int capacity) {
    this.ttl = requireNonNull(ttl, "ttl");
    this.detectors = Set.copyOf(detectors);
    this.allowlist = Set.copyOf(allowlist);
    this.capacity = capacity;
  }

  @Override
  public synchronized void accept(ThreatAlert alert) {
    if (alert.identity().isEmpty() || allowlist.contains(alert.identity())
        || (!detectors.isEmpty() && !detectors.contains(alert.detector()))) {
      return;
    }
    until.remove(alert.identity());
    until.put(alert.identity(), alert.time().plus(ttl));
    while (until.size() > capacity) {
      until.remove(until.keySet().iterator().next());
    }
  }

  /** The identities blocked at {@code now} and until when, oldest block first. */
  public synchronized Map<String, Instant> blocked(Instant now) {
    Map<String, Instant> out = new LinkedHashMap<>();
    until.forEach((identity, u) -> {
      if (now.isBefore(u)) {
        out.put(identity, u);
      }
    });
    return out;
  }

  /** Whether {@code identity} is blocked at {@code now}. */
  public synchronized boolean isBlocked(String identity, Instant now) {
    Instant u = until.get(identity);
    if (u == null) {
      return false;
    }
    if (!now.isBefore(u)) {
      until.remove(identity);
      return false;
    }
    return true;
  }

  /** Whether the client at {@code ip} or with {@code subscription} (nullable) is blocked at {@code now}. */
  public boolean isBlocked(String ip, String subscription, Instant now) {
    return isBlocked("ip:" + ip, now)
        || (subscription != null && !subscription.isEmpty() && isBlocked("subscription:" + subscription, now));
  }
}
