package io.gatehouse.model.apim;

import static io.gatehouse.model.apim.CSharpToCel.isExpression;
import static io.gatehouse.model.apim.Converter.number;
import static io.gatehouse.model.apim.Converter.required;
import static io.gatehouse.model.apim.Converter.texts;

import io.gatehouse.model.apim.ApimXml.Node;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The mappings of APIM's caching, routing, transformation, diagnostic and contract-validation
 * policies (and of mock-response) to the Gatehouse policies of the same names.
 */
final class CatalogueMappings {
  private CatalogueMappings() {}

  /** APIM emit-metric's default dimensions, which take no value, as CEL. */
  private static final Map<String, String> DEFAULT_DIMENSIONS = Map.of(
      "API ID", "api.name",
      "Operation ID", "operation",
      "Product ID", "product.name",
      "Subscription ID", "subscription.name");

  static Object entry(Converter cv, Node n) {
    switch (n.name()) {
      case "mock-response":
        return mockResponse(cv, n);
      case "cache-lookup":
        return cacheLookup(cv, n);
      case "cache-store":
        return cacheStore(cv, n);
      case "cache-lookup-value":
      case "cache-store-value":
      case "cache-remove-value":
        return valueCache(cv, n);
      case "set-backend-service":
        return setBackendService(cv, n);
      case "forward-request":
        return forwardRequest(cv, n);
      case "retry":
        return retry(cv, n);
      case "send-request":
        return sendRequest(cv, n);
      case "send-one-way-request":
        throw new Unconvertible("no equivalent: Gatehouse's send-request waits for the answer; use it with "
            + "ignore-error: true if the wait is acceptable");
      case "json-to-xml":
        return jsonToXml(cv, n);
      case "xml-to-json":
        return xmlToJson(cv, n);
      case "xsl-transform":
        throw new Unconvertible("XSL transformation is not available in Gatehouse");
      case "trace":
        return trace(cv, n);
      case "emit-metric":
        return emitMetric(cv, n);
      case "validate-content":
        return validateContent(cv, n);
      case "validate-parameters":
        return validateParameters(cv, n);
      case "validate-headers":
        return validateHeaders(cv, n);
      case "validate-status-code":
        return validateStatusCode(cv, n);
      case "validate-client-certificate":
        return validateClientCertificate(cv, n);
      default:
        throw new Unconvertible("no Gatehouse equivalent");
    }
  }

  // ---------------------------------------------------------------- mock-response

  private static Object mockResponse(Converter cv, Node n) {
    Map<String, Object> c = new LinkedHashMap<>();
    if (n.attr("status-code") != null) {
      c.put("status", number(n, "status-code", 100, 599));
    }
    if (n.attr("content-type") != null) {
      c.put("content-type", cv.value(n, n.attr("content-type")));
    }
    if (!n.children().isEmpty() || !n.text().isEmpty()) {
      cv.report(n, "content inside <mock-response> is not converted: the body is the example of the API's OpenAPI "
          + "document for the status and content type");
    }
    return cv.policy(Target.MOCK_RESPONSE, c);
  }

  // ---------------------------------------------------------------- caching

  private static Object cacheLookup(Converter cv, Node n) {
    Map<String, Object> c = new LinkedHashMap<>();
    List<String> headers = texts(n, "vary-by-header");
    if (!headers.isEmpty()) {
      c.put("vary-by-headers", headers);
    }
    List<String> query = texts(n, "vary-by-query-parameter");
    if (!query.isEmpty()) {
      c.put("vary-by-query-parameters", query);
    }
    // Shared between callers only when the document says so; a missing attribute keeps entries per subscription.
    boolean byDeveloper = !"false".equalsIgnoreCase(n.attr("vary-by-developer"));
    boolean byGroups = !"false".equalsIgnoreCase(n.attr("vary-by-developer-groups"));
    if (!byDeveloper && !byGroups) {
      c.put("shared", true);
    } else if (byGroups && !byDeveloper) {
      cv.report(n, "vary-by-developer-groups is converted as per subscription: Gatehouse has no developer groups");
    }
    if ("external".equalsIgnoreCase(n.attr("caching-type"))) {
      cv.report(n, "caching-type=\"external\" is not converted: Gatehouse caches in the gateway's memory");
    }
    if (n.attr("downstream-caching-type") != null && !"none".equalsIgnoreCase(n.attr("downstream-caching-type"))) {
      cv.report(n, "downstream-caching-type=\"" + n.attr("downstream-caching-type") + "\" is not converted: "
          + "Gatehouse passes the backend's Cache-Control through");
    }
    cv.unsupportedAttrs(n, "must-revalidate", "allow-private-response-caching");
    for (Node child : n.children()) {
      if (!child.name().equals("vary-by-header") && !child.name().equals("vary-by-query-parameter")) {
        cv.report(child, "is not converted inside cache-lookup");
      }
    }
    return cv.policy(Target.CACHE_LOOKUP, c);
  }

