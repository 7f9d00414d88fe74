package io.gatehouse.insight.audit;

import static java.util.Objects.requireNonNull;

import io.gatehouse.insight.Finding;
import io.gatehouse.insight.Severity;
import io.gatehouse.model.OpenApiImporter;
import io.swagger.v3.oas.models.OpenAPI;
import io.swagger.v3.oas.models.Operation;
import io.swagger.v3.oas.models.PathItem;
import io.swagger.v3.oas.models.media.MediaType;
import io.swagger.v3.oas.models.media.Schema;
import io.swagger.v3.oas.models.parameters.Parameter;
import io.swagger.v3.oas.models.responses.ApiResponse;
import io.swagger.v3.oas.models.security.SecurityRequirement;
import io.swagger.v3.oas.models.servers.Server;
import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Audits an OpenAPI 3.0/3.1 or Swagger 2.0 document for security weaknesses (missing
 * authentication, unbounded inputs, mass-assignment-prone bodies, missing error responses, plain
 * HTTP servers, secrets or personal data in query strings) and returns one {@link Finding} per
 * problem. Stateless and thread-safe.
 */
public final class OpenApiAuditor {
  /** Rule ids, stable for suppression lists and dashboards. */
  public static final String NO_SECURITY = "openapi.operation-without-security";
  public static final String STRING_UNBOUNDED = "openapi.string-without-max-length";
  public static final String ARRAY_UNBOUNDED = "openapi.array-without-max-items";
  public static final String NUMBER_UNBOUNDED = "openapi.number-without-range";
  public static final String ADDITIONAL_PROPERTIES = "openapi.body-allows-additional-properties";
  public static final String NO_4XX = "openapi.operation-without-4xx";
  public static final String HTTP_SERVER = "openapi.http-server";
  public static final String SENSITIVE_QUERY = "openapi.sensitive-query-parameter";

  private static final String API2 = "API2:2023 Broken Authentication";
  private static final String API3 = "API3:2023 Broken Object Property Level Authorization";
  private static final String API4 = "API4:2023 Unrestricted Resource Consumption";
  private static final String API8 = "API8:2023 Security Misconfiguration";

  private static final Set<String> BOUNDED_FORMATS = Set.of("date", "date-time", "time", "uuid",
      "email", "ipv4", "ipv6", "byte", "binary", "int32", "int64", "duration", "hostname");
  private static final Pattern CREDENTIAL = Pattern.compile(
      "(?i).*(pass(word|wd)?|pwd|secret|token|api[_-]?key|apikey|access[_-]?key|private[_-]?key|"
          + "auth(orization)?|session(id)?|credential|client[_-]?secret|signature|otp).*");
  private static final Pattern PERSONAL = Pattern.compile(
      "(?i).*(ssn|social[_-]?security|e-?mail|phone|mobile|birth|dob|credit[_-]?card|card[_-]?number|"
          + "cvv|iban|account[_-]?number|passport|national[_-]?id|tax[_-]?id).*");

  private static final String SCHEMAS = "#/components/schemas/";

  private OpenApiAuditor() {}

  /**
   * Audits {@code document} (JSON or YAML).
   *
   * @throws IllegalArgumentException when the document is not a parseable OpenAPI or Swagger
   *     document
   */
  public static List<Finding> audit(String document) {
    requireNonNull(document, "document");
    OpenAPI api = new OpenApiImporter().parse(document);
    if (api.getOpenapi() == null || api.getInfo() == null) {
      throw new IllegalArgumentException("expected an OpenAPI 3.x or Swagger 2.0 document with 'info'");
    }
    Map<String, Schema> defs = api.getComponents() == null || api.getComponents().getSchemas() == null
        ? Map.of() : api.getComponents().getSchemas();
    List<Finding> out = new ArrayList<>();
    servers(api.getServers(), "servers", out);
    boolean globalSecurity = hasSecurity(api.getSecurity());
    if (api.getPaths() != null) {
      for (Map.Entry<String, PathItem> p : api.getPaths().entrySet()) {
        PathItem item = p.getValue();
        servers(item.getServers(), "paths." + p.getKey() + ".servers", out);
        for (Map.Entry<PathItem.HttpMethod, Operation> o : item.readOperationsMap().entrySet()) {
          String resource = o.getKey().name() + " " + p.getKey();
          operation(resource, item, o.getValue(), globalSecurity, defs, out);
        }
      }
    }
    return out;
  }

  private static boolean hasSecurity(List<SecurityRequirement> security) {
    if (security == null || security.isEmpty()) {
      return false;
    }
    for (SecurityRequirement r : security) {
      if (r.isEmpty()) {
        return false; // {} means "anonymous allowed"
      }
    }
    return true;
  }

