package io.gatehouse.gateway.internal.policy.builtin;

import io.gatehouse.gateway.internal.policy.Expression;
import io.gatehouse.gateway.internal.policy.GatewayContext;
import io.gatehouse.gateway.internal.policy.PolicyCompiler;
import io.gatehouse.gateway.internal.policy.PolicyConfig;
import io.gatehouse.gateway.internal.policy.Section;
import io.gatehouse.model.PolicyNames;
import io.gatehouse.policy.Body;
import io.gatehouse.policy.Policy;
import io.gatehouse.policy.PolicyChain;
import io.gatehouse.policy.PolicyConfigException;
import io.gatehouse.policy.PolicyContext;
import io.gatehouse.policy.Response;
import io.gatehouse.policy.SyncPolicy;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;

/** {@code set-backend-service}, {@code forward-request}, {@code retry} and {@code send-request}. */
final class RoutingPolicies {
  private RoutingPolicies() {}

  /** Sends the request to another configured backend, or to a base URL. */
  static final class SetBackendService extends Base {
    SetBackendService() {
      super(PolicyNames.SET_BACKEND_SERVICE);
    }

    @Override
    public io.gatehouse.policy.Policy create(PolicyConfig c, Section section, PolicyCompiler compiler) {
      requestSectionsOnly(name(), section);
      boolean byName = c.has("backend-id");
      boolean byUrl = c.has("base-url");
      if (byName == byUrl) {
        throw new PolicyConfigException("backend-id", "give exactly one of 'backend-id' and 'base-url'");
      }
      Object backend;
      if (byName) {
        backend = compiler.backendNamed("backend-id", c.string("backend-id", null));
      } else {
        String url = c.string("base-url", null);
        if (url != null && io.gatehouse.model.OutboundUrls.userInfoProblem(url) != null) {
          throw new PolicyConfigException("base-url", io.gatehouse.model.OutboundUrls.userInfoProblem(url));
        }
        URI u;
        try {
          u = new URI(url);
        } catch (java.net.URISyntaxException e) {
          throw new PolicyConfigException("base-url", "expected an http or https URL but got '" + url + "'");
        }
        if (u.getHost() == null || !("http".equals(u.getScheme()) || "https".equals(u.getScheme()))) {
          throw new PolicyConfigException("base-url", "expected an http or https URL but got '" + url + "'");
        }
        backend = compiler.backendAt("base-url", url);
      }
      return (SyncPolicy) ctx -> {
        gw(ctx).backend(backend);
        return null;
      };
    }
  }

  /** Overrides how long the backend has to answer. */
  static final class ForwardRequest extends Base {
    ForwardRequest() {
      super(PolicyNames.FORWARD_REQUEST);
    }

    @Override
    public io.gatehouse.policy.Policy create(PolicyConfig c, Section section, PolicyCompiler compiler) {
      requestSectionsOnly(name(), section);
      Duration timeout = c.duration("timeout", null);
      if (timeout == null) {
        throw new PolicyConfigException("timeout", "is required: how long the backend has to answer, such as 30s");
      }
      long ms = timeout.toMillis();
      return (SyncPolicy) ctx -> {
        gw(ctx).forwardTimeout(ms);
        return null;
      };
    }
  }

  /** Repeats the rest of the pipeline (and the backend call) while a condition holds. */
  static final class Retry extends Base {
    Retry() {
      super(PolicyNames.RETRY);
    }

    @Override
    public io.gatehouse.policy.Policy create(PolicyConfig c, Section section, PolicyCompiler compiler) {
      requestSectionsOnly(name(), section);
      Expression condition = compiler.expression("condition", c.requiredString("condition"), true);
      int count = (int) c.requiredNumber("count", 1, 10);
      long interval = c.has("interval") ? c.duration("interval", null).toMillis() : 0;
      String backoff = c.oneOf("backoff", "fixed", "fixed", "exponential");
      long maxInterval = c.duration("max-interval", Duration.ofSeconds(30)).toMillis();
      int max = (int) c.number("max-size", 1 << 20, 0, Integer.MAX_VALUE);
      boolean onFailure = c.bool("retry-on-failure", true);
      RetryLoop loop = new RetryLoop(condition, count, interval, backoff.equals("exponential"), maxInterval, onFailure);
      return (Policy) (ctx, next) -> {
        Body body = ctx.request().body();
        if (body.isBuffered()) {
          return loop.run(ctx, next, 0);
        }
        // A streamed body can be sent once: keep it in memory so that every attempt sends it.
        return body.aggregate(max).thenCompose(bytes -> {
          ctx.request().body(Body.of(bytes));
          return loop.run(ctx, next, 0);
        });
      };
    }
  }

