package io.gatehouse.insight.threat;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.function.Consumer;

/** Keeps the newest {@code capacity} alerts in memory (older ones are dropped and counted); thread-safe. */
public final class AlertStore implements Consumer<ThreatAlert> {
  private final int capacity;
  private final Deque<ThreatAlert> alerts = new ArrayDeque<>();
  private long dropped;

  /** A store of at most {@code capacity} alerts. */
  public AlertStore(int capacity) {
    if (capacity < 1) {
      throw new IllegalArgumentException("capacity must be at least 1 but was " + capacity);
    }
    this.capacity = capacity;
  }

  @Override
  public synchronized void accept(ThreatAlert alert) {
    if (alerts.size() >= capacity) {
      alerts.removeFirst();
      dropped++;
    }
    alerts.addLast(alert);
  }

  /** The stored alerts, newest first. */
  public synchronized List<ThreatAlert> list() {
    List<ThreatAlert> out = new ArrayList<>(alerts);
    java.util.Collections.reverse(out);
    return out;
  }

  /** Alerts dropped because the store was full. */
  public synchronized long dropped() {
    return dropped;
  }
}
