package io.gatehouse.model;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonStreamContext;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.exc.StreamConstraintsException;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.exc.InvalidFormatException;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import com.fasterxml.jackson.databind.exc.ValueInstantiationException;
import java.time.Duration;
import java.time.temporal.Temporal;
import java.util.Arrays;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Turns every failure to read or map a JSON or YAML document into a {@link ConfigProblem} a user
 * can act on (field path, what was expected, line and column) that never names a Java class,
 * method or parser token; the one translator for the management API, configuration files and the
 * command line.
 */
public final class ReadErrors {
  private static final Pattern LIMIT = Pattern.compile("\\((\\d+)\\) exceeds the maximum allowed \\((\\d+)");
  private static final Pattern BACKTICKED = Pattern.compile("\\s*\\(?[^\\s(]*`[^`]*`\\)?");
  private static final Pattern SOURCE = Pattern.compile("\\s*(?:at )?\\[Source:[^\\]]*\\]\\)?");
  private static final Pattern CLASS_NAME =
      Pattern.compile("\\b(?:java|javax|jdk|sun|com\\.fasterxml|org\\.yaml|io\\.gatehouse)\\.[\\w.$]+");
  private static final Pattern TOKEN_NAME = Pattern.compile("\\bJsonToken\\.(\\w+)");
  // the YAML parser's name for its input ("in 'reader', line 2"): says nothing to a user
  private static final Pattern PARSER_INPUT = Pattern.compile("\\s+in '(?:reader|string)',?(?=\\s*line)");
  private static final int MAX_MESSAGE = 300;
  private static final Pattern OWN_REASON = Pattern.compile("from String \"(?:[^\"\\\\]|\\\\.)*\": (.+)$", Pattern.DOTALL);
  private static final Pattern DUPLICATE = Pattern.compile("Duplicate field '([^']*)'");

  // Jackson's own words for a value of the wrong kind, with or without the backticks around the type
  private static final Pattern CANNOT_DESERIALIZE = Pattern.compile(
      "Cannot deserialize value of type `?([\\w.$<>, ]+?)`? from ([\\w-]+) value(?:\\s*\\(token `?JsonToken\\.\\w+`?\\))?");

  private ReadErrors() {}

  /**
   * What is wrong with a document in {@code format} ({@code "JSON"} or {@code "YAML"}) that failed
   * with {@code e}: field path (empty when the document itself is malformed), line and column when
   * known (0 otherwise), and a message saying what was expected.
   */
  public static ConfigProblem describe(JsonProcessingException e, String format) {
    requireNonNull(e, "e");
    requireNonNull(format, "format");
    JsonLocation location = e.getLocation();
    int line = location == null ? 0 : Math.max(0, location.getLineNr());
    int column = location == null ? 0 : Math.max(0, location.getColumnNr());
    String field = "";
    String message;
    if (e instanceof JsonMappingException m) {
      field = path(m.getPath());
      if (m.getCause() instanceof JsonProcessingException inner && !(inner instanceof JsonMappingException)) {
        ConfigProblem p = describe(inner, format);
        return new ConfigProblem(null, p.line() > 0 ? p.line() : line, p.field().isEmpty() ? field : p.field(), p.message(),
            p.line() > 0 ? p.column() : column);
      }
      message = mapping(m);
      if (m instanceof UnrecognizedPropertyException u && !field.endsWith(u.getPropertyName())) {
        field = field.isEmpty() ? u.getPropertyName() : field + "." + u.getPropertyName();
      }
    } else if (e instanceof StreamConstraintsException) {
      message = "not valid " + format + ": " + constraint(e.getOriginalMessage());
    } else {
      String original = e.getOriginalMessage() == null ? "" : e.getOriginalMessage();
      Matcher duplicate = DUPLICATE.matcher(original);
      if (duplicate.lookingAt()) {
        String parent = e.getProcessor() instanceof JsonParser p ? objectPath(p.getParsingContext()) : "";
        field = parent.isEmpty() ? duplicate.group(1) : parent + "." + duplicate.group(1);
        message = "duplicate key '" + duplicate.group(1) + "'; each key may appear once in an object";
      } else {
        message = "not valid " + format + ": " + scrub(original);
      }
    }
    return new ConfigProblem(null, line, field, scrub(message), column);
  }

