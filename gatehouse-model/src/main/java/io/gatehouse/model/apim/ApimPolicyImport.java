package io.gatehouse.model.apim;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.core.JsonProcessingException;
import io.gatehouse.model.ConfigMapper;
import java.io.StringReader;
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
import javax.xml.stream.XMLInputFactory;
import javax.xml.stream.XMLStreamConstants;
import javax.xml.stream.XMLStreamException;
import javax.xml.stream.XMLStreamReader;

/**
 * Converts an Azure API Management policy document ({@code <policies>} with {@code inbound},
 * {@code backend}, {@code outbound} and {@code on-error}) into Gatehouse policy entries, mapping
 * each element to the Gatehouse policy of the same purpose and reporting, with its line, every
 * element or C# policy expression it cannot convert.
 *
 * <p>Simple expressions ({@code @(context.Request.IpAddress)}, header and variable lookups,
 * comparisons) become CEL; {@code {{name}}} named values become {@code ${nv:name}}. DTDs and
 * external entities are refused.
 */
public final class ApimPolicyImport {

  /** Something left out of the conversion, at {@code line} of the source document. */
  public record Finding(int line, String element, String message) {
    @Override
    public String toString() {
      return "line " + line + ": <" + element + "> " + message;
    }
  }

  /**
   * The converted policies ({@code inbound}, {@code backend}, {@code outbound}, {@code on-error},
   * each a list of entries as the configuration reads them) and what could not be converted.
   */
  public record Result(Map<String, Object> policies, List<Finding> unconverted) {
    /** The policies as YAML, to place under a scope's {@code policies:}. */
    public String yaml() {
      try {
        return ConfigMapper.yaml().writeValueAsString(policies);
      } catch (JsonProcessingException e) {
        throw new IllegalStateException(e);
      }
    }
  }

  /** Thrown when the document is not well-formed XML or not a {@code <policies>} document. */
  public static final class ImportException extends Exception {
    public ImportException(String message) {
      super(message);
    }
  }

  private record Node(String name, Map<String, String> attrs, List<Node> children, String text, int line) {
    String attr(String n) {
      return attrs.get(n);
    }

    List<Node> all(String n) {
      List<Node> out = new ArrayList<>();
      for (Node c : children) {
        if (c.name.equals(n)) {
          out.add(c);
        }
      }
      return out;
    }

    Node first(String n) {
      for (Node c : children) {
        if (c.name.equals(n)) {
          return c;
        }
      }
      return null;
    }
  }

  private final List<Finding> findings = new ArrayList<>();

  private ApimPolicyImport() {}

  /** Converts the policy document {@code xml}. */
  public static Result convert(String xml) throws ImportException {
    requireNonNull(xml, "xml");
    ApimPolicyImport imp = new ApimPolicyImport();
    Node root = parse(xml);
    if (!root.name.equals("policies")) {
      throw new ImportException("line " + root.line + ": expected <policies> as the root element but got <" + root.name + ">");
    }
    Map<String, Object> out = new LinkedHashMap<>();
    for (Node section : root.children) {
      String key;
      switch (section.name) {
        case "inbound":
        case "backend":
        case "outbound":
        case "on-error":
          key = section.name;
          break;
        default:
          imp.report(section, "is not a policy section (expected inbound, backend, outbound or on-error)");
          continue;
      }
      List<Object> entries = imp.entries(section.children, key, true);
      if (!entries.isEmpty()) {
        out.put(key, entries);
      }
    }
    return new Result(out, List.copyOf(imp.findings));
  }

  // ---------------------------------------------------------------- parsing

