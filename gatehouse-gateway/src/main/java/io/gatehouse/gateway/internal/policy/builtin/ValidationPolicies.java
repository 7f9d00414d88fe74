package io.gatehouse.gateway.internal.policy.builtin;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import io.gatehouse.gateway.internal.Problems;
import io.gatehouse.gateway.internal.policy.PolicyCompiler;
import io.gatehouse.gateway.internal.policy.PolicyConfig;
import io.gatehouse.gateway.internal.policy.Section;
import io.gatehouse.gateway.internal.validation.OpenApiContract;
import io.gatehouse.gateway.internal.validation.SchemaValidator;
import io.gatehouse.gateway.internal.validation.ValidationError;
import io.gatehouse.model.ApiDef;
import io.gatehouse.model.PolicyNames;
import io.gatehouse.policy.AttributeKey;
import io.gatehouse.policy.Body;
import io.gatehouse.policy.Headers;
import io.gatehouse.policy.Policy;
import io.gatehouse.policy.PolicyConfigException;
import io.gatehouse.policy.PolicyContext;
import io.gatehouse.policy.Response;
import io.gatehouse.policy.SyncPolicy;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletionStage;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code validate-content}, {@code validate-parameters}, {@code validate-headers} and
 * {@code validate-status-code}: checks against the API's OpenAPI document, compiled per operation
 * when the configuration is applied.
 */
public final class ValidationPolicies {
  private static final Logger LOG = LoggerFactory.getLogger(ValidationPolicies.class);
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

  /**
   * What the validation policies in {@code detect} mode found on this exchange (a list of
   * {@link Violation}); absent when nothing was found.
   */
  @SuppressWarnings("rawtypes")
  public static final AttributeKey<List> VIOLATIONS = AttributeKey.of("validation.violations", List.class);

  /** The variable holding detected violations as maps ({@code in}, {@code name}, {@code pointer}, {@code message}). */
  public static final String VARIABLE = "validation-violations";

  /** Response headers every response may carry whatever the document says. */
  private static final Set<String> STANDARD_RESPONSE_HEADERS = Set.of(
      "content-type", "content-length", "content-encoding", "transfer-encoding", "date", "connection",
      "keep-alive", "vary", "cache-control", "etag", "last-modified", "expires", "pragma", "x-request-id",
      "ratelimit-limit", "ratelimit-remaining", "ratelimit-reset", "retry-after", "server", "age");

  private ValidationPolicies() {}

  /**
   * One failed check.
   *
   * @param in {@code body}, {@code path}, {@code query}, {@code header}, {@code status} or
   *     {@code content-type}
   * @param name the parameter or header name, or null
   * @param pointer JSON pointer into the body (body only), or null
   * @param message what is wrong
   */
  public record Violation(String in, String name, String pointer, String message) {
    Map<String, Object> toMap() {
      Map<String, Object> m = new LinkedHashMap<>();
      m.put("in", in);
      if (name != null) {
        m.put("name", name);
      }
      if (pointer != null) {
        m.put("pointer", pointer);
      }
      m.put("message", message);
      return m;
    }
  }

  static OpenApiContract contract(PolicyCompiler compiler, String policy) {
    ApiDef api = compiler == null ? null : compiler.api();
    if (api == null) {
      throw new PolicyConfigException("", "'" + policy
          + "' checks against an API's OpenAPI document: configure it on an API or an operation, not globally or on a product");
    }
    if (api.openapi() == null || api.openapi().inline() == null) {
      throw new PolicyConfigException("", "'" + policy + "' needs the API's OpenAPI document, but API '"
          + api.name() + "' has no 'openapi'");
    }
    String text = api.openapi().inline();
    try {
      return compiler.shared(List.of("openapi-contract", text), () -> OpenApiContract.compile(text));
    } catch (IllegalArgumentException e) {
      throw new PolicyConfigException("", "cannot use the OpenAPI document of API '" + api.name() + "': " + e.getMessage());
    }
  }

