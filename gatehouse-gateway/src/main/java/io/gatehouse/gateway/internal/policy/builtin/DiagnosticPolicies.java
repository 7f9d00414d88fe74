package io.gatehouse.gateway.internal.policy.builtin;

import io.gatehouse.gateway.internal.policy.Expression;
import io.gatehouse.gateway.internal.policy.PolicyCompiler;
import io.gatehouse.gateway.internal.policy.PolicyConfig;
import io.gatehouse.gateway.internal.policy.Section;
import io.gatehouse.model.PolicyNames;
import io.gatehouse.policy.PolicyConfigException;
import io.gatehouse.policy.SyncPolicy;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Metrics;
import io.micrometer.core.instrument.Tag;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** {@code trace} and {@code emit-metric}. */
final class DiagnosticPolicies {
  private DiagnosticPolicies() {}

  /** The logger {@code trace} writes to. */
  static final Logger TRACE = LoggerFactory.getLogger("io.gatehouse.trace");

  /** Writes a message, with the request id, to the {@code io.gatehouse.trace} log. */
  static final class Trace extends Base {
    Trace() {
      super(PolicyNames.TRACE);
    }

    @Override
    public io.gatehouse.policy.Policy create(PolicyConfig c, Section section, PolicyCompiler compiler) {
      String source = c.string("source", "");
      String severity = c.oneOf("severity", "verbose", "verbose", "information", "error");
      boolean hasMessage = c.has("message");
      boolean hasExpr = c.has("expression");
      if (hasMessage == hasExpr) {
        throw new PolicyConfigException("message", "give exactly one of 'message' and 'expression'");
      }
      String message = c.string("message", null);
      Expression expr = hasExpr ? compiler.expression("expression", c.string("expression", null), false) : null;
      return (SyncPolicy) ctx -> {
        boolean on = severity.equals("error") ? TRACE.isErrorEnabled()
            : severity.equals("information") ? TRACE.isInfoEnabled() : TRACE.isDebugEnabled();
        if (on) {
          String text = expr == null ? message : expr.string(gw(ctx));
          String fmt = "request {} api {} [{}] {}";
          Object[] args = {ctx.requestId(), ctx.apiName(), source, text};
          if (severity.equals("error")) {
            TRACE.error(fmt, args);
          } else if (severity.equals("information")) {
            TRACE.info(fmt, args);
          } else {
            TRACE.debug(fmt, args);
          }
        }
        return null;
      };
    }
  }

  /** Increments a Micrometer counter in {@link Metrics#globalRegistry} with dimensions from CEL. */
  static final class EmitMetric extends Base {
    static final String OTHER = "other";

    EmitMetric() {
      super(PolicyNames.EMIT_METRIC);
    }

    @Override
    public io.gatehouse.policy.Policy create(PolicyConfig c, Section section, PolicyCompiler compiler) {
      String name = c.requiredString("name");
      if (!name.matches("[a-zA-Z_][a-zA-Z0-9_.]{0,127}")) {
        throw new PolicyConfigException("name", "expected a metric name of letters, digits, '_' and '.' but got '" + name + "'");
      }
      Expression value = c.has("value") ? compiler.expression("value", c.string("value", null), false) : null;
      Map<String, Expression> dims = new LinkedHashMap<>();
      Map<String, Object> d = c.map("dimensions");
      if (d != null) {
        if (d.size() > 10) {
          throw new PolicyConfigException("dimensions", "expected at most 10 dimensions but got " + d.size());
        }
        PolicyConfig dc = PolicyConfig.of(d);
        for (String dim : d.keySet()) {
          if (!dim.matches("[a-zA-Z_][a-zA-Z0-9_]{0,63}")) {
            throw new PolicyConfigException("dimensions." + dim, "expected a dimension name of letters, digits and '_'");
          }
          dims.put(dim, compiler.expression("dimensions." + dim, dc.requiredString(dim), false));
        }
      }
      int maxSeries = (int) c.number("max-series", 1000, 1, 100_000);
      Set<List<Tag>> seen = ConcurrentHashMap.newKeySet();
      String description = c.string("description", "emitted by the emit-metric policy");
      return (SyncPolicy) ctx -> {
        List<Tag> tags = new ArrayList<>(dims.size());
        for (Map.Entry<String, Expression> e : dims.entrySet()) {
          tags.add(Tag.of(e.getKey(), e.getValue().string(gw(ctx))));
        }
        if (!seen.contains(tags)) {
          if (seen.size() >= maxSeries) {
            // Bound the number of series: values beyond the budget are folded into "other".
            List<Tag> folded = new ArrayList<>(tags.size());
            for (Tag t : tags) {
              folded.add(Tag.of(t.getKey(), OTHER));
            }
            tags = folded;
          } else {
            seen.add(List.copyOf(tags));
          }
        }
        double amount = 1;
        if (value != null) {
          Object v = value.eval(gw(ctx));
          if (!(v instanceof Number n)) {
            throw new IllegalStateException("emit-metric value '" + value.text() + "' yielded " + v + " instead of a number");
          }
          amount = n.doubleValue();
        }
        if (amount > 0) {
          Counter.builder(name).description(description).tags(tags).register(Metrics.globalRegistry).increment(amount);
        }
        return null;
      };
    }
  }
}
