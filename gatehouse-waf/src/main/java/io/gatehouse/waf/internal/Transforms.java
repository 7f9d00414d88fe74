package io.gatehouse.waf.internal;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.function.UnaryOperator;

/**
 * The SecLang transformation functions. Values are byte strings (one char per byte, 0 to 255),
 * as ModSecurity sees them; every function returns a byte string.
 */
final class Transforms {
  /** One named transformation. */
  record Transform(String name, UnaryOperator<String> fn, Inert inert) {
    String apply(String s) {
      return fn.apply(s);
    }
  }

  /** {@link Inert} flag: every value has it, so an {@link Inert} without it holds for none. */
  static final int ANY = 1;
  /** {@link Inert} flag: a character at or above 0x80. */
  static final int NON_ASCII = 2;
  /** {@link Inert} flag: two whitespace characters in a row. */
  static final int WHITESPACE_RUN = 4;
  /** {@link Inert} flag: a whitespace character before {@code /} or {@code (}. */
  static final int SPACE_BEFORE_SLASH = 8;
  /** {@link Inert} flag: the value is {@code .} or {@code ..}. */
  static final int DOTS = 16;
  /** {@link Inert} flag: {@code --}. */
  static final int DOUBLE_DASH = 32;
  private static final int ALL_FLAGS = ANY | NON_ASCII | WHITESPACE_RUN | SPACE_BEFORE_SLASH | DOTS | DOUBLE_DASH;

  /**
   * The values a transformation (or chain) leaves unchanged but for the case of ASCII letters:
   * those whose ASCII characters are all in {@code lo} (bits for 0 to 63) and {@code hi} (64 to
   * 127) and whose {@link #shape} flags are all in {@code flags}. Such a value holds the same
   * literals through the chain as it does itself, since the literal index ignores ASCII case.
   */
  record Inert(long lo, long hi, int flags) {
    static final Inert NEVER = new Inert(0, 0, 0);
    static final Inert ALWAYS = new Inert(-1L, -1L, ALL_FLAGS);

    /** The values both leave unchanged (every set holds both cases of each letter). */
    Inert and(Inert o) {
      return new Inert(lo & o.lo, hi & o.hi, flags & o.flags);
    }

    /** Whether a value of shape ({@code lo}, {@code hi}, {@code flags}) is among them. */
    boolean holds(long vlo, long vhi, int vflags) {
      return (vlo & ~lo) == 0 && (vhi & ~hi) == 0 && (vflags & ~flags) == 0;
    }

    private static Inert except(String chars, int notFlags) {
      long l = -1L;
      long h = -1L;
      for (int i = 0; i < chars.length(); i++) {
        char c = chars.charAt(i);
        if (c < 64) {
          l &= ~(1L << c);
        } else {
          h &= ~(1L << (c - 64));
        }
      }
      return new Inert(l, h, ALL_FLAGS & ~notFlags);
    }
  }

  /**
   * A value's shape for {@link Inert#holds}: {@code out[0]} and {@code out[1]} the ASCII
   * characters it holds (as {@link Inert#lo}, {@link Inert#hi}), {@code out[2]} its flags.
   */
  static void shape(String s, long[] out) {
    long lo = 0;
    long hi = 0;
    int flags = ANY;
    int n = s.length();
    for (int i = 0; i < n; i++) {
      char c = s.charAt(i);
      if (c < 64) {
        lo |= 1L << c;
      } else if (c < 128) {
        hi |= 1L << (c - 64);
      } else {
        flags |= NON_ASCII;
      }
      if (i + 1 < n) {
        char d = s.charAt(i + 1);
        if (space(c)) {
          if (space(d)) {
            flags |= WHITESPACE_RUN;
          } else if (d == '/' || d == '(') {
            flags |= SPACE_BEFORE_SLASH;
          }
        } else if (c == '-' && d == '-') {
          flags |= DOUBLE_DASH;
        }
      }
    }
    if (s.equals(".") || s.equals("..")) {
      flags |= DOTS;
    }
    out[0] = lo;
    out[1] = hi;
    out[2] = flags;
  }

