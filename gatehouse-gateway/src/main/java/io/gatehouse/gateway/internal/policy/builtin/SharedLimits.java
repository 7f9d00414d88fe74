package io.gatehouse.gateway.internal.policy.builtin;

import io.gatehouse.gateway.internal.counters.SharedCounterStore;
import io.gatehouse.gateway.internal.policy.GatewayContext;
import io.gatehouse.gateway.internal.policy.PolicyCompiler;
import io.gatehouse.gateway.internal.policy.PolicyConfig;
import io.gatehouse.policy.Policy;
import io.gatehouse.policy.PolicyChain;
import io.gatehouse.policy.PolicyContext;
import io.gatehouse.policy.Response;
import io.gatehouse.policy.SyncPolicy;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;

/**
 * The cluster-wide variants of {@code rate-limit}, {@code rate-limit-by-key}, {@code quota},
 * {@code quota-by-key} and {@code limit-concurrency}: each decision is one atomic check in the
 * {@link SharedCounterStore}; while the store is unreachable, each policy follows its
 * {@code on-store-failure}: {@code open} decides by this node's own count against the limit
 * divided by the live nodes, {@code closed} answers 503.
 *
 * <p>Threading: the store completes on its I/O thread; the decision and the rest of the chain then
 * run on the request's Vert.x context again.
 */
final class SharedLimits {
  private SharedLimits() {}

  /** The configuration field, and its default. */
  static final String FIELD = "on-store-failure";
  static final String DEFAULT = "open";

  /** Reads {@code on-store-failure} (validated with or without a shared store): true for {@code open}. */
  static boolean open(PolicyConfig c) {
    return c.oneOf(FIELD, DEFAULT, "open", "closed").equals("open");
  }

  /** {@code limit} divided by the live nodes, at least 1. */
  static long perNode(long limit, SharedCounterStore store) {
    return Math.max(1, limit / Math.max(1, store.liveNodes()));
  }

  /** The identity under which a policy counts in the shared store (as {@link PolicyCompiler#state}). */
  private static String identity(PolicyCompiler compiler, String policyName, String counter) {
    return (counter == null ? compiler.identity() : "counter:" + counter) + "|" + policyName;
  }

  static io.gatehouse.policy.Policy rateLimit(PolicyConfig c, PolicyCompiler compiler, String name, String counter,
      RateLimits.FixedWindowLimiter local) {
    boolean open = open(c);
    SharedCounterStore store = compiler.states().shared();
    if (store == null) {
      return local;
    }
    String id = identity(compiler, name, counter) + "|";
    return (Policy) (ctx, next) -> {
      String key = local.key(ctx);
      Supplier<CompletionStage<Response>> fallback = () -> {
        store.countFallback(open);
        if (!open) {
          return done(unavailable(ctx, name));
        }
        Response refused = local.check(ctx, key, (int) perNode(local.limit(), store));
        return refused != null ? done(refused) : next.proceed(ctx).thenApply(r -> {
          local.onResponse(ctx, r);
          return r;
        });
      };
      if (!store.available()) {
        return fallback.get();
      }
      return hop(store.window(id + key, local.periodMillis(), local.limit()), (r, e) -> {
        if (e != null) {
          return fallback.get();
        }
        long resetSeconds = Math.max(1, (r[1] + 999) / 1000);
        if (r[0] < 0) {
          return done(local.refuse(ctx, resetSeconds));
        }
        long remaining = local.limit() - r[0];
        return next.proceed(ctx).thenApply(resp -> {
          local.headers(resp, remaining, resetSeconds);
          return resp;
        });
      });
    };
  }

