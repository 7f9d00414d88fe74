package io.gatehouse.testing;

import io.gatehouse.policy.Policy;
import io.gatehouse.policy.PolicyConfigException;
import io.gatehouse.policy.PolicyFactory;
import java.util.Map;
import java.util.Set;

/**
 * Example custom policy, found through ServiceLoader: an asynchronous {@link Policy} that stamps
 * {@code X-Stamp: <value>} on the request and on the response.
 */
public final class StampPolicyFactory implements PolicyFactory {
  @Override
  public String name() {
    return "stamp";
  }

  @Override
  public Object create(Map<String, Object> config) {
    for (String key : config.keySet()) {
      if (!Set.of("value").contains(key)) {
        throw new PolicyConfigException(key, "unknown field '" + key + "'; expected 'value'");
      }
    }
    Object value = config.get("value");
    if (!(value instanceof String s) || s.isEmpty()) {
      throw new PolicyConfigException("value", "expected a non-empty string but got " + value);
    }
    return (Policy) (ctx, next) -> {
      ctx.request().headers().set("X-Stamp", s);
      return next.proceed(ctx).thenApply(r -> {
        r.headers().set("X-Stamp", s);
        return r;
      });
    };
  }
}
