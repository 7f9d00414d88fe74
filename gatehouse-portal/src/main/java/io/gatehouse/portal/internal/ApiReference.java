package io.gatehouse.portal.internal;

import com.fasterxml.jackson.databind.JsonNode;
import io.gatehouse.model.ApiDef;
import io.gatehouse.model.OpenApiImporter;
import io.gatehouse.model.OperationDef;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * The reference of one API as the portal shows it: its operations with parameters, request and
 * response schemas and examples from the API's inline OpenAPI document (or, without one, the
 * operations the configuration lists); every description rendered by {@link Markdown}, so text
 * from a specification is never live HTML.
 */
public final class ApiReference {
  private static final Set<String> METHODS = Set.of("get", "put", "post", "delete", "options", "head", "patch", "trace");

  private ApiReference() {}

  /** The reference of {@code api} for a gateway reached at {@code gatewayUrl} (nullable: relative URLs). */
  public static Map<String, Object> of(ApiDef api, String gatewayUrl) {
    Map<String, Object> out = new LinkedHashMap<>();
    out.put("name", api.name());
    out.put("path", api.path());
    String base = (gatewayUrl == null ? "" : stripSlash(gatewayUrl)) + (api.path().equals("/") ? "" : stripSlash(api.path()));
    out.put("baseUrl", base);
    out.put("subscriptionRequired", api.subscriptionRequired());
    out.put("keyHeader", api.subscriptionKeyHeader());
    JsonNode doc = document(api);
    List<Map<String, Object>> operations = new ArrayList<>();
    if (doc != null) {
      JsonNode info = doc.path("info");
      out.put("title", info.path("title").asText(api.name()));
      out.put("version", info.path("version").asText(""));
      out.put("descriptionHtml", Markdown.html(info.path("description").asText(null)));
      String basePath;
      try {
        basePath = OpenApiImporter.basePath(doc);
      } catch (IllegalArgumentException e) {
        basePath = "";
      }
      Iterator<Map.Entry<String, JsonNode>> paths = doc.path("paths").fields();
      while (paths.hasNext()) {
        Map.Entry<String, JsonNode> p = paths.next();
        JsonNode shared = p.getValue().path("parameters");
        Iterator<Map.Entry<String, JsonNode>> ops = p.getValue().fields();
        while (ops.hasNext()) {
          Map.Entry<String, JsonNode> op = ops.next();
          if (!METHODS.contains(op.getKey().toLowerCase(Locale.ROOT))) {
            continue;
          }
          operations.add(operation(doc, op.getKey().toUpperCase(Locale.ROOT),
              OpenApiImporter.routePath(basePath, p.getKey()), op.getValue(), shared));
        }
      }
      JsonNode schemas = doc.path("components").path("schemas");
      if (schemas.isMissingNode()) {
        schemas = doc.path("definitions");
      }
      out.put("schemas", schemas.isMissingNode() ? Map.of() : schemas);
    } else {
      out.put("title", api.name());
      out.put("version", "");
      out.put("descriptionHtml", "");
      for (OperationDef o : api.operations()) {
        if (o.method() == null) {
          continue;
        }
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("method", o.method());
        m.put("path", o.path());
        m.put("operationId", o.operationId());
        m.put("summary", "");
        m.put("descriptionHtml", "");
        m.put("parameters", pathParameters(o.path()));
        m.put("responses", List.of());
        operations.add(m);
      }
      out.put("schemas", Map.of());
    }
    out.put("operations", operations);
    return out;
  }