  private static Node parse(String raw) throws ImportException {
    String xml = escapeExpressions(raw);
    XMLInputFactory f = XMLInputFactory.newFactory();
    f.setProperty(XMLInputFactory.SUPPORT_DTD, false);
    f.setProperty(XMLInputFactory.IS_SUPPORTING_EXTERNAL_ENTITIES, false);
    f.setProperty(XMLInputFactory.IS_NAMESPACE_AWARE, false);
    try {
      XMLStreamReader r = f.createXMLStreamReader(new StringReader(xml));
      List<Node> stack = new ArrayList<>();
      List<StringBuilder> texts = new ArrayList<>();
      Node root = null;
      while (r.hasNext()) {
        int ev = r.next();
        if (ev == XMLStreamConstants.START_ELEMENT) {
          Map<String, String> attrs = new LinkedHashMap<>();
          for (int i = 0; i < r.getAttributeCount(); i++) {
            attrs.put(r.getAttributeLocalName(i), r.getAttributeValue(i));
          }
          Node n = new Node(r.getLocalName(), attrs, new ArrayList<>(), null, r.getLocation().getLineNumber());
          stack.add(n);
          texts.add(new StringBuilder());
        } else if (ev == XMLStreamConstants.CHARACTERS || ev == XMLStreamConstants.CDATA) {
          if (!texts.isEmpty()) {
            texts.get(texts.size() - 1).append(r.getText());
          }
        } else if (ev == XMLStreamConstants.DTD) {
          throw new ImportException("line " + r.getLocation().getLineNumber() + ": DTDs are not accepted");
        } else if (ev == XMLStreamConstants.END_ELEMENT) {
          Node open = stack.remove(stack.size() - 1);
          String text = texts.remove(texts.size() - 1).toString().trim();
          Node done = new Node(open.name, open.attrs, open.children, text, open.line);
          if (stack.isEmpty()) {
            root = done;
          } else {
            stack.get(stack.size() - 1).children.add(done);
          }
        }
      }
      if (root == null) {
        throw new ImportException("the document has no root element");
      }
      return root;
    } catch (XMLStreamException e) {
      int line = e.getLocation() == null ? -1 : e.getLocation().getLineNumber();
      throw new ImportException("line " + line + ": not well-formed XML: " + e.getMessage());
    } catch (RuntimeException e) {
      // The JDK's StAX parser throws unchecked exceptions on some malformed input (for example a
      // MissingResourceException for a NUL inside a DOCTYPE): still a malformed document.
      throw new ImportException("not well-formed XML: the XML parser failed with " + e.getClass().getSimpleName());
    }
  }

  private static final Pattern ENTITY = Pattern.compile("&(?:amp|lt|gt|quot|apos|#\\d+|#x[0-9a-fA-F]+);");

  /**
   * APIM accepts C# with raw {@code <}, {@code >} and {@code &} inside {@code @(...)} and
   * {@code @{...}} (as in {@code Body.As<JObject>()}), which is not well-formed XML: escape them
   * inside expressions, keeping every line where it was.
   */
  static String escapeExpressions(String xml) {
    StringBuilder out = new StringBuilder(xml.length() + 64);
    int i = 0;
    int n = xml.length();
    while (i < n) {
      char ch = xml.charAt(i);
      if (ch == '@' && i + 1 < n && (xml.charAt(i + 1) == '(' || xml.charAt(i + 1) == '{')) {
        char open = xml.charAt(i + 1);
        char close = open == '(' ? ')' : '}';
        int depth = 0;
        boolean inString = false;
        int j = i + 1;
        for (; j < n; j++) {
          char c = xml.charAt(j);
          if (inString) {
            if (c == '\\') {
              j++;
            } else if (c == '"') {
              inString = false;
            }
            continue;
          }
          if (c == '"') {
            inString = true;
          } else if (c == open) {
            depth++;
          } else if (c == close && --depth == 0) {
            break;
          }
        }
        int end = Math.min(j, n - 1);
        out.append("@");
        for (int k = i + 1; k <= end; k++) {
          char c = xml.charAt(k);
          if (c == '<') {
            out.append("&lt;");
          } else if (c == '>') {
            out.append("&gt;");
          } else if (c == '&' && !ENTITY.matcher(xml).region(k, n).lookingAt()) {
            out.append("&amp;");
          } else {
            out.append(c);
          }
        }
        i = end + 1;
      } else {
        out.append(ch);
        i++;
      }
    }
    return out.toString();
  }

  // ---------------------------------------------------------------- conversion

  private void report(Node n, String message) {
    findings.add(new Finding(n.line, n.name, message));
  }

