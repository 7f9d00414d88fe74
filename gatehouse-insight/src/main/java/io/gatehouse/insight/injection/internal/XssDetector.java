package io.gatehouse.insight.injection.internal;

import java.util.Set;

/**
 * Detects cross-site scripting with a small HTML/JavaScript context scanner: it walks the tags of
 * the value (also unclosed ones), their attribute names and values, and separately looks for
 * attribute breakouts, script URLs and JavaScript sinks outside tags. Stateless and thread-safe.
 */
public final class XssDetector {
  private static final Set<String> SCRIPT_TAGS = Set.of("script", "iframe", "frame", "frameset",
      "object", "embed", "applet", "meta", "base", "xml", "import", "vmlframe", "handler",
      "listener", "xss", "svg", "math", "portal", "template", "noscript", "title", "textarea",
      "style", "link", "isindex", "bgsound", "layer", "ilayer", "xmp", "plaintext", "comment",
      "html", "body", "animate", "set", "animatetransform", "animatemotion", "foreignobject",
      "image", "img", "video", "audio", "source", "input", "form", "button", "details", "marquee",
      "a", "div", "table", "td", "span", "select", "keygen", "event-source", "x", "meter");
  private static final Set<String> ALWAYS_DANGEROUS = Set.of("script", "iframe", "frame",
      "frameset", "object", "embed", "applet", "vmlframe", "handler", "listener", "portal", "meta",
      "stylesheet",
      "xml", "import", "bgsound", "layer", "ilayer", "isindex", "base", "plaintext", "xmp");
  private static final Set<String> URL_ATTRS = Set.of("src", "href", "action", "formaction",
      "data", "xlink:href", "background", "dynsrc", "lowsrc", "code", "codebase", "values", "to",
      "from", "by", "srcdoc", "content", "poster", "folder", "datasrc", "classid", "ping",
      "style", "url", "xmlns", "behavior", "attributename", "begin", "contents", "xhref", "label");
  private static final String[] SCRIPT_SCHEMES = {"javascript:", "vbscript:", "livescript:",
      "data:text/html", "data:image/svg", "data:application/x", "data:text/xml", "mocha:",
      "jar:", "view-source:", "ms-its:", "mhtml:", "data:text/javascript", "data:,", "data:;"};
  static final MarkerSet JS_SINKS = new MarkerSet("alert(", "alert`", "prompt(", "prompt`", "confirm(",
      "confirm`", "eval(", "fromcharcode(", "document.cookie", "document.write", "document.domain",
      "document.location", "window.location", "location.href", "settimeout(", "setinterval(",
      "new function", ".constructor(", "innerhtml", "outerhtml", "execscript(", "import(",
      "atob(", "location=", "location.hash", "top[", "self[", "window[", "document[",
      "msgbox(", "expression(", "print(", "-moz-binding", "behavior:", "url(javascript", "xss:",
      "onerror=", "[].constructor", "string.fromcharcode", "globalthis", "alert.call",
      "alert.apply", "alert.bind", "window.open(", "${alert", "(alert)", "alert)(");

  /** A detection: the score and the span of the normalized text that triggered it. */
  public record Hit(int score, int start, int end, String rule) {}

  private XssDetector() {}

  /**
   * Returns the strongest hit on the normalized (lower-case) value, or {@code null};
   * {@code markers} is {@link PatternDetectors#markers(String)} of the value.
   */
  public static Hit detect(String s, int markers) {
    Hit best = null;
    int n = s.length();
    int lt = s.indexOf('<');
    while (lt >= 0 && lt < n - 1) {
      Hit h = tag(s, lt);
      if (h != null && (best == null || h.score > best.score)) {
        best = h;
        if (best.score >= 90) {
          return best;
        }
      }
      lt = s.indexOf('<', lt + 1);
    }
    Hit h = outsideTags(s, markers);
    if (h != null && (best == null || h.score > best.score)) {
      best = h;
    }
    return best;
  }