  private static Object cacheStore(Converter cv, Node n) {
    Map<String, Object> c = new LinkedHashMap<>();
    c.put("duration", Converter.seconds(n, "duration", 1, Integer.MAX_VALUE));
    if ("true".equalsIgnoreCase(n.attr("cache-response"))) {
      cv.report(n, "cache-response=\"true\" is not converted: Gatehouse stores 200 responses; list others in "
          + "cache-store status-codes");
    }
    return cv.policy(Target.CACHE_STORE, c);
  }

  private static Object valueCache(Converter cv, Node n) {
    Map<String, Object> c = new LinkedHashMap<>();
    c.put("key", CSharpToCel.celOrString(required(n, "key")));
    if ("external".equalsIgnoreCase(n.attr("caching-type"))) {
      cv.report(n, "caching-type=\"external\" is not converted: Gatehouse keeps values in the gateway's memory");
    }
    switch (n.name()) {
      case "cache-lookup-value":
        c.put("variable-name", cv.literal(n, "variable-name"));
        if (n.attr("default-value") != null) {
          c.put("default-value", cv.value(n, n.attr("default-value")));
        }
        return cv.policy(Target.CACHE_LOOKUP_VALUE, c);
      case "cache-store-value":
        c.put("value", CSharpToCel.celOrString(required(n, "value")));
        c.put("duration", Converter.seconds(n, "duration", 1, Integer.MAX_VALUE));
        return cv.policy(Target.CACHE_STORE_VALUE, c);
      default:
        return cv.policy(Target.CACHE_REMOVE_VALUE, c);
    }
  }

  // ---------------------------------------------------------------- routing

  private static Object setBackendService(Converter cv, Node n) {
    String id = n.attr("backend-id");
    String url = n.attr("base-url");
    if (id == null && url == null) {
      throw new Unconvertible("names no backend: give base-url (a URL) or backend-id (the name of a Gatehouse backend)");
    }
    if (id != null && url != null) {
      throw new Unconvertible("gives both base-url and backend-id; keep one");
    }
    Map<String, Object> c = new LinkedHashMap<>();
    if (id != null) {
      c.put("backend-id", cv.value(n, id));
    } else {
      String u = cv.value(n, url);
      if (!u.regionMatches(true, 0, "http://", 0, 7) && !u.regionMatches(true, 0, "https://", 0, 8)
          && !u.startsWith("${nv:")) {
        throw new Unconvertible("base-url '" + u + "' is not an http or https URL");
      }
      c.put("base-url", u);
    }
    for (String a : n.attrs().keySet()) {
      if (a.startsWith("sf-")) {
        cv.report(n, "attribute " + a + " (Service Fabric) is not converted");
      }
    }
    return cv.policy(Target.SET_BACKEND_SERVICE, c);
  }

  private static Object forwardRequest(Converter cv, Node n) {
    for (String a : n.attrs().keySet()) {
      if (!a.equals("timeout")) {
        cv.report(n, "attribute " + a + "=\"" + n.attr(a) + "\" is not converted");
      }
    }
    if (n.attr("timeout") == null) {
      return null; // Gatehouse forwards after the backend section by itself
    }
    Map<String, Object> c = new LinkedHashMap<>();
    c.put("timeout", Converter.seconds(n, "timeout", 1, 86400));
    return cv.policy(Target.FORWARD_REQUEST, c);
  }