  static boolean prevent(PolicyConfig c, String field) {
    return c.oneOf(field, "prevent", "prevent", "detect").equals("prevent");
  }

  /** 0 = ignore, 1 = detect, 2 = prevent. */
  static int unspecified(PolicyConfig c, String field, String def) {
    String v = c.oneOf(field, def, "prevent", "detect", "ignore");
    return v.equals("prevent") ? 2 : v.equals("detect") ? 1 : 0;
  }

  /** Records violations seen in detect mode: a WARN log line and the {@link #VIOLATIONS} attribute. */
  @SuppressWarnings("unchecked")
  static void detected(PolicyContext ctx, String policy, List<Violation> found) {
    LOG.warn("{} detected for request {} ({} {}): {}", policy, ctx.requestId(), ctx.apiName(), ctx.operation(), found);
    List<Violation> all = ctx.get(VIOLATIONS);
    if (all == null) {
      all = new ArrayList<>();
      ctx.set(VIOLATIONS, all);
    }
    all.addAll(found);
    List<Object> visible = new ArrayList<>();
    for (Violation v : all) {
      visible.add(v.toMap());
    }
    Base.gw(ctx).variables().put(VARIABLE, visible); // for expressions: variables['validation-violations']
  }

  private static String problemType(int status) {
    switch (status) {
      case 413:
        return "body-too-large";
      case 415:
        return "unsupported-media-type";
      case 502:
        return "response-contract-violation";
      default:
        return "request-contract-violation";
    }
  }

  /** A problem response listing {@code found}. */
  static Response refusal(PolicyContext ctx, int status, String title, String detail, List<Violation> found) {
    Map<String, Object> body = new LinkedHashMap<>();
    body.put("type", Problems.TYPE_PREFIX + problemType(status));
    body.put("title", title);
    body.put("status", status);
    body.put("detail", detail);
    body.put("requestId", ctx.requestId());
    List<Map<String, Object>> errors = new ArrayList<>();
    for (Violation v : found) {
      errors.add(v.toMap());
    }
    body.put("errors", errors);
    byte[] bytes;
    try {
      bytes = JSON.writeValueAsBytes(body);
    } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
    Response r = ctx.respond(status, "application/problem+json", bytes);
    r.headers().set("Cache-Control", "no-store");
    return r;
  }

  static String summary(List<Violation> found) {
    Violation v = found.get(0);
    String where = v.in() + (v.name() != null ? " '" + v.name() + "'" : "")
        + (v.pointer() != null ? " at '" + v.pointer() + "'" : "");
    return where + ": " + v.message() + (found.size() > 1 ? " (and " + (found.size() - 1) + " more)" : "");
  }

  static List<Violation> bodyErrors(List<ValidationError> errors) {
    List<Violation> out = new ArrayList<>(errors.size());
    for (ValidationError e : errors) {
      out.add(new Violation("body", null, e.location(), e.message()));
    }
    return out;
  }

  // ------------------------------------------------------------------ validate-content

  /**
   * Validates JSON bodies against the operation's schema for their content type: request bodies
   * in inbound and backend (refused with 400, 413 or 415), response bodies in outbound (refused
   * with 502).
   */
  static final class ValidateContent extends Base {
    ValidateContent() {
      super(PolicyNames.VALIDATE_CONTENT);
    }

    @Override
    public io.gatehouse.policy.Policy create(PolicyConfig c, Section section, PolicyCompiler compiler) {
      if (section == Section.ON_ERROR) {
        throw new PolicyConfigException("", "'validate-content' may appear in inbound, backend or outbound, not in on-error");
      }
      OpenApiContract contract = contract(compiler, name());
      boolean prevent = prevent(c, "action");
      int unspecified = unspecified(c, "unspecifiedContentType", "prevent");
      int maxSize = (int) c.number("maxSize", 1 << 20, 1, Integer.MAX_VALUE);
      return section.onResponse()
          ? new ResponseContent(contract, prevent, unspecified, maxSize)
          : new RequestContent(contract, prevent, unspecified, maxSize);
    }
  }

