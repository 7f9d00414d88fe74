package io.gatehouse.control.internal;

import io.gatehouse.control.security.Roles;
import io.gatehouse.model.GatewayConfig;
import java.lang.reflect.ParameterizedType;
import java.lang.reflect.RecordComponent;
import java.lang.reflect.Type;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** Builds the OpenAPI 3.1 document of the management API from its {@link Endpoint}s. */
public final class OpenApiDocument {
  private OpenApiDocument() {}

  /** The document describing {@code endpoints}. */
  public static Map<String, Object> of(List<Endpoint> endpoints) {
    Map<String, Object> schemas = new LinkedHashMap<>();
    schemas.put("Problem", problemSchema());
    schemas.put("GatewayConfig", schema(GatewayConfig.class, schemas));
    for (EntityKind<?> kind : EntityKind.ALL) {
      schema(kind.type(), schemas);
    }

    Map<String, Object> paths = new LinkedHashMap<>();
    for (Endpoint e : endpoints) {
      @SuppressWarnings("unchecked")
      Map<String, Object> item = (Map<String, Object>) paths.computeIfAbsent(e.openApiPath(), p -> new LinkedHashMap<>());
      item.put(e.method().name().toLowerCase(Locale.ROOT), operation(e));
    }

    Map<String, Object> doc = new LinkedHashMap<>();
    doc.put("openapi", "3.1.0");
    doc.put("info", Map.of("title", "Gatehouse management API", "version", "v1",
        "description", "Every route but login requires 'Authorization: Bearer <token>' (admin token, personal access"
            + " token, session token or OIDC JWT) and the permission in its x-gatehouse-permission."
            + " Errors are RFC 9457 problem+json."));
    doc.put("security", List.of(Map.of("bearerAuth", List.of())));
    doc.put("paths", paths);
    Map<String, Object> components = new LinkedHashMap<>();
    components.put("securitySchemes", Map.of("bearerAuth", Map.of("type", "http", "scheme", "bearer")));
    components.put("schemas", schemas);
    components.put("responses", Map.of("Problem", Map.of("description", "The request was refused",
        "content", Map.of("application/problem+json", Map.of("schema", ref("Problem"))))));
    doc.put("components", components);
    return doc;
  }

  private static Map<String, Object> operation(Endpoint e) {
    Map<String, Object> op = new LinkedHashMap<>();
    op.put("operationId", operationId(e));
    op.put("summary", e.summary());
    op.put("tags", List.of(e.tag()));
    if (e.permission() != null) {
      op.put("x-gatehouse-permission", e.permission());
    }
    if (Roles.PUBLIC.equals(e.permission())) {
      op.put("security", List.of());
    }
    List<Object> params = new java.util.ArrayList<>();
    for (String p : e.pathParams()) {
      params.add(Map.of("name", p, "in", "path", "required", true, "schema", Map.of("type", "string")));
    }
    for (String q : e.queryParams()) {
      params.add(Map.of("name", q, "in", "query", "required", false, "schema", Map.of("type", "string")));
    }
    if (!params.isEmpty()) {
      op.put("parameters", params);
    }
    Object bodySchema = bodySchema(e);
    if (e.body() == Endpoint.Body.JSON) {
      op.put("requestBody", Map.of("required", true, "content", Map.of("application/json", Map.of("schema", bodySchema))));
    } else if (e.body() == Endpoint.Body.CONFIG) {
      op.put("requestBody", Map.of("required", true, "content", Map.of(
          "application/json", Map.of("schema", ref("GatewayConfig")),
          "application/yaml", Map.of("schema", ref("GatewayConfig")))));
    }
    Map<String, Object> responses = new LinkedHashMap<>();
    Map<String, Object> ok = new LinkedHashMap<>();
    ok.put("description", e.status() == 204 ? "Done" : "Success");
    if (e.status() != 204) {
      ok.put("content", Map.of("application/json", Map.of("schema", Map.of("type", "object"))));
    }
    responses.put(Integer.toString(e.status()), ok);
    responses.put("default", Map.of("$ref", "#/components/responses/Problem"));
    op.put("responses", responses);
    return op;
  }

