package io.gatehouse.gateway.internal.jwt;

import java.util.concurrent.CompletionStage;

/** Supplies the verification keys of a {@link JwtValidator}; implementations are thread-safe. */
interface KeySource {

  /**
   * The keys and, from OIDC discovery, the issuer.
   *
   * @param ring the usable keys
   * @param discoveredIssuer the {@code issuer} of the discovery document, or null
   */
  record Keys(KeyRing ring, String discoveredIssuer) {}

  /** Returns the cached keys without blocking (may start a background refresh), or null. */
  Keys current();

  /** Returns the cached keys, loading them first when none are cached. */
  CompletionStage<Keys> load();

  /**
   * Fetches the keys again because a token names a key that is not cached; rate-limited, so it
   * may complete with the cached keys without fetching.
   */
  CompletionStage<Keys> refetch();
}