  private static Object retry(Converter cv, Node n) {
    Map<String, Object> c = new LinkedHashMap<>();
    String condition = required(n, "condition");
    if (!isExpression(condition)) {
      throw new Unconvertible("condition must be an expression but got '" + condition + "'");
    }
    c.put("condition", CSharpToCel.translate(condition));
    long count = number(n, "count", 1, Integer.MAX_VALUE);
    if (count > 10) {
      cv.report(n, "count=\"" + count + "\" is lowered to 10, Gatehouse's most retries");
      count = 10;
    }
    c.put("count", count);
    if (n.attr("interval") != null && number(n, "interval", 0, 86400) > 0) {
      c.put("interval", number(n, "interval", 0, 86400) + "s");
    }
    if (n.attr("delta") != null) {
      c.put("backoff", "exponential");
      cv.report(n, "delta=\"" + n.attr("delta") + "\" is converted as exponential backoff: Gatehouse doubles the "
          + "interval after each attempt, up to max-interval");
    }
    if (n.attr("max-interval") != null) {
      c.put("max-interval", Converter.seconds(n, "max-interval", 1, 86400));
    }
    cv.unsupportedAttrs(n, "first-fast-retry");
    List<Object> out = new ArrayList<>();
    out.add(cv.policy(Target.RETRY, c));
    out.addAll(cv.entries(n.children(), false));
    if (n.children().stream().anyMatch(child -> !child.name().equals("forward-request"))) {
      cv.report(n, "converted; the nested policies now follow it in the section, and the retry repeats the rest of "
          + "the pipeline and the backend call, not just them");
    }
    return out;
  }

  private static Object sendRequest(Converter cv, Node n) {
    if (n.attr("mode") != null && !"new".equalsIgnoreCase(n.attr("mode"))) {
      throw new Unconvertible("mode=\"" + n.attr("mode") + "\" (a copy of the current request) has no equivalent; "
          + "only mode=\"new\" is converted");
    }
    Map<String, Object> c = new LinkedHashMap<>();
    Map<String, Object> headers = new LinkedHashMap<>();
    for (Node child : n.children()) {
      switch (child.name()) {
        case "set-url":
          if (isExpression(child.text())) {
            c.put("url-expression", CSharpToCel.translate(child.text()));
          } else {
            String url = cv.value(child, child.text());
            if (!url.regionMatches(true, 0, "http://", 0, 7) && !url.regionMatches(true, 0, "https://", 0, 8)) {
              throw new Unconvertible("<set-url> '" + url + "' is not an absolute http or https URL");
            }
            c.put("url", url);
          }
          break;
        case "set-method": {
          String method = cv.value(child, child.text()).toUpperCase(Locale.ROOT);
          if (!method.matches("[A-Z]{1,20}")) {
            throw new Unconvertible("<set-method> '" + child.text() + "' is not an HTTP method such as GET or POST");
          }
          c.put("method", method);
          break;
        }
        case "set-header": {
          List<Node> values = child.all("value");
          if (values.size() != 1 || isExpression(values.get(0).text())) {
            cv.report(child, "send-request headers take one literal value in Gatehouse; this header is left out");
          } else {
            headers.put(cv.literal(child, "name"), cv.value(values.get(0), values.get(0).text()));
          }
          break;
        }
        case "set-body":
          if (isExpression(child.text())) {
            c.put("body-expression", CSharpToCel.translate(child.text()));
          } else {
            c.put("body", cv.value(child, child.text()));
          }
          break;
        default:
          cv.report(child, "is not converted inside send-request");
      }
    }
    if (!c.containsKey("url") && !c.containsKey("url-expression")) {
      throw new Unconvertible("needs a <set-url>");
    }
    if (!headers.isEmpty()) {
      c.put("headers", headers);
    }
    String variable = n.attr("response-variable-name");
    if (variable == null) {
      throw new Unconvertible("needs response-variable-name: Gatehouse's send-request stores the response in a variable");
    }
    c.put("response-variable-name", cv.value(n, variable));
    // APIM waits 60 s by default, Gatehouse 10 s: keep APIM's.
    c.put("timeout", n.attr("timeout") == null ? "60s" : Converter.seconds(n, "timeout", 1, 86400));
    if ("true".equalsIgnoreCase(n.attr("ignore-error"))) {
      c.put("ignore-error", true);
    }
    return cv.policy(Target.SEND_REQUEST, c);
  }