  /** The retry loop of one {@code retry} policy. */
  static final class RetryLoop {
    private final Expression condition;
    private final int count;
    private final long interval;
    private final boolean exponential;
    private final long maxInterval;
    private final boolean onFailure;

    RetryLoop(Expression condition, int count, long interval, boolean exponential, long maxInterval, boolean onFailure) {
      this.condition = condition;
      this.count = count;
      this.interval = interval;
      this.exponential = exponential;
      this.maxInterval = maxInterval;
      this.onFailure = onFailure;
    }

    CompletionStage<Response> run(PolicyContext ctx, PolicyChain next, int n) {
      CompletionStage<Response> tried;
      try {
        tried = next.proceed(ctx);
      } catch (RuntimeException e) {
        tried = CompletableFuture.failedFuture(e);
      }
      return tried.handle((r, t) -> {
        if (n >= count) {
          return done(r, t);
        }
        boolean again;
        if (t != null) {
          again = onFailure;
        } else {
          again = condition.test((GatewayContext) ctx);
        }
        if (!again) {
          return done(r, t);
        }
        CompletableFuture<Response> later = new CompletableFuture<>();
        Runnable retry = () -> run(ctx, next, n + 1).whenComplete((rr, tt) -> {
          if (tt != null) {
            later.completeExceptionally(tt);
          } else {
            later.complete(rr);
          }
        });
        discard(r);
        long delay = exponential ? Math.min(maxInterval, interval << Math.min(n, 20)) : interval;
        Context vx = Vertx.currentContext();
        if (delay > 0 && vx != null) {
          vx.owner().setTimer(delay, id -> retry.run());
        } else {
          retry.run();
        }
        return (CompletionStage<Response>) later;
      }).thenCompose(s -> s);
    }

    private static CompletionStage<Response> done(Response r, Throwable t) {
      return t != null ? CompletableFuture.failedFuture(t) : CompletableFuture.completedFuture(r);
    }

    /** Reads and drops a response that is being retried, so that its connection can be reused. */
    private static void discard(Response r) {
      if (r != null && !r.body().isBuffered()) {
        r.body().aggregate(1 << 20);
      }
    }
  }

  // ------------------------------------------------------------------ send-request

  /** Calls another service and stores its response in a variable. */
  static final class SendRequest extends Base {
    SendRequest() {
      super(PolicyNames.SEND_REQUEST);
    }

