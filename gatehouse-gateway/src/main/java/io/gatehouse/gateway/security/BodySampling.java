package io.gatehouse.gateway.security;

import static java.util.Objects.requireNonNull;

import java.util.concurrent.ThreadLocalRandom;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The process-wide body sampler: when installed, the gateway copies the first
 * {@link Settings#maxBytes()} bytes of the textual request and response bodies of a random
 * {@link Settings#rate()} share of forwarded requests into a {@link BodySample} handed to the sink
 * once the response has ended. Bodies still stream (the copy is taken as chunks pass); with nothing
 * installed the check is one volatile read.
 */
public final class BodySampling {
  private static final Logger LOG = LoggerFactory.getLogger(BodySampling.class);
  private static volatile Installed installed;

  private record Installed(Settings settings, Consumer<BodySample> sink) {}

  /**
   * How much is sampled.
   *
   * @param rate the share of forwarded requests sampled, 0 to 1
   * @param maxBytes bytes copied per body, 1 to 1 MiB
   */
  public record Settings(double rate, int maxBytes) {
    public Settings {
      if (!(rate >= 0 && rate <= 1)) {
        throw new IllegalArgumentException("expected a sampling rate from 0 to 1 but got " + rate);
      }
      if (maxBytes < 1 || maxBytes > 1 << 20) {
        throw new IllegalArgumentException("expected sampled bytes from 1 to 1048576 but got " + maxBytes);
      }
    }
  }

  private BodySampling() {}

  /**
   * Installs {@code sink}, called on the request's event loop (it must only enqueue, never block);
   * returns a handle that removes it.
   */
  public static AutoCloseable install(Settings settings, Consumer<BodySample> sink) {
    requireNonNull(settings, "settings");
    requireNonNull(sink, "sink");
    Installed i = new Installed(settings, sink);
    installed = i;
    return () -> {
      if (installed == i) {
        installed = null;
      }
    };
  }

  /** The bytes to copy per body when this request is to be sampled, else 0. */
  public static int choose() {
    Installed i = installed;
    if (i == null || i.settings.rate() <= 0) {
      return 0;
    }
    if (i.settings.rate() < 1 && ThreadLocalRandom.current().nextDouble() >= i.settings.rate()) {
      return 0;
    }
    return i.settings.maxBytes();
  }

  /** Hands {@code sample} to the sink, if one is still installed; a failing sink is logged. */
  public static void publish(BodySample sample) {
    Installed i = installed;
    if (i == null) {
      return;
    }
    try {
      i.sink.accept(sample);
    } catch (RuntimeException e) {
      LOG.warn("body sample sink failed: {}", e.toString());
    }
  }
}