  /** The path of the object {@code ctx} is in, for example {@code apis[0]}. */
  private static String objectPath(JsonStreamContext ctx) {
    StringBuilder out = new StringBuilder();
    java.util.ArrayDeque<String> parts = new java.util.ArrayDeque<>();
    for (JsonStreamContext c = ctx == null ? null : ctx.getParent(); c != null && !c.inRoot(); c = c.getParent()) {
      if (c.inArray()) {
        parts.push("[" + Math.max(0, c.getCurrentIndex()) + "]");
      } else if (c.getCurrentName() != null) {
        parts.push("." + c.getCurrentName());
      }
    }
    parts.forEach(out::append);
    return out.length() > 0 && out.charAt(0) == '.' ? out.substring(1) : out.toString();
  }

  /** {@code message} without class, method or token names and parser source excerpts; at most 300 characters. */
  public static String scrub(String message) {
    if (message == null || message.isBlank()) {
      return "malformed input";
    }
    String out = SOURCE.matcher(message).replaceAll("");
    out = CANNOT_DESERIALIZE.matcher(out).replaceAll(
        r -> Matcher.quoteReplacement("expected " + expectedNamed(r.group(1)) + " but got " + kindNamed(r.group(2))));
    out = PARSER_INPUT.matcher(out).replaceAll(" at");
    out = TOKEN_NAME.matcher(out).replaceAll(r -> Matcher.quoteReplacement(token(r.group(1))));
    out = BACKTICKED.matcher(out).replaceAll("");
    out = CLASS_NAME.matcher(out).replaceAll("value");
    out = out.replaceAll("\\s*\\n\\s*", " ").strip();
    if (out.length() > MAX_MESSAGE) {
      out = out.substring(0, MAX_MESSAGE) + "…";
    }
    return out.isEmpty() ? "malformed input" : out;
  }

  private static String mapping(JsonMappingException m) {
    if (m instanceof UnrecognizedPropertyException u) {
      TreeSet<String> known = new TreeSet<>();
      if (u.getKnownPropertyIds() != null) {
        u.getKnownPropertyIds().forEach(k -> known.add(String.valueOf(k)));
      }
      return "unknown field '" + u.getPropertyName() + "'; expected one of " + known;
    }
    if (m instanceof ValueInstantiationException && m.getCause() instanceof NullPointerException npe) {
      return "missing required field '" + npe.getMessage() + "'";
    }
    if (m.getCause() instanceof IllegalArgumentException iae && iae.getMessage() != null) {
      return iae.getMessage();
    }
    if (m instanceof InvalidFormatException f) {
      Matcher own = OWN_REASON.matcher(m.getOriginalMessage() == null ? "" : m.getOriginalMessage());
      if (own.find() && own.group(1).indexOf('`') < 0 && !own.group(1).startsWith("not a valid")) {
        return own.group(1); // a reason the model's own deserializer gave (durations, byte sizes)
      }
      return "expected " + expected(f.getTargetType()) + " but got " + shown(f.getValue());
    }
    if (m instanceof MismatchedInputException mi) {
      String original = m.getOriginalMessage() == null ? "" : m.getOriginalMessage();
      if (original.startsWith("Trailing token")) {
        return "unexpected content after the end of the document";
      }
      if (original.startsWith("No content to map")) {
        return "expected a document but got nothing";
      }
      if (mi.getTargetType() != null) {
        return "expected " + expected(mi.getTargetType()) + " but got " + got(mi, original);
      }
    }
    return m.getOriginalMessage() == null ? "a value of the wrong kind"
        : m.getOriginalMessage().replaceAll("\\s*\\(for .*$", "");
  }

  /** What a Java type named {@code type} (as Jackson prints it) expects, in words. */
  private static String expectedNamed(String type) {
    String t = type.replaceAll("<.*$", "").trim();
    return switch (t) {
      case "java.lang.String", "char", "java.lang.Character" -> "a string";
      case "int", "long", "short", "java.lang.Integer", "java.lang.Long", "java.lang.Short", "java.math.BigInteger" ->
          "a whole number";
      case "double", "float", "java.lang.Double", "java.lang.Float", "java.math.BigDecimal", "java.lang.Number" -> "a number";
      case "boolean", "java.lang.Boolean" -> "true or false";
      case "java.time.Duration" -> "a duration such as 30s";
      case "java.time.Instant" -> "an ISO-8601 instant such as 2026-01-01T00:00:00Z";
      default -> t.startsWith("java.util.") && (t.contains("List") || t.contains("Set") || t.contains("Collection"))
          ? "a list" : t.startsWith("java.util.") && t.contains("Map") ? "an object"
          : t.startsWith("io.gatehouse.") || t.equals("java.lang.Object") ? "an object" : "another kind of value";
    };
  }

