package io.gatehouse.server.internal;

import com.fasterxml.jackson.databind.JsonNode;
import io.gatehouse.insight.Finding;
import io.gatehouse.model.SourceLines;
import java.util.Iterator;
import java.util.Map;
import java.util.Set;
import java.util.function.ToIntFunction;

/**
 * Finds the line of an OpenAPI or Swagger document where an {@code audit-spec} finding's subject is written: the
 * server URL, the operation, the parameter, the request body, or the schema property it names (following local
 * {@code $ref}s into the schema that declares it); 0 when the subject is not found in the document.
 *
 * <p>Finding resources have the forms {@code servers URL}, {@code paths./p.servers URL}, {@code GET /p},
 * {@code GET /p query parameter 'name'} and {@code GET /p request body (application/json).a.b[].*} (see
 * {@code OpenApiAuditor}); each is turned into a field path of the document ({@code paths./p.get.parameters[1]}).
 */
final class OpenApiLocations implements ToIntFunction<Finding> {
  private static final Set<String> METHODS = Set.of("get", "put", "post", "delete", "options", "head", "patch",
      "trace");

  private final JsonNode document;
  private final SourceLines lines;

  /** Locates findings in {@code document}, the parsed text whose lines {@code lines} knows. */
  OpenApiLocations(JsonNode document, SourceLines lines) {
    this.document = document;
    this.lines = lines;
  }

  @Override
  public int applyAsInt(Finding f) {
    String field = field(f.resource());
    return field == null ? 0 : lines.line(field);
  }

  /** The field path of what {@code resource} names, or {@code null}. */
  String field(String resource) {
    if (resource.startsWith("servers ")) {
      return servers("", document, resource.substring(8));
    }
    int space = resource.indexOf(' ');
    if (space < 0) {
      return null;
    }
    String head = resource.substring(0, space);
    if (head.startsWith("paths.") && head.endsWith(".servers")) {
      String path = head.substring(6, head.length() - 8);
      JsonNode item = document.path("paths").path(path);
      return item.isObject() ? servers("paths." + path + ".", item, resource.substring(space + 1)) : null;
    }
    String method = head.toLowerCase(java.util.Locale.ROOT);
    if (!METHODS.contains(method)) {
      return null;
    }
    return operation(method, resource.substring(space + 1));
  }

  private String servers(String prefix, JsonNode holder, String url) {
    JsonNode servers = holder.path("servers");
    for (int i = 0; i < servers.size(); i++) {
      if (url.equals(servers.get(i).path("url").asText(null))) {
        return prefix + "servers[" + i + "]";
      }
    }
    if (servers.isArray()) {
      return prefix + "servers";
    }
    // Swagger 2.0: the server URL is built from schemes, host and basePath
    return document.has("schemes") ? "schemes" : document.has("host") ? "host" : null;
  }

  /** {@code rest} is {@code /p} followed by nothing, a parameter or a request body. */
  private String operation(String method, String rest) {
    JsonNode paths = document.path("paths");
    String path = null;
    for (Iterator<String> it = paths.fieldNames(); it.hasNext(); ) {
      String p = it.next();
      if ((rest.equals(p) || rest.startsWith(p + " ")) && (path == null || p.length() > path.length())) {
        path = p;
      }
    }
    if (path == null) {
      return null;
    }
    String itemField = "paths." + path;
    String opField = itemField + "." + method;
    JsonNode item = paths.path(path);
    JsonNode op = item.path(method);
    String detail = rest.substring(path.length()).strip();
    if (detail.isEmpty()) {
      return opField;
    }
    if (detail.startsWith("request body (")) {
      int close = detail.indexOf(')');
      if (close < 0) {
        return opField;
      }
      String mediaType = detail.substring("request body (".length(), close);
      String properties = detail.substring(close + 1);
      JsonNode schema = op.path("requestBody").path("content").path(mediaType).path("schema");
      if (!schema.isMissingNode()) {
        return schema(opField + ".requestBody.content." + mediaType + ".schema", schema, properties);
      }
      int body = parameter(op, "body", null); // Swagger 2.0: the body is a parameter
      return body < 0 ? opField : schema(opField + ".parameters[" + body + "].schema",
          op.path("parameters").get(body).path("schema"), properties);
    }
    int quote = detail.indexOf(" parameter '");
    int end = quote < 0 ? -1 : detail.indexOf('\'', quote + 12);
    if (end < 0) {
      return opField;
    }
    String in = detail.substring(0, quote);
    String name = detail.substring(quote + 12, end);
    String properties = detail.substring(end + 1);
    for (String field : new String[] {opField, itemField}) {
      JsonNode holder = field.equals(opField) ? op : item;
      int i = parameter(holder, in, name);
      if (i >= 0) {
        String at = field + ".parameters[" + i + "]";
        JsonNode p = resolve(holder.path("parameters").get(i));
        if (p.has("schema")) {
          return schema(at + ".schema", p.path("schema"), properties);
        }
        return properties.isEmpty() ? at : schema(at, p, properties); // Swagger 2.0: the parameter is the schema
      }
    }
    return opField;
  }

