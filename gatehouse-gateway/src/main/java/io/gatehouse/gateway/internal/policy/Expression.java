package io.gatehouse.gateway.internal.policy;

import dev.cel.runtime.CelEvaluationException;
import dev.cel.runtime.CelRuntime;
import io.gatehouse.policy.Request;
import io.gatehouse.policy.Response;
import io.netty.handler.codec.http.QueryStringDecoder;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/** A compiled CEL expression, evaluated against one exchange; thread-safe. */
public final class Expression {
  private final String text;
  private final CelRuntime.Program program;

  Expression(String text, CelRuntime.Program program) {
    this.text = text;
    this.program = program;
  }

  /** The source text. */
  public String text() {
    return text;
  }

  /**
   * Evaluates against {@code ctx}.
   *
   * @throws IllegalStateException when evaluation fails (for example a missing map key)
   */
  public Object eval(GatewayContext ctx) {
    try {
      return program.eval(name -> Optional.ofNullable(resolve(name, ctx)));
    } catch (CelEvaluationException e) {
      throw new IllegalStateException("expression '" + text + "' failed: " + e.getMessage(), e);
    }
  }

  /** Evaluates to a boolean. */
  public boolean test(GatewayContext ctx) {
    Object v = eval(ctx);
    if (v instanceof Boolean b) {
      return b;
    }
    throw new IllegalStateException("expression '" + text + "' yielded " + v + " instead of a boolean");
  }

  /** Evaluates to text (the empty string for null). */
  public String string(GatewayContext ctx) {
    Object v = eval(ctx);
    return v == null ? "" : v.toString();
  }

  private static Object resolve(String name, GatewayContext ctx) {
    switch (name) {
      case "request": {
        Request r = ctx.request();
        Map<String, Object> m = new HashMap<>(8);
        m.put("method", r.method());
        m.put("path", r.path());
        m.put("headers", firstValues(r.headers()));
        m.put("query", query(r.query()));
        m.put("ip", ctx.clientIp() == null ? "" : ctx.clientIp());
        return m;
      }
      case "api":
        return Map.of("name", ctx.apiName());
      case "operation":
        return ctx.operation() == null ? "" : ctx.operation();
      case "subscription":
        return Map.of("name", ctx.subscriptionName());
      case "product":
        return Map.of("name", ctx.productName());
      case "jwt": {
        Map<?, ?> claims = ctx.get(GatewayContext.JWT_CLAIMS);
        return Map.of("claims", claims == null ? Map.of() : claims);
      }
      case "variables":
        return ctx.variables();
      case "response": {
        Response r = ctx.response();
        if (r == null) {
          return Map.of();
        }
        return Map.of("status", (long) r.status(), "headers", firstValues(r.headers()));
      }
      default:
        return null;
    }
  }

  private static Map<String, String> firstValues(io.gatehouse.policy.Headers headers) {
    Map<String, String> out = new HashMap<>();
    for (String n : headers.names()) {
      String v = headers.get(n);
      out.putIfAbsent(n.toLowerCase(Locale.ROOT), v == null ? "" : v);
    }
    return out;
  }

  private static Map<String, String> query(String query) {
    if (query == null || query.isEmpty()) {
      return Map.of();
    }
    Map<String, String> out = new HashMap<>();
    for (Map.Entry<String, List<String>> e : new QueryStringDecoder(query, false).parameters().entrySet()) {
      out.put(e.getKey(), e.getValue().isEmpty() ? "" : e.getValue().get(0));
    }
    return out;
  }

  @Override
  public String toString() {
    return text;
  }
}
