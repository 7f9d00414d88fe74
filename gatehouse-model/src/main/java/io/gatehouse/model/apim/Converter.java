package io.gatehouse.model.apim;

import static io.gatehouse.model.apim.CSharpToCel.isExpression;

import io.gatehouse.model.PoliciesDef;
import io.gatehouse.model.apim.ApimXml.Node;
import java.math.BigInteger;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One conversion: walks the sections of a policy document, dispatches each element to its mapping
 * (the core ones here, caching, routing, transformation, diagnostics and contract validation in
 * {@link CatalogueMappings}) and collects what it leaves out. Not thread-safe; one per document.
 */
final class Converter {
  final List<ApimPolicyImport.Finding> findings = new ArrayList<>();
  /** The section being converted: {@code inbound}, {@code backend}, {@code outbound} or {@code on-error}. */
  private String section = "inbound";
  /** Whether the elements being converted sit in a {@code <when>} or {@code <otherwise>}. */
  private boolean inChoose;

  /** The converted entries of one section, {@code base} included. */
  List<Object> section(String key, List<Node> nodes) {
    section = key;
    inChoose = false;
    return entries(nodes, true);
  }

  void report(Node n, String message) {
    findings.add(new ApimPolicyImport.Finding(n.line(), n.name(), message));
  }

  /** The converted entries of {@code nodes}; unconvertible ones are reported and left out. */
  List<Object> entries(List<Node> nodes, boolean top) {
    List<Object> out = new ArrayList<>();
    for (Node n : nodes) {
      if (n.name().equals("base")) {
        if (top) {
          out.add(PoliciesDef.BASE);
        } else {
          report(n, "'base' is only allowed directly in a section");
        }
        continue;
      }
      try {
        Object e = entry(n);
        if (e instanceof List<?> many) {
          out.addAll(many);
        } else if (e != null) {
          out.add(e);
        }
      } catch (Unconvertible u) {
        report(n, u.getMessage());
      }
    }
    return out;
  }

  /**
   * The entry {@code {policy: config}}, after checking that the gateway accepts {@code target} in
   * the current section and, inside {@code choose}, that it is synchronous.
   */
  Map<String, Object> policy(Target target, Map<String, Object> config) {
    if (!target.sections.keys.contains(section)) {
      throw new Unconvertible("becomes Gatehouse's '" + target.policy + "', which runs in " + target.sections.description
          + ", not in " + section + "; move it there");
    }
    if (inChoose && !target.synchronous) {
      throw new Unconvertible("becomes Gatehouse's '" + target.policy + "', which cannot run inside choose (a branch runs "
          + "synchronous policies only); move it out of the <choose>");
    }
    Map<String, Object> m = new LinkedHashMap<>();
    m.put(target.policy, config);
    return m;
  }