  private static Hit tag(String s, int lt) {
    int n = s.length();
    int i = lt + 1;
    if (s.charAt(i) == '/') {
      i++;
    }
    if (i < n && s.charAt(i) == '!') {
      // <!-- ... -->, <![cdata[, conditional comments with script inside are scanned as text
      if (s.startsWith("<!--", lt) && s.indexOf("-->", lt) < 0 && s.indexOf('<', lt + 4) < 0) {
        return null;
      }
      if (s.startsWith("[if", i + 1) || s.startsWith("entity", i + 1) || s.startsWith("doctype x[", i + 1)
          || s.indexOf("<!entity", i) >= 0 || s.startsWith("--[if", i + 1) || s.startsWith("[cdata[", i + 1)) {
        return new Hit(70, lt, Math.min(n, lt + 12), "html-conditional");
      }
      return null;
    }
    if (i < n && (s.charAt(i) == '?' || s.charAt(i) == '%')) {
      if (s.startsWith("?xml", i) || s.startsWith("?import", i) || s.startsWith("%=", i)) {
        return new Hit(70, lt, Math.min(n, i + 6), "processing-instruction");
      }
      return null;
    }
    int nameStart = i;
    while (i < n && (isNameChar(s.charAt(i)))) {
      i++;
    }
    if (i == nameStart || !isLetter(s.charAt(nameStart))) {
      return null;
    }
    String name = s.substring(nameStart, i);
    int colon = name.lastIndexOf(':');
    if (colon >= 0 && colon < name.length() - 1) {
      name = name.substring(colon + 1);
    }
    boolean closing = s.charAt(lt + 1) == '/';
    if (i < n && !isTagBreak(s.charAt(i))) {
      return null; // "a<b" or "x<3" style text
    }
    int close = s.indexOf('>', i);
    int tagEnd = close < 0 ? n : close;
    if (ALWAYS_DANGEROUS.contains(name) && !closing) {
      return new Hit(95, lt, Math.min(n, tagEnd + 1), "dangerous-tag");
    }
    if (name.equals("script") && closing) {
      return new Hit(85, lt, Math.min(n, tagEnd + 1), "script-close");
    }
    if (closing) {
      return null;
    }
    // attributes
    Hit best = null;
    int j = i;
    while (j < tagEnd) {
      char c = s.charAt(j);
      if (isAttrStartBoundary(c)) {
        j++;
        continue;
      }
      int an = j;
      while (j < tagEnd && !isAttrStartBoundary(s.charAt(j)) && s.charAt(j) != '=') {
        j++;
      }
      String attr = s.substring(an, j);
      int k = j;
      while (k < tagEnd && isSpace(s.charAt(k))) {
        k++;
      }
      String value = "";
      if (k < n && s.charAt(k) == '=') {
        k++;
        while (k < n && isSpace(s.charAt(k))) {
          k++;
        }
        int vs = k;
        int ve;
        if (k < n && (s.charAt(k) == '"' || s.charAt(k) == '\'' || s.charAt(k) == '`')) {
          int q = s.indexOf(s.charAt(k), k + 1);
          vs = k + 1;
          ve = q < 0 ? n : q;
          if (close >= 0 && q > close) {
            tagEnd = Math.min(n, s.indexOf('>', q) < 0 ? n : s.indexOf('>', q));
          }
        } else {
          ve = k;
          while (ve < n && !isSpace(s.charAt(ve)) && s.charAt(ve) != '>') {
            ve++;
          }
        }
        value = s.substring(vs, Math.min(ve, n));
        j = Math.max(ve + 1, j + 1);
      } else {
        j = Math.max(k, j + 1);
      }
      if (attr.length() > 2 && attr.startsWith("on") && isLetter(attr.charAt(2))) {
        return new Hit(95, lt, Math.min(n, j), "event-handler");
      }
      if (attr.equals("datasrc") || attr.equals("dataformatas") || attr.equals("datafld")
          || attr.endsWith(":event") || attr.endsWith(":handler") || attr.startsWith("xmlns:")) {
        return new Hit(80, lt, Math.min(n, j), "data-binding-attribute");
      }
      if (attr.equals("style") && (value.contains("url(") || value.contains("expression")
          || value.contains("binding") || value.contains("behavio") || value.contains("\\"))) {
        return new Hit(70, lt, Math.min(n, j), "style-attribute");
      }
      if (attr.length() > 3 && attr.indexOf(':') > 0 && attr.substring(attr.indexOf(':') + 1).startsWith("on")) {
        return new Hit(90, lt, Math.min(n, j), "event-handler");
      }
      if (URL_ATTRS.contains(attr) || attr.endsWith(":href")) {
        String compact = compact(value);
        if (scriptScheme(compact) >= 0 || (attr.equals("style") && cssDanger(compact))
            || attr.equals("srcdoc")) {
          return new Hit(95, lt, Math.min(n, j), "script-url-attribute");
        }
        if (attr.equals("content") && compact.contains("url=")) {
          best = new Hit(70, lt, Math.min(n, j), "meta-refresh");
        }
      }
    }
    if (name.equals("style") || name.equals("link")) {
      return new Hit(70, lt, Math.min(n, tagEnd + 1), "style-tag");
    }
    if (name.equals("svg") || name.equals("math") || name.equals("xss") || name.equals("animate")
        || name.equals("set")) {
      Hit h = new Hit(60, lt, Math.min(n, tagEnd + 1), "active-tag");
      best = best == null || best.score < h.score ? h : best;
    }
    return best;
  }

