package io.gatehouse.gateway.internal.validation;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.core.JsonPointer;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.gatehouse.model.OpenApiImporter;
import io.gatehouse.model.PathTemplate;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The validators of one OpenAPI 3.0 or 3.1 document, compiled once per operation: request body
 * schemas by media type, parameters (path, query, header) and responses (status codes, headers,
 * body schemas); immutable and thread-safe.
 *
 * <p>OpenAPI 3.0 schemas are read in {@link SchemaDialect#OPENAPI_3_0}, 3.1 schemas in
 * {@link SchemaDialect#OPENAPI_3_1} (draft 2020-12). References: {@code $ref}s of parameters,
 * request bodies, responses, headers and path items are followed inside the document; each schema
 * is compiled as its own resource with the document's {@code components} beside it, so
 * {@code #/components/schemas/X} resolves, and so do references relative to the schema itself
 * ({@code #}, {@code #/$defs/x}). Nothing is fetched from the network.
 */
public final class OpenApiContract {
  private static final List<String> METHODS = List.of("get", "put", "post", "delete", "options", "head", "patch", "trace");

  private final SchemaDialect dialect;
  private final Map<String, Operation> operations;

  private OpenApiContract(SchemaDialect dialect, Map<String, Operation> operations) {
    this.dialect = dialect;
    this.operations = Map.copyOf(operations);
  }

  /**
   * Parses and compiles {@code document} (YAML or JSON text, read as {@link OpenApiImporter#readTree}
   * reads it; operations keyed by the routes the importer gives them, base path included).
   *
   * @throws IllegalArgumentException naming the location when the document is not OpenAPI 3.0 or
   *     3.1, a reference does not resolve or a schema is invalid
   */
  public static OpenApiContract compile(String document) {
    requireNonNull(document, "document");
    return compile(OpenApiImporter.readTree(document), Map.of());
  }

  /**
   * Compiles an already parsed document; references starting with a key of {@code resources}
   * resolve to files under its directory (as {@link SchemaValidator.Builder#mapResources}).
   */
  public static OpenApiContract compile(JsonNode doc, Map<String, Path> resources) {
    requireNonNull(doc, "doc");
    requireNonNull(resources, "resources");
    try {
      return compileOrFail(doc, resources);
    } catch (StackOverflowError e) {
      // A schema nested deeper than the compiler's stack allows: refused, never thrown at the caller as an error.
      throw new IllegalArgumentException("the OpenAPI document's schemas are nested too deeply to compile");
    }
  }

  private static OpenApiContract compileOrFail(JsonNode doc, Map<String, Path> resources) {
    if (doc == null || !doc.isObject()) {
      throw new IllegalArgumentException("the OpenAPI document is not an object");
    }
    String version = doc.path("openapi").asText("");
    SchemaDialect dialect;
    if (version.startsWith("3.1")) {
      dialect = SchemaDialect.OPENAPI_3_1;
    } else if (version.startsWith("3.0")) {
      dialect = SchemaDialect.OPENAPI_3_0;
    } else {
      throw new IllegalArgumentException("expected an OpenAPI 3.0 or 3.1 document but got "
          + (doc.has("swagger") ? "Swagger " + doc.get("swagger").asText() : "openapi: '" + version + "'"));
    }
    Compiler c = new Compiler(doc, dialect, resources);
    String base = OpenApiImporter.basePath(doc);
    Map<String, Operation> ops = new LinkedHashMap<>();
    Iterator<Map.Entry<String, JsonNode>> paths = doc.path("paths").fields();
    while (paths.hasNext()) {
      Map.Entry<String, JsonNode> p = paths.next();
      if (p.getKey().startsWith("x-")) {
        continue;
      }
      String at = "paths." + p.getKey();
      JsonNode item = c.resolve(p.getValue(), at);
      // Keyed by the route the importer gives the operation: base path, no query or fragment; the
      // first of two operations on one route is the one checked, as the importer keeps the first.
      String route = OpenApiImporter.routePath(base, p.getKey());
      for (String method : METHODS) {
        JsonNode op = item.get(method);
        if (op != null && op.isObject() && !ops.containsKey(normalize(method.toUpperCase(Locale.ROOT) + " " + route))) {
          Operation compiled = c.operation(method.toUpperCase(Locale.ROOT), route, item, op, at + "." + method);
          ops.put(normalize(compiled.key()), compiled);
        }
      }
    }
    return new OpenApiContract(dialect, ops);
  }

  /** The schema dialect of the document. */
  public SchemaDialect dialect() {
    return dialect;
  }

  /**
   * The operation {@code METHOD /template} (parameter names may differ from the document's), or
   * {@code null} when the document does not declare it.
   */
  public Operation operation(String key) {
    return key == null ? null : operations.get(normalize(key));
  }

  /** Every declared operation, by {@code METHOD /template}. */
  public List<String> operationKeys() {
    return operations.values().stream().map(Operation::key).sorted().toList();
  }

  private static String normalize(String key) {
    return key.replaceAll("\\{[^}/]*}", "{}");
  }

  /** Whether {@code mediaType} (lower case, no parameters) carries JSON. */
  public static boolean isJson(String mediaType) {
    return mediaType.equals("application/json") || mediaType.endsWith("+json");
  }

  /** {@code Content-Type} without parameters, lower case; {@code ""} for {@code null}. */
  public static String mediaType(String contentType) {
    if (contentType == null) {
      return "";
    }
    int semi = contentType.indexOf(';');
    return (semi < 0 ? contentType : contentType.substring(0, semi)).trim().toLowerCase(Locale.ROOT);
  }

  /** A declared media type's validator: {@code schema} is null when it has none or is not JSON. */
  public record MediaType(String name, SchemaValidator schema) {}

  /**
   * One declared parameter or header.
   *
   * @param name the name as declared
   * @param in {@code path}, {@code query}, {@code header} or {@code cookie}
   * @param required whether it must be present
   * @param schema its compiled schema, or null
   * @param type the schema's primitive {@code type} (first non-null), or {@code ""}
   * @param itemType for arrays, the items' {@code type}, or {@code ""}
   * @param explode whether array values come as repeated parameters
   */
  public record Parameter(String name, String in, boolean required, SchemaValidator schema, String type,
      String itemType, boolean explode) {}

  /** The declared response for one status key: its media types and headers (lower-case names). */
  public record ResponseSpec(Map<String, MediaType> content, Map<String, Parameter> headers) {
    /** The media type matching {@code contentType}, or null. */
    public MediaType media(String contentType) {
      return match(content, mediaType(contentType));
    }
  }

  /**
   * One operation's compiled contract.
   *
   * @param key {@code METHOD /template} as declared
   * @param parameters path-level and operation-level parameters merged (operation wins)
   * @param requestBody declared request media types; empty when the operation declares no body
   * @param bodyRequired whether {@code requestBody.required} is true
   * @param responses by status key ({@code 200}, {@code 2XX}, {@code default})
   * @param route the route's path template, for extracting path parameters
   */
  public record Operation(String key, List<Parameter> parameters, Map<String, MediaType> requestBody,
      boolean bodyRequired, Map<String, ResponseSpec> responses, PathTemplate route) {

    /** The declared request media type matching {@code contentType}, or null. */
    public MediaType requestMedia(String contentType) {
      return match(requestBody, mediaType(contentType));
    }

    /** The response declared for {@code status}: exact, then {@code NXX}, then {@code default}; or null. */
    public ResponseSpec response(int status) {
      ResponseSpec r = responses.get(Integer.toString(status));
      if (r == null) {
        r = responses.get((status / 100) + "XX");
      }
      return r != null ? r : responses.get("default");
    }

    /** The route's path template: the document's base path and path key. */
    public String template() {
      return route.text();
    }
  }

  private static MediaType match(Map<String, MediaType> content, String media) {
    if (media.isEmpty()) {
      return null;
    }
    MediaType m = content.get(media);
    if (m == null) {
      int slash = media.indexOf('/');
      if (slash > 0) {
        m = content.get(media.substring(0, slash) + "/*");
      }
    }
    return m != null ? m : content.get("*/*");
  }

  /** Compiles the parts of one document. */
  private static final class Compiler {
    private final JsonNode doc;
    private final SchemaDialect dialect;
    private final Map<String, Path> resources;
    private final JsonNode components;

    Compiler(JsonNode doc, SchemaDialect dialect, Map<String, Path> resources) {
      this.doc = doc;
      this.dialect = dialect;
      this.resources = resources;
      this.components = doc.get("components");
    }

    JsonNode resolve(JsonNode node, String at) {
      for (int hops = 0; node != null && node.isObject() && node.has("$ref"); hops++) {
        String ref = node.get("$ref").asText();
        if (hops > 20 || !ref.startsWith("#/")) {
          throw new IllegalArgumentException(at + ": cannot resolve $ref '" + ref + "' (only '#/...' inside the document)");
        }
        JsonNode target = doc.at(JsonPointer.compile(ref.substring(1)));
        if (target.isMissingNode()) {
          throw new IllegalArgumentException(at + ": $ref '" + ref + "' points to nothing");
        }
        node = target;
      }
      return node;
    }

    Operation operation(String method, String path, JsonNode item, JsonNode op, String at) {
      Map<String, Parameter> params = new LinkedHashMap<>();
      parameters(item.path("parameters"), at.substring(0, at.lastIndexOf('.')) + ".parameters", params);
      parameters(op.path("parameters"), at + ".parameters", params);
      Map<String, MediaType> body = new LinkedHashMap<>();
      boolean required = false;
      if (op.has("requestBody")) {
        JsonNode rb = resolve(op.get("requestBody"), at + ".requestBody");
        required = rb.path("required").asBoolean(false);
        content(rb.path("content"), at + ".requestBody.content", body);
      }
      Map<String, ResponseSpec> responses = new LinkedHashMap<>();
      Iterator<Map.Entry<String, JsonNode>> it = op.path("responses").fields();
      while (it.hasNext()) {
        Map.Entry<String, JsonNode> e = it.next();
        String rat = at + ".responses." + e.getKey();
        JsonNode r = resolve(e.getValue(), rat);
        Map<String, MediaType> content = new LinkedHashMap<>();
        content(r.path("content"), rat + ".content", content);
        Map<String, Parameter> headers = new LinkedHashMap<>();
        Iterator<Map.Entry<String, JsonNode>> hs = r.path("headers").fields();
        while (hs.hasNext()) {
          Map.Entry<String, JsonNode> h = hs.next();
          JsonNode hd = resolve(h.getValue(), rat + ".headers." + h.getKey());
          headers.put(h.getKey().toLowerCase(Locale.ROOT), parameter(h.getKey(), "header", hd, rat + ".headers." + h.getKey()));
        }
        responses.put(e.getKey().toUpperCase(Locale.ROOT), new ResponseSpec(Map.copyOf(content), Map.copyOf(headers)));
      }
      PathTemplate route;
      try {
        route = PathTemplate.parse(path);
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException(at + ": " + e.getMessage(), e);
      }
      return new Operation(method + " " + path, List.copyOf(params.values()), Map.copyOf(body), required,
          Map.copyOf(responses), route);
    }

    private void parameters(JsonNode list, String at, Map<String, Parameter> out) {
      if (!list.isArray()) {
        return;
      }
      for (int i = 0; i < list.size(); i++) {
        String pat = at + "[" + i + "]";
        JsonNode p = resolve(list.get(i), pat);
        String name = p.path("name").asText("");
        String in = p.path("in").asText("");
        if (name.isEmpty() || in.isEmpty()) {
          throw new IllegalArgumentException(pat + ": a parameter needs 'name' and 'in'");
        }
        String key = in + ":" + (in.equals("header") ? name.toLowerCase(Locale.ROOT) : name);
        out.put(key, parameter(name, in, p, pat));
      }
    }

    private Parameter parameter(String name, String in, JsonNode p, String at) {
      boolean required = in.equals("path") || p.path("required").asBoolean(false);
      JsonNode schema = p.get("schema");
      if (schema == null && p.has("content")) {
        Iterator<JsonNode> media = p.get("content").elements();
        schema = media.hasNext() ? media.next().get("schema") : null;
      }
      SchemaValidator v = schema == null ? null : schema(schema, at + ".schema");
      String type = schema == null ? "" : type(schema, at);
      String itemType = type.equals("array") ? type(resolve(schema, at).path("items"), at) : "";
      String style = p.path("style").asText(in.equals("query") || in.equals("cookie") ? "form" : "simple");
      boolean explode = p.path("explode").asBoolean(style.equals("form"));
      return new Parameter(name, in, required, v, type, itemType, explode);
    }

    private String type(JsonNode schema, String at) {
      JsonNode s = resolve(schema, at);
      JsonNode t = s.path("type");
      if (t.isTextual()) {
        return t.asText();
      }
      if (t.isArray()) {
        for (JsonNode e : t) {
          if (!"null".equals(e.asText())) {
            return e.asText();
          }
        }
      }
      return "";
    }

    private void content(JsonNode content, String at, Map<String, MediaType> out) {
      Iterator<Map.Entry<String, JsonNode>> it = content.fields();
      while (it.hasNext()) {
        Map.Entry<String, JsonNode> e = it.next();
        String media = mediaType(e.getKey());
        JsonNode schema = e.getValue().get("schema");
        SchemaValidator v = schema != null && isJson(media) ? schema(schema, at + "." + e.getKey() + ".schema") : null;
        out.put(media, new MediaType(media, v));
      }
    }

    SchemaValidator schema(JsonNode schema, String at) {
      JsonNode root = schema;
      if (schema.isObject() && components != null && !schema.has("components")) {
        ObjectNode copy = ((ObjectNode) schema).deepCopy();
        copy.set("components", components);
        root = copy;
      }
      SchemaValidator.Builder b = SchemaValidator.builder(dialect);
      resources.forEach(b::mapResources);
      try {
        return b.compile(root);
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException(at + ": " + e.getMessage(), e);
      }
    }
  }

  /** Where each declared operation is, for messages: {@code METHOD /template} sorted. */
  @Override
  public String toString() {
    return "OpenApiContract" + new ArrayList<>(operationKeys());
  }
}
