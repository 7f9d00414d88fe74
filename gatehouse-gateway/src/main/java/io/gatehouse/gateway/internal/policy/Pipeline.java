package io.gatehouse.gateway.internal.policy;

/**
 * The compiled policies for one (API, operation, product) combination, with scopes already
 * nested: {@link #down} holds the inbound then the backend section, run on the way to the backend
 * (their response hooks run in reverse on the way back); {@link #outbound} runs on the backend's
 * response; {@link #onError} on a failure.
 */
public final class Pipeline {
  public final Step[] down;
  public final int inboundCount;
  public final Step[] outbound;
  public final Step[] onError;

  Pipeline(Step[] inbound, Step[] backend, Step[] outbound, Step[] onError) {
    this.down = new Step[inbound.length + backend.length];
    System.arraycopy(inbound, 0, down, 0, inbound.length);
    System.arraycopy(backend, 0, down, inbound.length, backend.length);
    this.inboundCount = inbound.length;
    this.outbound = outbound;
    this.onError = onError;
  }

  boolean isEmpty() {
    return down.length == 0 && outbound.length == 0 && onError.length == 0;
  }
}
