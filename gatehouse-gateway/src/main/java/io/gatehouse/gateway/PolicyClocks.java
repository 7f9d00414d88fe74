package io.gatehouse.gateway;

import static java.util.Objects.requireNonNull;

import java.util.function.LongSupplier;

/**
 * The clocks that stateful policies read on the request path: rate-limit windows are measured on
 * {@code monotonicMillis}, so a wall-clock step neither resets nor freezes them; quota periods are
 * calendar periods of {@code wallMillis} (epoch milliseconds).
 *
 * @param wallMillis epoch milliseconds (the system clock; it may jump)
 * @param monotonicMillis milliseconds since an arbitrary origin that never goes back
 */
public record PolicyClocks(LongSupplier wallMillis, LongSupplier monotonicMillis) {
  public PolicyClocks {
    requireNonNull(wallMillis, "wallMillis");
    requireNonNull(monotonicMillis, "monotonicMillis");
  }

  /** {@link System#currentTimeMillis()} and {@link System#nanoTime()} in milliseconds. */
  public static PolicyClocks system() {
    return new PolicyClocks(System::currentTimeMillis, () -> System.nanoTime() / 1_000_000);
  }
}