  private Object entry(Node n) {
    Map<String, Object> c = new LinkedHashMap<>();
    switch (n.name()) {
      case "set-header":
        return setHeaderOrQuery(n, Target.SET_HEADER);
      case "set-query-parameter":
        return setHeaderOrQuery(n, Target.SET_QUERY_PARAMETER);
      case "rewrite-uri": {
        String template = literal(n, "template");
        if (!template.startsWith("/")) {
          throw new Unconvertible("template '" + template + "' must be a path starting with '/'");
        }
        c.put("template", template);
        if ("false".equalsIgnoreCase(n.attr("copy-unmatched-params"))) {
          c.put("copy-unmatched-params", false);
        }
        return policy(Target.REWRITE_URI, c);
      }
      case "set-method": {
        String method = value(n, n.text()).toUpperCase(Locale.ROOT);
        if (!method.matches("[A-Z]{1,20}")) {
          throw new Unconvertible("expected an HTTP method such as GET or POST but got '" + n.text() + "'");
        }
        c.put("method", method);
        return policy(Target.SET_METHOD, c);
      }
      case "set-status":
        c.put("code", number(n, "code", 100, 599));
        if (n.attr("reason") != null) {
          c.put("reason", value(n, n.attr("reason")));
        }
        return policy(Target.SET_STATUS, c);
      case "set-body": {
        if (n.attr("template") != null) {
          throw new Unconvertible("template '" + n.attr("template") + "' (Liquid) has no Gatehouse equivalent");
        }
        if (isExpression(n.text())) {
          c.put("expression", CSharpToCel.translate(n.text()));
        } else {
          c.put("value", value(n, n.text()));
        }
        return policy(Target.SET_BODY, c);
      }
      case "return-response":
        return returnResponse(n);
      case "rate-limit":
      case "rate-limit-by-key": {
        if (!n.children().isEmpty()) {
          throw new Unconvertible("per-API or per-operation limits nested in <" + n.name() + "> have no equivalent; "
              + "put a rate-limit at that scope instead");
        }
        c.put("calls", number(n, "calls", 1, Integer.MAX_VALUE));
        c.put("period", seconds(n, "renewal-period", 1, Long.MAX_VALUE / 1000));
        boolean byKey = n.name().equals("rate-limit-by-key");
        if (byKey) {
          c.put("key", CSharpToCel.celOrString(required(n, "counter-key")));
          unsupportedAttrs(n, "increment-condition", "increment-count");
        }
        unsupportedAttrs(n, "retry-after-header-name", "retry-after-variable-name", "remaining-calls-header-name",
            "remaining-calls-variable-name", "total-calls-header-name");
        return policy(byKey ? Target.RATE_LIMIT_BY_KEY : Target.RATE_LIMIT, c);
      }
      case "quota":
      case "quota-by-key": {
        if (!n.children().isEmpty()) {
          throw new Unconvertible("per-API or per-operation quotas nested in <" + n.name() + "> have no equivalent; "
              + "put a quota at that scope instead");
        }
        if (n.attr("calls") == null && n.attr("bandwidth") == null) {
          throw new Unconvertible("needs calls, bandwidth or both; neither is given");
        }
        if (n.attr("calls") != null) {
          c.put("calls", number(n, "calls", 1, Long.MAX_VALUE / 2));
        }
        if (n.attr("bandwidth") != null) {
          c.put("bandwidth", number(n, "bandwidth", 1, Long.MAX_VALUE / 2048) * 1024L); // APIM counts kilobytes
        }
        long period = number(n, "renewal-period", 1, Long.MAX_VALUE);
        if (period > 31 * 86400L) {
          throw new Unconvertible("renewal-period " + period + " s is longer than the 31 days a Gatehouse quota counts; "
              + "use renewal-period: month or a shorter period");
        }
        c.put("renewal-period", period + "s");
        boolean byKey = n.name().equals("quota-by-key");
        if (byKey) {
          c.put("key", CSharpToCel.celOrString(required(n, "counter-key")));
          unsupportedAttrs(n, "increment-condition", "first-period-start");
        }
        return policy(byKey ? Target.QUOTA_BY_KEY : Target.QUOTA, c);
      }
      case "ip-filter":
        return ipFilter(n);
      case "cors":
        return cors(n);
      case "check-header": {
        c.put("name", literal(n, "name"));
        List<String> values = texts(n, "value");
        if (!values.isEmpty()) {
          c.put("values", values);
        }
        if (n.attr("ignore-case") != null) {
          c.put("ignore-case", Boolean.parseBoolean(n.attr("ignore-case")));
        }
        if (n.attr("failed-check-httpcode") != null) {
          c.put("failed-check-httpcode", number(n, "failed-check-httpcode", 400, 599));
        }
        if (n.attr("failed-check-error-message") != null) {
          c.put("failed-check-error-message", value(n, n.attr("failed-check-error-message")));
        }
        return policy(Target.CHECK_HEADER, c);
      }
      case "validate-jwt":
        return validateJwt(n);
      case "choose":
        return choose(n);
      case "set-variable": {
        c.put("name", literal(n, "name"));
        String v = required(n, "value");
        if (isExpression(v)) {
          c.put("expression", CSharpToCel.translate(v));
        } else {
          c.put("value", value(n, v));
        }
        return policy(Target.SET_VARIABLE, c);
      }
      case "limit-concurrency": {
        c.put("max-count", number(n, "max-count", 1, Integer.MAX_VALUE));
        Map<String, Object> limit = policy(Target.LIMIT_CONCURRENCY, c);
        if (n.attr("key") != null) {
          report(n, "attribute key=\"" + n.attr("key") + "\" is not converted: the limit counts every request "
              + "through the policy, whatever the key");
        }
        List<Object> out = new ArrayList<>();
        out.add(limit);
        List<Object> inner = entries(n.children(), false);
        out.addAll(inner);
        if (!inner.isEmpty()) {
          report(n, "converted; the nested policies now follow it in the section, and the limit covers the "
              + "rest of the pipeline (until the response starts), not just them");
        }
        return out;
      }
      case "find-and-replace": {
        String from = literal(n, "from");
        if (from.isEmpty()) {
          throw new Unconvertible("attribute from must not be empty");
        }
        c.put("from", from);
        c.put("to", value(n, n.attrs().getOrDefault("to", "")));
        return policy(Target.FIND_AND_REPLACE, c);
      }
      default:
        return CatalogueMappings.entry(this, n);
    }
  }

