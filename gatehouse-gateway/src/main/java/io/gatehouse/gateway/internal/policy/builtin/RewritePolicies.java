package io.gatehouse.gateway.internal.policy.builtin;

import io.gatehouse.gateway.internal.policy.PolicyCompiler;
import io.gatehouse.gateway.internal.policy.PolicyConfig;
import io.gatehouse.gateway.internal.policy.Section;
import io.gatehouse.model.PathTemplate;
import io.gatehouse.model.PolicyNames;
import io.gatehouse.policy.PolicyConfigException;
import io.gatehouse.policy.Request;
import io.gatehouse.policy.SyncPolicy;
import java.net.URLDecoder;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** {@code rewrite-uri}, {@code set-method} and {@code set-query-parameter}. */
final class RewritePolicies {
  private static final Pattern PARAM = Pattern.compile("\\{([^}/]+)}");

  private RewritePolicies() {}

  /**
   * Rewrites the path (and optionally query) forwarded to the backend from a template whose
   * {@code {name}} placeholders take the operation's path parameters.
   */
  static final class RewriteUri extends Base {
    RewriteUri() {
      super(PolicyNames.REWRITE_URI);
    }

    @Override
    public io.gatehouse.policy.Policy create(PolicyConfig c, Section section, PolicyCompiler compiler) {
      requestSectionsOnly(name(), section);
      String template = c.requiredString("template");
      if (!template.startsWith("/")) {
        throw new PolicyConfigException("template", "expected a path starting with '/' but got '" + template + "'");
      }
      boolean copyUnmatched = c.bool("copy-unmatched-params", true);
      int q = template.indexOf('?');
      String pathTemplate = q < 0 ? template : template.substring(0, q);
      String queryTemplate = q < 0 ? null : template.substring(q + 1);
      // The operations' templates, parsed once each (an API has a bounded set of operations).
      Map<String, PathTemplate> templates = new java.util.concurrent.ConcurrentHashMap<>();
      return (SyncPolicy) ctx -> {
        Request r = ctx.request();
        Map<String, String> params = params(templates, ctx.operation(), r.path());
        r.path(fill(pathTemplate, params));
        String newQuery = queryTemplate == null ? null : fill(queryTemplate, params);
        if (copyUnmatched && r.query() != null && !r.query().isEmpty()) {
          newQuery = newQuery == null || newQuery.isEmpty() ? r.query() : newQuery + "&" + r.query();
        }
        r.query(newQuery);
        return null;
      };
    }

    /** The path parameters of {@code path} by the template of {@code operation} ({@code METHOD /template}). */
    private static Map<String, String> params(Map<String, PathTemplate> templates, String operation, String path) {
      if (operation == null || operation.indexOf(' ') < 0) {
        return Map.of();
      }
      PathTemplate template = templates.computeIfAbsent(operation,
          op -> PathTemplate.parse(op.substring(op.indexOf(' ') + 1)));
      return template.parameters(path);
    }

    private static String fill(String template, Map<String, String> params) {
      Matcher m = PARAM.matcher(template);
      StringBuilder out = new StringBuilder();
      while (m.find()) {
        String v = params.getOrDefault(m.group(1), "");
        m.appendReplacement(out, Matcher.quoteReplacement(v));
      }
      m.appendTail(out);
      return out.toString();
    }
  }

  /** Changes the method forwarded to the backend. */
  static final class SetMethod extends Base {
    SetMethod() {
      super(PolicyNames.SET_METHOD);
    }

    @Override
    public io.gatehouse.policy.Policy create(PolicyConfig c, Section section, PolicyCompiler compiler) {
      requestSectionsOnly(name(), section);
      String method = c.requiredString("method").toUpperCase(Locale.ROOT);
      if (!method.chars().allMatch(ch -> ch >= 'A' && ch <= 'Z')) {
        throw new PolicyConfigException("method", "expected an HTTP method such as GET or POST but got '" + method + "'");
      }
      return (SyncPolicy) ctx -> {
        ctx.request().method(method);
        return null;
      };
    }
  }

  /** Sets, appends, deletes or adds-if-absent a query parameter forwarded to the backend. */
  static final class SetQueryParameter extends Base {
    SetQueryParameter() {
      super(PolicyNames.SET_QUERY_PARAMETER);
    }

    @Override
    public io.gatehouse.policy.Policy create(PolicyConfig c, Section section, PolicyCompiler compiler) {
      requestSectionsOnly(name(), section);
      String name = c.requiredString("name");
      String action = c.oneOf("action", "override", "override", "append", "delete", "skip");
      List<String> values = c.strings("value");
      if (!action.equals("delete") && values.isEmpty()) {
        throw new PolicyConfigException("value", "is required unless action is delete");
      }
      String encodedName = encode(name);
      return (SyncPolicy) ctx -> {
        Request r = ctx.request();
        List<String> parts = new ArrayList<>();
        boolean present = false;
        String query = r.query();
        if (query != null && !query.isEmpty()) {
          for (String part : query.split("&")) {
            int eq = part.indexOf('=');
            String n = URLDecoder.decode(eq < 0 ? part : part.substring(0, eq), StandardCharsets.UTF_8);
            if (n.equals(name)) {
              present = true;
              if (action.equals("override") || action.equals("delete")) {
                continue;
              }
            }
            parts.add(part);
          }
        }
        if (!action.equals("delete") && !(action.equals("skip") && present)) {
          for (String v : values) {
            parts.add(encodedName + "=" + encode(v));
          }
        }
        r.query(parts.isEmpty() ? null : String.join("&", parts));
        return null;
      };
    }

    private static String encode(String s) {
      return URLEncoder.encode(s, StandardCharsets.UTF_8).replace("+", "%20");
    }
  }
}
