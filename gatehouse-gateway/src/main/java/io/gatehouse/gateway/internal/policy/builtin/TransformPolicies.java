package io.gatehouse.gateway.internal.policy.builtin;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import io.gatehouse.gateway.internal.policy.PolicyCompiler;
import io.gatehouse.gateway.internal.policy.PolicyConfig;
import io.gatehouse.gateway.internal.policy.Section;
import io.gatehouse.model.PolicyNames;
import io.gatehouse.policy.Body;
import io.gatehouse.policy.Headers;
import io.gatehouse.policy.Policy;
import io.gatehouse.policy.PolicyConfigException;
import io.gatehouse.policy.Response;
import io.gatehouse.policy.SyncPolicy;
import java.io.ByteArrayInputStream;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CompletionException;
import java.util.function.Function;
import javax.xml.stream.XMLInputFactory;
import javax.xml.stream.XMLOutputFactory;
import javax.xml.stream.XMLStreamConstants;
import javax.xml.stream.XMLStreamException;
import javax.xml.stream.XMLStreamReader;
import javax.xml.stream.XMLStreamWriter;

/** {@code json-to-xml}, {@code xml-to-json}, {@code mask-data} and {@code mock-response}. */
final class TransformPolicies {
  private TransformPolicies() {}

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final int DEFAULT_MAX = 1 << 20;

  /** A body that could not be converted: 400 on a request, a policy failure on a response. */
  static final class BadBody extends RuntimeException {
    private static final long serialVersionUID = 1L;

    BadBody(String message) {
      super(message, null, false, false);
    }
  }

  /**
   * Runs {@code convert} on the request body (inbound, backend) or response body (outbound,
   * on-error) when {@code applies} accepts its content type, setting the new content type.
   */
  static Policy converting(Section section, int max, Function<String, Boolean> applies, Function<byte[], byte[]> convert,
      String newType) {
    if (section.onResponse()) {
      return (ctx, next) -> next.proceed(ctx).thenCompose(r -> {
        if (!applies.apply(r.headers().get("Content-Type"))) {
          return ctx.completed(r);
        }
        return r.body().aggregate(max).thenApply(bytes -> {
          r.body(Body.of(convert.apply(bytes)));
          r.headers().set("Content-Type", newType);
          r.headers().remove("Content-Length");
          return r;
        });
      });
    }
    return (ctx, next) -> {
      Headers h = ctx.request().headers();
      if (!applies.apply(h.get("Content-Type"))) {
        return next.proceed(ctx);
      }
      return ctx.request().body().aggregate(max).handle((bytes, t) -> {
        if (t != null) {
          throw t instanceof CompletionException ? (CompletionException) t : new CompletionException(t);
        }
        try {
          return convert.apply(bytes);
        } catch (BadBody e) {
          return null;
        }
      }).thenCompose(out -> {
        if (out == null) {
          return ctx.completed(ctx.problem(400, "Bad Request", "the request body cannot be converted"));
        }
        ctx.request().body(Body.of(out));
        h.set("Content-Type", newType);
        return next.proceed(ctx);
      });
    };
  }

  static boolean isJson(String contentType) {
    if (contentType == null) {
      return false;
    }
    String t = contentType.toLowerCase(Locale.ROOT);
    int semi = t.indexOf(';');
    t = (semi < 0 ? t : t.substring(0, semi)).trim();
    return t.equals("application/json") || t.endsWith("+json");
  }

  static boolean isXml(String contentType) {
    if (contentType == null) {
      return false;
    }
    String t = contentType.toLowerCase(Locale.ROOT);
    int semi = t.indexOf(';');
    t = (semi < 0 ? t : t.substring(0, semi)).trim();
    return t.equals("application/xml") || t.equals("text/xml") || t.endsWith("+xml");
  }

  // ------------------------------------------------------------------ json-to-xml

  /** Converts a JSON body to XML. */
  static final class JsonToXml extends Base {
    JsonToXml() {
      super(PolicyNames.JSON_TO_XML);
    }