  private Object setHeaderOrQuery(Node n, Target target) {
    Map<String, Object> c = new LinkedHashMap<>();
    c.put("name", literal(n, "name"));
    String action = n.attrs().getOrDefault("exists-action", "override").toLowerCase(Locale.ROOT);
    if (!List.of("override", "skip", "append", "delete").contains(action)) {
      throw new Unconvertible("exists-action '" + action + "' is not one of override, skip, append, delete");
    }
    List<Node> values = n.all("value");
    if (values.isEmpty() && !action.equals("delete")) {
      throw new Unconvertible("needs a <value> unless exists-action is delete");
    }
    if (values.size() == 1 && isExpression(values.get(0).text())) {
      if (target == Target.SET_QUERY_PARAMETER) {
        throw new Unconvertible("set-query-parameter takes no expression in Gatehouse: " + values.get(0).text());
      }
      c.put("expression", CSharpToCel.translate(values.get(0).text()));
    } else if (values.size() == 1) {
      c.put("value", value(values.get(0), values.get(0).text()));
    } else if (!values.isEmpty()) {
      List<String> vs = new ArrayList<>();
      for (Node v : values) {
        vs.add(value(v, v.text()));
      }
      c.put("value", vs);
    }
    if (!action.equals("override")) {
      c.put("action", action);
    }
    return policy(target, c);
  }

  private Object returnResponse(Node n) {
    Map<String, Object> c = new LinkedHashMap<>();
    if (n.attr("response-variable-name") != null) {
      throw new Unconvertible("response-variable-name (a response built by send-request) has no equivalent");
    }
    Map<String, Object> headers = new LinkedHashMap<>();
    for (Node child : n.children()) {
      switch (child.name()) {
        case "set-status":
          c.put("status", number(child, "code", 100, 599));
          break;
        case "set-header": {
          List<String> vs = new ArrayList<>();
          for (Node v : child.all("value")) {
            if (isExpression(v.text())) {
              report(v, "expression in a return-response header cannot be converted (return-response takes literals): "
                  + CSharpToCel.abbreviate(v.text()));
            } else {
              vs.add(value(v, v.text()));
            }
          }
          String name = literal(child, "name");
          if (name.equalsIgnoreCase("content-type") && vs.size() == 1) {
            c.put("content-type", vs.get(0));
          } else if (!vs.isEmpty()) {
            headers.put(name, vs.size() == 1 ? vs.get(0) : vs);
          }
          break;
        }
        case "set-body":
          if (isExpression(child.text())) {
            report(child, "expression body in return-response cannot be converted: " + CSharpToCel.abbreviate(child.text()));
          } else {
            c.put("body", value(child, child.text()));
          }
          break;
        default:
          report(child, "is not converted inside return-response");
      }
    }
    if (!headers.isEmpty()) {
      c.put("headers", headers);
    }
    return policy(Target.RETURN_RESPONSE, c);
  }

