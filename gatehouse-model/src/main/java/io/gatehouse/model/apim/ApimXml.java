package io.gatehouse.model.apim;

import java.io.StringReader;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import javax.xml.stream.XMLInputFactory;
import javax.xml.stream.XMLStreamConstants;
import javax.xml.stream.XMLStreamException;
import javax.xml.stream.XMLStreamReader;

/**
 * Reads an APIM policy document into a tree of {@link Node}s, after a pre-pass that makes APIM's
 * C# expressions well-formed XML; DTDs and external entities are refused.
 */
final class ApimXml {
  private ApimXml() {}

  /** One element: its name, attributes, child elements, trimmed text and the line it starts on. */
  record Node(String name, Map<String, String> attrs, List<Node> children, String text, int line) {
    String attr(String n) {
      return attrs.get(n);
    }

    List<Node> all(String n) {
      List<Node> out = new ArrayList<>();
      for (Node c : children) {
        if (c.name.equals(n)) {
          out.add(c);
        }
      }
      return out;
    }

    /** The first child named {@code n}, or {@code null}. */
    Node first(String n) {
      for (Node c : children) {
        if (c.name.equals(n)) {
          return c;
        }
      }
      return null;
    }
  }

  static Node parse(String raw) throws ApimPolicyImport.ImportException {
    String xml = escapeExpressions(raw);
    XMLInputFactory f = XMLInputFactory.newFactory();
    f.setProperty(XMLInputFactory.SUPPORT_DTD, false);
    f.setProperty(XMLInputFactory.IS_SUPPORTING_EXTERNAL_ENTITIES, false);
    f.setProperty(XMLInputFactory.IS_NAMESPACE_AWARE, false);
    try {
      XMLStreamReader r = f.createXMLStreamReader(new StringReader(xml));
      List<Node> stack = new ArrayList<>();
      List<StringBuilder> texts = new ArrayList<>();
      Node root = null;
      while (r.hasNext()) {
        int ev = r.next();
        if (ev == XMLStreamConstants.START_ELEMENT) {
          Map<String, String> attrs = new LinkedHashMap<>();
          for (int i = 0; i < r.getAttributeCount(); i++) {
            attrs.put(r.getAttributeLocalName(i), r.getAttributeValue(i));
          }
          stack.add(new Node(r.getLocalName(), attrs, new ArrayList<>(), null, r.getLocation().getLineNumber()));
          texts.add(new StringBuilder());
        } else if (ev == XMLStreamConstants.CHARACTERS || ev == XMLStreamConstants.CDATA) {
          if (!texts.isEmpty()) {
            texts.get(texts.size() - 1).append(r.getText());
          }
        } else if (ev == XMLStreamConstants.DTD) {
          throw new ApimPolicyImport.ImportException("line " + r.getLocation().getLineNumber() + ": DTDs are not accepted");
        } else if (ev == XMLStreamConstants.END_ELEMENT) {
          Node open = stack.remove(stack.size() - 1);
          String text = texts.remove(texts.size() - 1).toString().trim();
          Node done = new Node(open.name, open.attrs, open.children, text, open.line);
          if (stack.isEmpty()) {
            root = done;
          } else {
            stack.get(stack.size() - 1).children.add(done);
          }
        }
      }
      if (root == null) {
        throw new ApimPolicyImport.ImportException("the document has no root element");
      }
      return root;
    } catch (XMLStreamException e) {
      int line = e.getLocation() == null ? -1 : e.getLocation().getLineNumber();
      throw new ApimPolicyImport.ImportException("line " + line + ": not well-formed XML: " + e.getMessage());
    } catch (RuntimeException e) {
      // The JDK's StAX parser throws unchecked exceptions on some malformed input (for example a
      // MissingResourceException for a NUL inside a DOCTYPE): still a malformed document.
      throw new ApimPolicyImport.ImportException(
          "not well-formed XML: the XML parser failed with " + e.getClass().getSimpleName());
    }
  }

  private static final Pattern ENTITY = Pattern.compile("&(?:amp|lt|gt|quot|apos|#\\d+|#x[0-9a-fA-F]+);");

