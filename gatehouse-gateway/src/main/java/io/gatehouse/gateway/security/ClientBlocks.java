package io.gatehouse.gateway.security;

import static java.util.Objects.requireNonNull;

import java.util.function.BiPredicate;

/**
 * The process-wide temporary block check consulted by the gateway after the subscription key is
 * resolved: a blocked client gets 403 {@code client-blocked}; with nothing installed the check is
 * one volatile read.
 */
public final class ClientBlocks {
  private static volatile BiPredicate<String, String> check;

  private ClientBlocks() {}

  /**
   * Installs {@code blocked(clientIp, subscriptionOrNull)}, called on event loops (must not block);
   * returns a handle that removes it.
   */
  public static AutoCloseable install(BiPredicate<String, String> blocked) {
    requireNonNull(blocked, "blocked");
    check = blocked;
    return () -> {
      if (check == blocked) {
        check = null;
      }
    };
  }

  /** Whether a check is installed. */
  public static boolean active() {
    return check != null;
  }

  /** Whether the client at {@code ip} with {@code subscription} (nullable) is blocked now. */
  public static boolean isBlocked(String ip, String subscription) {
    BiPredicate<String, String> c = check;
    return c != null && c.test(ip, subscription);
  }
}
