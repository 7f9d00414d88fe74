package io.gatehouse.gateway.internal.policy.builtin;

import io.gatehouse.gateway.debug.DebugSessions;
import io.gatehouse.gateway.internal.policy.Expression;
import io.gatehouse.gateway.internal.policy.PolicyCompiler;
import io.gatehouse.gateway.internal.policy.PolicyConfig;
import io.gatehouse.gateway.internal.policy.Section;
import io.gatehouse.gateway.internal.policy.Step;
import io.gatehouse.gateway.internal.policy.Traced;
import io.gatehouse.model.PolicyNames;
import io.gatehouse.policy.AttributeKey;
import io.gatehouse.policy.Body;
import io.gatehouse.policy.PolicyConfigException;
import io.gatehouse.policy.PolicyContext;
import io.gatehouse.policy.Response;
import io.gatehouse.policy.SyncPolicy;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** {@code return-response}, {@code set-status}, {@code choose} and {@code set-variable}. */
final class FlowPolicies {
  private FlowPolicies() {}

  /** Answers with a fixed response; in outbound or on-error it replaces the response. */
  static final class ReturnResponse extends Base {
    ReturnResponse() {
      super(PolicyNames.RETURN_RESPONSE);
    }

    @Override
    public io.gatehouse.policy.Policy create(PolicyConfig c, Section section, PolicyCompiler compiler) {
      int status = (int) c.number("status", 200, 100, 599);
      Map<String, List<String>> headers = new LinkedHashMap<>();
      Map<String, Object> h = c.map("headers");
      if (h != null) {
        PolicyConfig hc = PolicyConfig.of(h);
        for (String name : h.keySet()) {
          headers.put(name, hc.strings(name));
        }
      }
      String contentType = c.string("content-type", null);
      byte[] body = c.string("body", "").getBytes(StandardCharsets.UTF_8);
      return (SyncPolicy) ctx -> {
        Response r = ctx.respond(status, contentType, body);
        headers.forEach((name, values) -> values.forEach(v -> r.headers().add(name, v)));
        return r;
      };
    }
  }

  /** Changes the response's status code (outbound and on-error). */
  static final class SetStatus extends Base {
    SetStatus() {
      super(PolicyNames.SET_STATUS);
    }

    @Override
    public io.gatehouse.policy.Policy create(PolicyConfig c, Section section, PolicyCompiler compiler) {
      responseSectionsOnly(name(), section);
      int code = (int) c.requiredNumber("code", 100, 599);
      c.string("reason", null); // accepted for compatibility; HTTP/2 has no reason phrase
      return new SyncPolicy() {
        @Override
        public Response onRequest(PolicyContext ctx) {
          return null;
        }

        @Override
        public void onResponse(PolicyContext ctx, Response response) {
          response.status(code);
        }
      };
    }
  }

  /** Stores a value (literal or CEL) in {@code variables}. */
  static final class SetVariable extends Base {
    SetVariable() {
      super(PolicyNames.SET_VARIABLE);
    }

    @Override
    public io.gatehouse.policy.Policy create(PolicyConfig c, Section section, PolicyCompiler compiler) {
      String name = c.requiredString("name");
      boolean hasValue = c.has("value");
      boolean hasExpr = c.has("expression");
      if (hasValue == hasExpr) {
        throw new PolicyConfigException("value", "give exactly one of 'value' and 'expression'");
      }
      Object literal = hasValue ? celValue(c.raw("value")) : null;
      Expression expr = hasExpr ? compiler.expression("expression", c.string("expression", null), false) : null;
      return (SyncPolicy) ctx -> {
        gw(ctx).variables().put(name, expr == null ? literal : expr.eval(gw(ctx)));
        return null;
      };
    }

    private static Object celValue(Object v) {
      if (v instanceof Integer || v instanceof Short) {
        return ((Number) v).longValue();
      }
      if (v instanceof Float) {
        return ((Float) v).doubleValue();
      }
      return v;
    }
  }

  /** Runs the policies of the first branch whose CEL condition holds, or of {@code otherwise}. */
  static final class Choose extends Base {
    Choose() {
      super(PolicyNames.CHOOSE);
    }