  private List<Object> entries(List<Node> nodes, String section, boolean top) {
    List<Object> out = new ArrayList<>();
    for (Node n : nodes) {
      if (n.name.equals("base")) {
        if (top) {
          out.add("base");
        } else {
          report(n, "'base' is only allowed directly in a section");
        }
        continue;
      }
      try {
        Object e = entry(n, section);
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

  /** Signals that one element cannot be converted; the element is left out. */
  private static final class Unconvertible extends RuntimeException {
    Unconvertible(String message) {
      super(message, null, false, false);
    }
  }

  private static Map<String, Object> policy(String name, Map<String, Object> config) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put(name, config);
    return m;
  }

  private Object entry(Node n, String section) {
    Map<String, Object> c = new LinkedHashMap<>();
    switch (n.name) {
      case "set-header":
      case "set-query-parameter": {
        c.put("name", literal(n, "name"));
        String action = n.attrs.getOrDefault("exists-action", "override").toLowerCase(Locale.ROOT);
        if (!List.of("override", "skip", "append", "delete").contains(action)) {
          throw new Unconvertible("exists-action '" + action + "' is not one of override, skip, append, delete");
        }
        List<Node> values = n.all("value");
        if (values.size() == 1 && isExpression(values.get(0).text)) {
          if (n.name.equals("set-query-parameter")) {
            throw new Unconvertible("set-query-parameter takes no expression in Gatehouse: " + values.get(0).text);
          }
          c.put("expression", cel(values.get(0), values.get(0).text));
        } else if (values.size() == 1) {
          c.put("value", value(values.get(0), values.get(0).text));
        } else if (!values.isEmpty()) {
          List<String> vs = new ArrayList<>();
          for (Node v : values) {
            vs.add(value(v, v.text));
          }
          c.put("value", vs);
        }
        if (!action.equals("override")) {
          c.put("action", action);
        }
        return policy(n.name, c);
      }
      case "rewrite-uri":
        c.put("template", value(n, n.attr("template")));
        if ("false".equalsIgnoreCase(n.attr("copy-unmatched-params"))) {
          c.put("copy-unmatched-params", false);
        }
        return policy("rewrite-uri", c);
      case "set-method":
        c.put("method", value(n, n.text));
        return policy("set-method", c);
      case "set-status":
        c.put("code", number(n, "code"));
        if (n.attr("reason") != null) {
          c.put("reason", n.attr("reason"));
        }
        return policy("set-status", c);
      case "set-body": {
        if (n.attr("template") != null) {
          throw new Unconvertible("template '" + n.attr("template") + "' (Liquid) has no Gatehouse equivalent");
        }
        if (isExpression(n.text)) {
          c.put("expression", cel(n, n.text));
        } else {
          c.put("value", value(n, n.text));
        }
        return policy("set-body", c);
      }
      case "return-response":
      case "mock-response":
        return returnResponse(n);
      case "rate-limit":
      case "rate-limit-by-key": {
        if (!n.children.isEmpty()) {
          throw new Unconvertible("per-API or per-operation limits nested in <" + n.name + "> have no equivalent; "
              + "put a rate-limit at that scope instead");
        }
        c.put("calls", number(n, "calls"));
        c.put("period", seconds(n, "renewal-period"));
        if (n.name.equals("rate-limit-by-key")) {
          c.put("key", celOrLiteral(n, n.attr("counter-key")));
          unsupportedAttrs(n, "increment-condition", "increment-count");
        }
        return policy(n.name, c);
      }
      case "quota":
      case "quota-by-key": {
        if (!n.children.isEmpty()) {
          throw new Unconvertible("per-API or per-operation quotas nested in <" + n.name + "> have no equivalent; "
              + "put a quota at that scope instead");
        }
        if (n.attr("calls") != null) {
          c.put("calls", number(n, "calls"));
        }
        if (n.attr("bandwidth") != null) {
          c.put("bandwidth", number(n, "bandwidth") * 1024L); // APIM counts kilobytes
        }
        c.put("renewal-period", seconds(n, "renewal-period"));
        if (n.name.equals("quota-by-key")) {
          c.put("key", celOrLiteral(n, n.attr("counter-key")));
          unsupportedAttrs(n, "increment-condition", "first-period-start");
        }
        return policy(n.name, c);
      }
      case "ip-filter": {
        String action = n.attr("action");
        List<String> ranges = new ArrayList<>();
        for (Node a : n.children) {
          if (a.name.equals("address")) {
            ranges.add(a.text);
          } else if (a.name.equals("address-range")) {
            ranges.addAll(cidrs(a, a.attr("from"), a.attr("to")));
          }
        }
        if ("allow".equalsIgnoreCase(action)) {
          c.put("allow", ranges);
        } else if ("forbid".equalsIgnoreCase(action)) {
          c.put("deny", ranges);
        } else {
          throw new Unconvertible("action '" + action + "' is not allow or forbid");
        }
        return policy("ip-filter", c);
      }
      case "cors": {
        List<String> origins = texts(n.first("allowed-origins"), "origin");
        c.put("allowed-origins", origins);
        Node methods = n.first("allowed-methods");
        if (methods != null) {
          c.put("allowed-methods", texts(methods, "method"));
          if (methods.attr("preflight-result-max-age") != null) {
            c.put("preflight-result-max-age", number(methods, "preflight-result-max-age"));
          }
        }
        if (n.first("allowed-headers") != null) {
          c.put("allowed-headers", texts(n.first("allowed-headers"), "header"));
        }
        if (n.first("expose-headers") != null) {
          c.put("expose-headers", texts(n.first("expose-headers"), "header"));
        }
        if ("true".equalsIgnoreCase(n.attr("allow-credentials"))) {
          c.put("allow-credentials", true);
        }
        unsupportedAttrs(n, "terminate-unmatched-request");
        return policy("cors", c);
      }
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
          c.put("failed-check-httpcode", number(n, "failed-check-httpcode"));
        }
        if (n.attr("failed-check-error-message") != null) {
          c.put("failed-check-error-message", value(n, n.attr("failed-check-error-message")));
        }
        return policy("check-header", c);
      }
      case "validate-jwt":
        return validateJwt(n);
      case "validate-content": {
        String action = n.attrs.getOrDefault("validate-as", "json");
        if (!"json".equalsIgnoreCase(action)) {
          throw new Unconvertible("validate-as '" + action + "': only JSON bodies are validated");
        }
        String mode = n.attrs.getOrDefault("unspecified-content-type-action", "prevent").toLowerCase(Locale.ROOT);
        c.put("unspecifiedContentType", mode);
        if (n.attr("max-size") != null) {
          c.put("maxSize", number(n, "max-size"));
        }
        for (Node content : n.all("content")) {
          if (content.attr("action") != null) {
            c.put("action", content.attr("action").toLowerCase(Locale.ROOT));
          }
          if (content.attr("schema-id") != null) {
            report(content, "schema-id '" + content.attr("schema-id")
                + "': Gatehouse validates against the API's OpenAPI document; import it as the API's openapi");
          }
        }
        return policy("validate-content", c);
      }
      case "choose":
        return choose(n, section);
      case "set-variable": {
        c.put("name", literal(n, "name"));
        String v = n.attr("value");
        if (isExpression(v)) {
          c.put("expression", cel(n, v));
        } else {
          c.put("value", value(n, v));
        }
        return policy("set-variable", c);
      }
      case "limit-concurrency": {
        c.put("max-count", number(n, "max-count"));
        List<Object> inner = entries(n.children, section, false);
        List<Object> out = new ArrayList<>();
        out.add(policy("limit-concurrency", c));
        out.addAll(inner);
        if (!inner.isEmpty()) {
          report(n, "converted; the nested policies now follow it in the section, and the limit covers the "
              + "rest of the pipeline (until the response starts), not just them");
        }
        return out;
      }
      case "find-and-replace":
        c.put("from", value(n, n.attr("from")));
        c.put("to", value(n, n.attrs.getOrDefault("to", "")));
        return policy("find-and-replace", c);
      case "forward-request":
        if (n.attrs.isEmpty()) {
          return null; // Gatehouse forwards after the backend section by itself
        }
        throw new Unconvertible("attributes " + n.attrs.keySet()
            + " have no policy equivalent; set backends[].timeout / retry on the backend instead");
      case "retry":
        throw new Unconvertible("no policy equivalent; configure backends[].retry on the backend");
      case "set-backend-service":
        throw new Unconvertible("no policy equivalent; route the API to another backend (backend-id '"
            + n.attr("backend-id") + "', base-url '" + n.attr("base-url") + "')");
      case "cache-lookup":
      case "cache-store":
      case "cache-lookup-value":
      case "cache-store-value":
      case "cache-remove-value":
        throw new Unconvertible("response caching is not available in Gatehouse yet");
      case "send-request":
      case "send-one-way-request":
        throw new Unconvertible("calling other services from a policy is not available in Gatehouse");
      case "json-to-xml":
      case "xml-to-json":
      case "xsl-transform":
        throw new Unconvertible("XML conversion is not available in Gatehouse");
      case "trace":
        throw new Unconvertible("no equivalent; every request produces a traffic event and access-log line");
      case "emit-metric":
        throw new Unconvertible("no equivalent; Prometheus metrics are emitted per API and operation");
      default:
        throw new Unconvertible("no Gatehouse equivalent");
    }
  }

