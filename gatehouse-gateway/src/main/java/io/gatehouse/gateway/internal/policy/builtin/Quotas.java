package io.gatehouse.gateway.internal.policy.builtin;

import io.gatehouse.gateway.internal.counters.CounterStore;
import io.gatehouse.gateway.internal.policy.Expression;
import io.gatehouse.gateway.internal.policy.GatewayContext;
import io.gatehouse.gateway.internal.policy.PolicyCompiler;
import io.gatehouse.gateway.internal.policy.PolicyConfig;
import io.gatehouse.gateway.internal.policy.Section;
import io.gatehouse.model.PolicyNames;
import io.gatehouse.policy.PolicyConfigException;
import io.gatehouse.policy.PolicyContext;
import io.gatehouse.policy.Response;
import io.gatehouse.policy.SyncPolicy;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.util.Locale;
import java.util.function.Function;
import java.util.function.LongSupplier;

/** {@code quota} and {@code quota-by-key}: calls and body bytes per long renewal period, durable. */
final class Quotas {
  private Quotas() {}

  /** Longest fixed renewal period; longer ones must be written {@code month}. */
  static final Duration MAX_PERIOD = Duration.ofDays(31);

  /** Calls and/or bandwidth per renewal period per subscription (per client address without one). */
  static final class Quota extends Base {
    Quota() {
      super(PolicyNames.QUOTA);
    }

    @Override
    public io.gatehouse.policy.Policy create(PolicyConfig c, Section section, PolicyCompiler compiler) {
      requestSectionsOnly(name(), section);
      return SharedLimits.quota(c, compiler, QuotaPolicy.of(c, compiler, ctx -> {
        String s = gw(ctx).subscriptionName();
        return s.isEmpty() ? "ip:" + ctx.clientIp() : "sub:" + s;
      }));
    }
  }

  /** Calls and/or bandwidth per renewal period per key computed with CEL. */
  static final class QuotaByKey extends Base {
    QuotaByKey() {
      super(PolicyNames.QUOTA_BY_KEY);
    }

    @Override
    public io.gatehouse.policy.Policy create(PolicyConfig c, Section section, PolicyCompiler compiler) {
      requestSectionsOnly(name(), section);
      Expression key = compiler.expression("key", c.requiredString("key"), false);
      return SharedLimits.quota(c, compiler, QuotaPolicy.of(c, compiler, ctx -> "key:" + key.string(gw(ctx))));
    }
  }

  /** A renewal period: a fixed length aligned on the epoch (UTC), or the calendar month (UTC). */
  record Period(long millis, boolean month) {
    static Period parse(PolicyConfig c) {
      Object raw = c.raw("renewal-period");
      if (raw == null) {
        throw new PolicyConfigException("renewal-period", "is required, for example 1h, 1d, 30d or month");
      }
      if (raw instanceof String s && s.trim().toLowerCase(Locale.ROOT).equals("month")) {
        return new Period(0, true);
      }
      Duration d = c.duration("renewal-period", null);
      if (d.compareTo(Duration.ofSeconds(1)) < 0 || d.compareTo(MAX_PERIOD) > 0) {
        throw new PolicyConfigException("renewal-period",
            "expected from 1s to 31d, or 'month', but got '" + raw + "'");
      }
      return new Period(d.toMillis(), false);
    }

    /** {@code [start, end)} of the window containing {@code now}. */
    long[] window(long now) {
      if (!month) {
        long start = now - Math.floorMod(now, millis);
        return new long[] {start, start + millis};
      }
      ZonedDateTime t = Instant.ofEpochMilli(now).atZone(ZoneOffset.UTC);
      ZonedDateTime start = t.withDayOfMonth(1).toLocalDate().atStartOfDay(ZoneOffset.UTC);
      return new long[] {start.toInstant().toEpochMilli(), start.plusMonths(1).toInstant().toEpochMilli()};
    }

    String describe() {
      return month ? "calendar month" : Duration.ofMillis(millis).toString().substring(2).toLowerCase(Locale.ROOT);
    }
  }