    @Override
    public io.gatehouse.policy.Policy create(PolicyConfig c, Section section, PolicyCompiler compiler) {
      String apply = c.oneOf("apply", "content-type-json", "always", "content-type-json");
      int max = (int) c.number("max-size", DEFAULT_MAX, 1, Integer.MAX_VALUE);
      String root = c.string("root-element", "document");
      if (!root.equals(elementName(root))) {
        throw new PolicyConfigException("root-element", "expected an XML element name but got '" + root + "'");
      }
      Function<String, Boolean> applies = apply.equals("always") ? t -> true : TransformPolicies::isJson;
      return converting(section, max, applies, bytes -> toXml(bytes, root), "application/xml");
    }

    static byte[] toXml(byte[] json, String root) {
      JsonNode node;
      try {
        node = JSON.readTree(json);
      } catch (java.io.IOException e) {
        throw new BadBody("the body is not JSON: " + e.getMessage());
      }
      try {
        StringWriter out = new StringWriter();
        XMLStreamWriter w = XMLOutputFactory.newFactory().createXMLStreamWriter(out);
        w.writeStartDocument("UTF-8", "1.0");
        element(w, root, node == null ? JsonNodeFactory.instance.nullNode() : node);
        w.writeEndDocument();
        w.close();
        return out.toString().getBytes(StandardCharsets.UTF_8);
      } catch (XMLStreamException e) {
        throw new IllegalStateException("cannot write XML: " + e.getMessage(), e);
      }
    }

