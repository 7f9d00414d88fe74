package io.gatehouse.model;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * One operation of an API: an HTTP method and a path template below the API's prefix, written
 * {@code "GET /items/{id}"}, or {@code {operation: "GET /items/{id}", policies: {...}}} when the
 * operation has policies of its own, or {@code {operationId: getItem, policies: {...}}} naming an
 * operation of the API's OpenAPI document by its {@code operationId}.
 *
 * <p>The path template's grammar and matching are {@link PathTemplate}'s: {@code {name}} matches
 * one non-empty segment or part of one ({@code /ip/{ipv4}.txt}); a final segment {@code *} matches
 * the rest of the path.
 *
 * <p>An operation named only by {@code operationId} has no method and path until the API's OpenAPI
 * document is imported ({@link OpenApiImporter}); configuration validation refuses one left
 * unresolved.
 *
 * @param method the HTTP method, upper case, or {@code *}; {@code null} only while unresolved
 * @param path the path template; {@code null} only while unresolved
 * @param policies the operation scope's policies (never {@code null})
 * @param operationId the OpenAPI document's {@code operationId} of this operation, or {@code null}
 */
public record OperationDef(String method, String path, PoliciesDef policies, String operationId) {
  public OperationDef {
    if (operationId == null || method != null || path != null) {
      requireNonNull(method, "method");
      requireNonNull(path, "path");
      method = method.toUpperCase(Locale.ROOT);
    }
    policies = PoliciesDef.orEmpty(policies);
  }

  /** An operation without an operationId. */
  public OperationDef(String method, String path, PoliciesDef policies) {
    this(method, path, policies, null);
  }

  /** An operation without policies. */
  public OperationDef(String method, String path) {
    this(method, path, null, null);
  }

  /** An operation named by {@code operationId} only, to be resolved against the API's OpenAPI document. */
  public static OperationDef byOperationId(String operationId, PoliciesDef policies) {
    return new OperationDef(null, null, policies, requireNonNull(operationId, "operationId"));
  }

  /** Whether the method and path are known (false for an operation named only by operationId, before import). */
  public boolean resolved() {
    return path != null;
  }

  /** Returns a copy with the method, path and operationId replaced, keeping the policies. */
  public OperationDef at(String method, String path, String operationId) {
    return new OperationDef(method, path, policies, operationId);
  }

  /**
   * Parses {@code "METHOD /path"}.
   *
   * @throws IllegalArgumentException when the text is not a method, one space and a path
   *     starting with {@code /}
   */
  public static OperationDef parse(String text) {
    requireNonNull(text, "text");
    String trimmed = text.trim();
    int space = trimmed.indexOf(' ');
    if (space <= 0 || !trimmed.substring(space + 1).trim().startsWith("/")) {
      throw new IllegalArgumentException(
          "expected 'METHOD /path/{param}' but got '" + text + "'");
    }
    String method = trimmed.substring(0, space);
    if (!method.chars().allMatch(c -> Character.isLetter(c) || c == '*')) {
      throw new IllegalArgumentException("invalid method '" + method + "' in '" + text + "'");
    }
    return new OperationDef(method, trimmed.substring(space + 1).trim());
  }

  /**
   * Reads either form: a string {@code "METHOD /path"} or a map with {@code operation} or
   * {@code operationId}, and {@code policies}.
   */
  @JsonCreator(mode = JsonCreator.Mode.DELEGATING)
  static OperationDef fromJson(Object value) {
    if (value instanceof String s) {
      return parse(s);
    }
    if (value instanceof Map<?, ?> map) {
      for (Object key : map.keySet()) {
        if (!"operation".equals(key) && !"operationId".equals(key) && !"policies".equals(key)) {
          throw new IllegalArgumentException("unknown field '" + key
              + "' in an operation; expected 'operation' or 'operationId', and 'policies'");
        }
      }
      Object op = map.get("operation");
      Object id = map.get("operationId");
      Object policies = map.get("policies");
      PoliciesDef def = policies == null ? null : policies(policies);
      if (op != null && id != null) {
        throw new IllegalArgumentException("expected either 'operation' or 'operationId' but got both ('"
            + op + "' and '" + id + "')");
      }
      if (id != null) {
        if (!(id instanceof String s) || s.isBlank()) {
          throw new IllegalArgumentException("expected 'operationId: NAME' (the OpenAPI document's operationId) but got " + id);
        }
        return byOperationId(s, def);
      }
      if (!(op instanceof String s)) {
        throw new IllegalArgumentException("expected 'operation: METHOD /path' or 'operationId: NAME' but got " + op);
      }
      OperationDef parsed = parse(s);
      return new OperationDef(parsed.method, parsed.path, def);
    }
    throw new IllegalArgumentException(
        "expected 'METHOD /path' or {operation: 'METHOD /path', policies: ...} but got " + value);
  }

  /** {@code raw} mapped onto the policies; a mismatch is told in words, with its path under {@code policies}. */
  private static PoliciesDef policies(Object raw) {
    try {
      return ConfigMapper.json().convertValue(raw, PoliciesDef.class);
    } catch (IllegalArgumentException e) {
      if (e.getCause() instanceof com.fasterxml.jackson.core.JsonProcessingException j) {
        ConfigProblem p = ReadErrors.describe(j, "YAML");
        throw new IllegalArgumentException("policies" + (p.field().isEmpty() ? "" : "." + p.field()) + ": " + p.message());
      }
      throw e;
    }
  }

  /**
   * The configuration form: the short string unless the operation has policies; an operation
   * resolved from an operationId is written by its method and path (the import finds its
   * operationId again).
   */
  @JsonValue
  Object toJson() {
    if (policies.isEmpty() && resolved()) {
      return toString();
    }
    Map<String, Object> out = new LinkedHashMap<>();
    if (resolved()) {
      out.put("operation", toString());
    } else {
      out.put("operationId", operationId);
    }
    if (!policies.isEmpty()) {
      out.put("policies", policies);
    }
    return out;
  }

  /**
   * The operation as written in configuration, {@code "METHOD /path"} ({@code "operationId NAME"}
   * while unresolved).
   */
  @Override
  public String toString() {
    return resolved() ? method + " " + path : "operationId " + operationId;
  }
}
