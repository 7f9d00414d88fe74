package io.gatehouse.gateway.internal.policy.builtin;

import io.gatehouse.gateway.internal.policy.Expression;
import io.gatehouse.gateway.internal.policy.GatewayContext;
import io.gatehouse.gateway.internal.policy.PolicyCompiler;
import io.gatehouse.gateway.internal.policy.PolicyConfig;
import io.gatehouse.gateway.internal.policy.Section;
import io.gatehouse.model.PolicyNames;
import io.gatehouse.policy.AttributeKey;
import io.gatehouse.policy.PolicyContext;
import io.gatehouse.policy.Response;
import io.gatehouse.policy.SyncPolicy;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import java.util.function.LongSupplier;

/** {@code rate-limit-by-key}, {@code rate-limit} and {@code limit-concurrency}. */
final class RateLimits {
  private RateLimits() {}

  /** Calls per period by a key computed with CEL. */
  static final class RateLimitByKey extends Base {
    RateLimitByKey() {
      super(PolicyNames.RATE_LIMIT_BY_KEY);
    }

    @Override
    public io.gatehouse.policy.Policy create(PolicyConfig c, Section section, PolicyCompiler compiler) {
      requestSectionsOnly(name(), section);
      long calls = c.requiredNumber("calls", 1, Integer.MAX_VALUE);
      Duration period = c.duration("period", null);
      if (period == null) {
        throw new io.gatehouse.policy.PolicyConfigException("period", "is required, for example 10s or 1m");
      }
      Expression key = compiler.expression("key", c.requiredString("key"), false);
      String counter = c.string("counter", null);
      FixedWindowLimiter local = new FixedWindowLimiter((int) calls, period.toMillis(), ctx -> key.string(gw(ctx)),
          compiler.state(name(), counter, Windows.class, Windows::new),
          compiler.states()::monotonicMillis);
      return SharedLimits.rateLimit(c, compiler, name(), counter, local);
    }
  }

  /** Calls per period per subscription (per client address when the request has no subscription). */
  static final class RateLimit extends Base {
    RateLimit() {
      super(PolicyNames.RATE_LIMIT);
    }

    @Override
    public io.gatehouse.policy.Policy create(PolicyConfig c, Section section, PolicyCompiler compiler) {
      requestSectionsOnly(name(), section);
      long calls = c.requiredNumber("calls", 1, Integer.MAX_VALUE);
      Duration period = c.duration("period", null);
      if (period == null) {
        throw new io.gatehouse.policy.PolicyConfigException("period", "is required, for example 10s or 1m");
      }
      String counter = c.string("counter", null);
      FixedWindowLimiter local = new FixedWindowLimiter((int) calls, period.toMillis(), ctx -> {
        String s = gw(ctx).subscriptionName();
        return s.isEmpty() ? "ip:" + ctx.clientIp() : "sub:" + s;
      }, compiler.state(name(), counter, Windows.class, Windows::new),
          compiler.states()::monotonicMillis);
      return SharedLimits.rateLimit(c, compiler, name(), counter, local);
    }
  }

  /** The windows of one rate-limit policy identity, by key; kept across snapshots. */
  static final class Windows {
    final Map<String, Window> byKey = new ConcurrentHashMap<>();
  }

  private static final class Window {
    long start;
    int count;
  }

  /**
   * A fixed-window counter per key, exact under concurrency (each window is updated under its own
   * lock); state is per gateway node and belongs to the policy's identity, so it survives reloads.
   * Windows are measured on the monotonic clock, so a wall-clock step neither resets nor freezes them.
   */
  static final class FixedWindowLimiter implements SyncPolicy {
    private static final int SWEEP_ABOVE = 10_000;
    private final int limit;
    private final long periodMillis;
    private final Function<PolicyContext, String> keyOf;
    private final Map<String, Window> windows;
    private final AttributeKey<long[]> admitted = AttributeKey.of("rate-limit", long[].class);
    private final LongSupplier clock;