  /**
   * APIM accepts C# inside {@code @(...)} and {@code @{...}} that is not well-formed XML: raw
   * {@code <}, {@code >} and {@code &} (as in {@code Body.As<JObject>()}), and, in an attribute
   * whose value is an expression, the attribute's own quote inside C# strings (as in
   * {@code value="@(context.Request.Headers.GetValueOrDefault("User-Agent",""))"}). This escapes
   * them inside expressions, leaving comments, CDATA sections and processing instructions as they
   * are and keeping every line where it was.
   */
  static String escapeExpressions(String xml) {
    StringBuilder out = new StringBuilder(xml.length() + 64);
    int i = 0;
    int n = xml.length();
    while (i < n) {
      char ch = xml.charAt(i);
      if (ch == '<') {
        i = markup(xml, i, out);
      } else if (isExpressionStart(xml, i)) {
        i = expression(xml, i, (char) 0, out);
      } else {
        out.append(ch);
        i++;
      }
    }
    return out.toString();
  }

  private static boolean isExpressionStart(String xml, int i) {
    return xml.charAt(i) == '@' && i + 1 < xml.length() && (xml.charAt(i + 1) == '(' || xml.charAt(i + 1) == '{');
  }

  /** Copies the markup starting at {@code i} (a {@code <}); returns the index after it. */
  private static int markup(String xml, int i, StringBuilder out) {
    for (String[] verbatim : new String[][] {{"<!--", "-->"}, {"<![CDATA[", "]]>"}, {"<?", "?>"}}) {
      if (xml.startsWith(verbatim[0], i)) {
        int end = xml.indexOf(verbatim[1], i + verbatim[0].length());
        int stop = end < 0 ? xml.length() : end + verbatim[1].length();
        out.append(xml, i, stop);
        return stop;
      }
    }
    if (xml.startsWith("<!", i) || xml.startsWith("</", i)) {
      out.append("<");
      return i + 1; // a DOCTYPE is refused by the parser; an end tag has no attributes
    }
    // A start tag: copy names as they are; attribute values that are expressions are escaped.
    int n = xml.length();
    out.append('<');
    int j = i + 1;
    while (j < n) {
      char c = xml.charAt(j);
      if (c == '>') {
        out.append(c);
        return j + 1;
      }
      if (c == '"' || c == '\'') {
        out.append(c);
        j++;
        if (j < n && isExpressionStart(xml, j)) {
          j = expression(xml, j, c, out);
        }
        int close = xml.indexOf(c, j);
        int stop = close < 0 ? n : close + 1;
        out.append(xml, j, stop);
        j = stop;
        continue;
      }
      out.append(c);
      j++;
    }
    return j;
  }

  /**
   * Copies the expression starting at {@code i} (its {@code @}) up to its balanced closing bracket,
   * escaping what XML does not allow there; {@code quote} is the attribute's quote, or 0 in text.
   * Returns the index after the expression.
   */
  private static int expression(String xml, int i, char quote, StringBuilder out) {
    int n = xml.length();
    char open = xml.charAt(i + 1);
    char close = open == '(' ? ')' : '}';
    int end = -1;
    int depth = 0;
    char string = 0; // the C# string or character literal being read: '"' or '\'', else 0
    boolean verbatim = false;
    for (int j = i + 1; j < n; j++) {
      char c = xml.charAt(j);
      if (string != 0) {
        if (c == '\\' && !verbatim) {
          j++;
        } else if (c == string) {
          if (verbatim && j + 1 < n && xml.charAt(j + 1) == '"') {
            j++;
          } else {
            string = 0;
          }
        } else if (quote != 0 && xml.startsWith("&quot;", j) && string == '"') {
          string = 0;
          j += 5;
        }
        continue;
      }
      if (c == '"' || (c == '\'' && quote != '\'')) {
        string = c;
        verbatim = c == '"' && j > 0 && xml.charAt(j - 1) == '@';
      } else if (quote != 0 && xml.startsWith("&quot;", j)) {
        string = '"';
        verbatim = false;
        j += 5;
      } else if (c == open) {
        depth++;
      } else if (c == close && --depth == 0) {
        end = j;
        break;
      } else if (quote == 0 && xml.startsWith("</", j)) {
        break; // an end tag before the closing bracket: not an expression
      }
    }
    if (end < 0) {
      // Not a balanced expression: leave it to the XML parser to accept or locate.
      out.append('@');
      return i + 1;
    }
    out.append('@');
    for (int k = i + 1; k <= end; k++) {
      char c = xml.charAt(k);
      if (c == '<') {
        out.append("&lt;");
      } else if (c == '>') {
        out.append("&gt;");
      } else if (c == '&' && !ENTITY.matcher(xml).region(k, n).lookingAt()) {
        out.append("&amp;");
      } else if (c == quote && quote == '"') {
        out.append("&quot;");
      } else if (c == quote && quote == '\'') {
        out.append("&apos;");
      } else {
        out.append(c);
      }
    }
    return end + 1;
  }
}
