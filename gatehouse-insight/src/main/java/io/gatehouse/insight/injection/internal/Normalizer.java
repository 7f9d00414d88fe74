package io.gatehouse.insight.injection.internal;

import java.util.Map;

/**
 * Turns one raw request value into the canonical lower-case text the detectors inspect: repeated
 * percent-decoding (including {@code %uXXXX} and overlong UTF-8), HTML entities, JavaScript escapes,
 * NFKC (full-width forms), control characters and null bytes. Stateless and thread-safe.
 */
public final class Normalizer {
  private static final int MAX_ROUNDS = 3;
  private static final Map<String, Character> ENTITIES = Map.ofEntries(
      Map.entry("lt", '<'), Map.entry("gt", '>'), Map.entry("amp", '&'), Map.entry("quot", '"'),
      Map.entry("apos", '\''), Map.entry("colon", ':'), Map.entry("tab", '\t'),
      Map.entry("newline", '\n'), Map.entry("lpar", '('), Map.entry("rpar", ')'),
      Map.entry("sol", '/'), Map.entry("bsol", '\\'), Map.entry("semi", ';'),
      Map.entry("equals", '='), Map.entry("nbsp", ' '), Map.entry("grave", '`'),
      Map.entry("comma", ','), Map.entry("period", '.'), Map.entry("excl", '!'),
      Map.entry("num", '#'), Map.entry("dollar", '$'), Map.entry("percnt", '%'),
      Map.entry("plus", '+'), Map.entry("lowbar", '_'), Map.entry("lsqb", '['),
      Map.entry("rsqb", ']'), Map.entry("lbrace", '{'), Map.entry("rbrace", '}'),
      Map.entry("verbar", '|'), Map.entry("vert", '|'), Map.entry("ast", '*'),
      Map.entry("quest", '?'), Map.entry("commat", '@'), Map.entry("hat", '^'));

  private Normalizer() {}

  /** Returns the canonical lower-case form of the first {@code maxChars} characters of {@code raw}. */
  public static String normalize(CharSequence raw, int maxChars) {
    int len = Math.min(raw.length(), maxChars);
    boolean needsWork = false;
    for (int i = 0; i < len; i++) {
      char c = raw.charAt(i);
      if (c == '%' || c == '&' || c == '\\' || c >= 0x80 || c < 0x20 || c == 0x7f) {
        needsWork = true;
        break;
      }
    }
    String s = raw.subSequence(0, len).toString();
    if (needsWork) {
      for (int round = 0; round < MAX_ROUNDS; round++) {
        String before = s;
        if (s.indexOf('%') >= 0) {
          s = percentDecode(s);
        }
        if (s.indexOf('&') >= 0) {
          s = decodeEntities(s);
        }
        if (s.indexOf('\\') >= 0) {
          s = decodeBackslashEscapes(s);
        }
        if (s.equals(before)) {
          break;
        }
      }
      s = cleanAndFold(s);
    }
    return lower(s);
  }

  /**
   * Returns the first {@code maxChars} characters of {@code raw} with ASCII letters lower-cased and
   * nothing decoded: for values a caller has already decoded.
   */
  public static String lowerCase(CharSequence raw, int maxChars) {
    return lower(raw.subSequence(0, Math.min(raw.length(), maxChars)).toString());
  }