  private Object ipFilter(Node n) {
    String action = n.attr("action");
    List<String> ranges = new ArrayList<>();
    for (Node a : n.children()) {
      if (a.name().equals("address")) {
        if (!IP_LITERAL.matcher(a.text()).matches()) {
          throw new Unconvertible("address '" + a.text() + "' is not an IP address");
        }
        ranges.add(a.text());
      } else if (a.name().equals("address-range")) {
        ranges.addAll(cidrs(a.attr("from"), a.attr("to")));
      } else {
        report(a, "is not converted inside ip-filter");
      }
    }
    if (ranges.isEmpty()) {
      throw new Unconvertible("lists no <address> or <address-range>");
    }
    Map<String, Object> c = new LinkedHashMap<>();
    if ("allow".equalsIgnoreCase(action)) {
      c.put("allow", ranges);
    } else if ("forbid".equalsIgnoreCase(action)) {
      c.put("deny", ranges);
    } else {
      throw new Unconvertible("action '" + action + "' is not allow or forbid");
    }
    return policy(Target.IP_FILTER, c);
  }

  private Object cors(Node n) {
    Map<String, Object> c = new LinkedHashMap<>();
    List<String> origins = texts(n.first("allowed-origins"), "origin");
    if (origins.isEmpty()) {
      throw new Unconvertible("lists no <allowed-origins>/<origin>");
    }
    boolean credentials = "true".equalsIgnoreCase(n.attr("allow-credentials"));
    if (credentials && origins.contains("*")) {
      throw new Unconvertible("origin '*' with allow-credentials=\"true\" is refused by Gatehouse; list the origins");
    }
    c.put("allowed-origins", origins);
    Node methods = n.first("allowed-methods");
    if (methods != null) {
      c.put("allowed-methods", texts(methods, "method"));
      if (methods.attr("preflight-result-max-age") != null) {
        c.put("preflight-result-max-age", number(methods, "preflight-result-max-age", 0, 7 * 86400L));
      }
    }
    if (n.first("allowed-headers") != null) {
      c.put("allowed-headers", texts(n.first("allowed-headers"), "header"));
    }
    if (n.first("expose-headers") != null) {
      c.put("expose-headers", texts(n.first("expose-headers"), "header"));
    }
    if (credentials) {
      c.put("allow-credentials", true);
    }
    unsupportedAttrs(n, "terminate-unmatched-request");
    return policy(Target.CORS, c);
  }

