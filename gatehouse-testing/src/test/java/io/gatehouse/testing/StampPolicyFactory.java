package io.gatehouse.testing;

import io.gatehouse.policy.Policy;
import io.gatehouse.policy.PolicyConfigException;
import io.gatehouse.policy.PolicyFactory;
import io.gatehouse.policy.PolicyScope;
import io.gatehouse.policy.Required;

/**
 * Example custom policy, found through ServiceLoader: an asynchronous {@link Policy} that stamps
 * {@code X-Stamp: <value>} on the request and on the response.
 */
public final class StampPolicyFactory implements PolicyFactory<StampPolicyFactory.Config> {

  /** The configuration: {@code value}, required, at most 100 characters. */
  public record Config(@Required String value) {
    public Config {
      if (value.length() > 100) {
        throw new PolicyConfigException("value", "expected at most 100 characters");
      }
    }
  }

  @Override
  public String name() {
    return "stamp";
  }

  @Override
  public Class<Config> configType() {
    return Config.class;
  }

  @Override
  public Policy create(Config config, PolicyScope scope) {
    String s = config.value();
    return (ctx, next) -> {
      ctx.request().headers().set("X-Stamp", s);
      return next.proceed(ctx).thenApply(r -> {
        r.headers().set("X-Stamp", s);
        return r;
      });
    };
  }
}
