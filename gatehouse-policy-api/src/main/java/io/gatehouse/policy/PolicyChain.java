package io.gatehouse.policy;

import java.util.concurrent.CompletionStage;

/** The rest of the pipeline after the current policy, ending with the call to the backend. */
@FunctionalInterface
public interface PolicyChain {

  /** Runs the remaining policies and the backend call with the context's current request. */
  CompletionStage<Response> proceed(PolicyContext ctx);
}
