package io.gatehouse.gateway.events;

/**
 * Receives every published {@link TrafficEvent}, one at a time, on the gateway's single event
 * thread (never on an event loop), so it may do blocking I/O but slows every other consumer.
 *
 * <p>An exception thrown by {@link #accept} is logged and the event goes on to the next consumer.
 */
@FunctionalInterface
public interface TrafficEventConsumer {

  /** Handles one event; called on the event thread only. */
  void accept(TrafficEvent event);
}
