package io.gatehouse.waf.internal;

import io.gatehouse.waf.WafRequest;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import javax.xml.XMLConstants;
import javax.xml.parsers.DocumentBuilder;
import javax.xml.parsers.DocumentBuilderFactory;
import org.w3c.dom.NamedNodeMap;
import org.w3c.dom.Node;

/**
 * The request body processors: URL-encoded, multipart, JSON and XML. Each fills ARGS_POST (and
 * ARGS), FILES or XML; a body that does not parse sets REQBODY_ERROR to 1 and its message.
 */
final class BodyProcessors {
  private static final int MAX_JSON_DEPTH = 64;

  private BodyProcessors() {}

  static void process(Tx tx, WafRequest request) {
    String body = new String(request.body(), StandardCharsets.ISO_8859_1);
    String proc = tx.bodyAccess ? tx.bodyProcessor : null;
    tx.set("REQBODY_PROCESSOR", proc == null ? "" : proc);
    if (!"XML".equals(proc)) {
      // an XML body is inspected through XML:/* (text and attribute values), not as raw text
      tx.set("REQUEST_BODY", body);
    }
    if (proc == null || body.isEmpty()) {
      combinedSize(tx);
      return;
    }
    try {
      switch (proc) {
        case "URLENCODED" -> {
          for (String[] kv : urlencoded(body)) {
            arg(tx, kv[0], kv[1]);
          }
        }
        case "JSON" -> new Json(tx, body).parseDocument();
        case "XML" -> xml(tx, request.body());
        case "MULTIPART" -> Multipart.parse(tx, body, tx.contentType);
        default -> { }
      }
    } catch (IllegalArgumentException e) {
      tx.set("REQBODY_ERROR", "1");
      tx.set("REQBODY_PROCESSOR_ERROR", "1");
      tx.set("REQBODY_ERROR_MSG", proc + " parsing error: " + e.getMessage());
    }
    combinedSize(tx);
  }

  private static void combinedSize(Tx tx) {
    long size = 0;
    for (Tx.Entry e : tx.vars.getOrDefault("ARGS", List.of())) {
      size += e.key().length() + e.value().length();
    }
    tx.set("ARGS_COMBINED_SIZE", Long.toString(size));
  }

  static void arg(Tx tx, String name, String value) {
    tx.add("ARGS_POST", name, value);
    tx.add("ARGS_POST_NAMES", name, name);
    tx.add("ARGS", name, value);
    tx.add("ARGS_NAMES", name, name);
  }

  /** Splits {@code a=1&b=2} into decoded name/value pairs. */
  static List<String[]> urlencoded(String s) {
    List<String[]> out = new ArrayList<>();
    for (String part : s.split("&", -1)) {
      if (part.isEmpty()) {
        continue;
      }
      int eq = part.indexOf('=');
      String name = eq < 0 ? part : part.substring(0, eq);
      String value = eq < 0 ? "" : part.substring(eq + 1);
      out.add(new String[] {Transforms.urlDecode(name, false), Transforms.urlDecode(value, false)});
    }
    return out;
  }

  private static void xml(Tx tx, byte[] body) {
    try {
      DocumentBuilderFactory f = DocumentBuilderFactory.newInstance();
      f.setFeature("http://apache.org/xml/features/disallow-doctype-decl", true);
      f.setFeature(XMLConstants.FEATURE_SECURE_PROCESSING, true);
      f.setXIncludeAware(false);
      f.setExpandEntityReferences(false);
      f.setNamespaceAware(false);
      DocumentBuilder b = f.newDocumentBuilder();
      // errors become REQBODY_ERROR; the default handler would also print them to standard error
      b.setErrorHandler(new org.xml.sax.helpers.DefaultHandler() {
        @Override
        public void fatalError(org.xml.sax.SAXParseException e) throws org.xml.sax.SAXException {
          throw e;
        }
      });
      Node root = b.parse(new ByteArrayInputStream(body)).getDocumentElement();
      List<String> values = new ArrayList<>();
      collect(root, values);
      for (String v : values) {
        tx.add("XML", null, Tx.bytes(v));
      }
    } catch (Exception e) {
      throw new IllegalArgumentException("the body is not well-formed XML");
    }
  }

