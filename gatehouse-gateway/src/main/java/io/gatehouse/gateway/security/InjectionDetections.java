package io.gatehouse.gateway.security;

import static java.util.Objects.requireNonNull;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The process-wide stream of {@link InjectionDetection}s raised by {@code injection-protection}
 * policies; listeners are called on the request's event loop and must only hand the detection off
 * (enqueue), never block.
 */
public final class InjectionDetections {
  private static final Logger LOG = LoggerFactory.getLogger(InjectionDetections.class);
  private static final List<Consumer<InjectionDetection>> LISTENERS = new CopyOnWriteArrayList<>();

  private InjectionDetections() {}

  /** Adds {@code listener}; returns a handle that removes it. */
  public static AutoCloseable subscribe(Consumer<InjectionDetection> listener) {
    requireNonNull(listener, "listener");
    LISTENERS.add(listener);
    return () -> LISTENERS.remove(listener);
  }

  /** Hands {@code detection} to every listener; a failing listener is logged and skipped. */
  public static void publish(InjectionDetection detection) {
    for (Consumer<InjectionDetection> l : LISTENERS) {
      try {
        l.accept(detection);
      } catch (RuntimeException e) {
        LOG.warn("injection detection listener failed: {}", e.toString());
      }
    }
  }
}
