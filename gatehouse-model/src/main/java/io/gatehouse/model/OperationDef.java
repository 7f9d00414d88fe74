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
 * operation has policies of its own.
 *
 * <p>A template segment {@code {name}} matches one non-empty path segment; a final segment
 * {@code *} matches the rest of the path.
 *
 * @param method the HTTP method, upper case, or {@code *}
 * @param path the path template
 * @param policies the operation scope's policies (never {@code null})
 */
public record OperationDef(String method, String path, PoliciesDef policies) {
  public OperationDef {
    requireNonNull(method, "method");
    requireNonNull(path, "path");
    method = method.toUpperCase(Locale.ROOT);
    policies = PoliciesDef.orEmpty(policies);
  }

  /** An operation without policies. */
  public OperationDef(String method, String path) {
    this(method, path, null);
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
   * Reads either form: a string {@code "METHOD /path"} or a map with {@code operation} and
   * {@code policies}.
   */
  @JsonCreator(mode = JsonCreator.Mode.DELEGATING)
  static OperationDef fromJson(Object value) {
    if (value instanceof String s) {
      return parse(s);
    }
    if (value instanceof Map<?, ?> map) {
      for (Object key : map.keySet()) {
        if (!"operation".equals(key) && !"policies".equals(key)) {
          throw new IllegalArgumentException(
              "unknown field '" + key + "' in an operation; expected 'operation' and 'policies'");
        }
      }
      Object op = map.get("operation");
      if (!(op instanceof String s)) {
        throw new IllegalArgumentException("expected 'operation: METHOD /path' but got " + op);
      }
      OperationDef parsed = parse(s);
      Object policies = map.get("policies");
      PoliciesDef def = policies == null ? null : policies(policies);
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

  /** The configuration form: the short string unless the operation has policies. */
  @JsonValue
  Object toJson() {
    if (policies.isEmpty()) {
      return toString();
    }
    Map<String, Object> out = new LinkedHashMap<>();
    out.put("operation", toString());
    out.put("policies", policies);
    return out;
  }

  /** The operation as written in configuration, {@code "METHOD /path"}. */
  @Override
  public String toString() {
    return method + " " + path;
  }
}
