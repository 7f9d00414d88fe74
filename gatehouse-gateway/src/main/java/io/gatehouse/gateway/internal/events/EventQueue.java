package io.gatehouse.gateway.internal.events;

import static java.util.Objects.requireNonNull;

import io.gatehouse.gateway.events.TrafficEvent;
import io.gatehouse.gateway.events.TrafficEventConsumer;
import io.gatehouse.gateway.events.TrafficEvents;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A bounded {@link ArrayBlockingQueue} of traffic events drained by one daemon thread that fans
 * each event out to the subscribed consumers. {@link #publish} never blocks: a full queue drops
 * the event and counts it.
 */
public final class EventQueue implements TrafficEvents, AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(EventQueue.class);

  private final ArrayBlockingQueue<TrafficEvent> queue;
  private final CopyOnWriteArrayList<TrafficEventConsumer> consumers = new CopyOnWriteArrayList<>();
  private final LongAdder published = new LongAdder();
  private final LongAdder dropped = new LongAdder();
  private final Thread thread;
  private volatile boolean active;
  private volatile boolean closed;
  private long lastFailureLog;

  /** A queue holding at most {@code capacity} events; its thread starts at once. */
  public EventQueue(int capacity) {
    if (capacity < 1) {
      throw new IllegalArgumentException("event queue capacity must be at least 1 but was " + capacity);
    }
    queue = new ArrayBlockingQueue<>(capacity);
    thread = new Thread(this::run, "gatehouse-events");
    thread.setDaemon(true);
    thread.start();
  }

  /** Whether any consumer is subscribed; when not, callers skip building events. */
  public boolean active() {
    return active;
  }

  /** Offers {@code event}; drops and counts it when the queue is full. Never blocks. */
  public void publish(TrafficEvent event) {
    if (queue.offer(event)) {
      published.increment();
    } else {
      dropped.increment();
    }
  }

  @Override
  public void subscribe(TrafficEventConsumer consumer) {
    consumers.add(requireNonNull(consumer, "consumer"));
    active = true;
  }

  @Override
  public boolean unsubscribe(TrafficEventConsumer consumer) {
    boolean removed = consumers.remove(consumer);
    active = !consumers.isEmpty();
    return removed;
  }

  @Override
  public long published() {
    return published.sum();
  }

  @Override
  public long dropped() {
    return dropped.sum();
  }

  @Override
  public int depth() {
    return queue.size();
  }

  @Override
  public int capacity() {
    return queue.size() + queue.remainingCapacity();
  }

  private void run() {
    while (true) {
      TrafficEvent event;
      try {
        event = closed ? queue.poll() : queue.poll(1, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        if (closed) {
          continue;
        }
        Thread.currentThread().interrupt();
        return;
      }
      if (event == null) {
        if (closed) {
          return;
        }
        continue;
      }
      for (TrafficEventConsumer consumer : consumers) {
        try {
          consumer.accept(event);
        } catch (RuntimeException e) {
          long now = System.nanoTime();
          if (now - lastFailureLog > TimeUnit.SECONDS.toNanos(10) || lastFailureLog == 0) {
            lastFailureLog = now;
            LOG.warn("traffic event consumer {} failed", consumer, e);
          }
        }
      }
    }
  }

  /** Stops the thread once it has delivered the events still queued; does not wait for it. */
  @Override
  public void close() {
    closed = true;
    thread.interrupt();
  }
}