  private record RequestContent(OpenApiContract contract, boolean prevent, int unspecified, int maxSize)
      implements Policy {

    @Override
    public CompletionStage<Response> apply(PolicyContext ctx, io.gatehouse.policy.PolicyChain next) {
      OpenApiContract.Operation op = contract.operation(ctx.operation());
      if (op == null) {
        return next.proceed(ctx); // not in the document: nothing to check against
      }
      Body body = ctx.request().body();
      long length = body.length();
      boolean hasBody = length != 0;
      String contentType = ctx.request().headers().get("Content-Type");
      if (!hasBody) {
        if (op.bodyRequired()) {
          return outcome(ctx, next, 400, "Bad Request", List.of(new Violation("body", null, "", "a request body is required")));
        }
        return next.proceed(ctx);
      }
      OpenApiContract.MediaType media = op.requestMedia(contentType);
      if (media == null) {
        if (unspecified == 0) {
          return next.proceed(ctx);
        }
        Violation v = new Violation("content-type", "Content-Type", null, op.requestBody().isEmpty()
            ? "the operation declares no request body"
            : "content type '" + (contentType == null ? "" : contentType) + "' is not one of " + op.requestBody().keySet());
        if (unspecified == 1) {
          detected(ctx, PolicyNames.VALIDATE_CONTENT, List.of(v));
          return next.proceed(ctx);
        }
        return ctx.completed(refusal(ctx, 415, "Unsupported Media Type", summary(List.of(v)), List.of(v)));
      }
      SchemaValidator schema = media.schema();
      if (schema == null) {
        return next.proceed(ctx); // a declared media type without a JSON schema: streamed on
      }
      if (length > maxSize) {
        Violation v = new Violation("body", null, "", "the body of " + length + " bytes exceeds maxSize " + maxSize);
        if (!prevent) {
          detected(ctx, PolicyNames.VALIDATE_CONTENT, List.of(v));
          return next.proceed(ctx); // streamed on, unvalidated
        }
        return ctx.completed(refusal(ctx, 413, "Content Too Large", summary(List.of(v)), List.of(v)));
      }
      return body.aggregate(maxSize).thenCompose(bytes -> {
        List<ValidationError> errors = schema.validate(bytes);
        if (errors.isEmpty()) {
          return next.proceed(ctx);
        }
        return outcome(ctx, next, 400, "Bad Request", bodyErrors(errors));
      });
    }

    private CompletionStage<Response> outcome(PolicyContext ctx, io.gatehouse.policy.PolicyChain next, int status,
        String title, List<Violation> found) {
      if (!prevent) {
        detected(ctx, PolicyNames.VALIDATE_CONTENT, found);
        return next.proceed(ctx);
      }
      return ctx.completed(refusal(ctx, status, title, "the request does not match the API's contract: " + summary(found), found));
    }
  }

