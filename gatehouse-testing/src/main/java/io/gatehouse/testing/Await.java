package io.gatehouse.testing;

import static java.util.Objects.requireNonNull;

import java.time.Duration;
import java.util.function.BooleanSupplier;
import java.util.function.Predicate;
import java.util.function.Supplier;

/**
 * Waits in tests for a condition that another thread makes true: polls it until it holds, and
 * fails with what was awaited once a generous deadline passes (a deadline against hangs, never a
 * timing assertion).
 */
public final class Await {
  /** How long {@link #until(String, BooleanSupplier)} waits before it fails. */
  public static final Duration DEADLINE = Duration.ofSeconds(15);

  private Await() {}

  /** Returns once {@code condition} holds; throws an {@link AssertionError} naming {@code what} after {@link #DEADLINE}. */
  public static void until(String what, BooleanSupplier condition) {
    requireNonNull(what, "what");
    requireNonNull(condition, "condition");
    long deadline = System.nanoTime() + DEADLINE.toNanos();
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() - deadline > 0) {
        throw new AssertionError("still waiting after " + DEADLINE.toSeconds() + " s for " + what);
      }
      try {
        Thread.sleep(10);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new AssertionError("interrupted while waiting for " + what, e);
      }
    }
  }

  /**
   * Returns once {@code condition} holds for the value {@code value} gives; throws an
   * {@link AssertionError} naming {@code what} and the last value seen after {@link #DEADLINE}.
   */
  public static <T> void until(String what, Supplier<T> value, Predicate<T> condition) {
    requireNonNull(value, "value");
    requireNonNull(condition, "condition");
    java.util.concurrent.atomic.AtomicReference<T> last = new java.util.concurrent.atomic.AtomicReference<>();
    try {
      until(what, () -> {
        T v = value.get();
        last.set(v);
        return condition.test(v);
      });
    } catch (AssertionError e) {
      throw new AssertionError(e.getMessage() + " (last seen: " + last.get() + ")", e.getCause());
    }
  }
}