  // ---------------------------------------------------------------- transformation

  private static Object jsonToXml(Converter cv, Node n) {
    Map<String, Object> c = new LinkedHashMap<>();
    String apply = n.attrs().getOrDefault("apply", "always").toLowerCase(Locale.ROOT);
    if (!apply.equals("always") && !apply.equals("content-type-json")) {
      throw new Unconvertible("apply=\"" + apply + "\" is not always or content-type-json");
    }
    c.put("apply", apply);
    c.put("root-element", "Document"); // the root APIM writes
    if (!"false".equalsIgnoreCase(n.attr("consider-accept-header"))) {
      cv.report(n, "consider-accept-header is not converted: Gatehouse converts whatever the Accept header asks for");
    }
    cv.unsupportedAttrs(n, "parse-date", "namespace-separator", "namespace-prefix", "attribute-block-name");
    return cv.policy(Target.JSON_TO_XML, c);
  }

  private static Object xmlToJson(Converter cv, Node n) {
    Map<String, Object> c = new LinkedHashMap<>();
    String apply = n.attrs().getOrDefault("apply", "always").toLowerCase(Locale.ROOT);
    if (!apply.equals("always") && !apply.equals("content-type-xml")) {
      throw new Unconvertible("apply=\"" + apply + "\" is not always or content-type-xml");
    }
    c.put("apply", apply);
    if ("javascript-friendly".equalsIgnoreCase(n.attr("kind"))) {
      cv.report(n, "kind=\"javascript-friendly\" is not converted: Gatehouse writes attributes as \"@name\" and "
          + "mixed text as \"#text\"");
    }
    if (!"false".equalsIgnoreCase(n.attr("consider-accept-header"))) {
      cv.report(n, "consider-accept-header is not converted: Gatehouse converts whatever the Accept header asks for");
    }
    if ("true".equalsIgnoreCase(n.attr("always-array-child-elements"))) {
      cv.report(n, "always-array-child-elements=\"true\" is not converted: repeated elements become arrays, single "
          + "ones values");
    }
    return cv.policy(Target.XML_TO_JSON, c);
  }

  // ---------------------------------------------------------------- diagnostics

  private static Object trace(Converter cv, Node n) {
    Map<String, Object> c = new LinkedHashMap<>();
    if (n.attr("source") != null) {
      c.put("source", cv.value(n, n.attr("source")));
    }
    String severity = n.attrs().getOrDefault("severity", "verbose").toLowerCase(Locale.ROOT);
    if (!List.of("verbose", "information", "error").contains(severity)) {
      throw new Unconvertible("severity '" + severity + "' is not verbose, information or error");
    }
    c.put("severity", severity);
    Node message = n.first("message");
    if (message == null) {
      throw new Unconvertible("needs a <message>");
    }
    if (isExpression(message.text())) {
      c.put("expression", CSharpToCel.translate(message.text()));
    } else {
      c.put("message", cv.value(message, message.text()));
    }
    for (Node m : n.all("metadata")) {
      cv.report(m, "metadata is not converted: the trace line carries the request id and API name");
    }
    return cv.policy(Target.TRACE, c);
  }