  private static void collect(Node n, List<String> out) {
    if (n.getNodeType() == Node.TEXT_NODE || n.getNodeType() == Node.CDATA_SECTION_NODE) {
      String v = n.getNodeValue();
      if (v != null && !v.isBlank()) {
        out.add(v);
      }
      return;
    }
    NamedNodeMap attrs = n.getAttributes();
    if (attrs != null) {
      for (int i = 0; i < attrs.getLength(); i++) {
        out.add(attrs.item(i).getNodeValue());
      }
    }
    for (Node c = n.getFirstChild(); c != null; c = c.getNextSibling()) {
      collect(c, out);
    }
  }

  /** A small JSON reader that flattens a document into ARGS named {@code json.a.b.0}. */
  private static final class Json {
    private final Tx tx;
    private final String s;
    private int i;

    Json(Tx tx, String s) {
      this.tx = tx;
      this.s = s;
    }

    void parseDocument() {
      ws();
      value("json", 0);
      ws();
      if (i != s.length()) {
        throw new IllegalArgumentException("unexpected data after the JSON value at offset " + i);
      }
    }

    private void ws() {
      while (i < s.length() && (s.charAt(i) == ' ' || s.charAt(i) == '\t' || s.charAt(i) == '\n' || s.charAt(i) == '\r')) {
        i++;
      }
    }

    private void value(String name, int depth) {
      if (depth > MAX_JSON_DEPTH) {
        throw new IllegalArgumentException("JSON nested deeper than " + MAX_JSON_DEPTH);
      }
      ws();
      if (i >= s.length()) {
        throw new IllegalArgumentException("unexpected end of JSON");
      }
      char c = s.charAt(i);
      if (c == '{') {
        i++;
        ws();
        if (peek('}')) {
          i++;
          return;
        }
        while (true) {
          ws();
          String key = string();
          ws();
          expect(':');
          value(name + "." + key, depth + 1);
          ws();
          if (peek(',')) {
            i++;
            continue;
          }
          expect('}');
          return;
        }
      } else if (c == '[') {
        i++;
        ws();
        if (peek(']')) {
          i++;
          return;
        }
        int n = 0;
        while (true) {
          value(name + "." + n++, depth + 1);
          ws();
          if (peek(',')) {
            i++;
            continue;
          }
          expect(']');
          return;
        }
      } else if (c == '"') {
        arg(tx, name, string());
      } else {
        int start = i;
        while (i < s.length() && "{}[],: \t\r\n".indexOf(s.charAt(i)) < 0) {
          i++;
        }
        String lit = s.substring(start, i);
        if (!lit.matches("true|false|null|-?[0-9]+(\\.[0-9]+)?([eE][-+]?[0-9]+)?")) {
          throw new IllegalArgumentException("invalid JSON literal at offset " + start);
        }
        arg(tx, name, lit.equals("null") ? "" : lit);
      }
    }

    private boolean peek(char c) {
      return i < s.length() && s.charAt(i) == c;
    }

    private void expect(char c) {
      if (!peek(c)) {
        throw new IllegalArgumentException("expected '" + c + "' at offset " + i);
      }
      i++;
    }

    private String string() {
      expect('"');
      StringBuilder b = new StringBuilder();
      while (i < s.length()) {
        char c = s.charAt(i++);
        if (c == '"') {
          return b.toString();
        }
        if (c != '\\') {
          b.append(c);
          continue;
        }
        if (i >= s.length()) {
          break;
        }
        char d = s.charAt(i++);
        switch (d) {
          case 'n' -> b.append('\n');
          case 't' -> b.append('\t');
          case 'r' -> b.append('\r');
          case 'b' -> b.append('\b');
          case 'f' -> b.append('\f');
          case 'u' -> {
            if (i + 4 > s.length()) {
              throw new IllegalArgumentException("bad \\u escape");
            }
            int cp = Integer.parseInt(s.substring(i, i + 4), 16);
            i += 4;
            b.append(Tx.bytes(String.valueOf((char) cp)));
          }
          default -> b.append(d);
        }
      }
      throw new IllegalArgumentException("unterminated JSON string");
    }
  }

  static String lower(String s) {
    return s.toLowerCase(Locale.ROOT);
  }
}