  private static void servers(List<Server> servers, String where, List<Finding> out) {
    if (servers == null) {
      return;
    }
    for (Server s : servers) {
      String url = s.getUrl() == null ? "" : s.getUrl().toLowerCase(Locale.ROOT);
      if (url.startsWith("http://") && !url.startsWith("http://localhost")
          && !url.startsWith("http://127.0.0.1")) {
        out.add(new Finding(HTTP_SERVER, Severity.HIGH, where + " " + s.getUrl(),
            "Server reachable over plain HTTP",
            "Requests to " + s.getUrl() + " travel unencrypted: credentials, tokens and data can be"
                + " read or changed in transit.",
            "Serve the API over HTTPS only and list https:// server URLs.", API8));
      }
    }
  }

  @SuppressWarnings("rawtypes")
  private static void operation(String resource, PathItem item, Operation op, boolean globalSecurity,
      Map<String, Schema> defs, List<Finding> out) {
    boolean secured = op.getSecurity() != null ? hasSecurity(op.getSecurity()) : globalSecurity;
    if (!secured) {
      out.add(new Finding(NO_SECURITY, Severity.HIGH, resource, "Operation without authentication",
          resource + " declares no security requirement (neither its own nor a global one), so"
              + " anyone who can reach it may call it.",
          "Add a security requirement (API key, OAuth2, OpenID Connect, mutual TLS) globally or on"
              + " the operation; mark intentionally public operations explicitly.", API2));
    }
    List<Parameter> params = new ArrayList<>();
    if (item.getParameters() != null) {
      params.addAll(item.getParameters());
    }
    if (op.getParameters() != null) {
      params.addAll(op.getParameters());
    }
    Map<Object, Boolean> visited = new IdentityHashMap<>();
    for (Parameter p : params) {
      String where = resource + " " + p.getIn() + " parameter '" + p.getName() + "'";
      if ("query".equals(p.getIn()) && p.getName() != null) {
        sensitiveQuery(resource, p.getName(), out);
      }
      Schema<?> schema = p.getSchema();
      if (schema == null && p.getContent() != null) {
        for (MediaType mt : p.getContent().values()) {
          schema = mt.getSchema();
        }
      }
      if (schema != null) {
        schema(where, schema, false, defs, visited, out, 0);
      }
    }
    if (op.getRequestBody() != null && op.getRequestBody().getContent() != null) {
      for (Map.Entry<String, MediaType> c : op.getRequestBody().getContent().entrySet()) {
        if (c.getValue().getSchema() != null) {
          schema(resource + " request body (" + c.getKey() + ")", c.getValue().getSchema(), true,
              defs, visited, out, 0);
        }
      }
    }
    boolean has4xx = false;
    if (op.getResponses() != null) {
      for (Map.Entry<String, ApiResponse> r : op.getResponses().entrySet()) {
        String code = r.getKey();
        if (code.startsWith("4") || code.equalsIgnoreCase("4XX")) {
          has4xx = true;
        }
      }
    }
    if (!has4xx) {
      out.add(new Finding(NO_4XX, Severity.LOW, resource, "Operation documents no 4xx response",
          resource + " does not declare any client-error response, so clients and validators cannot"
              + " rely on how invalid, unauthorized or forbidden requests are answered.",
          "Declare the 4xx responses the operation returns (at least 400, and 401/403 when it is"
              + " secured), ideally as RFC 9457 problem details.", API8));
    }
  }

  private static void sensitiveQuery(String resource, String name, List<Finding> out) {
    String normalized = name.replace('-', '_');
    if (CREDENTIAL.matcher(normalized).matches()) {
      out.add(new Finding(SENSITIVE_QUERY, Severity.HIGH, resource + " query parameter '" + name + "'",
          "Credential passed in the query string",
          "Query strings end up in access logs, proxy logs, browser history and Referer headers;"
              + " '" + name + "' looks like a credential.",
          "Move the value to a header (e.g. Authorization) or the request body.", API2));
    } else if (PERSONAL.matcher(normalized).matches()) {
      out.add(new Finding(SENSITIVE_QUERY, Severity.MEDIUM, resource + " query parameter '" + name + "'",
          "Personal data passed in the query string",
          "Query strings end up in access logs, proxy logs and browser history; '" + name
              + "' looks like personal data.",
          "Accept the value in the request body (e.g. a POST search) instead.", API3));
    }
  }