  private static String lower(String s) {
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c >= 'A' && c <= 'Z') {
        char[] a = s.toCharArray();
        for (int j = i; j < a.length; j++) {
          char d = a[j];
          if (d >= 'A' && d <= 'Z') {
            a[j] = (char) (d + 32);
          }
        }
        return new String(a);
      }
    }
    return s;
  }

  private static String cleanAndFold(String s) {
    boolean nonAscii = false;
    StringBuilder b = new StringBuilder(s.length());
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c < 0x20 && c != '\t' && c != '\n' && c != '\r') {
        b.append(' ');
      } else if (c == 0x7f) {
        continue;
      } else {
        if (c >= 0x80) {
          nonAscii = true;
        }
        b.append(c);
      }
    }
    String out = b.toString();
    if (nonAscii) {
      out = java.text.Normalizer.normalize(out, java.text.Normalizer.Form.NFKC);
      StringBuilder c2 = new StringBuilder(out.length());
      for (int i = 0; i < out.length(); i++) {
        char c = out.charAt(i);
        if (c == 0xa0 || (c >= 0x2000 && c <= 0x200b) || c == 0x3000 || c == 0x180e || c == 0xfeff) {
          c2.append(' ');
        } else if (c == 0x2018 || c == 0x2019 || c == 0x02bc) {
          c2.append('\'');
        } else if (c == 0x201c || c == 0x201d) {
          c2.append('"');
        } else {
          c2.append(c);
        }
      }
      out = c2.toString();
    }
    return out;
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

  /** Lenient percent-decoding: invalid escapes stay, bytes decode as UTF-8 accepting overlong forms. */
  public static String percentDecode(String s) {
    int n = s.length();
    StringBuilder out = new StringBuilder(n);
    byte[] buf = null;
    int i = 0;
    while (i < n) {
      char c = s.charAt(i);
      if (c == '%' && i + 5 < n + 0 && (s.charAt(i + 1) == 'u' || s.charAt(i + 1) == 'U')
          && hex(s.charAt(i + 2)) >= 0 && hex(s.charAt(i + 3)) >= 0 && hex(s.charAt(i + 4)) >= 0
          && hex(s.charAt(i + 5)) >= 0) {
        out.append((char) ((hex(s.charAt(i + 2)) << 12) | (hex(s.charAt(i + 3)) << 8)
            | (hex(s.charAt(i + 4)) << 4) | hex(s.charAt(i + 5))));
        i += 6;
      } else if (c == '%' && i + 2 < n && hex(s.charAt(i + 1)) >= 0 && hex(s.charAt(i + 2)) >= 0) {
        if (buf == null) {
          buf = new byte[n / 3 + 1];
        }
        int count = 0;
        while (i + 2 < n && s.charAt(i) == '%' && hex(s.charAt(i + 1)) >= 0
            && hex(s.charAt(i + 2)) >= 0) {
          buf[count++] = (byte) ((hex(s.charAt(i + 1)) << 4) | hex(s.charAt(i + 2)));
          i += 3;
        }
        decodeUtf8Lenient(buf, count, out);
      } else {
        out.append(c);
        i++;
      }
    }
    return out.toString();
  }

  static void decodeUtf8Lenient(byte[] b, int count, StringBuilder out) {
    int i = 0;
    while (i < count) {
      int b0 = b[i] & 0xff;
      if (b0 < 0x80) {
        out.append((char) b0);
        i++;
      } else if (b0 >= 0xc0 && b0 < 0xe0 && i + 1 < count && (b[i + 1] & 0xc0) == 0x80) {
        out.append((char) (((b0 & 0x1f) << 6) | (b[i + 1] & 0x3f)));
        i += 2;
      } else if (b0 >= 0xe0 && b0 < 0xf0 && i + 2 < count && (b[i + 1] & 0xc0) == 0x80
          && (b[i + 2] & 0xc0) == 0x80) {
        out.append((char) (((b0 & 0x0f) << 12) | ((b[i + 1] & 0x3f) << 6) | (b[i + 2] & 0x3f)));
        i += 3;
      } else if (b0 >= 0xf0 && b0 < 0xf8 && i + 3 < count && (b[i + 1] & 0xc0) == 0x80
          && (b[i + 2] & 0xc0) == 0x80 && (b[i + 3] & 0xc0) == 0x80) {
        int cp = ((b0 & 0x07) << 18) | ((b[i + 1] & 0x3f) << 12) | ((b[i + 2] & 0x3f) << 6)
            | (b[i + 3] & 0x3f);
        if (cp <= 0x10ffff) {
          out.appendCodePoint(cp);
        }
        i += 4;
      } else {
        out.append((char) b0); // Latin-1 fallback keeps the byte visible
        i++;
      }
    }
  }

  /** Decodes named, decimal and hexadecimal HTML character references; the semicolon is optional. */
  public static String decodeEntities(String s) {
    int n = s.length();
    StringBuilder out = null;
    int i = 0;
    int copied = 0;
    while (i < n) {
      if (s.charAt(i) != '&' || i + 2 >= n) {
        i++;
        continue;
      }
      int j = i + 1;
      int cp = -1;
      if (s.charAt(j) == '#') {
        j++;
        boolean isHex = j < n && (s.charAt(j) == 'x' || s.charAt(j) == 'X');
        if (isHex) {
          j++;
        }
        int start = j;
        long v = 0;
        while (j < n && j - start < 8) {
          int d = isHex ? hex(s.charAt(j)) : (Character.isDigit(s.charAt(j)) ? s.charAt(j) - '0' : -1);
          if (d < 0) {
            break;
          }
          v = v * (isHex ? 16 : 10) + d;
          j++;
        }
        // skip further leading-zero padding digits beyond 8
        while (j < n && (isHex ? hex(s.charAt(j)) >= 0 : Character.isDigit(s.charAt(j))) && v == 0) {
          j++;
        }
        if (j > start && v <= 0x10ffff) {
          cp = (int) v;
        }
      } else {
        int start = j;
        while (j < n && j - start < 10 && Character.isLetter(s.charAt(j))) {
          j++;
        }
        Character c = null;
        for (int end = j; end > start && c == null; end--) {
          c = ENTITIES.get(s.substring(start, end).toLowerCase(java.util.Locale.ROOT));
          if (c != null) {
            j = end;
          }
        }
        if (c != null) {
          cp = c;
        }
      }
      if (cp < 0) {
        i++;
        continue;
      }
      if (j < n && s.charAt(j) == ';') {
        j++;
      }
      if (out == null) {
        out = new StringBuilder(n);
      }
      out.append(s, copied, i).appendCodePoint(cp == 0 ? ' ' : cp);
      i = j;
      copied = j;
    }
    if (out == null) {
      return s;
    }
    out.append(s, copied, n);
    return out.toString();
  }

  /** Decodes {@code \xHH}, {@code \\uHHHH} and {@code \\u{H..}} escapes as JavaScript and CSS-like text uses them. */
  public static String decodeBackslashEscapes(String s) {
    int n = s.length();
    StringBuilder out = null;
    int copied = 0;
    int i = 0;
    while (i < n - 1) {
      if (s.charAt(i) != '\\') {
        i++;
        continue;
      }
      char k = s.charAt(i + 1);
      int cp = -1;
      int end = i;
      if ((k == 'x' || k == 'X') && i + 3 < n && hex(s.charAt(i + 2)) >= 0 && hex(s.charAt(i + 3)) >= 0) {
        cp = (hex(s.charAt(i + 2)) << 4) | hex(s.charAt(i + 3));
        end = i + 4;
      } else if ((k == 'u' || k == 'U') && i + 2 < n && s.charAt(i + 2) == '{') {
        int j = i + 3;
        int v = 0;
        while (j < n && hex(s.charAt(j)) >= 0 && j - i < 10) {
          v = (v << 4) | hex(s.charAt(j));
          j++;
        }
        if (j < n && s.charAt(j) == '}' && v <= 0x10ffff) {
          cp = v;
          end = j + 1;
        }
      } else if ((k == 'u' || k == 'U') && i + 5 < n && hex(s.charAt(i + 2)) >= 0
          && hex(s.charAt(i + 3)) >= 0 && hex(s.charAt(i + 4)) >= 0 && hex(s.charAt(i + 5)) >= 0) {
        cp = (hex(s.charAt(i + 2)) << 12) | (hex(s.charAt(i + 3)) << 8) | (hex(s.charAt(i + 4)) << 4)
            | hex(s.charAt(i + 5));
        end = i + 6;
      }
      if (cp < 0) {
        i += 2;
        continue;
      }
      if (out == null) {
        out = new StringBuilder(n);
      }
      out.append(s, copied, i).appendCodePoint(cp == 0 ? ' ' : cp);
      i = end;
      copied = end;
    }
    if (out == null) {
      return s;
    }
    out.append(s, copied, n);
    return out.toString();
  }
}