  private record ResponseContent(OpenApiContract contract, boolean prevent, int unspecified, int maxSize)
      implements Policy {

    @Override
    public CompletionStage<Response> apply(PolicyContext ctx, io.gatehouse.policy.PolicyChain next) {
      return next.proceed(ctx).thenCompose(r -> check(ctx, r));
    }

    private CompletionStage<Response> check(PolicyContext ctx, Response r) {
      OpenApiContract.Operation op = contract.operation(ctx.operation());
      OpenApiContract.ResponseSpec spec = op == null ? null : op.response(r.status());
      if (spec == null) {
        return ctx.completed(r); // undeclared status codes are validate-status-code's concern
      }
      Body body = r.body();
      if (body.length() == 0 || r.status() == 204 || r.status() == 304) {
        return ctx.completed(r);
      }
      String contentType = r.headers().get("Content-Type");
      OpenApiContract.MediaType media = spec.media(contentType);
      if (media == null) {
        if (unspecified == 0 || spec.content().isEmpty() && contentType == null) {
          return ctx.completed(r);
        }
        Violation v = new Violation("content-type", "Content-Type", null,
            "response content type '" + (contentType == null ? "" : contentType) + "' is not one of " + spec.content().keySet());
        return ctx.completed(unspecified == 1 ? detect(ctx, r, List.of(v)) : bad(ctx, List.of(v)));
      }
      SchemaValidator schema = media.schema();
      if (schema == null) {
        return ctx.completed(r);
      }
      if (body.length() > maxSize) {
        Violation v = new Violation("body", null, "", "the response body of " + body.length() + " bytes exceeds maxSize " + maxSize);
        return ctx.completed(prevent ? bad(ctx, List.of(v)) : detect(ctx, r, List.of(v)));
      }
      return body.aggregate(maxSize).thenApply(bytes -> {
        List<ValidationError> errors = schema.validate(bytes);
        if (errors.isEmpty()) {
          return r;
        }
        List<Violation> found = bodyErrors(errors);
        return prevent ? bad(ctx, found) : detect(ctx, r, found);
      });
    }

    private static Response detect(PolicyContext ctx, Response r, List<Violation> found) {
      detected(ctx, PolicyNames.VALIDATE_CONTENT, found);
      return r;
    }

    private static Response bad(PolicyContext ctx, List<Violation> found) {
      LOG.warn("validate-content refused the backend's response to request {}: {}", ctx.requestId(), found);
      return refusal(ctx, 502, "Bad Gateway", "the backend's response does not match the API's contract: " + summary(found), found);
    }
  }

  // ------------------------------------------------------------------ validate-parameters

  /** Checks path, query and header parameters against the operation's declared parameters. */
  static final class ValidateParameters extends Base {
    ValidateParameters() {
      super(PolicyNames.VALIDATE_PARAMETERS);
    }

    @Override
    public io.gatehouse.policy.Policy create(PolicyConfig c, Section section, PolicyCompiler compiler) {
      requestSectionsOnly(name(), section);
      OpenApiContract contract = contract(compiler, name());
      boolean prevent = prevent(c, "action");
      int unspecified = unspecified(c, "unspecifiedParameters", "ignore");
      return (SyncPolicy) ctx -> {
        OpenApiContract.Operation op = contract.operation(ctx.operation());
        if (op == null) {
          return null;
        }
        List<Violation> found = check(op, ctx, unspecified > 0);
        if (found.isEmpty()) {
          return null;
        }
        boolean refuse = false;
        for (Violation v : found) {
          refuse |= v.message().startsWith("undeclared") ? unspecified == 2 : prevent;
        }
        if (!refuse) {
          detected(ctx, "validate-parameters", found);
          return null;
        }
        return refusal(ctx, 400, "Bad Request", "the request does not match the API's contract: " + summary(found), found);
      };
    }

    static List<Violation> check(OpenApiContract.Operation op, PolicyContext ctx, boolean reportUnspecified) {
      List<Violation> found = new ArrayList<>();
      Map<String, List<String>> query = query(ctx.request().query());
      String requestPath = ctx.request().path();
      // A path an earlier policy rewrote away from the route has no parameters to check.
      boolean routed = op.route().matches(requestPath);
      Map<String, String> path = routed ? pathParams(op.route(), requestPath) : Map.of();
      Headers headers = ctx.request().headers();
      for (OpenApiContract.Parameter p : op.parameters()) {
        List<String> values;
        switch (p.in()) {
          case "path":
            if (!routed) {
              continue;
            }
            String v = path.get(p.name());
            values = v == null ? List.of() : List.of(v);
            break;
          case "query":
            values = query.getOrDefault(p.name(), List.of());
            break;
          case "header":
            values = headers.getAll(p.name());
            break;
          default:
            continue; // cookies are not checked
        }
        if (values.isEmpty()) {
          if (p.required()) {
            found.add(new Violation(p.in(), p.name(), null, "required " + p.in() + " parameter is missing"));
          }
          continue;
        }
        if (p.schema() == null) {
          continue;
        }
        JsonNode node = coerce(p, values);
        for (ValidationError e : p.schema().validate(node)) {
          found.add(new Violation(p.in(), p.name(), e.location().isEmpty() ? null : e.location(), e.message()));
        }
      }
      if (reportUnspecified) {
        for (String name : query.keySet()) {
          boolean declared = false;
          for (OpenApiContract.Parameter p : op.parameters()) {
            declared |= p.in().equals("query") && p.name().equals(name);
          }
          if (!declared) {
            found.add(new Violation("query", name, null, "undeclared query parameter"));
          }
        }
      }
      return found;
    }