  private static Object emitMetric(Converter cv, Node n) {
    Map<String, Object> c = new LinkedHashMap<>();
    String name = cv.literal(n, "name");
    if (!name.matches("[a-zA-Z_][a-zA-Z0-9_.]{0,127}")) {
      throw new Unconvertible("name '" + name + "' is not a Gatehouse metric name (letters, digits, '_' and '.')");
    }
    c.put("name", name);
    String value = n.attr("value");
    if (value != null) {
      if (isExpression(value)) {
        c.put("value", CSharpToCel.translate(value));
      } else {
        try {
          double d = Double.parseDouble(value.trim());
          c.put("value", d == Math.rint(d) && Math.abs(d) < 1e15 ? Long.toString((long) d) : Double.toString(d));
        } catch (NumberFormatException e) {
          throw new Unconvertible("value '" + value + "' is not a number");
        }
      }
    }
    if (n.attr("namespace") != null) {
      cv.report(n, "namespace=\"" + n.attr("namespace") + "\" is not converted: the metric is named '" + name + "'");
    }
    Map<String, Object> dimensions = new LinkedHashMap<>();
    for (Node d : n.all("dimension")) {
      String dim = Converter.required(d, "name");
      String expr;
      if (d.attr("value") != null) {
        expr = CSharpToCel.celOrString(d.attr("value"));
      } else if (DEFAULT_DIMENSIONS.containsKey(dim)) {
        expr = DEFAULT_DIMENSIONS.get(dim);
      } else {
        cv.report(d, "default dimension '" + dim + "' has no Gatehouse value; left out");
        continue;
      }
      String key = dim.replaceAll("[^a-zA-Z0-9_]", "_");
      if (!key.matches("[a-zA-Z_].*")) {
        key = "_" + key;
      }
      if (key.length() > 64) {
        throw new Unconvertible("dimension name '" + dim + "' is longer than 64 characters");
      }
      if (!key.equals(dim)) {
        cv.report(d, "dimension '" + dim + "' is named '" + key + "' (letters, digits and '_')");
      }
      dimensions.put(key, expr);
    }
    if (!dimensions.isEmpty()) {
      c.put("dimensions", dimensions);
    }
    return cv.policy(Target.EMIT_METRIC, c);
  }

  // ---------------------------------------------------------------- contract validation

  /** APIM's ignore|prevent|detect as Gatehouse's prevent|detect; {@code ignore} becomes detect, reported. */
  private static String action(Converter cv, Node n, String attr) {
    String v = n.attrs().getOrDefault(attr, "prevent").toLowerCase(Locale.ROOT);
    switch (v) {
      case "prevent":
      case "detect":
        return v;
      case "ignore":
        cv.report(n, attr + "=\"ignore\" is converted as detect: Gatehouse logs the violations instead of ignoring them");
        return "detect";
      default:
        throw new Unconvertible(attr + " '" + v + "' is not ignore, prevent or detect");
    }
  }

  /** APIM's ignore|prevent|detect as is, for Gatehouse's fields that take all three. */
  private static String unspecified(Node n, String attr, String def) {
    String v = n.attrs().getOrDefault(attr, def).toLowerCase(Locale.ROOT);
    if (!List.of("ignore", "prevent", "detect").contains(v)) {
      throw new Unconvertible(attr + " '" + v + "' is not ignore, prevent or detect");
    }
    return v;
  }

  private static Object validateContent(Converter cv, Node n) {
    Map<String, Object> c = new LinkedHashMap<>();
    c.put("unspecifiedContentType", unspecified(n, "unspecified-content-type-action", "prevent"));
    if (n.attr("max-size") != null) {
      c.put("maxSize", number(n, "max-size", 1, Integer.MAX_VALUE));
    }
    String action = null;
    for (Node content : n.children()) {
      if (!content.name().equals("content")) {
        cv.report(content, "is not converted inside validate-content");
        continue;
      }
      String as = content.attrs().getOrDefault("validate-as", "json");
      if (!"json".equalsIgnoreCase(as)) {
        cv.report(content, "validate-as=\"" + as + "\" is not converted: Gatehouse validates JSON bodies only");
        continue;
      }
      if (content.attr("action") != null) {
        String a = action(cv, content, "action");
        if (action != null && !action.equals(a)) {
          cv.report(content, "action=\"" + a + "\" is not converted: one action covers every content type ('" + action
              + "')");
        } else {
          action = a;
        }
      }
      if (content.attr("schema-id") != null) {
        cv.report(content, "schema-id '" + content.attr("schema-id")
            + "': Gatehouse validates against the API's OpenAPI document; import it as the API's openapi");
      }
    }
    if (action != null) {
      c.put("action", action);
    }
    cv.unsupportedAttrs(n, "size-exceeded-action", "errors-variable-name");
    return cv.policy(Target.VALIDATE_CONTENT, c);
  }