    @Override
    public io.gatehouse.policy.Policy create(PolicyConfig c, Section section, PolicyCompiler compiler) {
      List<Object> when = c.list("when");
      if (when.isEmpty()) {
        throw new PolicyConfigException("when", "is required: a list of {condition, policies}");
      }
      List<Expression> conditions = new ArrayList<>();
      List<Step[]> branches = new ArrayList<>();
      for (int i = 0; i < when.size(); i++) {
        String at = "when[" + i + "]";
        if (!(when.get(i) instanceof Map)) {
          throw new PolicyConfigException(at, "expected {condition: ..., policies: [...]}");
        }
        @SuppressWarnings("unchecked")
        PolicyConfig branch = PolicyConfig.of((Map<String, Object>) when.get(i));
        String condition;
        List<Object> policies;
        try {
          condition = branch.requiredString("condition");
          policies = branch.list("policies");
          branch.done();
        } catch (PolicyConfigException e) {
          throw new PolicyConfigException(at + "." + e.field(), e.getMessage());
        }
        conditions.add(compiler.expression(at + ".condition", condition, true));
        branches.add(steps(compiler, policies, section, at + ".policies"));
      }
      Step[] otherwise = steps(compiler, c.list("otherwise"), section, "otherwise");
      branches.add(otherwise);
      Expression[] conds = conditions.toArray(new Expression[0]);
      Step[][] all = branches.toArray(new Step[0][]);
      AttributeKey<Integer> chosen = AttributeKey.of("choose", Integer.class);
      boolean responseMode = section.onResponse();
      String[] labels = new String[all.length];
      for (int i = 0; i < conds.length; i++) {
        labels[i] = "when[" + i + "]";
      }
      labels[conds.length] = otherwise.length == 0 ? "none" : "otherwise";
      return new SyncPolicy() {
        @Override
        public Response onRequest(PolicyContext ctx) {
          int b = conds.length;
          for (int i = 0; i < conds.length; i++) {
            if (conds[i].test(gw(ctx))) {
              b = i;
              break;
            }
          }
          Step[] steps = all[b];
          DebugSessions.Recorder trace = gw(ctx).debugTrace();
          if (trace != null) {
            trace.branch(labels[b]);
            for (int i = 0; i < all.length; i++) {
              if (i != b) {
                Traced.skipped(trace, all[i]);
              }
            }
          }
          if (responseMode) {
            for (Step s : steps) {
              Response r = trace == null ? s.sync.onRequest(ctx)
                  : Traced.onResponseSection(trace, s, ctx, gw(ctx).response());
              if (r != null) {
                return r;
              }
              if (trace == null) {
                s.sync.onResponse(ctx, gw(ctx).response());
              }
            }
            return null;
          }
          for (int i = 0; i < steps.length; i++) {
            Response r = trace == null ? steps[i].sync.onRequest(ctx) : Traced.onRequest(trace, steps[i], ctx);
            if (r != null) {
              for (int j = i - 1; j >= 0; j--) {
                steps[j].sync.onResponse(ctx, r);
              }
              return r;
            }
          }
          ctx.set(chosen, b);
          return null;
        }

        @Override
        public void onResponse(PolicyContext ctx, Response response) {
          Integer b = ctx.get(chosen);
          if (b == null) {
            return;
          }
          Step[] steps = all[b];
          for (int j = steps.length - 1; j >= 0; j--) {
            steps[j].sync.onResponse(ctx, response);
          }
        }
      };
    }

    private static Step[] steps(PolicyCompiler compiler, List<Object> entries, Section section, String field) {
      Step[] steps = compiler.steps(entries, section, field, compiler.location() + ".choose");
      for (int i = 0; i < steps.length; i++) {
        if (steps[i].sync == null) {
          throw new PolicyConfigException(field + "[" + i + "]",
              "choose runs synchronous policies only; this policy is asynchronous");
        }
      }
      return steps;
    }
  }

  static Body text(String s) {
    return Body.of(s.getBytes(StandardCharsets.UTF_8));
  }
}