    static Map<String, List<String>> query(String query) {
      Map<String, List<String>> out = new LinkedHashMap<>();
      if (query == null || query.isEmpty()) {
        return out;
      }
      for (String pair : query.split("&")) {
        if (pair.isEmpty()) {
          continue;
        }
        int eq = pair.indexOf('=');
        String k = decode(eq < 0 ? pair : pair.substring(0, eq), true);
        String v = eq < 0 ? "" : decode(pair.substring(eq + 1), true);
        out.computeIfAbsent(k, x -> new ArrayList<>()).add(v);
      }
      return out;
    }

    /** The path parameters of {@code path} by {@code template}'s names, decoded; empty when it does not match. */
    static Map<String, String> pathParams(io.gatehouse.model.PathTemplate template, String path) {
      Map<String, String> out = template.parameters(path);
      out.replaceAll((name, value) -> decode(value, false));
      return out;
    }

    private static String decode(String s, boolean plusIsSpace) {
      try {
        return URLDecoder.decode(plusIsSpace ? s : s.replace("+", "%2B"), StandardCharsets.UTF_8);
      } catch (IllegalArgumentException e) {
        return s;
      }
    }
  }

  /** Turns parameter text into the JSON value its schema's type expects (left as text when it does not parse). */
  static JsonNode coerce(OpenApiContract.Parameter p, List<String> values) {
    if (p.type().equals("array")) {
      List<String> items = new ArrayList<>();
      if (p.explode() && values.size() > 1) {
        items.addAll(values);
      } else {
        for (String v : values) {
          for (String part : v.split(",", -1)) {
            items.add(p.in().equals("header") ? part.trim() : part);
          }
        }
      }
      ArrayNode a = NODES.arrayNode();
      for (String item : items) {
        a.add(scalar(p.itemType(), item));
      }
      return a;
    }
    return scalar(p.type(), p.in().equals("header") ? String.join(", ", values) : values.get(0));
  }

  private static JsonNode scalar(String type, String text) {
    try {
      switch (type) {
        case "integer":
          return NODES.numberNode(new BigInteger(text.trim().equals(text) ? text : "x"));
        case "number":
          if (text.isEmpty() || !text.trim().equals(text) || text.chars().anyMatch(Character::isLetter)
              && !text.matches("-?[0-9.]+[eE][+-]?[0-9]+")) {
            return NODES.textNode(text);
          }
          return NODES.numberNode(new BigDecimal(text));
        case "boolean":
          return text.equals("true") || text.equals("false") ? NODES.booleanNode(Boolean.parseBoolean(text)) : NODES.textNode(text);
        default:
          return NODES.textNode(text);
      }
    } catch (NumberFormatException e) {
      return NODES.textNode(text);
    }
  }

  // ------------------------------------------------------------------ validate-headers

  /** Checks the backend response's headers against those declared for its status. */
  static final class ValidateHeaders extends Base {
    ValidateHeaders() {
      super(PolicyNames.VALIDATE_HEADERS);
    }

