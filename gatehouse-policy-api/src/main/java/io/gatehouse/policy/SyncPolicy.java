package io.gatehouse.policy;

import java.util.concurrent.CompletionStage;

/**
 * A policy that decides on the request and adjusts the response without waiting for I/O; the
 * engine runs runs of these in a plain loop, with no asynchronous machinery.
 *
 * <p>Its {@link #apply} (used only where a {@link Policy} is expected, for example inside a custom
 * policy) calls {@link #onRequest}, then the chain, then {@link #onResponse}.
 *
 * <p>Threading: both methods run on the request's event loop and must never block.
 */
public interface SyncPolicy extends Policy {

  /**
   * Inspects or changes the request; returns a response to short-circuit the pipeline, or
   * {@code null} to continue.
   */
  Response onRequest(PolicyContext ctx);

  /** Inspects or changes the response on its way back to the client; the default does nothing. */
  default void onResponse(PolicyContext ctx, Response response) {}

  @Override
  default CompletionStage<Response> apply(PolicyContext ctx, PolicyChain next) {
    Response early = onRequest(ctx);
    if (early != null) {
      return ctx.completed(early);
    }
    return next.proceed(ctx).thenApply(r -> {
      onResponse(ctx, r);
      return r;
    });
  }
}