  /** The values transformation {@code name} leaves unchanged but for ASCII case. */
  static Inert inert(String name) {
    return switch (name) {
      case "lowercase", "uppercase" -> Inert.ALWAYS;
      case "urldecode", "urldecodeuni" -> Inert.except("%+", 0);
      case "htmlentitydecode" -> Inert.except("&", 0);
      case "jsdecode", "cssdecode", "escapeseqdecode" -> Inert.except("\\", 0);
      case "removenulls", "replacenulls" -> Inert.except("\0", 0);
      case "removewhitespace" -> Inert.except(" \t\n\r\f\u000b", NON_ASCII);
      case "compresswhitespace" -> Inert.except("\t\n\r\f\u000b", NON_ASCII | WHITESPACE_RUN);
      case "cmdline" -> Inert.except("\"'\\^,;\t\n\r\f\u000b", WHITESPACE_RUN | SPACE_BEFORE_SLASH);
      case "replacecomments" -> Inert.except("*", 0);
      case "removecomments", "removecommentschar" -> Inert.except("*#", DOUBLE_DASH);
      case "normalisepath", "normalizepath" -> Inert.except("/", DOTS);
      case "normalisepathwin", "normalizepathwin" -> Inert.except("/\\", DOTS);
      case "utf8tounicode" -> Inert.except("", NON_ASCII);
      default -> Inert.NEVER;
    };
  }

  /**
   * A transformation chain as its last step after a shared prefix chain (null for the first step):
   * the program makes one node per distinct prefix, so a request computes each prefix of each
   * value once, whichever rules share it. {@code id} numbers the program's chains from 1 (0 is no
   * transformation).
   */
  record Chain(Chain prefix, Transform last, int id) {}

  private static final Map<String, UnaryOperator<String>> ALL = new HashMap<>();

  static {
    ALL.put("lowercase", Transforms::lower);
    ALL.put("uppercase", s -> {
      StringBuilder b = new StringBuilder(s.length());
      for (int i = 0; i < s.length(); i++) {
        char c = s.charAt(i);
        b.append(c >= 'a' && c <= 'z' ? (char) (c - 32) : c);
      }
      return b.toString();
    });
    ALL.put("urldecode", s -> urlDecode(s, false));
    ALL.put("urldecodeuni", s -> urlDecode(s, true));
    ALL.put("htmlentitydecode", Transforms::htmlEntityDecode);
    ALL.put("jsdecode", Transforms::jsDecode);
    ALL.put("cssdecode", Transforms::cssDecode);
    ALL.put("cmdline", Transforms::cmdLine);
    ALL.put("compresswhitespace", Transforms::compressWhitespace);
    ALL.put("removewhitespace", s -> {
      StringBuilder b = new StringBuilder(s.length());
      for (int i = 0; i < s.length(); i++) {
        if (!space(s.charAt(i))) {
          b.append(s.charAt(i));
        }
      }
      return same(s, b);
    });
    ALL.put("removenulls", s -> s.indexOf('\0') < 0 ? s : s.replace("\0", ""));
    ALL.put("replacenulls", s -> s.replace('\0', ' '));
    ALL.put("replacecomments", Transforms::replaceComments);
    ALL.put("removecomments", Transforms::removeComments);
    ALL.put("removecommentschar", s -> s.replace("/*", "").replace("*/", "").replace("--", "").replace("#", ""));
    ALL.put("normalisepath", s -> normalisePath(s, false));
    ALL.put("normalizepath", s -> normalisePath(s, false));
    ALL.put("normalisepathwin", s -> normalisePath(s, true));
    ALL.put("normalizepathwin", s -> normalisePath(s, true));
    ALL.put("base64decode", s -> base64(s, false));
    ALL.put("base64decodeext", s -> base64(s, true));
    ALL.put("base64encode", s -> java.util.Base64.getEncoder().encodeToString(s.getBytes(StandardCharsets.ISO_8859_1)));
    ALL.put("hexdecode", Transforms::hexDecode);
    ALL.put("hexencode", s -> {
      StringBuilder b = new StringBuilder(s.length() * 2);
      for (int i = 0; i < s.length(); i++) {
        b.append(String.format("%02x", s.charAt(i) & 0xff));
      }
      return b.toString();
    });
    ALL.put("sqlhexdecode", Transforms::sqlHexDecode);
    ALL.put("utf8tounicode", Transforms::utf8ToUnicode);
    ALL.put("length", s -> Integer.toString(s.length()));
    ALL.put("sha1", s -> digest("SHA-1", s));
    ALL.put("md5", s -> digest("MD5", s));
    ALL.put("trim", s -> trim(s, true, true));
    ALL.put("trimleft", s -> trim(s, true, false));
    ALL.put("trimright", s -> trim(s, false, true));
    ALL.put("escapeseqdecode", Transforms::escapeSeqDecode);
    ALL.put("urlencode", s -> {
      StringBuilder b = new StringBuilder();
      for (int i = 0; i < s.length(); i++) {
        char c = s.charAt(i);
        if (c == ' ') {
          b.append('+');
        } else if (Character.isLetterOrDigit(c) && c < 128 || c == '*' || c == '-' || c == '.' || c == '_') {
          b.append(c);
        } else {
          b.append('%').append(String.format("%02x", c & 0xff));
        }
      }
      return b.toString();
    });
  }

