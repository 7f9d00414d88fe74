package io.gatehouse.gateway.internal.policy.builtin;

import io.gatehouse.gateway.internal.policy.Expression;
import io.gatehouse.gateway.internal.policy.PolicyCompiler;
import io.gatehouse.gateway.internal.policy.PolicyConfig;
import io.gatehouse.gateway.internal.policy.Section;
import io.gatehouse.model.PolicyNames;
import io.gatehouse.policy.Body;
import io.gatehouse.policy.Policy;
import io.gatehouse.policy.PolicyConfigException;
import io.gatehouse.policy.PolicyContext;
import io.gatehouse.policy.Response;
import io.gatehouse.policy.SyncPolicy;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CompletionStage;

/** {@code set-body} and {@code find-and-replace}. */
final class BodyPolicies {
  private BodyPolicies() {}

  /** Replaces the request body (inbound, backend) or the response body (outbound, on-error). */
  static final class SetBody extends Base {
    SetBody() {
      super(PolicyNames.SET_BODY);
    }

    @Override
    public io.gatehouse.policy.Policy create(PolicyConfig c, Section section, PolicyCompiler compiler) {
      boolean hasValue = c.has("value");
      boolean hasExpr = c.has("expression");
      if (hasValue == hasExpr) {
        throw new PolicyConfigException("value", "give exactly one of 'value' and 'expression'");
      }
      byte[] literal = hasValue ? c.string("value", "").getBytes(StandardCharsets.UTF_8) : null;
      Expression expr = hasExpr ? compiler.expression("expression", c.string("expression", null), false) : null;
      String contentType = c.string("content-type", null);
      boolean onResponse = section.onResponse();
      return new SyncPolicy() {
        @Override
        public Response onRequest(PolicyContext ctx) {
          if (!onResponse) {
            ctx.request().body(Body.of(bytes(ctx)));
            if (contentType != null) {
              ctx.request().headers().set("Content-Type", contentType);
            }
          }
          return null;
        }

        @Override
        public void onResponse(PolicyContext ctx, Response response) {
          if (onResponse) {
            response.body(Body.of(bytes(ctx)));
            if (contentType != null) {
              response.headers().set("Content-Type", contentType);
            }
          }
        }

        private byte[] bytes(PolicyContext ctx) {
          return literal != null ? literal : expr.string(gw(ctx)).getBytes(StandardCharsets.UTF_8);
        }
      };
    }
  }

  /**
   * Reads the body (up to {@code max-size} bytes) and replaces every occurrence of {@code from} with
   * {@code to}; on the request in inbound and backend, on the response in outbound and on-error.
   */
  static final class FindAndReplace extends Base {
    FindAndReplace() {
      super(PolicyNames.FIND_AND_REPLACE);
    }

    @Override
    public io.gatehouse.policy.Policy create(PolicyConfig c, Section section, PolicyCompiler compiler) {
      String from = c.requiredString("from");
      String to = c.string("to", "");
      int max = (int) c.number("max-size", 1 << 20, 1, Integer.MAX_VALUE);
      if (section.onResponse()) {
        return (Policy) (ctx, next) -> next.proceed(ctx).thenCompose(r ->
            replace(r.body(), max, from, to).thenApply(b -> {
              r.body(b);
              return r;
            }));
      }
      return (Policy) (ctx, next) -> replace(ctx.request().body(), max, from, to).thenCompose(b -> {
        ctx.request().body(b);
        return next.proceed(ctx);
      });
    }

    private static CompletionStage<Body> replace(Body body, int max, String from, String to) {
      return body.aggregate(max).thenApply(bytes ->
          Body.of(new String(bytes, StandardCharsets.UTF_8).replace(from, to).getBytes(StandardCharsets.UTF_8)));
    }
  }
}