  private static Object bodySchema(Endpoint e) {
    if (e.tag().equals(CertificateApi.TAG)) {
      Map<String, Object> props = new LinkedHashMap<>();
      props.put("usage", Map.of("type", "string", "enum", List.of("server", "client", "ca")));
      props.put("certificate", Map.of("type", "string", "description", "PEM certificate chain, leaf first"));
      props.put("privateKey", Map.of("type", "string", "description", "PEM private key (not for usage ca)"));
      props.put("pkcs12", Map.of("type", "string", "contentEncoding", "base64", "description", "PKCS#12 store"));
      props.put("password", Map.of("type", "string", "description", "of the PKCS#12 store or encrypted PEM key"));
      return Map.of("type", "object", "required", List.of("usage"), "properties", props);
    }
    for (EntityKind<?> kind : EntityKind.ALL) {
      if (e.path().startsWith(ManagementApi.PREFIX + "/" + kind.segment())) {
        return ref(kind.type().getSimpleName());
      }
    }
    return Map.of("type", "object");
  }

  /** The operation id of {@code e}: method and path words, for example {@code getApisByName}. */
  public static String operationId(Endpoint e) {
    StringBuilder out = new StringBuilder(e.method().name().toLowerCase(Locale.ROOT));
    for (String part : e.path().substring(ManagementApi.PREFIX.length()).split("[/-]")) {
      if (part.isEmpty()) {
        continue;
      }
      String word = part.startsWith(":") ? "By" + cap(part.substring(1)) : cap(part);
      out.append(word);
    }
    return out.toString();
  }

  private static String cap(String s) {
    return s.isEmpty() ? s : Character.toUpperCase(s.charAt(0)) + s.substring(1);
  }

  private static Map<String, Object> ref(String name) {
    return Map.of("$ref", "#/components/schemas/" + name);
  }

  private static Map<String, Object> problemSchema() {
    Map<String, Object> props = new LinkedHashMap<>();
    props.put("type", Map.of("type", "string"));
    props.put("title", Map.of("type", "string"));
    props.put("status", Map.of("type", "integer"));
    props.put("detail", Map.of("type", "string"));
    props.put("instance", Map.of("type", "string"));
    props.put("requestId", Map.of("type", "string"));
    props.put("problems", Map.of("type", "array", "items", Map.of("type", "object", "properties", Map.of(
        "field", Map.of("type", "string"), "message", Map.of("type", "string"), "line", Map.of("type", "integer")))));
    return Map.of("type", "object", "required", List.of("status", "title", "requestId"), "properties", props);
  }

  /** A JSON schema for a model record, registering nested records in {@code schemas}. */
  private static Map<String, Object> schema(Class<?> type, Map<String, Object> schemas) {
    if (schemas.containsKey(type.getSimpleName()) && type != GatewayConfig.class) {
      return ref(type.getSimpleName());
    }
    Map<String, Object> props = new LinkedHashMap<>();
    for (RecordComponent c : type.getRecordComponents()) {
      props.put(c.getName(), typeSchema(c.getGenericType(), schemas));
    }
    Map<String, Object> s = Map.of("type", "object", "properties", props);
    schemas.put(type.getSimpleName(), s);
    return ref(type.getSimpleName());
  }

  private static Object typeSchema(Type t, Map<String, Object> schemas) {
    if (t instanceof ParameterizedType p && p.getRawType() == List.class) {
      return Map.of("type", "array", "items", typeSchema(p.getActualTypeArguments()[0], schemas));
    }
    if (t == String.class || t == Duration.class) {
      return Map.of("type", "string");
    }
    if (t == Instant.class) {
      return Map.of("type", "string", "format", "date-time");
    }
    if (t == Boolean.class || t == boolean.class) {
      return Map.of("type", "boolean");
    }
    if (t == Integer.class || t == Long.class || t == int.class || t == long.class) {
      return Map.of("type", "integer");
    }
    if (t instanceof Class<?> c && c.isRecord()) {
      return schema(c, schemas);
    }
    if (t instanceof Class<?> c && c.getSimpleName().equals("OperationDef")) {
      return Map.of("type", "string");
    }
    return Map.of("type", "string");
  }
}