    private static void element(XMLStreamWriter w, String name, JsonNode node) throws XMLStreamException {
      if (node.isArray()) {
        // A top-level array (or an array in an array) becomes an element holding <item>s.
        w.writeStartElement(name);
        for (JsonNode item : node) {
          items(w, "item", item);
        }
        w.writeEndElement();
        return;
      }
      w.writeStartElement(name);
      if (node.isObject()) {
        for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); ) {
          Map.Entry<String, JsonNode> f = it.next();
          items(w, elementName(f.getKey()), f.getValue());
        }
      } else if (!node.isNull()) {
        w.writeCharacters(node.asText());
      }
      w.writeEndElement();
    }

    /** An array field repeats its element; anything else is one element. */
    private static void items(XMLStreamWriter w, String name, JsonNode value) throws XMLStreamException {
      if (value.isArray()) {
        for (JsonNode item : value) {
          element(w, name, item);
        }
      } else {
        element(w, name, value);
      }
    }
  }

  /** {@code name} made a valid XML element name: invalid characters become {@code _}. */
  static String elementName(String name) {
    if (name.isEmpty()) {
      return "_";
    }
    StringBuilder b = new StringBuilder(name.length() + 1);
    for (int i = 0; i < name.length(); i++) {
      char ch = name.charAt(i);
      boolean ok = Character.isLetter(ch) || ch == '_' || (i > 0 && (Character.isDigit(ch) || ch == '-' || ch == '.'));
      if (i == 0 && !ok && (Character.isDigit(ch) || ch == '-' || ch == '.')) {
        b.append('_').append(ch);
      } else {
        b.append(ok ? ch : '_');
      }
    }
    String s = b.toString();
    return s.toLowerCase(Locale.ROOT).startsWith("xml") ? "_" + s : s;
  }

  // ------------------------------------------------------------------ xml-to-json

  /** Converts an XML body to JSON; DTDs and external entities are refused. */
  static final class XmlToJson extends Base {
    XmlToJson() {
      super(PolicyNames.XML_TO_JSON);
    }

    @Override
    public io.gatehouse.policy.Policy create(PolicyConfig c, Section section, PolicyCompiler compiler) {
      String apply = c.oneOf("apply", "content-type-xml", "always", "content-type-xml");
      int max = (int) c.number("max-size", DEFAULT_MAX, 1, Integer.MAX_VALUE);
      Function<String, Boolean> applies = apply.equals("always") ? t -> true : TransformPolicies::isXml;
      return converting(section, max, applies, XmlToJson::toJson, "application/json");
    }

    static byte[] toJson(byte[] xml) {
      XMLInputFactory f = XMLInputFactory.newFactory();
      f.setProperty(XMLInputFactory.SUPPORT_DTD, false);
      f.setProperty(XMLInputFactory.IS_SUPPORTING_EXTERNAL_ENTITIES, false);
      f.setProperty(XMLInputFactory.IS_REPLACING_ENTITY_REFERENCES, false);
      try {
        XMLStreamReader r = f.createXMLStreamReader(new ByteArrayInputStream(xml));
        ObjectNode out = JSON.createObjectNode();
        while (r.hasNext()) {
          int ev = r.next();
          if (ev == XMLStreamConstants.DTD) {
            throw new BadBody("XML with a document type declaration is not accepted");
          }
          if (ev == XMLStreamConstants.START_ELEMENT) {
            String name = r.getLocalName();
            out.set(name, read(r));
            break;
          }
        }
        return JSON.writeValueAsBytes(out);
      } catch (XMLStreamException e) {
        throw new BadBody("the body is not well-formed XML: " + e.getMessage());
      } catch (JsonProcessingException e) {
        throw new IllegalStateException(e);
      }
    }

    /** Reads the element the reader is on (its start tag) to its end. */
    private static JsonNode read(XMLStreamReader r) throws XMLStreamException {
      ObjectNode obj = JSON.createObjectNode();
      for (int i = 0; i < r.getAttributeCount(); i++) {
        obj.put("@" + r.getAttributeLocalName(i), r.getAttributeValue(i));
      }
      StringBuilder text = new StringBuilder();
      boolean children = false;
      while (r.hasNext()) {
        int ev = r.next();
        switch (ev) {
          case XMLStreamConstants.START_ELEMENT: {
            children = true;
            String name = r.getLocalName();
            JsonNode child = read(r);
            JsonNode existing = obj.get(name);
            if (existing == null) {
              obj.set(name, child);
            } else if (existing.isArray()) {
              ((ArrayNode) existing).add(child);
            } else {
              ArrayNode arr = JSON.createArrayNode();
              arr.add(existing);
              arr.add(child);
              obj.set(name, arr);
            }
            break;
          }
          case XMLStreamConstants.CHARACTERS:
          case XMLStreamConstants.CDATA:
          case XMLStreamConstants.SPACE:
            text.append(r.getText());
            break;
          case XMLStreamConstants.ENTITY_REFERENCE:
            throw new BadBody("XML entity references are not accepted: &" + r.getLocalName() + ";");
          case XMLStreamConstants.END_ELEMENT: {
            String t = text.toString().trim();
            if (!children && obj.isEmpty()) {
              return TextNode.valueOf(t);
            }
            if (!t.isEmpty()) {
              obj.put("#text", t);
            }
            return obj;
          }
          default:
            break;
        }
      }
      throw new BadBody("the XML ends inside an element");
    }
  }

  // ------------------------------------------------------------------ mask-data

  /** Masks fields of a JSON response body, by path and by detected sensitive data type. */
  static final class MaskData extends Base {
    MaskData() {
      super(PolicyNames.MASK_DATA);
    }

    @Override
    public io.gatehouse.policy.Policy create(PolicyConfig c, Section section, PolicyCompiler compiler) {
      responseSectionsOnly(name(), section);
      List<String> raw = c.strings("paths");
      java.util.Set<io.gatehouse.insight.sensitive.SensitiveType> types = sensitiveTypes(c.strings("types"));
      if (raw.isEmpty() && types.isEmpty()) {
        throw new PolicyConfigException("paths", "is required (unless types is given): JSON Pointers such as /user/ssn"
            + " or paths such as $.items[*].card");
      }
      List<List<String>> paths = new ArrayList<>();
      for (int i = 0; i < raw.size(); i++) {
        try {
          paths.add(parsePath(raw.get(i)));
        } catch (IllegalArgumentException e) {
          throw new PolicyConfigException("paths[" + i + "]", e.getMessage());
        }
      }
      String replacement = c.string("replacement", "***");
      int keepLast = (int) c.number("keep-last", 0, 0, 64);
      int max = (int) c.number("max-size", DEFAULT_MAX, 1, Integer.MAX_VALUE);
      return (Policy) (ctx, next) -> next.proceed(ctx).thenCompose(r -> {
        if (!isJson(r.headers().get("Content-Type"))) {
          return ctx.completed(r);
        }
        return r.body().aggregate(max).handle((bytes, t) -> {
          if (t != null) {
            // Fail closed: never let an unmasked body through.
            throw new IllegalStateException("mask-data cannot read the response body", t);
          }
          JsonNode root;
          try {
            root = JSON.readTree(bytes);
          } catch (java.io.IOException e) {
            throw new IllegalStateException("mask-data: the response body is not JSON", e);
          }
          if (root == null) {
            return r;
          }
          for (List<String> p : paths) {
            root = mask(root, p, 0, replacement, keepLast);
          }
          if (!types.isEmpty()) {
            root = maskDetected(root, types);
          }
          try {
            r.body(Body.of(JSON.writeValueAsBytes(root)));
          } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
          }
          r.headers().remove("Content-Length");
          return r;
        });
      });
    }

    /** The sensitive data types of {@code types:} ids; {@code all} stands for every type. */
    static java.util.Set<io.gatehouse.insight.sensitive.SensitiveType> sensitiveTypes(List<String> ids) {
      java.util.Set<io.gatehouse.insight.sensitive.SensitiveType> out =
          java.util.EnumSet.noneOf(io.gatehouse.insight.sensitive.SensitiveType.class);
      for (int i = 0; i < ids.size(); i++) {
        if (ids.get(i).equals("all")) {
          out.addAll(java.util.EnumSet.allOf(io.gatehouse.insight.sensitive.SensitiveType.class));
          continue;
        }
        try {
          out.add(io.gatehouse.insight.sensitive.SensitiveType.fromId(ids.get(i)));
        } catch (IllegalArgumentException e) {
          throw new PolicyConfigException("types[" + i + "]", e.getMessage());
        }
      }
      return out;
    }

    /** Returns {@code node} with detected values of {@code types} masked inside every string value. */
    static JsonNode maskDetected(JsonNode node, java.util.Set<io.gatehouse.insight.sensitive.SensitiveType> types) {
      if (node instanceof ObjectNode obj) {
        List<String> names = new ArrayList<>();
        obj.fieldNames().forEachRemaining(names::add);
        for (String n : names) {
          obj.set(n, maskDetected(obj.get(n), types));
        }
      } else if (node instanceof ArrayNode arr) {
        for (int j = 0; j < arr.size(); j++) {
          arr.set(j, maskDetected(arr.get(j), types));
        }
      } else if (node != null && node.isTextual()) {
        String masked = io.gatehouse.insight.sensitive.SensitiveDataScanner.mask(node.asText(), types);
        return masked.equals(node.asText()) ? node : TextNode.valueOf(masked);
      }
      return node;
    }

    /**
     * Parses {@code /a/0/b} (JSON Pointer) or {@code $.a[*].b} / {@code a.b} (simple path) into
     * segments; {@code *} matches every member or element.
     */
    static List<String> parsePath(String path) {
      List<String> out = new ArrayList<>();
      if (path.startsWith("/")) {
        for (String s : path.substring(1).split("/", -1)) {
          out.add(s.replace("~1", "/").replace("~0", "~"));
        }
        return out;
      }
      String p = path;
      if (p.startsWith("$")) {
        p = p.substring(1);
        if (p.startsWith(".")) {
          p = p.substring(1);
        }
      }
      int i = 0;
      StringBuilder name = new StringBuilder();
      while (i < p.length()) {
        char ch = p.charAt(i);
        if (ch == '.') {
          if (name.length() == 0 && (i == 0 || p.charAt(i - 1) != ']')) {
            throw new IllegalArgumentException("empty segment in path '" + path + "'");
          }
          if (name.length() > 0) {
            out.add(name.toString());
          }
          name.setLength(0);
          i++;
        } else if (ch == '[') {
          if (name.length() > 0) {
            out.add(name.toString());
            name.setLength(0);
          }
          int end = p.indexOf(']', i);
          if (end < 0) {
            throw new IllegalArgumentException("unclosed '[' in path '" + path + "'");
          }
          String idx = p.substring(i + 1, end).trim();
          if (idx.length() >= 2 && (idx.startsWith("'") || idx.startsWith("\"")) && idx.charAt(idx.length() - 1) == idx.charAt(0)) {
            idx = idx.substring(1, idx.length() - 1);
          } else if (!idx.equals("*") && !idx.matches("\\d+")) {
            throw new IllegalArgumentException("expected [*], [n] or ['name'] in path '" + path + "' but got [" + idx + "]");
          }
          out.add(idx);
          i = end + 1;
        } else {
          name.append(ch);
          i++;
        }
      }
      if (name.length() > 0) {
        out.add(name.toString());
      }
      if (out.isEmpty()) {
        throw new IllegalArgumentException("the path '" + path + "' selects nothing");
      }
      return out;
    }

    /** Returns {@code node} with the values at {@code path[i..]} masked. */
    static JsonNode mask(JsonNode node, List<String> path, int i, String replacement, int keepLast) {
      if (i == path.size()) {
        return masked(node, replacement, keepLast);
      }
      String seg = path.get(i);
      if (node instanceof ObjectNode obj) {
        if (seg.equals("*")) {
          List<String> names = new ArrayList<>();
          obj.fieldNames().forEachRemaining(names::add);
          for (String n : names) {
            obj.set(n, mask(obj.get(n), path, i + 1, replacement, keepLast));
          }
        } else if (obj.has(seg)) {
          obj.set(seg, mask(obj.get(seg), path, i + 1, replacement, keepLast));
        }
      } else if (node instanceof ArrayNode arr) {
        if (seg.equals("*")) {
          for (int j = 0; j < arr.size(); j++) {
            arr.set(j, mask(arr.get(j), path, i + 1, replacement, keepLast));
          }
        } else if (seg.matches("\\d+")) {
          int j = Integer.parseInt(seg);
          if (j < arr.size()) {
            arr.set(j, mask(arr.get(j), path, i + 1, replacement, keepLast));
          }
        }
      }
      return node;
    }

    private static JsonNode masked(JsonNode value, String replacement, int keepLast) {
      if (value == null || value.isNull()) {
        return value;
      }
      if (keepLast > 0 && value.isValueNode()) {
        String t = value.asText();
        return TextNode.valueOf(replacement + (t.length() > keepLast ? t.substring(t.length() - keepLast) : ""));
      }
      return TextNode.valueOf(replacement);
    }
  }

  // ------------------------------------------------------------------ mock-response

  /**
   * Answers with a mocked response without calling the backend: the configured body, else the
   * example the API's OpenAPI document gives for the matched operation.
   */
  static final class MockResponse extends Base {
    MockResponse() {
      super(PolicyNames.MOCK_RESPONSE);
    }

    /** One mocked answer. */
    record Mock(int status, String contentType, byte[] body) {}

    @Override
    public io.gatehouse.policy.Policy create(PolicyConfig c, Section section, PolicyCompiler compiler) {
      requestSectionsOnly(name(), section);
      boolean hasStatus = c.has("status");
      int status = (int) c.number("status", 200, 100, 599);
      String contentType = c.string("content-type", null);
      Object example = c.raw("body");
      byte[] body;
      if (example == null) {
        body = null;
      } else if (example instanceof String s) {
        body = s.getBytes(StandardCharsets.UTF_8);
      } else {
        try {
          body = JSON.writeValueAsBytes(example); // a YAML map or list is sent as JSON
        } catch (JsonProcessingException e) {
          throw new PolicyConfigException("body", "cannot be written as JSON: " + e.getMessage());
        }
      }
      Mock fixed = new Mock(status, contentType == null ? "application/json" : contentType, body == null ? new byte[0] : body);
      Map<String, Mock> examples = body == null
          ? examples(compiler.api(), hasStatus ? status : -1, contentType) : Map.of();
      return (SyncPolicy) ctx -> {
        Mock m = ctx.operation() == null ? null : examples.get(ctx.operation());
        if (m == null) {
          m = fixed;
        }
        Response r = ctx.respond(m.status(), m.body().length == 0 ? null : m.contentType(), m.body());
        r.headers().set("X-Mock", "true");
        return r;
      };
    }

    /**
     * The examples of every operation of {@code api}'s OpenAPI document: the response with
     * {@code status} (else the first 2xx), the media type {@code contentType} (else the first),
     * its {@code example}, first {@code examples} value or schema example.
     */
    /** {@code s}, or the component schema its {@code $ref} names (references are kept by the parser). */
    private static io.swagger.v3.oas.models.media.Schema<?> schema(io.swagger.v3.oas.models.OpenAPI doc,
        io.swagger.v3.oas.models.media.Schema<?> s) {
      for (int hops = 0; s != null && s.get$ref() != null && hops < 20; hops++) {
        var schemas = doc.getComponents() == null ? null : doc.getComponents().getSchemas();
        s = schemas == null ? null : schemas.get(s.get$ref().substring(s.get$ref().lastIndexOf('/') + 1));
      }
      return s;
    }

    static Map<String, Mock> examples(io.gatehouse.model.ApiDef api, int status, String contentType) {
      if (api == null || api.openapi() == null || api.openapi().inline() == null) {
        return Map.of();
      }
      io.swagger.v3.oas.models.OpenAPI doc;
      String base;
      try {
        doc = new io.gatehouse.model.OpenApiImporter().parse(api.openapi().inline());
        base = io.gatehouse.model.OpenApiImporter.basePath(io.gatehouse.model.OpenApiImporter.readTree(api.openapi().inline()));
      } catch (RuntimeException e) {
        return Map.of(); // reported by the model when the API is loaded
      }
      Map<String, Mock> out = new java.util.HashMap<>();
      if (doc.getPaths() == null) {
        return out;
      }
      ObjectMapper mapper = io.swagger.v3.core.util.Json.mapper();
      for (Map.Entry<String, io.swagger.v3.oas.models.PathItem> p : doc.getPaths().entrySet()) {
        for (Map.Entry<io.swagger.v3.oas.models.PathItem.HttpMethod, io.swagger.v3.oas.models.Operation> o
            : p.getValue().readOperationsMap().entrySet()) {
          var responses = o.getValue().getResponses();
          if (responses == null) {
            continue;
          }
          String code = null;
          for (String k : responses.keySet()) {
            if (status > 0 ? k.equals(Integer.toString(status)) : k.startsWith("2") && k.matches("\\d{3}")) {
              code = k;
              break;
            }
          }
          if (code == null) {
            continue;
          }
          var content = responses.get(code).getContent();
          Object value = null;
          String type = contentType;
          if (content != null && !content.isEmpty()) {
            var media = contentType != null ? content.get(contentType) : null;
            if (media == null) {
              Map.Entry<String, io.swagger.v3.oas.models.media.MediaType> first = content.entrySet().iterator().next();
              media = first.getValue();
              type = first.getKey();
            }
            if (media.getExample() != null) {
              value = media.getExample();
            } else if (media.getExamples() != null && !media.getExamples().isEmpty()) {
              io.swagger.v3.oas.models.examples.Example ex = media.getExamples().values().iterator().next();
              if (ex.get$ref() != null && doc.getComponents() != null && doc.getComponents().getExamples() != null) {
                ex = doc.getComponents().getExamples().getOrDefault(
                    ex.get$ref().substring(ex.get$ref().lastIndexOf('/') + 1), ex);
              }
              value = ex.getValue();
            } else if (schema(doc, media.getSchema()) != null && schema(doc, media.getSchema()).getExample() != null) {
              value = schema(doc, media.getSchema()).getExample();
            }
          }
          byte[] bytes;
          try {
            bytes = value == null ? new byte[0]
                : value instanceof String s && !isJson(type) ? s.getBytes(StandardCharsets.UTF_8)
                : mapper.writeValueAsBytes(value);
          } catch (JsonProcessingException e) {
            continue;
          }
          String op = o.getKey().name().toUpperCase(Locale.ROOT) + " "
              + io.gatehouse.model.OpenApiImporter.routePath(base, p.getKey());
          out.putIfAbsent(op, new Mock(Integer.parseInt(code), type == null ? "application/json" : type, bytes));
        }
      }
      return Map.copyOf(out);
    }
  }
}