  private static Map<String, Object> operation(JsonNode doc, String method, String path, JsonNode op, JsonNode shared) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("method", method);
    m.put("path", path);
    m.put("operationId", op.path("operationId").asText(null));
    m.put("summary", op.path("summary").asText(""));
    m.put("descriptionHtml", Markdown.html(op.path("description").asText(null)));
    List<Map<String, Object>> params = new ArrayList<>();
    for (JsonNode list : new JsonNode[] {shared, op.path("parameters")}) {
      for (JsonNode raw : list) {
        JsonNode p = resolve(doc, raw);
        if (p.path("in").asText().equals("body")) { // Swagger 2.0
          m.put("requestBody", Map.of("contentType", "application/json", "schema", p.path("schema"),
              "example", p.path("schema").path("example")));
          continue;
        }
        Map<String, Object> pm = new LinkedHashMap<>();
        pm.put("name", p.path("name").asText());
        pm.put("in", p.path("in").asText());
        pm.put("required", p.path("required").asBoolean(p.path("in").asText().equals("path")));
        pm.put("descriptionHtml", Markdown.html(p.path("description").asText(null)));
        pm.put("schema", p.has("schema") ? p.path("schema") : Map.of("type", p.path("type").asText("string")));
        if (p.has("example")) {
          pm.put("example", p.path("example"));
        } else if (p.path("schema").has("example")) {
          pm.put("example", p.path("schema").path("example"));
        }
        params.add(pm);
      }
    }
    m.put("parameters", params);
    JsonNode body = resolve(doc, op.path("requestBody"));
    if (!body.isMissingNode()) {
      Map<String, Object> b = content(doc, body.path("content"));
      b.put("required", body.path("required").asBoolean(false));
      b.put("descriptionHtml", Markdown.html(body.path("description").asText(null)));
      m.put("requestBody", b);
    }
    List<Map<String, Object>> responses = new ArrayList<>();
    Iterator<Map.Entry<String, JsonNode>> rs = op.path("responses").fields();
    while (rs.hasNext()) {
      Map.Entry<String, JsonNode> r = rs.next();
      JsonNode resp = resolve(doc, r.getValue());
      Map<String, Object> rm = resp.has("content") ? content(doc, resp.path("content")) : new LinkedHashMap<>();
      if (!resp.has("content") && resp.has("schema")) { // Swagger 2.0
        rm.put("contentType", "application/json");
        rm.put("schema", resp.path("schema"));
        rm.put("example", resp.path("examples").path("application/json"));
      }
      rm.put("status", r.getKey());
      rm.put("descriptionHtml", Markdown.html(resp.path("description").asText(null)));
      responses.add(rm);
    }
    m.put("responses", responses);
    return m;
  }

  /** The first media type of {@code content}: its type, schema and example. */
  private static Map<String, Object> content(JsonNode doc, JsonNode content) {
    Map<String, Object> out = new LinkedHashMap<>();
    Iterator<Map.Entry<String, JsonNode>> types = content.fields();
    if (types.hasNext()) {
      Map.Entry<String, JsonNode> t = types.next();
      out.put("contentType", t.getKey());
      out.put("schema", t.getValue().path("schema"));
      JsonNode example = t.getValue().path("example");
      if (example.isMissingNode()) {
        Iterator<JsonNode> examples = t.getValue().path("examples").elements();
        if (examples.hasNext()) {
          example = resolve(doc, examples.next()).path("value");
        }
      }
      if (example.isMissingNode()) {
        example = resolve(doc, t.getValue().path("schema")).path("example");
      }
      if (!example.isMissingNode()) {
        out.put("example", example);
      }
    }
    return out;
  }

  /** {@code node}, or the node its local {@code $ref} names (one level). */
  private static JsonNode resolve(JsonNode doc, JsonNode node) {
    String ref = node.path("$ref").asText(null);
    if (ref == null || !ref.startsWith("#/")) {
      return node;
    }
    return doc.at(ref.substring(1));
  }

  private static List<Map<String, Object>> pathParameters(String path) {
    List<Map<String, Object>> out = new ArrayList<>();
    java.util.regex.Matcher m = java.util.regex.Pattern.compile("\\{([^}/]+)}").matcher(path);
    while (m.find()) {
      out.add(Map.of("name", m.group(1), "in", "path", "required", true, "descriptionHtml", "",
          "schema", Map.of("type", "string")));
    }
    return out;
  }

  private static JsonNode document(ApiDef api) {
    if (api.openapi() == null || api.openapi().inline() == null) {
      return null;
    }
    try {
      return OpenApiImporter.readTree(api.openapi().inline());
    } catch (IllegalArgumentException e) {
      return null;
    }
  }

  private static String stripSlash(String s) {
    return s.endsWith("/") ? s.substring(0, s.length() - 1) : s;
  }
}
