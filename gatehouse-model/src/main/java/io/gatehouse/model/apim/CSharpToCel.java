package io.gatehouse.model.apim;

import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Translates the simple forms of APIM's C# policy expressions to CEL, or refuses them with
 * {@link Unconvertible}.
 */
final class CSharpToCel {
  private CSharpToCel() {}

  /** Whether {@code v} is a policy expression ({@code @(...)} or {@code @{...}}). */
  static boolean isExpression(String v) {
    return v != null && (v.startsWith("@(") || v.startsWith("@{"));
  }

  /** {@code v} as a CEL string literal. */
  static String string(String v) {
    return "'" + v.replace("\\", "\\\\").replace("'", "\\'") + "'";
  }

  /** An expression as CEL, a literal as a CEL string literal. */
  static String celOrString(String v) {
    return isExpression(v) ? translate(v) : string(v);
  }

  private static final List<String[]> MEMBERS = List.of(
      new String[] {"context\\.Request\\.IpAddress", "request.ip"},
      new String[] {"context\\.Subscription\\.(?:Id|Name|Key)", "subscription.name"},
      new String[] {"context\\.Product\\.(?:Id|Name)", "product.name"},
      new String[] {"context\\.Api\\.(?:Id|Name)", "api.name"},
      new String[] {"context\\.Operation\\.(?:Id|Name)", "operation"},
      new String[] {"context\\.Request\\.Method", "request.method"},
      new String[] {"context\\.Request\\.Url\\.Path", "request.path"},
      new String[] {"context\\.Response\\.StatusCode", "response.status"});
  private static final Pattern LOOKUP = Pattern.compile(
      "context\\.(Request|Response)\\.(Headers|Url\\.Query)\\.GetValueOrDefault\\(\\s*\"([^\"]*)\"\\s*(?:,\\s*\"([^\"]*)\"\\s*)?\\)");
  private static final Pattern VARIABLE = Pattern.compile(
      "(?:\\(string\\)\\s*)?context\\.Variables(?:\\[\\s*\"([^\"]*)\"\\s*]|\\.GetValueOrDefault<\\w+>\\(\\s*\"([^\"]*)\"\\s*\\))");
  private static final Pattern STRING = Pattern.compile("\"((?:[^\"\\\\']|\\\\.)*)\"");
  private static final Pattern LEFTOVER = Pattern.compile(
      "context\\.|\\(\\s*(?:string|int|bool)\\s*\\)|=>|\\bnew\\b|\\?\\.|\\.[A-Z]\\w*\\(|;|\"");

  /** Translates a C# policy expression to CEL, or refuses it. */
  static String translate(String expression) {
    if (expression.startsWith("@{")) {
      throw new Unconvertible("multi-statement C# expression cannot be converted: " + abbreviate(expression));
    }
    String body = expression.substring(2, expression.length() - (expression.endsWith(")") ? 1 : 0)).trim();
    Matcher m = LOOKUP.matcher(body);
    body = m.replaceAll(r -> {
      String map = r.group(1).equals("Response") ? "response.headers"
          : r.group(2).equals("Headers") ? "request.headers" : "request.query";
      String name = r.group(2).equals("Headers") ? r.group(3).toLowerCase(Locale.ROOT) : r.group(3);
      String def = r.group(4) == null ? "" : r.group(4);
      return Matcher.quoteReplacement("(" + string(name) + " in " + map + " ? " + map + "[" + string(name) + "] : "
          + string(def) + ")");
    });
    body = VARIABLE.matcher(body).replaceAll(r -> Matcher.quoteReplacement(
        "variables[" + string(r.group(1) != null ? r.group(1) : r.group(2)) + "]"));
    for (String[] member : MEMBERS) {
      body = body.replaceAll(member[0] + "(?!\\w)", Matcher.quoteReplacement(member[1]));
    }
    body = STRING.matcher(body).replaceAll(r -> Matcher.quoteReplacement("'" + r.group(1) + "'"));
    body = body.replace(".StartsWith(", ".startsWith(").replace(".EndsWith(", ".endsWith(")
        .replace(".Contains(", ".contains(");
    if (body.isEmpty() || LEFTOVER.matcher(body).find()) {
      throw new Unconvertible("C# expression cannot be converted to CEL: " + abbreviate(expression));
    }
    return body;
  }

  static String abbreviate(String s) {
    String one = s.replaceAll("\\s+", " ");
    return one.length() > 120 ? one.substring(0, 117) + "..." : one;
  }
}