  @SuppressWarnings({"rawtypes", "unchecked"})
  private static void schema(String where, Schema<?> s, boolean body, Map<String, Schema> defs,
      Map<Object, Boolean> visited, List<Finding> out, int depth) {
    // References stay references after parsing (recursive schemas are finite): follow them here,
    // each schema object visited once.
    for (int hops = 0; s != null && s.get$ref() != null && hops < 20; hops++) {
      String ref = s.get$ref();
      s = ref.startsWith(SCHEMAS) ? defs.get(ref.substring(SCHEMAS.length())) : null;
    }
    if (s == null || s.get$ref() != null || depth > 32 || visited.put(s, Boolean.TRUE) != null) {
      return;
    }
    String type = typeOf(s);
    boolean readOnly = Boolean.TRUE.equals(s.getReadOnly());
    if (readOnly) {
      return;
    }
    if ("string".equals(type)) {
      boolean exempt = (s.getEnum() != null && !s.getEnum().isEmpty()) || s.getConst() != null
          || (s.getFormat() != null && BOUNDED_FORMATS.contains(s.getFormat()));
      if (!exempt && s.getMaxLength() == null && s.getPattern() == null) {
        out.add(new Finding(STRING_UNBOUNDED, Severity.MEDIUM, where, "String without maxLength or pattern",
            "The string at " + where + " accepts any length and content, which invites oversized"
                + " payloads and injection attempts.",
            "Add maxLength (and a pattern or enum where the value set is known).", API4));
      }
    } else if ("array".equals(type)) {
      if (s.getMaxItems() == null) {
        out.add(new Finding(ARRAY_UNBOUNDED, Severity.MEDIUM, where, "Array without maxItems",
            "The array at " + where + " accepts any number of items, so one request can demand"
                + " unbounded work or memory.",
            "Add maxItems with the largest count the operation needs.", API4));
      }
      schema(where + "[]", s.getItems(), body, defs, visited, out, depth + 1);
    } else if ("integer".equals(type) || "number".equals(type)) {
      if ((s.getEnum() == null || s.getEnum().isEmpty())
          && (s.getMinimum() == null && s.getExclusiveMinimumValue() == null
              || s.getMaximum() == null && s.getExclusiveMaximumValue() == null)) {
        out.add(new Finding(NUMBER_UNBOUNDED, Severity.LOW, where, "Number without minimum and maximum",
            "The " + type + " at " + where + " has no declared range; negative, zero or huge values"
                + " reach the backend (page sizes, amounts, quantities).",
            "Add minimum and maximum (or exclusiveMinimum/exclusiveMaximum).", API4));
      }
    } else if ("object".equals(type) || s.getProperties() != null) {
      Object ap = s.getAdditionalProperties();
      if (body && !Boolean.FALSE.equals(ap) && s.getProperties() != null && !s.getProperties().isEmpty()) {
        out.add(new Finding(ADDITIONAL_PROPERTIES, Severity.MEDIUM, where,
            "Request body object allows additional properties",
            "The object at " + where + " accepts properties it does not declare, so clients can"
                + " send fields such as 'role' or 'isAdmin' that a backend may bind (mass assignment).",
            "Set additionalProperties: false (or unevaluatedProperties: false with composition).",
            API3));
      }
      if (s.getProperties() != null) {
        for (Map.Entry<String, Schema> p : ((Map<String, Schema>) (Map) s.getProperties()).entrySet()) {
          schema(where + "." + p.getKey(), p.getValue(), body, defs, visited, out, depth + 1);
        }
      }
      if (ap instanceof Schema) {
        schema(where + ".*", (Schema<?>) ap, body, defs, visited, out, depth + 1);
      }
    }
    for (List<Schema> parts : compositions(s)) {
      for (Schema part : parts) {
        schema(where, part, body, defs, visited, out, depth + 1);
      }
    }
  }

  @SuppressWarnings("rawtypes")
  private static List<List<Schema>> compositions(Schema<?> s) {
    List<List<Schema>> out = new ArrayList<>(3);
    if (s.getAllOf() != null) {
      out.add(s.getAllOf());
    }
    if (s.getAnyOf() != null) {
      out.add(s.getAnyOf());
    }
    if (s.getOneOf() != null) {
      out.add(s.getOneOf());
    }
    return out.isEmpty() ? Collections.emptyList() : out;
  }

  private static String typeOf(Schema<?> s) {
    if (s.getType() != null) {
      return s.getType();
    }
    if (s.getTypes() != null) {
      for (String t : s.getTypes()) {
        if (!"null".equals(t)) {
          return t;
        }
      }
    }
    return null;
  }
}
