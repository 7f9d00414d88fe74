package io.gatehouse.gateway.accesslog;

import java.time.Instant;
import java.util.Arrays;

/**
 * One JSON object written as UTF-8 bytes into a reusable buffer, ended by a line feed: string
 * values are escaped so that no value can end the line or the string early (quotes, backslashes
 * and every control character are escaped; a lone UTF-16 surrogate becomes U+FFFD). Not thread-safe.
 */
final class JsonLine {
  private static final byte[] HEX = "0123456789abcdef".getBytes(java.nio.charset.StandardCharsets.US_ASCII);
  private byte[] buf = new byte[512];
  private int len;
  private boolean first;

  /** Starts a new object, forgetting the previous line. */
  JsonLine begin() {
    len = 0;
    put('{');
    first = true;
    return this;
  }

  /** Ends the object and the line. */
  JsonLine end() {
    put('}');
    put('\n');
    return this;
  }

  /** The line's bytes, line feed included. */
  byte[] bytes() {
    return Arrays.copyOf(buf, len);
  }

  /** The line without its line feed. */
  String text() {
    return new String(buf, 0, len - 1, java.nio.charset.StandardCharsets.UTF_8);
  }

  /** Writes {@code "name":"value"}; nothing when {@code value} is null and {@code optional}. */
  JsonLine field(String name, String value) {
    if (value == null) {
      return this;
    }
    name(name);
    string(value);
    return this;
  }

  /** Writes {@code "name":value}. */
  JsonLine field(String name, long value) {
    name(name);
    number(value);
    return this;
  }

  /** Writes {@code "name":"<instant as Instant#toString>"}. */
  JsonLine field(String name, Instant value) {
    name(name);
    instant(value);
    return this;
  }

  /** Writes {@code "name":} and opens an object. */
  JsonLine startObject(String name) {
    name(name);
    put('{');
    first = true;
    return this;
  }

  /** Closes an object. */
  JsonLine endObject() {
    put('}');
    first = false;
    return this;
  }

  /** Writes {@code "name":} and opens an array. */
  JsonLine startArray(String name) {
    name(name);
    put('[');
    first = true;
    return this;
  }

  /** Writes one number element of an array. */
  JsonLine element(long value) {
    if (!first) {
      put(',');
    }
    first = false;
    number(value);
    return this;
  }

  /** Closes an array. */
  JsonLine endArray() {
    put(']');
    first = false;
    return this;
  }

  private void name(String name) {
    if (!first) {
      put(',');
    }
    first = false;
    string(name);
    put(':');
  }

  private void number(long value) {
    if (value == Long.MIN_VALUE) {
      ascii(Long.toString(value));
      return;
    }
    ensure(20);
    if (value < 0) {
      buf[len++] = '-';
      value = -value;
    }
    int digits = 1;
    for (long v = value; v >= 10; v /= 10) {
      digits++;
    }
    int at = len + digits;
    len = at;
    do {
      buf[--at] = (byte) ('0' + (int) (value % 10));
      value /= 10;
    } while (value > 0);
  }

  private void ascii(String s) {
    ensure(s.length());
    for (int i = 0; i < s.length(); i++) {
      buf[len++] = (byte) s.charAt(i);
    }
  }

  /** A JSON string: quoted, escaped, UTF-8. */
  void string(String s) {
    ensure(s.length() * 6 + 2);
    byte[] b = buf;
    int n = len;
    b[n++] = '"';
    for (int i = 0, end = s.length(); i < end; i++) {
      char c = s.charAt(i);
      if (c < 0x80) {
        if (c >= 0x20 && c != '"' && c != '\\') {
          b[n++] = (byte) c;
        } else {
          b[n++] = '\\';
          switch (c) {
            case '"' -> b[n++] = '"';
            case '\\' -> b[n++] = '\\';
            case '\n' -> b[n++] = 'n';
            case '\r' -> b[n++] = 'r';
            case '\t' -> b[n++] = 't';
            case '\b' -> b[n++] = 'b';
            case '\f' -> b[n++] = 'f';
            default -> {
              b[n++] = 'u';
              b[n++] = '0';
              b[n++] = '0';
              b[n++] = HEX[c >> 4];
              b[n++] = HEX[c & 0xf];
            }
          }
        }
      } else if (c < 0x800) {
        b[n++] = (byte) (0xc0 | (c >> 6));
        b[n++] = (byte) (0x80 | (c & 0x3f));
      } else if (Character.isSurrogate(c)) {
        char low = i + 1 < end ? s.charAt(i + 1) : 0;
        if (Character.isHighSurrogate(c) && Character.isLowSurrogate(low)) {
          int cp = Character.toCodePoint(c, low);
          i++;
          b[n++] = (byte) (0xf0 | (cp >> 18));
          b[n++] = (byte) (0x80 | ((cp >> 12) & 0x3f));
          b[n++] = (byte) (0x80 | ((cp >> 6) & 0x3f));
          b[n++] = (byte) (0x80 | (cp & 0x3f));
        } else { // a lone surrogate has no UTF-8 form: U+FFFD
          b[n++] = (byte) 0xef;
          b[n++] = (byte) 0xbf;
          b[n++] = (byte) 0xbd;
        }
      } else {
        b[n++] = (byte) (0xe0 | (c >> 12));
        b[n++] = (byte) (0x80 | ((c >> 6) & 0x3f));
        b[n++] = (byte) (0x80 | (c & 0x3f));
      }
    }
    b[n++] = '"';
    len = n;
  }

  /** {@link Instant#toString} for years 0000..9999, quoted, without building a String. */
  private void instant(Instant t) {
    long seconds = t.getEpochSecond();
    long days = Math.floorDiv(seconds, 86_400);
    int secOfDay = (int) Math.floorMod(seconds, 86_400);
    // civil date from days since 1970-01-01 (Howard Hinnant's algorithm)
    long z = days + 719_468;
    long era = Math.floorDiv(z, 146_097);
    long doe = z - era * 146_097;
    long yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    long doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    long mp = (5 * doy + 2) / 153;
    int day = (int) (doy - (153 * mp + 2) / 5 + 1);
    int month = (int) (mp < 10 ? mp + 3 : mp - 9);
    long year = yoe + era * 400 + (month <= 2 ? 1 : 0);
    if (year < 0 || year > 9999) {
      string(t.toString());
      return;
    }
    ensure(32);
    put('"');
    digits((int) year, 4);
    put('-');
    digits(month, 2);
    put('-');
    digits(day, 2);
    put('T');
    digits(secOfDay / 3600, 2);
    put(':');
    digits(secOfDay / 60 % 60, 2);
    put(':');
    digits(secOfDay % 60, 2);
    int nanos = t.getNano();
    if (nanos > 0) {
      put('.');
      if (nanos % 1_000_000 == 0) {
        digits(nanos / 1_000_000, 3);
      } else if (nanos % 1000 == 0) {
        digits(nanos / 1000, 6);
      } else {
        digits(nanos, 9);
      }
    }
    put('Z');
    put('"');
  }

  private void digits(int value, int width) {
    for (int at = len + width - 1; at >= len; at--) {
      buf[at] = (byte) ('0' + value % 10);
      value /= 10;
    }
    len += width;
  }

  private void put(char c) {
    ensure(1);
    buf[len++] = (byte) c;
  }

  private void ensure(int more) {
    if (len + more + 2 > buf.length) { // + 2: room for the closing brace and line feed
      buf = Arrays.copyOf(buf, Math.max(buf.length * 2, len + more + 64));
    }
  }
}