    @Override
    public io.gatehouse.policy.Policy create(PolicyConfig c, Section section, PolicyCompiler compiler) {
      responseSectionsOnly(name(), section);
      OpenApiContract contract = contract(compiler, name());
      boolean prevent = prevent(c, "action");
      int unspecified = unspecified(c, "unspecifiedHeaders", "ignore");
      Set<String> ignored = new java.util.HashSet<>(STANDARD_RESPONSE_HEADERS);
      c.strings("ignoredHeaders").forEach(h -> ignored.add(h.toLowerCase(Locale.ROOT)));
      return new SyncPolicy() {
        @Override
        public Response onRequest(PolicyContext ctx) {
          return null;
        }

        @Override
        public void onResponse(PolicyContext ctx, Response r) {
          OpenApiContract.Operation op = contract.operation(ctx.operation());
          OpenApiContract.ResponseSpec spec = op == null ? null : op.response(r.status());
          if (spec == null) {
            return;
          }
          List<Violation> found = new ArrayList<>();
          boolean refuse = false;
          for (OpenApiContract.Parameter h : spec.headers().values()) {
            if (h.name().equalsIgnoreCase("Content-Type")) {
              continue; // described by content, per the OpenAPI specification
            }
            List<String> values = r.headers().getAll(h.name());
            if (values.isEmpty()) {
              if (h.required()) {
                found.add(new Violation("header", h.name(), null, "required response header is missing"));
                refuse |= prevent;
              }
              continue;
            }
            if (h.schema() != null) {
              for (ValidationError e : h.schema().validate(coerce(h, values))) {
                found.add(new Violation("header", h.name(), e.location().isEmpty() ? null : e.location(), e.message()));
                refuse |= prevent;
              }
            }
          }
          if (unspecified > 0) {
            for (String name : r.headers().names()) {
              String lower = name.toLowerCase(Locale.ROOT);
              if (!spec.headers().containsKey(lower) && !ignored.contains(lower)) {
                found.add(new Violation("header", name, null, "undeclared response header"));
                refuse |= unspecified == 2;
              }
            }
          }
          if (found.isEmpty()) {
            return;
          }
          if (!refuse) {
            detected(ctx, "validate-headers", found);
            return;
          }
          LOG.warn("validate-headers refused the backend's response to request {}: {}", ctx.requestId(), found);
          replace(r, refusal(ctx, 502, "Bad Gateway", "the backend's response does not match the API's contract: " + summary(found), found));
        }
      };
    }
  }

  /** Replaces {@code target}'s status, headers and body with {@code with}'s. */
  static void replace(Response target, Response with) {
    target.status(with.status());
    for (String name : List.copyOf(target.headers().names())) {
      target.headers().remove(name);
    }
    for (String name : with.headers().names()) {
      target.headers().set(name, with.headers().get(name));
    }
    target.body(with.body());
  }

  // ------------------------------------------------------------------ validate-status-code

  /** Checks that the backend answered with a status the operation declares (exact, {@code NXX} or {@code default}). */
  static final class ValidateStatusCode extends Base {
    ValidateStatusCode() {
      super(PolicyNames.VALIDATE_STATUS_CODE);
    }

    @Override
    public io.gatehouse.policy.Policy create(PolicyConfig c, Section section, PolicyCompiler compiler) {
      responseSectionsOnly(name(), section);
      OpenApiContract contract = contract(compiler, name());
      boolean prevent = prevent(c, "action");
      return new SyncPolicy() {
        @Override
        public Response onRequest(PolicyContext ctx) {
          return null;
        }

        @Override
        public void onResponse(PolicyContext ctx, Response r) {
          OpenApiContract.Operation op = contract.operation(ctx.operation());
          if (op == null || op.response(r.status()) != null) {
            return;
          }
          List<Violation> found = List.of(new Violation("status", null, null,
              "status " + r.status() + " is not one of " + new java.util.TreeSet<>(op.responses().keySet())));
          if (!prevent) {
            detected(ctx, "validate-status-code", found);
            return;
          }
          LOG.warn("validate-status-code refused the backend's response to request {}: {}", ctx.requestId(), found);
          replace(r, refusal(ctx, 502, "Bad Gateway", "the backend's response does not match the API's contract: " + summary(found), found));
        }
      };
    }
  }
}
