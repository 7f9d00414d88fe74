package io.gatehouse.policy;

/**
 * A policy that decides on the request and adjusts the response without waiting for I/O; the
 * engine runs runs of these in a plain loop, with no asynchronous machinery.
 *
 * <p>Threading: both methods run on the request's event loop and must never block.
 */
public interface SyncPolicy {

  /**
   * Inspects or changes the request; returns a response to short-circuit the pipeline, or
   * {@code null} to continue.
   */
  Response onRequest(PolicyContext ctx);

  /** Inspects or changes the response on its way back to the client; the default does nothing. */
  default void onResponse(PolicyContext ctx, Response response) {}
}
