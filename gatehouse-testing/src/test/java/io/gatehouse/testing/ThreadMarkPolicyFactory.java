package io.gatehouse.testing;

import io.gatehouse.policy.SyncPolicy;
import io.gatehouse.policy.PolicyFactory;
import java.util.Map;

/**
 * Test policy {@code thread-mark}: sets {@code X-Thread: event-loop} on the request when it runs on
 * a Vert.x event loop, {@code X-Thread: other} otherwise.
 */
public final class ThreadMarkPolicyFactory implements PolicyFactory {
  @Override
  public String name() {
    return "thread-mark";
  }

  @Override
  public Object create(Map<String, Object> config) {
    return (SyncPolicy) ctx -> {
      ctx.request().headers().set("X-Thread", io.vertx.core.Context.isOnEventLoopThread() ? "event-loop" : "other");
      return null;
    };
  }
}