    @Override
    public io.gatehouse.policy.Policy create(PolicyConfig c, Section section, PolicyCompiler compiler) {
      String method = c.string("method", "GET").toUpperCase(Locale.ROOT);
      if (!method.matches("[A-Z]{1,20}")) {
        throw new PolicyConfigException("method", "expected an HTTP method such as GET or POST but got '" + method + "'");
      }
      boolean hasUrl = c.has("url");
      boolean hasUrlExpr = c.has("url-expression");
      if (hasUrl == hasUrlExpr) {
        throw new PolicyConfigException("url", "give exactly one of 'url' and 'url-expression'");
      }
      String url = c.string("url", null);
      if (url != null) {
        checkUrl("url", url);
      }
      Expression urlExpr = hasUrlExpr ? compiler.expression("url-expression", c.string("url-expression", null), false) : null;
      Map<String, String> headers = new LinkedHashMap<>();
      Map<String, Object> h = c.map("headers");
      if (h != null) {
        PolicyConfig hc = PolicyConfig.of(h);
        for (String name : h.keySet()) {
          headers.put(name, hc.requiredString(name));
        }
      }
      if (c.has("body") && c.has("body-expression")) {
        throw new PolicyConfigException("body", "give at most one of 'body' and 'body-expression'");
      }
      String body = c.string("body", null);
      Expression bodyExpr = c.has("body-expression")
          ? compiler.expression("body-expression", c.string("body-expression", null), false) : null;
      String variable = c.requiredString("response-variable-name");
      long timeout = c.duration("timeout", Duration.ofSeconds(10)).toMillis();
      int maxResponse = (int) c.number("max-response-size", 64 << 10, 0, 16 << 20);
      boolean ignoreError = c.bool("ignore-error", false);
      HttpMethod httpMethod = HttpMethod.valueOf(method);
      Policy call = (ctx, next) -> {
        GatewayContext g = gw(ctx);
        String target = urlExpr == null ? url : urlExpr.string(g);
        byte[] payload = bodyExpr != null ? bodyExpr.string(g).getBytes(StandardCharsets.UTF_8)
            : body == null ? null : body.getBytes(StandardCharsets.UTF_8);
        return call(g, httpMethod, target, headers, payload, timeout, maxResponse).handle((result, t) -> {
          if (t != null) {
            if (!ignoreError) {
              throw new CompletionException(new IllegalStateException(
                  "send-request to " + target + " failed: " + (t.getCause() == null ? t : t.getCause()).getMessage(), t));
            }
            Map<String, Object> failed = new HashMap<>();
            failed.put("status", 0L);
            failed.put("headers", Map.of());
            failed.put("body", "");
            failed.put("error", String.valueOf((t.getCause() == null ? t : t.getCause()).getMessage()));
            result = failed;
          }
          g.variables().put(variable, result);
          return result;
        }).thenCompose(v -> next.proceed(ctx));
      };
      return call;
    }

    private static void checkUrl(String field, String url) {
      if (io.gatehouse.model.OutboundUrls.userInfoProblem(url) != null) {
        throw new PolicyConfigException(field, io.gatehouse.model.OutboundUrls.userInfoProblem(url));
      }
      try {
        URI u = new URI(url);
        if (u.getHost() == null || !("http".equals(u.getScheme()) || "https".equals(u.getScheme()))) {
          throw new PolicyConfigException(field, "expected an absolute http or https URL but got '" + url + "'");
        }
      } catch (java.net.URISyntaxException e) {
        throw new PolicyConfigException(field, "expected an absolute http or https URL but got '" + url + "'");
      }
    }

    private static CompletionStage<Map<String, Object>> call(GatewayContext g, HttpMethod method, String url,
        Map<String, String> headers, byte[] payload, long timeout, int maxResponse) {
      CompletableFuture<Map<String, Object>> out = new CompletableFuture<>();
      RequestOptions o;
      try {
        o = new RequestOptions().setAbsoluteURI(url).setMethod(method)
            .setConnectTimeout(timeout).setIdleTimeout(timeout);
      } catch (RuntimeException e) {
        out.completeExceptionally(new IllegalArgumentException("bad URL '" + url + "'", e));
        return out;
      }
      headers.forEach(o::putHeader);
      o.putHeader("X-Request-Id", g.requestId());
      g.callOut(o).compose(req -> payload == null ? req.send() : req.send(Buffer.buffer(payload)))
          .onComplete(ar -> {
            if (ar.failed()) {
              out.completeExceptionally(ar.cause());
              return;
            }
            HttpClientResponse resp = ar.result();
            Buffer acc = Buffer.buffer();
            boolean[] over = new boolean[1];
            resp.exceptionHandler(out::completeExceptionally);
            resp.handler(b -> {
              if (over[0]) {
                return;
              }
              if (acc.length() + b.length() > maxResponse) {
                over[0] = true;
                resp.request().reset();
                out.completeExceptionally(new IllegalStateException(
                    "the response of " + url + " exceeds " + maxResponse + " bytes"));
                return;
              }
              acc.appendBuffer(b);
            });
            resp.endHandler(v -> {
              if (over[0]) {
                return;
              }
              Map<String, String> hs = new HashMap<>();
              for (Map.Entry<String, String> e : resp.headers()) {
                hs.putIfAbsent(e.getKey().toLowerCase(Locale.ROOT), e.getValue());
              }
              Map<String, Object> m = new HashMap<>();
              m.put("status", (long) resp.statusCode());
              m.put("headers", hs);
              m.put("body", acc.toString(StandardCharsets.UTF_8));
              out.complete(m);
            });
          });
      return out;
    }
  }
}