  /**
   * The policy: refuses with 403 once the window's calls or bytes reached their limit; counts
   * calls when admitted and body bytes (request plus response) when the exchange completes.
   */
  static final class QuotaPolicy implements SyncPolicy {
    private final CounterStore store;
    private final String counter;
    private final long calls;
    private final long bandwidth;
    private final Period period;
    private final Function<PolicyContext, String> keyOf;
    private final LongSupplier clock;

    private QuotaPolicy(CounterStore store, String counter, long calls, long bandwidth, Period period,
        Function<PolicyContext, String> keyOf, LongSupplier clock) {
      this.clock = clock;
      this.store = store;
      this.counter = counter;
      this.calls = calls;
      this.bandwidth = bandwidth;
      this.period = period;
      this.keyOf = keyOf;
    }

    static QuotaPolicy of(PolicyConfig c, PolicyCompiler compiler, Function<PolicyContext, String> keyOf) {
      long calls = c.number("calls", 0, 1, Long.MAX_VALUE / 2);
      long bandwidth = c.number("bandwidth", 0, 1, Long.MAX_VALUE / 2);
      if (calls == 0 && bandwidth == 0) {
        throw new PolicyConfigException("calls", "expected 'calls', 'bandwidth' or both");
      }
      Period period = Period.parse(c);
      // Default counter: the scope the policy is configured in, by name (apis[orders].policies).
      String counter = c.string("counter", compiler == null ? "" : compiler.scopeIdentity());
      CounterStore store = compiler == null ? CounterStore.inMemory() : compiler.counters();
      // wall time that never goes back: a backward step keeps counting in the latest period seen
      LongSupplier clock = compiler == null ? System::currentTimeMillis : compiler.states()::wallMillisNeverBack;
      return new QuotaPolicy(store, counter + "|" + period.describe() + "|", calls, bandwidth, period, keyOf, clock);
    }

    @Override
    public Response onRequest(PolicyContext ctx) {
      return check(ctx, calls, bandwidth);
    }

    /**
     * Counts a call of {@code ctx} in this node's store against {@code calls} and {@code bandwidth}
     * (0: the policy counts no calls, or no bytes): null when admitted, else the 403.
     */
    Response check(PolicyContext ctx, long calls, long bandwidth) {
      String key = key(ctx);
      long now = clock.getAsLong();
      long[] w = period.window(now);
      long resetSeconds = Math.max(1, (w[1] - now + 999) / 1000);
      if (bandwidth > 0) {
        long used = store.get(key + "|bytes", w[0]);
        if (used >= bandwidth) {
          return refuse(ctx, bandwidth, "bytes", resetSeconds);
        }
      }
      if (calls > 0 && store.addIfWithin(key + "|calls", w[0], w[1], 1, calls) < 0) {
        return refuse(ctx, calls, "calls", resetSeconds);
      }
      if (bandwidth > 0) {
        String bytesKey = key + "|bytes";
        long start = w[0];
        long end = w[1];
        ((GatewayContext) ctx).onComplete(bytes -> {
          if (bytes > 0) {
            store.add(bytesKey, start, end, bytes);
          }
        });
      }
      return null;
    }

    /** The counter key of {@code ctx}: the counter, the period and the subscription or key. */
    String key(PolicyContext ctx) {
      return counter + keyOf.apply(ctx);
    }

    /** {@code [start, end)} of the current window, on the quota clock (wall time that never goes back). */
    long[] window() {
      return period.window(clock.getAsLong());
    }

    long calls() {
      return calls;
    }

    long bandwidth() {
      return bandwidth;
    }

    Response refuse(PolicyContext ctx, long limit, String unit, long resetSeconds) {
      Response r = ctx.problem(403, "Quota Exceeded", "the quota of " + limit + " " + unit + " per "
          + period.describe() + " is used up; it renews in " + resetSeconds + " s");
      r.headers().set("Retry-After", Long.toString(resetSeconds))
          .set("RateLimit-Limit", Long.toString(limit))
          .set("RateLimit-Remaining", "0")
          .set("RateLimit-Reset", Long.toString(resetSeconds));
      return r;
    }
  }
}