  private Object validateJwt(Node n) {
    Map<String, Object> c = new LinkedHashMap<>();
    if (n.attr("header-name") != null) {
      c.put("header", value(n, n.attr("header-name")));
      if (n.attr("require-scheme") != null) {
        c.put("scheme", value(n, n.attr("require-scheme")));
      }
    } else if (n.attr("query-parameter-name") != null) {
      c.put("query", value(n, n.attr("query-parameter-name")));
    } else if (n.attr("token-value") != null) {
      throw new Unconvertible("token-value (a token computed by an expression) has no equivalent");
    }
    Node oidc = n.first("openid-config");
    Node keys = n.first("issuer-signing-keys");
    if (oidc == null) {
      throw new Unconvertible(keys != null
          ? "inline <issuer-signing-keys> are not converted and there is no <openid-config>: put the keys in a JWK Set "
              + "(validate-jwt jwks) or give jwksUrl/openidConfigUrl"
          : "needs an <openid-config url=\"...\"> (or, in Gatehouse, jwksUrl or jwks); none is given");
    }
    c.put("openidConfigUrl", value(oidc, oidc.attr("url")));
    if (n.all("openid-config").size() > 1) {
      report(n, "only the first <openid-config> is converted");
    }
    if (keys != null) {
      report(keys, "inline signing keys are not converted: the keys of the <openid-config> are used");
    }
    if (n.first("decryption-keys") != null) {
      report(n.first("decryption-keys"), "encrypted tokens (JWE) are not accepted by Gatehouse");
    }
    List<String> audiences = texts(n.first("audiences"), "audience");
    if (!audiences.isEmpty()) {
      c.put("audiences", audiences);
    }
    List<String> issuers = texts(n.first("issuers"), "issuer");
    if (!issuers.isEmpty()) {
      c.put("issuers", issuers);
    }
    if (n.attr("clock-skew") != null) {
      c.put("clockSkew", number(n, "clock-skew", 0, 86400) + "s");
    }
    if ("false".equalsIgnoreCase(n.attr("require-expiration-time"))) {
      c.put("requireExp", false);
    }
    Node required = n.first("required-claims");
    if (required != null) {
      Map<String, Object> claims = new LinkedHashMap<>();
      for (Node claim : required.all("claim")) {
        if ("all".equalsIgnoreCase(claim.attr("match")) && claim.all("value").size() > 1) {
          report(claim, "match=\"all\" is converted as any-of: Gatehouse accepts a claim matching any listed value");
        }
        claims.put(literal(claim, "name"), texts(claim, "value"));
      }
      c.put("requiredClaims", claims);
    }
    if (n.attr("failed-validation-httpcode") != null && !"401".equals(n.attr("failed-validation-httpcode").trim())) {
      report(n, "failed-validation-httpcode=\"" + n.attr("failed-validation-httpcode")
          + "\" is not converted: Gatehouse refuses with 401 and a WWW-Authenticate challenge");
    }
    if (n.attr("require-signed-tokens") != null && !"true".equalsIgnoreCase(n.attr("require-signed-tokens"))) {
      report(n, "require-signed-tokens=\"" + n.attr("require-signed-tokens")
          + "\" is not converted: Gatehouse accepts signed tokens only");
    }
    unsupportedAttrs(n, "failed-validation-error-message", "output-token-variable-name");
    return policy(Target.VALIDATE_JWT, c);
  }

  private Object choose(Node n) {
    List<Object> whens = new ArrayList<>();
    List<Object> otherwise = List.of();
    boolean outer = inChoose;
    inChoose = true;
    try {
      for (Node child : n.children()) {
        if (child.name().equals("when")) {
          String condition = child.attr("condition");
          if (!isExpression(condition)) {
            throw new Unconvertible("a <when> condition must be an expression but got '" + condition + "'");
          }
          Map<String, Object> w = new LinkedHashMap<>();
          w.put("condition", CSharpToCel.translate(condition));
          w.put("policies", entries(child.children(), false));
          whens.add(w);
        } else if (child.name().equals("otherwise")) {
          otherwise = entries(child.children(), false);
        } else {
          report(child, "is not allowed in <choose>");
        }
      }
    } finally {
      inChoose = outer;
    }
    if (whens.isEmpty()) {
      throw new Unconvertible("has no <when>");
    }
    Map<String, Object> c = new LinkedHashMap<>();
    c.put("when", whens);
    if (!otherwise.isEmpty()) {
      c.put("otherwise", otherwise);
    }
    return policy(Target.CHOOSE, c);
  }

  // ---------------------------------------------------------------- values

  void unsupportedAttrs(Node n, String... names) {
    for (String a : names) {
      if (n.attr(a) != null) {
        report(n, "attribute " + a + "=\"" + n.attr(a) + "\" is not converted");
      }
    }
  }

  private static final Pattern NAMED = Pattern.compile("\\{\\{([^}]+)}}");

  /** A literal value; {@code {{nv}}} becomes {@code ${nv:nv}}; an expression is refused. */
  String value(Node n, String v) {
    if (v == null) {
      throw new Unconvertible("a value is required");
    }
    if (isExpression(v)) {
      throw new Unconvertible("expression where Gatehouse takes a literal: " + CSharpToCel.abbreviate(v));
    }
    return NAMED.matcher(v).replaceAll(m -> Matcher.quoteReplacement("${nv:" + m.group(1) + "}"));
  }

