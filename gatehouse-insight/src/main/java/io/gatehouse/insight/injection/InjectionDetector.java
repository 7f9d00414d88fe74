package io.gatehouse.insight.injection;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import io.gatehouse.insight.injection.internal.Normalizer;
import io.gatehouse.insight.injection.internal.PatternDetectors;
import io.gatehouse.insight.injection.internal.SqliDetector;
import io.gatehouse.insight.injection.internal.XssDetector;
import java.io.IOException;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Inspects request values (path, query and form parameters, header and cookie values, JSON string
 * values and keys) for injection attacks and returns one finding per category and value. Immutable
 * and thread-safe; build once with {@link #builder()} and share.
 *
 * <p>Each value is cut to {@link Builder#maxValueChars(int)} characters, passed through a
 * pre-filter (values made only of letters, digits and harmless punctuation skip most detectors),
 * normalized (percent-decoding up to three times, HTML entities, JavaScript escapes, NFKC, control
 * characters, lower case) and then handed to the category detectors.
 */
public final class InjectionDetector {
  // Field names are only needed as location labels: no canonicalization (cheaper per request, and
  // no shared symbol table that attacker-chosen names can grow).
  private static final JsonFactory JSON = JsonFactory.builder()
      .disable(JsonFactory.Feature.CANONICALIZE_FIELD_NAMES).build();
  private static final Set<String> DEFAULT_SKIPPED_HEADERS = Set.of("host", "accept",
      "accept-encoding", "accept-language", "accept-charset", "content-length", "content-type",
      "connection", "authorization", "proxy-authorization", "cache-control", "pragma",
      "upgrade-insecure-requests", "keep-alive", "te", "transfer-encoding", "range",
      "if-none-match", "if-match", "if-modified-since", "if-unmodified-since", "dnt",
      "sec-fetch-site", "sec-fetch-mode", "sec-fetch-dest", "sec-fetch-user", "sec-ch-ua",
      "sec-ch-ua-mobile", "sec-ch-ua-platform", "proxy-connection", "upgrade", "expect",
      "content-encoding", "date");
  private static final byte CLS_SPECIAL = 1;
  private static final byte CLS_SPACE = 2;
  private static final byte CLS_DOT_OR_SLASH = 4;
  private static final byte CLS_SPECIAL_WHEN_DOUBLED = 8;
  /** Pre-filter class of each ASCII character: 0 (plain) or one of the CLS_ values. */
  private static final byte[] CLASS = new byte[128];

  static {
    for (char c = 0; c < 0x20; c++) {
      CLASS[c] = CLS_SPECIAL;
    }
    for (char c : "<>'\"`;|&$(){}[]\\%#=*!^~+?\n\r\t".toCharArray()) {
      CLASS[c] = CLS_SPECIAL;
    }
    CLASS[' '] = CLS_SPACE;
    CLASS['/'] = CLS_DOT_OR_SLASH;
    CLASS['.'] = CLS_DOT_OR_SLASH;
    CLASS[':'] = CLS_DOT_OR_SLASH;
    CLASS['-'] = CLS_SPECIAL_WHEN_DOUBLED; // SQL comment "--"
    CLASS['@'] = CLS_SPECIAL_WHEN_DOUBLED; // system variable "@@"
  }

  private final int maxValueChars;
  private final int threshold;
  private final Set<InjectionCategory> categories;
  private final Set<String> skippedHeaders;
  private final int maxValues;

  private InjectionDetector(Builder b) {
    this.maxValueChars = b.maxValueChars;
    this.threshold = b.threshold;
    this.categories = EnumSet.copyOf(b.categories);
    this.skippedHeaders = Set.copyOf(b.skippedHeaders);
    this.maxValues = b.maxValues;
  }

  /** A detector with the defaults: all categories, 8 KiB per value, threshold 50. */
  public static InjectionDetector defaults() {
    return builder().build();
  }

  /** Starts a builder with the defaults. */
  public static Builder builder() {
    return new Builder();
  }

  /** Inspects every part of {@code request}; returns the findings (empty when clean). */
  public List<InjectionFinding> inspect(InspectedRequest request) {
    requireNonNull(request, "request");
    List<InjectionFinding> out = new ArrayList<>(0);
    int[] budget = {maxValues};
    inspectInto("path", null, request.path(), out);
    if (request.rawQuery() != null && !request.rawQuery().isEmpty()) {
      inspectForm("query", request.rawQuery(), out, budget);
    }
    for (Map.Entry<String, String> h : request.headers()) {
      String name = h.getKey().toLowerCase(Locale.ROOT);
      if (skippedHeaders.contains(name) || h.getValue() == null || budget[0]-- <= 0) {
        continue;
      }
      if (name.equals("cookie")) {
        inspectCookies(h.getValue(), out, budget);
      } else {
        inspectInto("header:", h.getKey(), h.getValue(), out);
      }
    }
    String body = request.body();
    if (body != null && !body.isEmpty()) {
      String ct = request.contentType() == null ? "" : request.contentType().toLowerCase(Locale.ROOT);
      String trimmed = body.stripLeading();
      if (ct.contains("json") || (ct.isEmpty() && (trimmed.startsWith("{") || trimmed.startsWith("[")))) {
        if (!inspectJson(body, out, budget)) {
          inspectInto("body", null, body, out);
        }
      } else if (ct.contains("x-www-form-urlencoded") || (ct.isEmpty() && body.indexOf('=') > 0
          && !trimmed.startsWith("<"))) {
        inspectForm("form", body, out, budget);
      } else if (ct.contains("xml") || trimmed.startsWith("<?xml")) {
        inspectXml(body, out, budget);
      } else if (ct.startsWith("multipart/")) {
        inspectInto("body", null, body, out);
      } else {
        inspectInto("body", null, body, out);
      }
    }
    return out;
  }

  /** Inspects one value that came from {@code location}; returns the findings (empty when clean). */
  public List<InjectionFinding> inspectValue(String location, CharSequence value) {
    requireNonNull(location, "location");
    requireNonNull(value, "value");
    List<InjectionFinding> out = new ArrayList<>(0);
    inspectInto(location, null, value, out);
    return out;
  }

  /**
   * Whether {@code value}, read as it is, is SQL injection at this detector's threshold: the value is
   * only cut and lower-cased, never decoded, because the caller has already decoded it as it meant
   * to (a WAF rule's transformations), which is how libinjection answers ModSecurity's
   * {@code @detectSQLi}. Decoding again would judge a different string: the literal text
   * {@code a%27%23} would be read as the breakout {@code a'#}.
   */
  public boolean isSqlInjectionAsIs(CharSequence value) {
    requireNonNull(value, "value");
    if (!categories.contains(InjectionCategory.SQLI)) {
      return false;
    }
    int len = Math.min(value.length(), maxValueChars);
    int cls = len == 0 ? 0 : classify(value, len);
    if ((cls & (CLS_SPECIAL | CLS_SPACE)) == 0) {
      return false;
    }
    SqliDetector.Hit h = SqliDetector.detect(Normalizer.lowerCase(value, maxValueChars));
    return h != null && h.score() >= threshold;
  }

  /**
   * Whether {@code value}, read as it is (cut and lower-cased, never decoded, as
   * {@link #isSqlInjectionAsIs(CharSequence)}), is cross-site scripting at this detector's
   * threshold: how libinjection answers ModSecurity's {@code @detectXSS}.
   */
  public boolean isCrossSiteScriptingAsIs(CharSequence value) {
    requireNonNull(value, "value");
    if (!categories.contains(InjectionCategory.XSS)) {
      return false;
    }
    int len = Math.min(value.length(), maxValueChars);
    if (len == 0 || (classify(value, len) & CLS_SPECIAL) == 0) {
      return false;
    }
    String s = Normalizer.lowerCase(value, maxValueChars);
    boolean trigger = s.indexOf("&#") >= 0;
    for (int i = 0; i < s.length() && !trigger; i++) {
      char c = s.charAt(i);
      trigger = c < 128 && ((c < 64 ? XSS_TRIGGER[0] & (1L << c) : XSS_TRIGGER[1] & (1L << (c - 64))) != 0);
    }
    if (!trigger) {
      return false;
    }
    XssDetector.Hit h = XssDetector.detect(s, PatternDetectors.markers(s));
    return h != null && h.score() >= threshold;
  }

  /**
   * Inspects one value whose location is {@code prefix + name} ({@code name} may be null); the
   * location string is only built when there is a finding.
   */
  private void inspectInto(String prefix, String name, CharSequence raw, List<InjectionFinding> out) {
    int len = Math.min(raw.length(), maxValueChars);
    if (len == 0) {
      return;
    }
    int cls = classify(raw, len);
    if (cls != 0) {
      inspectClassified(prefix, name, raw, cls, out);
    }
  }


  /**
   * The pre-filter: {@link #CLS_SPECIAL} when the first {@code len} characters hold a character that
   * can start an attack, else whether they hold a space and a dot, slash or colon; 0 means the value
   * is made of letters, digits and harmless punctuation only.
   */
  private static int classify(CharSequence raw, int len) {
    int cls = 0;
    for (int i = 0; i < len; i++) {
      char c = raw.charAt(i);
      if (c >= 128) {
        return CLS_SPECIAL;
      }
      int k = CLASS[c];
      if (k == 0) {
        continue;
      }
      if (k == CLS_SPECIAL_WHEN_DOUBLED) {
        if (i + 1 < len && raw.charAt(i + 1) == c) {
          return CLS_SPECIAL;
        }
      } else if (k == CLS_SPECIAL) {
        return CLS_SPECIAL;
      } else {
        cls |= k;
      }
    }
    return cls;
  }

  /** {@link #classify(CharSequence, int)} over {@code buf[off, off + len)}. */
  private static int classify(char[] buf, int off, int len) {
    int cls = 0;
    int end = off + len;
    for (int i = off; i < end; i++) {
      char c = buf[i];
      if (c >= 128) {
        return CLS_SPECIAL;
      }
      int k = CLASS[c];
      if (k == 0) {
        continue;
      }
      if (k == CLS_SPECIAL_WHEN_DOUBLED) {
        if (i + 1 < end && buf[i + 1] == c) {
          return CLS_SPECIAL;
        }
      } else if (k == CLS_SPECIAL) {
        return CLS_SPECIAL;
      } else {
        cls |= k;
      }
    }
    return cls;
  }

  private void inspectClassified(String prefix, String name, CharSequence raw, int cls,
      List<InjectionFinding> out) {
    boolean special = (cls & CLS_SPECIAL) != 0;
    boolean space = (cls & CLS_SPACE) != 0;
    boolean dotOrSlash = (cls & CLS_DOT_OR_SLASH) != 0;
    String s = Normalizer.normalize(raw, maxValueChars);
    if (!special) {
      if (dotOrSlash) {
        int markers = PatternDetectors.markers(s);
        pattern(prefix, name, s, InjectionCategory.PATH_TRAVERSAL, PatternDetectors.traversal(s, markers), out);
        ssrf(prefix, name, s, markers, out);
        pattern(prefix, name, s, InjectionCategory.JAVA_JNDI, PatternDetectors.java(s, markers), out);
      }
      if (space) {
        sqli(prefix, name, s, out);
        if (s.indexOf(" -") >= 0 || s.indexOf(" /") >= 0) {
          pattern(prefix, name, s, InjectionCategory.COMMAND, PatternDetectors.command(s), out);
        }
      }
      return;
    }
    long lo = 0;
    long hi = 0;
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c < 64) {
        lo |= 1L << c;
      } else if (c < 128) {
        hi |= 1L << (c - 64);
      }
    }
    int markers = PatternDetectors.markers(s);
    sqli(prefix, name, s, out);
    if (categories.contains(InjectionCategory.XSS) && (any(lo, hi, XSS_TRIGGER) || s.indexOf("&#") >= 0)) {
      XssDetector.Hit h = XssDetector.detect(s, markers);
      if (h != null) {
        add(out, InjectionCategory.XSS, prefix, name, s, h.start(), h.end(), h.score(), h.rule());
      }
    }
    if (any(lo, hi, COMMAND_TRIGGER) || (any(lo, hi, SPACE) && any(lo, hi, DASH_OR_SLASH))) {
      pattern(prefix, name, s, InjectionCategory.COMMAND, PatternDetectors.command(s), out);
    }
    pattern(prefix, name, s, InjectionCategory.PATH_TRAVERSAL, PatternDetectors.traversal(s, markers), out);
    ssrf(prefix, name, s, markers, out);
    if (any(lo, hi, TEMPLATE_TRIGGER)) {
      pattern(prefix, name, s, InjectionCategory.TEMPLATE, PatternDetectors.template(s), out);
    }
    if (any(lo, hi, JAVA_TRIGGER)) {
      pattern(prefix, name, s, InjectionCategory.JAVA_JNDI, PatternDetectors.java(s, markers), out);
    }
    if (any(lo, hi, PHP_TRIGGER)) {
      pattern(prefix, name, s, InjectionCategory.PHP, PatternDetectors.php(s, markers), out);
    }
  }

  // Trigger characters of the detectors, as ASCII bit masks {low 64, high 64}.
  private static final long[] XSS_TRIGGER = mask("<>=(:`");
  private static final long[] COMMAND_TRIGGER = mask(";|&`$\n<>");
  private static final long[] SPACE = mask(" ");
  private static final long[] DASH_OR_SLASH = mask("-/");
  private static final long[] TEMPLATE_TRIGGER = mask("{%@[");
  private static final long[] JAVA_TRIGGER = mask("$.(#:");
  private static final long[] PHP_TRIGGER = mask("$(<:\"'_.[");

  private static long[] mask(String chars) {
    long[] m = new long[2];
    for (int i = 0; i < chars.length(); i++) {
      char c = chars.charAt(i);
      m[c >> 6] |= 1L << (c & 63);
    }
    return m;
  }

  private static boolean any(long lo, long hi, long[] mask) {
    return ((lo & mask[0]) | (hi & mask[1])) != 0;
  }

  private void sqli(String prefix, String name, String s, List<InjectionFinding> out) {
    if (categories.contains(InjectionCategory.SQLI)) {
      SqliDetector.Hit h = SqliDetector.detect(s);
      if (h != null) {
        add(out, InjectionCategory.SQLI, prefix, name, s, h.start(), h.end(), h.score(), h.rule());
      }
    }
  }

  private void ssrf(String prefix, String name, String s, int markers, List<InjectionFinding> out) {
    PatternDetectors.Hit h = PatternDetectors.ssrf(s, markers);
    if (h == null) {
      return;
    }
    boolean remoteInclude = h.rule().equals("ip-url") || h.rule().startsWith("scheme:ftp")
        || h.rule().equals("url-trailing-question-mark");
    pattern(prefix, name, s, remoteInclude ? InjectionCategory.RFI : InjectionCategory.SSRF, h, out);
  }

  private void pattern(String prefix, String name, String s, InjectionCategory category, PatternDetectors.Hit h,
      List<InjectionFinding> out) {
    if (h == null) {
      return;
    }
    InjectionCategory c = category;
    if (h.rule().startsWith("node:")) {
      c = InjectionCategory.NODE;
    } else if (h.rule().equals("sensitive-file")) {
      c = InjectionCategory.LFI;
    }
    if (categories.contains(c)) {
      add(out, c, prefix, name, s, h.start(), h.end(), h.score(), h.rule());
    }
  }

  private void add(List<InjectionFinding> out, InjectionCategory category, String prefix, String name, String s,
      int start, int end, int score, String rule) {
    if (score < threshold) {
      return;
    }
    int a = Math.max(0, Math.min(start, s.length()));
    int b = Math.max(a, Math.min(end, Math.min(s.length(), a + 64)));
    String location = name == null ? prefix : prefix.concat(name);
    out.add(new InjectionFinding(category, location, s.substring(a, b), score, rule));
  }

  private void inspectForm(String kind, String form, List<InjectionFinding> out, int[] budget) {
    int n = form.length();
    int i = 0;
    String valuePrefix = kind + ":";
    String namePrefix = kind + "-name:";
    while (i < n && budget[0]-- > 0) {
      int amp = form.indexOf('&', i);
      if (amp < 0) {
        amp = n;
      }
      int eq = form.indexOf('=', i);
      String name;
      String value;
      if (eq < 0 || eq > amp) {
        name = formDecode(form.substring(i, amp));
        value = name;
      } else {
        name = formDecode(form.substring(i, eq));
        value = formDecode(form.substring(eq + 1, amp));
      }
      inspectInto(valuePrefix, name, value, out);
      if (value != name && !name.isEmpty()) {
        inspectInto(namePrefix, name, name, out);
      }
      i = amp + 1;
    }
  }

  private void inspectCookies(String header, List<InjectionFinding> out, int[] budget) {
    for (String part : header.split(";")) {
      if (budget[0]-- <= 0) {
        return;
      }
      int eq = part.indexOf('=');
      String name = (eq < 0 ? part : part.substring(0, eq)).trim();
      String value = eq < 0 ? part : part.substring(eq + 1);
      inspectInto("cookie:", name, value, out);
      if (eq >= 0) {
        inspectInto("cookie-name:", name, name, out);
      }
    }
  }

  private boolean inspectJson(String body, List<InjectionFinding> out, int[] budget) {
    int before = out.size();
    try (JsonParser p = JSON.createParser(body)) {
      String field = "";
      JsonToken t;
      while ((t = p.nextToken()) != null) {
        if (t == JsonToken.FIELD_NAME) {
          field = p.currentName();
          inspectInto("json-key:", field, field, out);
        } else if (t == JsonToken.VALUE_STRING) {
          if (budget[0]-- <= 0) {
            return true;
          }
          // Pre-filter Jackson's own buffer: plain values never become a String.
          int len = Math.min(p.getTextLength(), maxValueChars);
          if (len > 0) {
            char[] buf = p.getTextCharacters();
            int off = p.getTextOffset();
            int cls = classify(buf, off, len);
            if (cls != 0) {
              inspectClassified("json:", field, new String(buf, off, len), cls, out);
            }
          }
        }
      }
      return true;
    } catch (IOException e) {
      // Not valid JSON: drop partial findings and let the caller inspect the raw text.
      while (out.size() > before) {
        out.remove(out.size() - 1);
      }
      return false;
    }
  }

  private void inspectXml(String body, List<InjectionFinding> out, int[] budget) {
    // Inspect text nodes and quoted attribute values; markup itself is expected in XML.
    int n = body.length();
    int i = 0;
    while (i < n && budget[0]-- > 0) {
      int lt = body.indexOf('<', i);
      if (lt < 0) {
        inspectInto("xml", null, body.substring(i), out);
        return;
      }
      if (lt > i) {
        String text = body.substring(i, lt);
        if (text.startsWith("<![cdata[") || !text.isBlank()) {
          inspectInto("xml", null, text, out);
        }
      }
      int gt = body.indexOf('>', lt);
      if (gt < 0) {
        inspectInto("xml", null, body.substring(lt), out);
        return;
      }
      String tag = body.substring(lt, gt);
      int q = 0;
      while (q < tag.length()) {
        char c = tag.charAt(q);
        if (c == '"' || c == '\'') {
          int e = tag.indexOf(c, q + 1);
          if (e < 0) {
            break;
          }
          inspectInto("xml-attribute", null, tag.substring(q + 1, e), out);
          q = e + 1;
        } else {
          q++;
        }
      }
      i = gt + 1;
    }
  }

  /** Decodes application/x-www-form-urlencoded once ({@code +} is a space), leniently. */
  static String formDecode(String s) {
    if (s.indexOf('+') < 0 && s.indexOf('%') < 0) {
      return s;
    }
    String plus = s.replace('+', ' ');
    return plus.indexOf('%') < 0 ? plus : Normalizer.percentDecode(plus);
  }

  /** Builder of {@link InjectionDetector}; not thread-safe. */
  public static final class Builder {
    private int maxValueChars = 8192;
    private int threshold = 50;
    private int maxValues = 1000;
    private Set<InjectionCategory> categories = EnumSet.allOf(InjectionCategory.class);
    private Set<String> skippedHeaders = DEFAULT_SKIPPED_HEADERS;

    private Builder() {}

    /** Inspects only the first {@code chars} characters of each value (default 8192). */
    public Builder maxValueChars(int chars) {
      if (chars < 16) {
        throw new IllegalArgumentException("maxValueChars must be >= 16 but was " + chars);
      }
      this.maxValueChars = chars;
      return this;
    }

    /** Reports findings whose score is at least {@code score}, 0 to 100 (default 50). */
    public Builder threshold(int score) {
      if (score < 0 || score > 100) {
        throw new IllegalArgumentException("threshold must be within 0..100 but was " + score);
      }
      this.threshold = score;
      return this;
    }

    /** Inspects at most {@code values} values per request (default 1000); the rest is skipped. */
    public Builder maxValues(int values) {
      if (values < 1) {
        throw new IllegalArgumentException("maxValues must be >= 1 but was " + values);
      }
      this.maxValues = values;
      return this;
    }

    /** Restricts detection to {@code categories} (default: all). */
    public Builder categories(Set<InjectionCategory> categories) {
      requireNonNull(categories, "categories");
      if (categories.isEmpty()) {
        throw new IllegalArgumentException("categories must not be empty");
      }
      this.categories = EnumSet.copyOf(categories);
      return this;
    }

    /** Header names (case-insensitive) that are never inspected. */
    public Builder skippedHeaders(Set<String> names) {
      requireNonNull(names, "names");
      Set<String> lower = new java.util.HashSet<>();
      for (String n : names) {
        lower.add(n.toLowerCase(Locale.ROOT));
      }
      this.skippedHeaders = lower;
      return this;
    }

    /** Builds the immutable detector. */
    public InjectionDetector build() {
      return new InjectionDetector(this);
    }
  }
}
