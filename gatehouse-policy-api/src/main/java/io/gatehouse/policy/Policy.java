package io.gatehouse.policy;

import java.util.concurrent.CompletionStage;

/**
 * A policy wraps the rest of the request pipeline: it may inspect or change the request, call
 * {@code next} zero or one time, and inspect or change the response it returns.
 *
 * <p>Returning a response without calling {@code next} short-circuits the pipeline (the backend is
 * not called). Policies that never wait for I/O should implement {@link SyncPolicy} instead, which
 * the engine runs without allocating a {@link CompletionStage}.
 *
 * <p>Threading: {@code apply} runs on the event loop that owns the request; it must never block.
 */
@FunctionalInterface
public interface Policy {

  /** Runs this policy around {@code next}; the returned stage completes with the response to send. */
  CompletionStage<Response> apply(PolicyContext ctx, PolicyChain next);
}