  /** The literal value of the required attribute {@code attr}. */
  String literal(Node n, String attr) {
    return value(n, required(n, attr));
  }

  /** The raw value of the required attribute {@code attr}. */
  static String required(Node n, String attr) {
    String v = n.attr(attr);
    if (v == null) {
      throw new Unconvertible("attribute " + attr + " is required");
    }
    return v;
  }

  /** The required whole-number attribute {@code attr}, in {@code [min, max]}. */
  static long number(Node n, String attr, long min, long max) {
    String v = required(n, attr);
    long x;
    try {
      x = Long.parseLong(v.trim());
    } catch (NumberFormatException e) {
      throw new Unconvertible("attribute " + attr + " must be a whole number but is '" + v + "'");
    }
    if (x < min || x > max) {
      throw new Unconvertible("attribute " + attr + " must be from " + min + " to " + max + " but is " + x);
    }
    return x;
  }

  /** The required attribute {@code attr}, a positive number of seconds, as a Gatehouse duration. */
  static String seconds(Node n, String attr, long min, long max) {
    return number(n, attr, min, max) + "s";
  }

  static List<String> texts(Node parent, String child) {
    List<String> out = new ArrayList<>();
    if (parent != null) {
      for (Node c : parent.all(child)) {
        out.add(c.text());
      }
    }
    return out;
  }

  private static final int MAX_CIDRS = 64;
  private static final Pattern IP_LITERAL = Pattern.compile("[0-9]{1,3}(?:\\.[0-9]{1,3}){3}|[0-9a-fA-F:.]*:[0-9a-fA-F:.]*");

  /** The CIDR blocks covering {@code from}..{@code to} (IPv4 or IPv6). */
  private static List<String> cidrs(String from, String to) {
    if (from == null || to == null || !IP_LITERAL.matcher(from).matches() || !IP_LITERAL.matcher(to).matches()) {
      // only address literals: a host name here would make the importer look names up
      throw new Unconvertible("address-range needs addresses in from and to but got '" + from + "'..'" + to + "'");
    }
    try {
      byte[] a = InetAddress.getByName(from).getAddress();
      byte[] b = InetAddress.getByName(to).getAddress();
      if (a.length != b.length) {
        throw new Unconvertible("address-range mixes IPv4 and IPv6");
      }
      int bits = a.length * 8;
      BigInteger lo = new BigInteger(1, a);
      BigInteger hi = new BigInteger(1, b);
      List<String> out = new ArrayList<>();
      while (lo.compareTo(hi) <= 0) {
        if (out.size() == MAX_CIDRS) {
          throw new Unconvertible("address-range " + from + ".." + to + " needs more than " + MAX_CIDRS
              + " CIDR blocks; list them as CIDR blocks instead");
        }
        int size = lo.signum() == 0 ? bits : lo.getLowestSetBit();
        size = Math.min(size, bits);
        while (size > 0 && lo.add(BigInteger.ONE.shiftLeft(size)).subtract(BigInteger.ONE).compareTo(hi) > 0) {
          size--;
        }
        out.add(format(lo, a.length) + "/" + (bits - size));
        lo = lo.add(BigInteger.ONE.shiftLeft(size));
      }
      if (out.isEmpty()) {
        throw new Unconvertible("address-range " + from + ".." + to + " is empty (from is above to)");
      }
      return out;
    } catch (UnknownHostException e) {
      throw new Unconvertible("address-range needs addresses in from and to but got '" + from + "'..'" + to + "'");
    }
  }

  private static String format(BigInteger v, int length) throws UnknownHostException {
    byte[] raw = v.toByteArray();
    byte[] out = new byte[length];
    int copy = Math.min(raw.length, length);
    System.arraycopy(raw, raw.length - copy, out, length - copy, copy);
    return InetAddress.getByAddress(out).getHostAddress();
  }
}