  private static Object validateParameters(Converter cv, Node n) {
    Map<String, Object> c = new LinkedHashMap<>();
    c.put("action", action(cv, n, "specified-parameter-action"));
    c.put("unspecifiedParameters", unspecified(n, "unspecified-parameter-action", "ignore"));
    for (Node child : n.children()) {
      cv.report(child, "per-location and per-parameter actions are not converted: one action covers every parameter");
    }
    cv.unsupportedAttrs(n, "errors-variable-name");
    return cv.policy(Target.VALIDATE_PARAMETERS, c);
  }

  private static Object validateHeaders(Converter cv, Node n) {
    Map<String, Object> c = new LinkedHashMap<>();
    c.put("action", action(cv, n, "specified-header-action"));
    c.put("unspecifiedHeaders", unspecified(n, "unspecified-header-action", "ignore"));
    List<String> ignored = new ArrayList<>();
    for (Node h : n.children()) {
      if (h.name().equals("header") && "ignore".equalsIgnoreCase(h.attr("action")) && h.attr("name") != null) {
        ignored.add(h.attr("name"));
      } else {
        cv.report(h, "per-header actions other than ignore are not converted");
      }
    }
    if (!ignored.isEmpty()) {
      c.put("ignoredHeaders", ignored);
    }
    cv.unsupportedAttrs(n, "errors-variable-name");
    return cv.policy(Target.VALIDATE_HEADERS, c);
  }

  private static Object validateStatusCode(Converter cv, Node n) {
    String v = unspecified(n, "unspecified-status-code-action", "prevent");
    if (v.equals("ignore")) {
      throw new Unconvertible("unspecified-status-code-action=\"ignore\" checks nothing; left out");
    }
    for (Node child : n.children()) {
      cv.report(child, "per-status actions are not converted: one action covers every status");
    }
    cv.unsupportedAttrs(n, "errors-variable-name");
    Map<String, Object> c = new LinkedHashMap<>();
    c.put("action", v);
    return cv.policy(Target.VALIDATE_STATUS_CODE, c);
  }

  private static Object validateClientCertificate(Converter cv, Node n) {
    Map<String, Object> c = new LinkedHashMap<>();
    List<Object> identities = new ArrayList<>();
    boolean pinned = false;
    Node list = n.first("identities");
    for (Node id : list == null ? List.<Node>of() : list.all("identity")) {
      Map<String, Object> one = new LinkedHashMap<>();
      for (Map.Entry<String, String> a : id.attrs().entrySet()) {
        switch (a.getKey()) {
          case "thumbprint":
            if (!a.getValue().replace(":", "").matches("[0-9a-fA-F]{40}|[0-9a-fA-F]{64}")) {
              throw new Unconvertible("thumbprint '" + a.getValue() + "' is not 40 or 64 hex digits");
            }
            pinned = true;
            one.put(a.getKey(), a.getValue());
            break;
          case "subject":
          case "issuer-subject":
          case "common-name":
            one.put(a.getKey(), cv.value(id, a.getValue()));
            break;
          default:
            cv.report(id, "identity attribute " + a.getKey() + " is not converted");
        }
      }
      if (!one.isEmpty()) {
        identities.add(one);
      }
    }
    if (!pinned) {
      throw new Unconvertible("no identity with a thumbprint: Gatehouse then needs trusted-ca (the CA certificates, "
          + "PEM), which an APIM document does not carry; write validate-client-certificate with trusted-ca by hand");
    }
    c.put("identities", identities);
    if ("false".equalsIgnoreCase(n.attr("validate-not-before"))) {
      c.put("validate-not-before", false);
    }
    if ("false".equalsIgnoreCase(n.attr("validate-not-after"))) {
      c.put("validate-not-after", false);
    }
    if (!"false".equalsIgnoreCase(n.attr("validate-trust")) || !"false".equalsIgnoreCase(n.attr("validate-revocation"))) {
      cv.report(n, "validate-trust and validate-revocation are not converted: the certificate is pinned by thumbprint; "
          + "add trusted-ca (and crl-file) to check the chain");
    }
    cv.unsupportedAttrs(n, "ignore-error");
    return cv.policy(Target.VALIDATE_CLIENT_CERTIFICATE, c);
  }
}
