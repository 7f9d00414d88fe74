package io.gatehouse.gateway.events;

/**
 * The gateway's traffic-event stream: a bounded queue filled by the request path without ever
 * blocking it, drained by one thread that hands each event to the subscribed consumers.
 *
 * <p>When the queue is full the event is dropped and counted in {@link #dropped()}. With no
 * consumer subscribed the gateway does not build events at all.
 */
public interface TrafficEvents {

  /** Adds {@code consumer}; it sees events published from now on. */
  void subscribe(TrafficEventConsumer consumer);

  /** Removes {@code consumer}; returns whether it was subscribed. */
  boolean unsubscribe(TrafficEventConsumer consumer);

  /** Events accepted onto the queue since start. */
  long published();

  /** Events dropped because the queue was full, since start. */
  long dropped();

  /** Events waiting in the queue now. */
  int depth();

  /** The queue's capacity. */
  int capacity();
}
