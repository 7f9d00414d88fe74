package io.gatehouse.gateway.internal.jwt;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/** A {@link KeySource} over an inline JWK Set that never changes. */
final class StaticKeySource implements KeySource {
  private final Keys keys;
  private final CompletableFuture<Keys> completed;

  StaticKeySource(KeyRing ring) {
    this.keys = new Keys(ring, null);
    this.completed = CompletableFuture.completedFuture(keys);
  }

  @Override
  public Keys current() {
    return keys;
  }

  @Override
  public CompletionStage<Keys> load() {
    return completed;
  }

  @Override
  public CompletionStage<Keys> refetch() {
    return completed;
  }
}