  private Transforms() {}

  static Transform get(String name) {
    UnaryOperator<String> fn = ALL.get(name.toLowerCase(Locale.ROOT));
    if (fn == null) {
      throw new IllegalArgumentException("unknown transformation t:" + name);
    }
    String n = name.toLowerCase(Locale.ROOT);
    return new Transform(n, fn, inert(n));
  }

  static String lower(String s) {
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c >= 'A' && c <= 'Z') {
        char[] a = s.toCharArray();
        for (int j = i; j < a.length; j++) {
          if (a[j] >= 'A' && a[j] <= 'Z') {
            a[j] = (char) (a[j] + 32);
          }
        }
        return new String(a);
      }
    }
    return s;
  }

  static boolean space(char c) {
    return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == 0x0b || c == 0xa0;
  }

  static int hex(char c) {
    if (c >= '0' && c <= '9') {
      return c - '0';
    }
    if (c >= 'a' && c <= 'f') {
      return c - 'a' + 10;
    }
    if (c >= 'A' && c <= 'F') {
      return c - 'A' + 10;
    }
    return -1;
  }

  private static boolean hexAt(String s, int i, int n) {
    if (i + n > s.length()) {
      return false;
    }
    for (int k = 0; k < n; k++) {
      if (hex(s.charAt(i + k)) < 0) {
        return false;
      }
    }
    return true;
  }

  private static int hexValue(String s, int i, int n) {
    int v = 0;
    for (int k = 0; k < n; k++) {
      v = v * 16 + hex(s.charAt(i + k));
    }
    return v;
  }

  static String urlDecode(String s, boolean uni) {
    if (s.indexOf('%') < 0 && s.indexOf('+') < 0) {
      return s;
    }
    StringBuilder b = new StringBuilder(s.length());
    int n = s.length();
    for (int i = 0; i < n; i++) {
      char c = s.charAt(i);
      if (c == '+') {
        b.append(' ');
      } else if (c == '%') {
        if (uni && i + 1 < n && (s.charAt(i + 1) == 'u' || s.charAt(i + 1) == 'U') && hexAt(s, i + 2, 4)) {
          int code = hexValue(s, i + 2, 4);
          b.append(fullWidthOrLowByte(code));
          i += 5;
        } else if (hexAt(s, i + 1, 2)) {
          b.append((char) hexValue(s, i + 1, 2));
          i += 2;
        } else {
          b.append(c);
        }
      } else {
        b.append(c);
      }
    }
    return b.toString();
  }

  private static char fullWidthOrLowByte(int code) {
    if (code >= 0xff01 && code <= 0xff5e) {
      return (char) (code - 0xfee0);
    }
    return (char) (code & 0xff);
  }

  private static final Map<String, Character> ENTITIES = Map.of("quot", '"', "amp", '&', "lt", '<',
      "gt", '>', "nbsp", (char) 0xa0, "apos", '\'', "colon", ':', "tab", '\t', "newline", '\n');

  static String htmlEntityDecode(String s) {
    if (s.indexOf('&') < 0) {
      return s;
    }
    StringBuilder b = new StringBuilder(s.length());
    int n = s.length();
    int i = 0;
    while (i < n) {
      char c = s.charAt(i);
      if (c != '&' || i + 1 >= n) {
        b.append(c);
        i++;
        continue;
      }
      if (s.charAt(i + 1) == '#') {
        int j = i + 2;
        boolean isHex = j < n && (s.charAt(j) == 'x' || s.charAt(j) == 'X');
        if (isHex) {
          j++;
        }
        int start = j;
        long v = 0;
        while (j < n && (isHex ? hex(s.charAt(j)) >= 0 : s.charAt(j) >= '0' && s.charAt(j) <= '9')) {
          v = (v * (isHex ? 16 : 10) + (isHex ? hex(s.charAt(j)) : s.charAt(j) - '0')) & 0xffffffL;
          j++;
        }
        if (j == start) {
          b.append(c);
          i++;
          continue;
        }
        b.append((char) (v & 0xff));
        if (j < n && s.charAt(j) == ';') {
          j++;
        }
        i = j;
      } else {
        int j = i + 1;
        while (j < n && Character.isLetterOrDigit(s.charAt(j)) && s.charAt(j) < 128 && j - i < 12) {
          j++;
        }
        Character e = ENTITIES.get(s.substring(i + 1, j).toLowerCase(Locale.ROOT));
        if (e == null) {
          b.append(c);
          i++;
          continue;
        }
        b.append(e.charValue());
        if (j < n && s.charAt(j) == ';') {
          j++;
        }
        i = j;
      }
    }
    return b.toString();
  }

  static String jsDecode(String s) {
    if (s.indexOf('\\') < 0) {
      return s;
    }
    StringBuilder b = new StringBuilder(s.length());
    int n = s.length();
    for (int i = 0; i < n; i++) {
      char c = s.charAt(i);
      if (c != '\\' || i + 1 >= n) {
        b.append(c);
        continue;
      }
      char d = s.charAt(i + 1);
      if ((d == 'u' || d == 'U') && hexAt(s, i + 2, 4)) {
        b.append(fullWidthOrLowByte(hexValue(s, i + 2, 4)));
        i += 5;
      } else if ((d == 'x' || d == 'X') && hexAt(s, i + 2, 2)) {
        b.append((char) hexValue(s, i + 2, 2));
        i += 3;
      } else if (d >= '0' && d <= '7') {
        int j = i + 1;
        int v = 0;
        while (j < n && j < i + 4 && s.charAt(j) >= '0' && s.charAt(j) <= '7') {
          v = v * 8 + s.charAt(j) - '0';
          j++;
        }
        b.append((char) (v & 0xff));
        i = j - 1;
      } else {
        b.append(switch (d) {
          case 'a' -> (char) 7;
          case 'b' -> '\b';
          case 'f' -> '\f';
          case 'n' -> '\n';
          case 'r' -> '\r';
          case 't' -> '\t';
          case 'v' -> (char) 0x0b;
          default -> d;
        });
        i++;
      }
    }
    return b.toString();
  }

  static String cssDecode(String s) {
    if (s.indexOf('\\') < 0) {
      return s;
    }
    StringBuilder b = new StringBuilder(s.length());
    int n = s.length();
    for (int i = 0; i < n; i++) {
      char c = s.charAt(i);
      if (c != '\\') {
        b.append(c);
        continue;
      }
      if (i + 1 >= n) {
        break;
      }
      int j = i + 1;
      int v = 0;
      int digits = 0;
      while (j < n && digits < 6 && hex(s.charAt(j)) >= 0) {
        v = v * 16 + hex(s.charAt(j));
        j++;
        digits++;
      }
      if (digits > 0) {
        b.append(fullWidthOrLowByte(v));
        if (j < n && space(s.charAt(j))) {
          j++;
        }
        i = j - 1;
      } else if (s.charAt(j) == '\n') {
        i = j;
      } else {
        b.append(s.charAt(j));
        i = j;
      }
    }
    return b.toString();
  }

  static String cmdLine(String s) {
    StringBuilder b = new StringBuilder(s.length());
    boolean space = false;
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      switch (c) {
        case '"', '\'', '\\', '^' -> { }
        case ' ', '\t', '\n', '\r', ',', ';', 0x0b, '\f' -> {
          if (!space) {
            b.append(' ');
            space = true;
          }
        }
        case '/', '(' -> {
          if (space) {
            b.setLength(b.length() - 1);
          }
          space = false;
          b.append(c);
        }
        default -> {
          b.append(c >= 'A' && c <= 'Z' ? (char) (c + 32) : c);
          space = false;
        }
      }
    }
    return same(s, b);
  }

  /** {@code s} itself when {@code b} holds the same text (so later steps see one instance), else b's text. */
  private static String same(String s, StringBuilder b) {
    return s.contentEquals(b) ? s : b.toString();
  }

  static String compressWhitespace(String s) {
    StringBuilder b = new StringBuilder(s.length());
    boolean inSpace = false;
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (space(c)) {
        if (!inSpace) {
          b.append(' ');
          inSpace = true;
        }
      } else {
        b.append(c);
        inSpace = false;
      }
    }
    return same(s, b);
  }

  static String replaceComments(String s) {
    if (s.indexOf("/*") < 0) {
      return s;
    }
    StringBuilder b = new StringBuilder(s.length());
    int i = 0;
    while (i < s.length()) {
      int open = s.indexOf("/*", i);
      if (open < 0) {
        b.append(s, i, s.length());
        break;
      }
      b.append(s, i, open).append(' ');
      int close = s.indexOf("*/", open + 2);
      if (close < 0) {
        break;
      }
      i = close + 2;
    }
    return b.toString();
  }

  static String removeComments(String s) {
    StringBuilder b = new StringBuilder(s.length());
    int i = 0;
    int n = s.length();
    while (i < n) {
      if (s.startsWith("/*", i)) {
        int close = s.indexOf("*/", i + 2);
        if (close < 0) {
          break;
        }
        i = close + 2;
      } else if (s.startsWith("<!--", i)) {
        int close = s.indexOf("-->", i + 4);
        if (close < 0) {
          break;
        }
        i = close + 3;
      } else if (s.startsWith("--", i) || s.charAt(i) == '#') {
        break;
      } else {
        b.append(s.charAt(i++));
      }
    }
    return b.toString();
  }

  static String normalisePath(String s, boolean win) {
    if (s.indexOf('/') < 0 && (!win || s.indexOf('\\') < 0) && !s.equals(".") && !s.equals("..")) {
      // one segment, neither . nor ..: the path is already normal
      return s;
    }
    String p = win ? s.replace('\\', '/') : s;
    if (p.isEmpty()) {
      return p;
    }
    boolean absolute = p.startsWith("/");
    boolean trailing = p.endsWith("/") || p.endsWith("/.") || p.endsWith("/..") || p.equals(".") || p.equals("..");
    String[] parts = p.split("/+");
    java.util.ArrayDeque<String> out = new java.util.ArrayDeque<>();
    int leadingUps = 0;
    for (String part : parts) {
      if (part.isEmpty() || part.equals(".")) {
        continue;
      }
      if (part.equals("..")) {
        if (!out.isEmpty()) {
          out.removeLast();
        } else if (!absolute) {
          leadingUps++;
        }
        continue;
      }
      out.addLast(part);
    }
    StringBuilder b = new StringBuilder();
    if (absolute) {
      b.append('/');
    }
    for (int i = 0; i < leadingUps; i++) {
      b.append("../");
    }
    b.append(String.join("/", out));
    if (trailing && b.length() > 0 && b.charAt(b.length() - 1) != '/') {
      b.append('/');
    }
    return b.toString();
  }

  private static int b64(char c) {
    if (c >= 'A' && c <= 'Z') {
      return c - 'A';
    }
    if (c >= 'a' && c <= 'z') {
      return c - 'a' + 26;
    }
    if (c >= '0' && c <= '9') {
      return c - '0' + 52;
    }
    if (c == '+' || c == '-') {
      return 62;
    }
    if (c == '/' || c == '_') {
      return 63;
    }
    return -1;
  }

  static String base64(String s, boolean skipInvalid) {
    StringBuilder b = new StringBuilder(s.length());
    int acc = 0;
    int bits = 0;
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c == '=') {
        break;
      }
      int v = b64(c);
      if (v < 0) {
        if (skipInvalid) {
          continue;
        }
        break;
      }
      acc = (acc << 6) | v;
      bits += 6;
      if (bits >= 8) {
        bits -= 8;
        b.append((char) ((acc >> bits) & 0xff));
      }
    }
    return b.toString();
  }

  static String hexDecode(String s) {
    StringBuilder b = new StringBuilder(s.length() / 2);
    for (int i = 0; i + 1 < s.length(); i += 2) {
      int hi = hex(s.charAt(i));
      int lo = hex(s.charAt(i + 1));
      if (hi < 0 || lo < 0) {
        break;
      }
      b.append((char) (hi * 16 + lo));
    }
    return b.toString();
  }

  static String sqlHexDecode(String s) {
    StringBuilder b = new StringBuilder(s.length());
    int n = s.length();
    for (int i = 0; i < n; i++) {
      if (s.charAt(i) == '0' && i + 3 < n && (s.charAt(i + 1) == 'x' || s.charAt(i + 1) == 'X') && hexAt(s, i + 2, 2)) {
        int j = i + 2;
        while (j + 1 < n && hexAt(s, j, 2)) {
          b.append((char) hexValue(s, j, 2));
          j += 2;
        }
        i = j - 1;
      } else {
        b.append(s.charAt(i));
      }
    }
    return b.toString();
  }

  static String utf8ToUnicode(String s) {
    boolean any = false;
    for (int i = 0; i < s.length(); i++) {
      if (s.charAt(i) >= 0x80) {
        any = true;
        break;
      }
    }
    if (!any) {
      return s;
    }
    StringBuilder b = new StringBuilder(s.length());
    int n = s.length();
    for (int i = 0; i < n; i++) {
      int c = s.charAt(i) & 0xff;
      int len = c >= 0xf0 && c < 0xf8 ? 4 : c >= 0xe0 ? 3 : c >= 0xc0 ? 2 : 1;
      if (c < 0x80 || len == 1 || i + len > n) {
        b.append((char) c);
        continue;
      }
      int cp = c & (len == 2 ? 0x1f : len == 3 ? 0x0f : 0x07);
      boolean ok = true;
      for (int k = 1; k < len; k++) {
        int d = s.charAt(i + k) & 0xff;
        if ((d & 0xc0) != 0x80) {
          ok = false;
          break;
        }
        cp = (cp << 6) | (d & 0x3f);
      }
      if (!ok) {
        b.append((char) c);
        continue;
      }
      b.append("%u").append(String.format("%04x", cp));
      i += len - 1;
    }
    return b.toString();
  }

  static String trim(String s, boolean left, boolean right) {
    int a = 0;
    int z = s.length();
    while (left && a < z && space(s.charAt(a))) {
      a++;
    }
    while (right && z > a && space(s.charAt(z - 1))) {
      z--;
    }
    return s.substring(a, z);
  }

  static String escapeSeqDecode(String s) {
    if (s.indexOf('\\') < 0) {
      return s;
    }
    StringBuilder b = new StringBuilder(s.length());
    int n = s.length();
    for (int i = 0; i < n; i++) {
      char c = s.charAt(i);
      if (c != '\\' || i + 1 >= n) {
        b.append(c);
        continue;
      }
      char d = s.charAt(i + 1);
      if ((d == 'x' || d == 'X') && hexAt(s, i + 2, 2)) {
        b.append((char) hexValue(s, i + 2, 2));
        i += 3;
      } else if (d >= '0' && d <= '7') {
        int j = i + 1;
        int v = 0;
        while (j < n && j < i + 4 && s.charAt(j) >= '0' && s.charAt(j) <= '7') {
          v = v * 8 + s.charAt(j) - '0';
          j++;
        }
        b.append((char) (v & 0xff));
        i = j - 1;
      } else {
        char r = switch (d) {
          case 'a' -> (char) 7;
          case 'b' -> '\b';
          case 'f' -> '\f';
          case 'n' -> '\n';
          case 'r' -> '\r';
          case 't' -> '\t';
          case 'v' -> (char) 0x0b;
          case '\\', '?', '\'', '"' -> d;
          default -> 0;
        };
        if (r == 0) {
          b.append(c).append(d);
        } else {
          b.append(r);
        }
        i++;
      }
    }
    return b.toString();
  }

  private static String digest(String alg, String s) {
    try {
      byte[] d = MessageDigest.getInstance(alg).digest(s.getBytes(StandardCharsets.ISO_8859_1));
      return new String(d, StandardCharsets.ISO_8859_1);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