  private static Hit outsideTags(String s, int markers) {
    String compact = s.indexOf(':') >= 0 || s.indexOf("style") >= 0 ? compact(s) : s;
    int scheme = s.indexOf(':') >= 0 ? scriptScheme(compact) : -1;
    if (scheme >= 0) {
      return new Hit(85, 0, Math.min(s.length(), 40), "script-url");
    }
    int n = s.length();
    // attribute breakout: quote or whitespace then onXxx=
    for (int i = s.indexOf("on"); i >= 0; i = s.indexOf("on", i + 2)) {
      if (i > 0 && !isAttrStartBoundary(s.charAt(i - 1))) {
        continue;
      }
      int j = i + 2;
      while (j < n && isLetter(s.charAt(j))) {
        j++;
      }
      if (j - i < 5) {
        continue;
      }
      int k = j;
      while (k < n && isSpace(s.charAt(k))) {
        k++;
      }
      if (k < n && s.charAt(k) == '=' && (k + 1 >= n || s.charAt(k + 1) != '=')) {
        boolean quoteBefore = s.lastIndexOf('"', i) >= 0 || s.lastIndexOf('\'', i) >= 0
            || s.lastIndexOf('`', i) >= 0;
        return new Hit(quoteBefore ? 90 : 70, Math.max(0, i - 1), Math.min(n, k + 12), "attribute-handler");
      }
    }
    for (long mt = (markers & PatternDetectors.JS_SINKS) == 0 ? -1 : JS_SINKS.find(s, 0); mt >= 0; mt = JS_SINKS.find(s, MarkerSet.position(mt) + 1)) {
      String sink = JS_SINKS.marker(MarkerSet.index(mt));
      int p = MarkerSet.position(mt);
      boolean glued = p > 0 && sink.charAt(0) != '.' && sink.charAt(0) != '[' && sink.charAt(0) != '('
          && sink.charAt(0) != '-' && sink.charAt(0) != '$' && isNameChar(s.charAt(p - 1));
      if (!glued) {
        return new Hit(75, p, Math.min(n, p + sink.length() + 16), "javascript-sink");
      }
    }
    if (s.indexOf("style") >= 0 && cssDanger(compact)) {
      return new Hit(75, 0, Math.min(n, 40), "css-expression");
    }
    return null;
  }

  private static boolean cssDanger(String compact) {
    return compact.contains("expression(") || compact.contains("url(javascript")
        || compact.contains("-moz-binding") || compact.contains("behavior:")
        || compact.contains("@import") || compact.contains("url(data:");
  }

  /** Where each of {@link #SCRIPT_SCHEMES} has its first colon. */
  private static final int[] SCHEME_COLON = new int[SCRIPT_SCHEMES.length];

  static {
    for (int k = 0; k < SCRIPT_SCHEMES.length; k++) {
      SCHEME_COLON[k] = SCRIPT_SCHEMES[k].indexOf(':');
    }
  }

  private static int scriptScheme(String compact) {
    int firstColon = compact.indexOf(':');
    if (firstColon < 0) {
      return -1; // every scheme has a colon
    }
    for (int k = 0; k < SCRIPT_SCHEMES.length; k++) {
      String scheme = SCRIPT_SCHEMES[k];
      int p = firstOccurrence(compact, scheme, SCHEME_COLON[k], firstColon);
      if (p >= 0 && (p == 0 || !isLetter(compact.charAt(p - 1)))) {
        if (scheme.startsWith("data:,") || scheme.startsWith("data:;") || scheme.equals("jar:")) {
          if (p != 0) {
            continue;
          }
        }
        return p;
      }
    }
    return -1;
  }

  /**
   * {@code s.indexOf(marker)}, looking only where a colon of {@code s} can be the marker's colon
   * ({@code colonAt} in the marker); {@code firstColon} is the first colon of {@code s}.
   */
  private static int firstOccurrence(String s, String marker, int colonAt, int firstColon) {
    for (int c = firstColon; c >= 0; c = s.indexOf(':', c + 1)) {
      int p = c - colonAt;
      if (p >= 0 && s.startsWith(marker, p)) {
        return p;
      }
    }
    return -1;
  }

  /** Removes whitespace and control characters, which browsers ignore inside URL schemes. */
  static String compact(String s) {
    StringBuilder b = null;
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c <= ' ' || c == 0x7f || c == 0xa0) {
        if (b == null) {
          b = new StringBuilder(s.length());
          b.append(s, 0, i);
        }
      } else if (b != null) {
        b.append(c);
      }
    }
    return b == null ? s : b.toString();
  }

  private static boolean isLetter(char c) {
    return c >= 'a' && c <= 'z';
  }

  private static boolean isNameChar(char c) {
    return isLetter(c) || (c >= '0' && c <= '9') || c == '-' || c == ':' || c == '_';
  }

  private static boolean isTagBreak(char c) {
    return isSpace(c) || c == '/' || c == '>' || c == '"' || c == '\'' || c == '`' || c == '+'
        || c == ',' || c == ';' || c == '(' || c == '=' || c == '<' || c == '[' || c == '{';
  }

  private static boolean isAttrStartBoundary(char c) {
    return isSpace(c) || c == '/' || c == '"' || c == '\'' || c == '`' || c == ';' || c == '+'
        || c == ',' || c == '(';
  }

  private static boolean isSpace(char c) {
    return c <= ' ' || c == 0xa0;
  }
}
