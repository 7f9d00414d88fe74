package io.gatehouse.model.internal;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.DeserializationContext;
import com.fasterxml.jackson.databind.JsonDeserializer;
import java.io.IOException;
import java.util.Locale;

/** Reads byte sizes written as a number of bytes or as {@code 512B}, {@code 64KiB}, {@code 16MiB} or {@code 1GiB}. */
public final class ByteSizes {
  private ByteSizes() {}

  /**
   * Parses {@code text}.
   *
   * @throws IllegalArgumentException naming the accepted forms when {@code text} is none of them
   */
  public static long parse(String text) {
    String t = text.trim().toLowerCase(Locale.ROOT);
    long unit = 1;
    String digits = t;
    if (t.endsWith("kib")) {
      unit = 1024;
      digits = t.substring(0, t.length() - 3);
    } else if (t.endsWith("mib")) {
      unit = 1024 * 1024;
      digits = t.substring(0, t.length() - 3);
    } else if (t.endsWith("gib")) {
      unit = 1024L * 1024 * 1024;
      digits = t.substring(0, t.length() - 3);
    } else if (t.endsWith("b")) {
      digits = t.substring(0, t.length() - 1);
    }
    try {
      long n = Long.parseLong(digits.trim());
      if (n >= 0 && n <= Long.MAX_VALUE / unit) {
        return n * unit;
      }
    } catch (NumberFormatException e) {
      // fall through to the error below
    }
    throw new IllegalArgumentException(
        "expected a size such as 65536, 512B, 64KiB, 16MiB or 1GiB but got '" + text + "'");
  }

  /** Jackson deserializer accepting a number of bytes or a string for {@link #parse}. */
  public static final class Deserializer extends JsonDeserializer<Long> {
    @Override
    public Long deserialize(JsonParser p, DeserializationContext ctx) throws IOException {
      if (p.currentToken() == JsonToken.VALUE_NUMBER_INT) {
        return p.getLongValue();
      }
      if (p.currentToken() != JsonToken.VALUE_STRING) {
        return (Long) ctx.handleUnexpectedToken(Long.class, p);
      }
      try {
        return parse(p.getValueAsString());
      } catch (IllegalArgumentException e) {
        return (Long) ctx.handleWeirdStringValue(Long.class, p.getValueAsString(), e.getMessage());
      }
    }
  }
}