  /** The index of the parameter {@code in} named {@code name} (any name when null) of {@code holder}, or -1. */
  private int parameter(JsonNode holder, String in, String name) {
    JsonNode params = holder.path("parameters");
    for (int i = 0; i < params.size(); i++) {
      JsonNode p = resolve(params.get(i));
      if (in.equals(p.path("in").asText(null)) && (name == null || name.equals(p.path("name").asText(null)))) {
        return i;
      }
    }
    return -1;
  }

  /**
   * The field of the schema that {@code properties} ({@code .a[].b.*}) names inside {@code schema}, written at
   * {@code field}; following a local {@code $ref} moves to the schema that it names. Stops at the deepest step found.
   */
  private String schema(String field, JsonNode schema, String properties) {
    String at = field;
    JsonNode node = schema;
    int i = 0;
    while (i < properties.length()) {
      Map.Entry<String, JsonNode> ref = follow(at, node);
      at = ref.getKey();
      node = ref.getValue();
      Map.Entry<String, JsonNode> next;
      if (properties.startsWith("[]", i)) {
        next = child(at, node, "items", null);
        i += 2;
      } else if (properties.startsWith(".*", i)) {
        next = child(at, node, "additionalProperties", null);
        i += 2;
      } else if (properties.charAt(i) == '.') {
        int stop = i + 1;
        while (stop < properties.length() && properties.charAt(stop) != '.'
            && !properties.startsWith("[]", stop)) {
          stop++;
        }
        next = child(at, node, "properties", properties.substring(i + 1, stop));
        i = stop;
      } else {
        break;
      }
      if (next == null) {
        break;
      }
      at = next.getKey();
      node = next.getValue();
    }
    return at;
  }

  /** {@code key} (and then {@code name}) of {@code node}, else of its allOf/oneOf/anyOf parts; null when absent. */
  private Map.Entry<String, JsonNode> child(String at, JsonNode node, String key, String name) {
    JsonNode c = node.path(key);
    if (name != null) {
      c = c.path(name);
    }
    if (!c.isMissingNode()) {
      return Map.entry(at + "." + key + (name == null ? "" : "." + name), c);
    }
    for (String composition : new String[] {"allOf", "oneOf", "anyOf"}) {
      JsonNode parts = node.path(composition);
      for (int i = 0; i < parts.size(); i++) {
        Map.Entry<String, JsonNode> part = follow(at + "." + composition + "[" + i + "]", parts.get(i));
        JsonNode found = part.getValue().path(key);
        if (name != null) {
          found = found.path(name);
        }
        if (!found.isMissingNode()) {
          return Map.entry(part.getKey() + "." + key + (name == null ? "" : "." + name), found);
        }
      }
    }
    return null;
  }

  /** {@code node} at {@code at}, or the schema its local {@code $ref} chain names and that schema's field path. */
  private Map.Entry<String, JsonNode> follow(String at, JsonNode node) {
    for (int hops = 0; hops < 20 && node.path("$ref").isTextual(); hops++) {
      String ref = node.path("$ref").asText();
      if (!ref.startsWith("#/")) {
        break;
      }
      JsonNode target = document.at(ref.substring(1));
      if (target.isMissingNode()) {
        break;
      }
      StringBuilder field = new StringBuilder();
      for (String part : ref.substring(2).split("/", -1)) {
        field.append(field.length() == 0 ? "" : ".").append(part.replace("~1", "/").replace("~0", "~"));
      }
      at = field.toString();
      node = target;
    }
    return Map.entry(at, node);
  }

  private JsonNode resolve(JsonNode node) {
    return follow("", node).getValue();
  }
}