    FixedWindowLimiter(int limit, long periodMillis, Function<PolicyContext, String> keyOf, Windows windows,
        LongSupplier monotonicMillis) {
      this.clock = monotonicMillis;
      this.limit = limit;
      this.periodMillis = periodMillis;
      this.keyOf = keyOf;
      this.windows = windows.byKey;
    }

    @Override
    public Response onRequest(PolicyContext ctx) {
      return check(ctx, keyOf.apply(ctx), limit);
    }

    /** The key of {@code ctx}'s counter. */
    String key(PolicyContext ctx) {
      return keyOf.apply(ctx);
    }

    int limit() {
      return limit;
    }

    long periodMillis() {
      return periodMillis;
    }

    /** Counts a call of {@code key} in this node's window against {@code limit}: null when admitted, else the 429. */
    Response check(PolicyContext ctx, String key, int limit) {
      long now = clock.getAsLong();
      long start = now - Math.floorMod(now, periodMillis);
      if (windows.size() > SWEEP_ABOVE) {
        windows.values().removeIf(w -> {
          synchronized (w) {
            return w.start < start;
          }
        });
      }
      Window w = windows.computeIfAbsent(key, k -> new Window());
      int count;
      synchronized (w) {
        if (w.start != start) {
          w.start = start;
          w.count = 0;
        }
        count = w.count < limit ? ++w.count : -1;
      }
      long resetSeconds = Math.max(1, (start + periodMillis - now + 999) / 1000);
      if (count < 0) {
        Response r = ctx.problem(429, "Too Many Requests",
            "the rate limit of " + limit + " calls per " + periodMillis / 1000.0 + " s is exceeded");
        r.headers().set("Retry-After", Long.toString(resetSeconds));
        headers(r, 0, resetSeconds);
        return r;
      }
      ctx.set(admitted, new long[] {limit - count, resetSeconds});
      return null;
    }

    /** The 429 of a call refused by the shared count. */
    Response refuse(PolicyContext ctx, long resetSeconds) {
      Response r = ctx.problem(429, "Too Many Requests",
          "the rate limit of " + limit + " calls per " + periodMillis / 1000.0 + " s is exceeded");
      r.headers().set("Retry-After", Long.toString(resetSeconds));
      headers(r, 0, resetSeconds);
      return r;
    }

    @Override
    public void onResponse(PolicyContext ctx, Response response) {
      long[] a = ctx.get(admitted);
      if (a != null) {
        headers(response, a[0], a[1]);
      }
    }

    void headers(Response r, long remaining, long reset) {
      r.headers().set("RateLimit-Limit", Integer.toString(limit))
          .set("RateLimit-Remaining", Long.toString(remaining))
          .set("RateLimit-Reset", Long.toString(reset));
    }
  }

  /** At most {@code max-count} requests in flight through this policy at once. */
  static final class LimitConcurrency extends Base {
    LimitConcurrency() {
      super(PolicyNames.LIMIT_CONCURRENCY);
    }

    @Override
    public io.gatehouse.policy.Policy create(PolicyConfig c, Section section, PolicyCompiler compiler) {
      requestSectionsOnly(name(), section);
      int max = (int) c.requiredNumber("max-count", 1, Integer.MAX_VALUE);
      // in flight through this policy's identity: requests admitted under an earlier snapshot count
      String counter = c.string("counter", null);
      AtomicInteger inFlight = compiler.state(name(), counter, AtomicInteger.class, AtomicInteger::new);
      SyncPolicy local = ctx -> {
        if (inFlight.incrementAndGet() > max) {
          inFlight.decrementAndGet();
          return ctx.problem(429, "Too Many Requests", "more than " + max + " requests are in flight");
        }
        ((GatewayContext) ctx).onEnd(inFlight::decrementAndGet);
        return null;
      };
      return SharedLimits.concurrency(c, compiler, name(), counter, max, inFlight, local);
    }
  }
}