  /** Jackson's name of the kind of value found ({@code Array}, {@code Object}, ...), in words. */
  private static String kindNamed(String kind) {
    return switch (kind) {
      case "Array" -> "a list";
      case "Object" -> "an object";
      case "String" -> "a string";
      case "Integer", "Floating-point" -> "a number";
      case "Boolean" -> "true or false";
      case "Null" -> "null";
      default -> "a value of another kind";
    };
  }

  private static String constraint(String original) {
    Matcher limit = LIMIT.matcher(original == null ? "" : original);
    String max = limit.find() ? limit.group(2) : "the limit";
    if (original != null && original.contains("nesting depth")) {
      return "nested deeper than " + max + " levels";
    }
    if (original != null && original.contains("Number value length")) {
      return "a number longer than " + max + " digits";
    }
    if (original != null && original.contains("String value length")) {
      return "a string longer than " + max + " characters";
    }
    if (original != null && original.contains("Name length")) {
      return "a field name longer than " + max + " characters";
    }
    return "the document exceeds a size limit (" + max + ")";
  }

  private static String expected(Class<?> type) {
    if (type == null) {
      return "another kind of value";
    }
    if (CharSequence.class.isAssignableFrom(type) || type == char.class || type == Character.class) {
      return "a string";
    }
    if (type == int.class || type == Integer.class || type == long.class || type == Long.class
        || type == short.class || type == Short.class || type == java.math.BigInteger.class) {
      return "a whole number";
    }
    if (type == double.class || type == Double.class || type == float.class || type == Float.class
        || Number.class.isAssignableFrom(type)) {
      return "a number";
    }
    if (type == boolean.class || type == Boolean.class) {
      return "true or false";
    }
    if (type == Duration.class) {
      return "a duration such as 30s";
    }
    if (Temporal.class.isAssignableFrom(type)) {
      return "an ISO-8601 instant such as 2026-01-01T00:00:00Z";
    }
    if (type.isEnum()) {
      return "one of " + Arrays.stream(type.getEnumConstants()).map(String::valueOf).toList();
    }
    if (type.isArray() || Collection.class.isAssignableFrom(type)) {
      return "a list";
    }
    if (Map.class.isAssignableFrom(type) || type.isRecord() || type == Object.class) {
      return "an object";
    }
    return "another kind of value";
  }

  private static String got(MismatchedInputException e, String original) {
    if (e.getProcessor() instanceof JsonParser p && p.currentToken() != null) {
      return token(p.currentToken().name());
    }
    for (Map.Entry<String, String> kind : List.of(Map.entry("from Array", "a list"), Map.entry("from Object", "an object"),
        Map.entry("from String", "a string"), Map.entry("from Integer", "a number"),
        Map.entry("from Floating-point", "a number"), Map.entry("from Boolean", "true or false"),
        Map.entry("from Null", "null"))) {
      if (original.contains(kind.getKey())) {
        return kind.getValue();
      }
    }
    return "a value of another kind";
  }

  private static String token(String name) {
    JsonToken t;
    try {
      t = JsonToken.valueOf(name);
    } catch (IllegalArgumentException x) {
      return "a value";
    }
    return switch (t) {
      case START_ARRAY, END_ARRAY -> "a list";
      case START_OBJECT, END_OBJECT -> "an object";
      case FIELD_NAME -> "a field";
      case VALUE_STRING -> "a string";
      case VALUE_NUMBER_INT, VALUE_NUMBER_FLOAT -> "a number";
      case VALUE_TRUE, VALUE_FALSE -> "true or false";
      case VALUE_NULL -> "null";
      default -> "a value";
    };
  }

  private static String shown(Object value) {
    String text = String.valueOf(value);
    return "'" + (text.length() > 60 ? text.substring(0, 60) + "…" : text) + "'";
  }

  /** The field path of {@code refs}, for example {@code apis[0].backend}. */
  static String path(List<JsonMappingException.Reference> refs) {
    StringBuilder out = new StringBuilder();
    for (JsonMappingException.Reference ref : refs) {
      if (ref.getFieldName() != null) {
        if (out.length() > 0) {
          out.append('.');
        }
        out.append(ref.getFieldName());
      } else if (ref.getIndex() >= 0) {
        out.append('[').append(ref.getIndex()).append(']');
      }
    }
    return out.toString();
  }
}
