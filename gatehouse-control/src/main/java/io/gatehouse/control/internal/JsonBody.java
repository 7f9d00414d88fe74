package io.gatehouse.control.internal;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.gatehouse.model.ConfigMapper;
import io.gatehouse.model.ConfigProblem;
import io.gatehouse.model.ReadErrors;
import java.util.Iterator;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

/**
 * Reads a management request body as one JSON object through the shared strict mapper: malformed
 * JSON, a duplicate key, a body that is not an object or a field the route does not know each
 * answer 400 naming the field (and the line and column when known), never a parser class or token.
 */
final class JsonBody {
  private JsonBody() {}

  /**
   * The body as an object whose fields are all in {@code fields}; {@code quoteInput} false keeps
   * the parser's excerpt of the input out of the message (bodies that carry key material).
   */
  static ObjectNode object(String body, Set<String> fields, boolean quoteInput) {
    ObjectNode node = object(body, quoteInput);
    for (Iterator<String> it = node.fieldNames(); it.hasNext(); ) {
      String f = it.next();
      if (!fields.contains(f)) {
        throw ApiException.badField(f, "unknown field '" + f + "'; expected one of " + new TreeSet<>(fields));
      }
    }
    return node;
  }

  /** The body as an object, with any fields (the caller maps it onto a type that refuses unknown ones). */
  static ObjectNode object(String body, boolean quoteInput) {
    JsonNode node;
    try {
      node = ConfigMapper.json().readTree(body == null ? "" : body);
    } catch (JsonProcessingException e) {
      throw invalid(ReadErrors.describe(e, "JSON"), quoteInput);
    }
    if (node == null || node.isMissingNode() || !node.isObject()) {
      throw new ApiException(400, "expected a JSON object but got " + kind(node));
    }
    return (ObjectNode) node;
  }

  /** A 400 for {@code p}, a problem found while reading a body. */
  static ApiException invalid(ConfigProblem p, boolean quoteInput) {
    ConfigProblem shown = quoteInput || !p.field().isEmpty() && !p.message().startsWith("not valid")
        ? p : new ConfigProblem(null, p.line(), p.field(), "not valid JSON", p.column());
    return new ApiException(400, shown.toString(), List.of(shown));
  }

  private static String kind(JsonNode node) {
    if (node == null || node.isMissingNode()) {
      return "nothing";
    }
    if (node.isArray()) {
      return "a list";
    }
    if (node.isTextual()) {
      return "a string";
    }
    if (node.isNumber()) {
      return "a number";
    }
    if (node.isBoolean()) {
      return "true or false";
    }
    return "null";
  }
}