  private Object returnResponse(Node n) {
    Map<String, Object> c = new LinkedHashMap<>();
    if (n.name.equals("mock-response")) {
      c.put("status", n.attr("status-code") == null ? 200 : number(n, "status-code"));
      if (n.attr("content-type") != null) {
        c.put("content-type", n.attr("content-type"));
      }
      report(n, "converted to return-response with the status only: no example body is generated from the API's schema");
      return policy("return-response", c);
    }
    if (n.attr("response-variable-name") != null) {
      throw new Unconvertible("response-variable-name (a response built by send-request) has no equivalent");
    }
    Map<String, Object> headers = new LinkedHashMap<>();
    for (Node child : n.children) {
      switch (child.name) {
        case "set-status":
          c.put("status", number(child, "code"));
          break;
        case "set-header": {
          List<String> vs = new ArrayList<>();
          for (Node v : child.all("value")) {
            if (isExpression(v.text)) {
              report(v, "expression in a return-response header cannot be converted (return-response takes literals): " + v.text);
            } else {
              vs.add(value(v, v.text));
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
          if (isExpression(child.text)) {
            report(child, "expression body in return-response cannot be converted: " + child.text);
          } else {
            c.put("body", value(child, child.text));
          }
          break;
        default:
          report(child, "is not converted inside return-response");
      }
    }
    if (!headers.isEmpty()) {
      c.put("headers", headers);
    }
    return policy("return-response", c);
  }

  private Object validateJwt(Node n) {
    Map<String, Object> c = new LinkedHashMap<>();
    if (n.attr("header-name") != null) {
      c.put("header", value(n, n.attr("header-name")));
    } else if (n.attr("query-parameter-name") != null) {
      c.put("query", value(n, n.attr("query-parameter-name")));
    } else if (n.attr("token-value") != null) {
      throw new Unconvertible("token-value (a token computed by an expression) has no equivalent");
    }
    Node oidc = n.first("openid-config");
    if (oidc != null) {
      c.put("openidConfigUrl", value(oidc, oidc.attr("url")));
      if (n.all("openid-config").size() > 1) {
        report(n, "only the first <openid-config> is converted");
      }
    }
    Node keys = n.first("issuer-signing-keys");
    if (keys != null) {
      report(keys, "inline signing keys are not converted: put them in a JWK Set (jwks) or use openidConfigUrl/jwksUrl");
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
      c.put("clockSkew", seconds(n, "clock-skew"));
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
    unsupportedAttrs(n, "failed-validation-httpcode", "failed-validation-error-message", "output-token-variable-name",
        "require-signed-tokens", "require-scheme");
    return policy("validate-jwt", c);
  }

  private Object choose(Node n, String section) {
    List<Object> whens = new ArrayList<>();
    List<Object> otherwise = List.of();
    for (Node child : n.children) {
      if (child.name.equals("when")) {
        String condition = child.attr("condition");
        if (!isExpression(condition)) {
          throw new Unconvertible("a <when> condition must be an expression but got '" + condition + "'");
        }
        Map<String, Object> w = new LinkedHashMap<>();
        w.put("condition", cel(child, condition));
        w.put("policies", entries(child.children, section, false));
        whens.add(w);
      } else if (child.name.equals("otherwise")) {
        otherwise = entries(child.children, section, false);
      } else {
        report(child, "is not allowed in <choose>");
      }
    }
    Map<String, Object> c = new LinkedHashMap<>();
    c.put("when", whens);
    if (!otherwise.isEmpty()) {
      c.put("otherwise", otherwise);
    }
    return policy("choose", c);
  }

  // ---------------------------------------------------------------- values and expressions

  private static boolean isExpression(String v) {
    return v != null && (v.startsWith("@(") || v.startsWith("@{"));
  }

  private void unsupportedAttrs(Node n, String... names) {
    for (String a : names) {
      if (n.attr(a) != null) {
        report(n, "attribute " + a + "=\"" + n.attr(a) + "\" is not converted");
      }
    }
  }

  private static final Pattern NAMED = Pattern.compile("\\{\\{([^}]+)}}");

  /** A literal value; {@code {{nv}}} becomes {@code ${nv:nv}}; an expression is refused. */
  private String value(Node n, String v) {
    if (v == null) {
      throw new Unconvertible("a value is required");
    }
    if (isExpression(v)) {
      throw new Unconvertible("expression where Gatehouse takes a literal: " + v);
    }
    return NAMED.matcher(v).replaceAll(m -> Matcher.quoteReplacement("${nv:" + m.group(1) + "}"));
  }

  private String literal(Node n, String attr) {
    return value(n, n.attr(attr));
  }

  private static long number(Node n, String attr) {
    String v = n.attr(attr);
    if (v == null) {
      throw new Unconvertible("attribute " + attr + " is required");
    }
    try {
      return Long.parseLong(v.trim());
    } catch (NumberFormatException e) {
      throw new Unconvertible("attribute " + attr + " must be a whole number but is '" + v + "'");
    }
  }

  private static String seconds(Node n, String attr) {
    return number(n, attr) + "s";
  }

  private static List<String> texts(Node parent, String child) {
    List<String> out = new ArrayList<>();
    if (parent != null) {
      for (Node c : parent.all(child)) {
        out.add(c.text);
      }
    }
    return out;
  }

  /** A counter key: an expression as CEL, or a literal as a CEL string. */
  private String celOrLiteral(Node n, String v) {
    if (v == null) {
      throw new Unconvertible("attribute counter-key is required");
    }
    if (isExpression(v)) {
      return cel(n, v);
    }
    return "'" + v.replace("\\", "\\\\").replace("'", "\\'") + "'";
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
  private static final Pattern LEFTOVER = Pattern.compile("context\\.|\\(\\s*(?:string|int|bool)\\s*\\)|=>|\\bnew\\b|\\?\\.|\\.[A-Z]\\w*\\(|;");

  /** Translates a C# policy expression to CEL, or refuses it. */
  private String cel(Node n, String expression) {
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
      return Matcher.quoteReplacement("('" + name + "' in " + map + " ? " + map + "['" + name + "'] : '" + def + "')");
    });
    body = VARIABLE.matcher(body).replaceAll(r -> Matcher.quoteReplacement(
        "variables['" + (r.group(1) != null ? r.group(1) : r.group(2)) + "']"));
    for (String[] member : MEMBERS) {
      body = body.replaceAll(member[0] + "(?!\\w)", Matcher.quoteReplacement(member[1]));
    }
    body = Pattern.compile("\"((?:[^\"\\\\']|\\\\.)*)\"").matcher(body).replaceAll(r -> Matcher.quoteReplacement("'" + r.group(1) + "'"));
    body = body.replace(".StartsWith(", ".startsWith(").replace(".EndsWith(", ".endsWith(")
        .replace(".Contains(", ".contains(");
    if (LEFTOVER.matcher(body).find()) {
      throw new Unconvertible("C# expression cannot be converted to CEL: " + abbreviate(expression));
    }
    return body;
  }

  private static String abbreviate(String s) {
    String one = s.replaceAll("\\s+", " ");
    return one.length() > 120 ? one.substring(0, 117) + "..." : one;
  }

  /** The CIDR blocks covering {@code from}..{@code to} (IPv4 or IPv6). */
  private static List<String> cidrs(Node n, String from, String to) {
    try {
      byte[] a = InetAddress.getByName(requireNonNull(from, "from")).getAddress();
      byte[] b = InetAddress.getByName(requireNonNull(to, "to")).getAddress();
      if (a.length != b.length) {
        throw new Unconvertible("address-range mixes IPv4 and IPv6");
      }
      int bits = a.length * 8;
      BigInteger lo = new BigInteger(1, a);
      BigInteger hi = new BigInteger(1, b);
      List<String> out = new ArrayList<>();
      while (lo.compareTo(hi) <= 0 && out.size() < 64) {
        int size = lo.signum() == 0 ? bits : lo.getLowestSetBit();
        size = Math.min(size, bits);
        while (size > 0 && lo.add(BigInteger.ONE.shiftLeft(size)).subtract(BigInteger.ONE).compareTo(hi) > 0) {
          size--;
        }
        out.add(format(lo, a.length) + "/" + (bits - size));
        lo = lo.add(BigInteger.ONE.shiftLeft(size));
      }
      return out;
    } catch (UnknownHostException | NullPointerException e) {
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
