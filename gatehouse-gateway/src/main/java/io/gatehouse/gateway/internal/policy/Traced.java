package io.gatehouse.gateway.internal.policy;

import io.gatehouse.gateway.debug.DebugSessions;
import io.gatehouse.policy.PolicyContext;
import io.gatehouse.policy.Response;

/**
 * Runs synchronous policy steps while recording their decisions in a request's debug trace. Only
 * called when the exchange is being debugged: the untraced path calls the policy directly after
 * one null check.
 */
public final class Traced {
  private Traced() {}

  /** Marks {@code step} as started in {@code trace}; returns the handle to end it with. */
  public static int start(DebugSessions.Recorder trace, Step step) {
    return trace.policyStarted(step.scope.level().name().toLowerCase(java.util.Locale.ROOT), step.section.key(), step.name, step.position, step.location);
  }

  /** Ends {@code handle}: continued when {@code r} is null, else short-circuited with its status. */
  public static void end(DebugSessions.Recorder trace, int handle, Response r) {
    if (r == null) {
      trace.policyEnded(handle, DebugSessions.CONTINUED, 0);
    } else {
      trace.policyEnded(handle, DebugSessions.SHORT_CIRCUITED, r.status());
    }
  }

  /** {@code step}'s request hook, recorded (a failure stays open and is ended by {@link DebugSessions.Recorder#policiesFailed}). */
  public static Response onRequest(DebugSessions.Recorder trace, Step step, PolicyContext ctx) {
    int handle = start(trace, step);
    Response r = step.sync.onRequest(ctx);
    end(trace, handle, r);
    return r;
  }

  /**
   * {@code step} in a response section (outbound, on-error): its request hook, which may replace the
   * response, then, when it did not, its response hook on {@code response}.
   */
  public static Response onResponseSection(DebugSessions.Recorder trace, Step step, PolicyContext ctx, Response response) {
    int handle = start(trace, step);
    Response replaced = step.sync.onRequest(ctx);
    if (replaced == null) {
      step.sync.onResponse(ctx, response);
    }
    end(trace, handle, replaced);
    return replaced;
  }

  /** Records the steps of a branch that was not taken as skipped. */
  public static void skipped(DebugSessions.Recorder trace, Step[] steps) {
    for (Step s : steps) {
      trace.policySkipped(s.scope.level().name().toLowerCase(java.util.Locale.ROOT), s.section.key(), s.name, s.position, s.location);
    }
  }
}