  static io.gatehouse.policy.Policy quota(PolicyConfig c, PolicyCompiler compiler, Quotas.QuotaPolicy local) {
    boolean open = open(c);
    SharedCounterStore store = compiler == null ? null : compiler.states().shared();
    if (store == null) {
      return local;
    }
    return (Policy) (ctx, next) -> {
      Supplier<CompletionStage<Response>> fallback = () -> {
        store.countFallback(open);
        if (!open) {
          return done(unavailable(ctx, "quota"));
        }
        Response refused = local.check(ctx, local.calls() == 0 ? 0 : perNode(local.calls(), store),
            local.bandwidth() == 0 ? 0 : perNode(local.bandwidth(), store));
        return refused != null ? done(refused) : next.proceed(ctx);
      };
      if (!store.available()) {
        return fallback.get();
      }
      String key = local.key(ctx);
      long[] w = local.window();
      return hop(store.quota(key, w[0], w[1], local.calls(), local.bandwidth()), (r, e) -> {
        if (e != null) {
          return fallback.get();
        }
        long resetSeconds = Math.max(1, (w[1] - System.currentTimeMillis() + 999) / 1000);
        if (r == -2) {
          return done(local.refuse(ctx, local.bandwidth(), "bytes", resetSeconds));
        }
        if (r == -1) {
          return done(local.refuse(ctx, local.calls(), "calls", resetSeconds));
        }
        if (local.bandwidth() > 0) {
          ((GatewayContext) ctx).onComplete(bytes -> {
            if (bytes > 0) {
              store.addBytes(key, w[0], w[1], bytes);
            }
          });
        }
        return next.proceed(ctx);
      });
    };
  }

  static io.gatehouse.policy.Policy concurrency(PolicyConfig c, PolicyCompiler compiler, String name, String counter, int max,
      AtomicInteger inFlight, SyncPolicy local) {
    boolean open = open(c);
    SharedCounterStore store = compiler.states().shared();
    if (store == null) {
      return local;
    }
    String id = identity(compiler, name, counter);
    return (Policy) (ctx, next) -> {
      Supplier<CompletionStage<Response>> fallback = () -> {
        store.countFallback(open);
        if (!open) {
          return done(unavailable(ctx, name));
        }
        long perNode = perNode(max, store);
        if (inFlight.incrementAndGet() > perNode) {
          inFlight.decrementAndGet();
          return done(ctx.problem(429, "Too Many Requests", "more than " + max + " requests are in flight"));
        }
        ((GatewayContext) ctx).onEnd(inFlight::decrementAndGet);
        return next.proceed(ctx);
      };
      if (!store.available()) {
        return fallback.get();
      }
      return hop(store.acquire(id, max), (lease, e) -> {
        if (e != null) {
          return fallback.get();
        }
        if (lease == null) {
          return done(ctx.problem(429, "Too Many Requests", "more than " + max + " requests are in flight"));
        }
        ((GatewayContext) ctx).onEnd(lease::release);
        return next.proceed(ctx);
      });
    };
  }

  /** The 503 of a policy whose counters are unreachable and whose {@code on-store-failure} is {@code closed}. */
  private static Response unavailable(PolicyContext ctx, String policy) {
    Response r = ctx.problem(503, "Service Unavailable",
        "the " + policy + " counters are unreachable and this limit is configured to refuse then (on-store-failure: closed)");
    r.headers().set("Retry-After", "1");
    return r;
  }

  private static CompletionStage<Response> done(Response r) {
    return CompletableFuture.completedFuture(r);
  }

  /** What to do with a store answer or failure. */
  private interface Decision<T> {
    CompletionStage<Response> decide(T value, Throwable error);
  }

  /** Runs {@code decide} with the outcome of {@code stage} on the caller's Vert.x context (directly without one). */
  private static <T> CompletionStage<Response> hop(CompletionStage<T> stage, Decision<T> decide) {
    Context vx = Vertx.currentContext();
    CompletableFuture<Response> out = new CompletableFuture<>();
    stage.whenComplete((v, e) -> {
      Runnable run = () -> {
        CompletionStage<Response> s;
        try {
          s = decide.decide(v, e);
        } catch (RuntimeException ex) {
          out.completeExceptionally(ex);
          return;
        }
        s.whenComplete((r, ex) -> {
          if (ex != null) {
            out.completeExceptionally(ex);
          } else {
            out.complete(r);
          }
        });
      };
      if (vx == null) {
        run.run();
      } else {
        vx.runOnContext(x -> run.run());
      }
    });
    return out;
  }
}
