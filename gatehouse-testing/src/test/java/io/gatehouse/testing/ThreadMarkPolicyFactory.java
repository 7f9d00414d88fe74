package io.gatehouse.testing;

import io.gatehouse.policy.Policy;
import io.gatehouse.policy.PolicyFactory;
import io.gatehouse.policy.PolicyScope;
import io.gatehouse.policy.SyncPolicy;

/**
 * Test policy {@code thread-mark}: sets {@code X-Thread: event-loop} on the request when it runs on
 * a Vert.x event loop, {@code X-Thread: other} otherwise.
 */
public final class ThreadMarkPolicyFactory implements PolicyFactory<ThreadMarkPolicyFactory.Config> {

  /** No configuration. */
  public record Config() {}

  @Override
  public String name() {
    return "thread-mark";
  }

  @Override
  public Class<Config> configType() {
    return Config.class;
  }

  @Override
  public Policy create(Config config, PolicyScope scope) {
    return (SyncPolicy) ctx -> {
      ctx.request().headers().set("X-Thread", io.vertx.core.Context.isOnEventLoopThread() ? "event-loop" : "other");
      return null;
    };
  }
}
