package io.gatehouse.gateway.internal.policy;

import io.gatehouse.policy.PolicyConfigException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Typed, strict reading of one policy's configuration map: every accessor names the field in its
 * {@link PolicyConfigException}, and {@link #done()} refuses fields nobody read.
 *
 * <p>Field names are kebab-case ({@code clock-skew}); the camelCase spelling of any field
 * ({@code clockSkew}) names the same field, so that every policy reads both spellings alike. A field
 * given in both spellings is refused.
 */
public final class PolicyConfig {
  private final Map<String, Object> map;
  // the spelling the configuration used, by canonical (kebab-case) name
  private final Map<String, String> written;
  private final Set<String> known = new LinkedHashSet<>();

  private PolicyConfig(Map<String, Object> raw) {
    Map<String, Object> byName = new java.util.LinkedHashMap<>();
    Map<String, String> spelled = new java.util.LinkedHashMap<>();
    if (raw != null) {
      for (Map.Entry<String, Object> e : raw.entrySet()) {
        String name = canonical(e.getKey());
        String other = spelled.putIfAbsent(name, e.getKey());
        if (other != null) {
          throw new PolicyConfigException(e.getKey(), "the field is given twice, as '" + other + "' and '"
              + e.getKey() + "'; keep one");
        }
        byName.put(name, e.getValue());
      }
    }
    this.map = byName;
    this.written = spelled;
  }

  /** Reads {@code map}; {@code null} reads as empty. */
  public static PolicyConfig of(Map<String, Object> map) {
    return new PolicyConfig(map);
  }

  /** The kebab-case form of a field name: {@code clockSkew} and {@code clock-skew} both give {@code clock-skew}. */
  static String canonical(String field) {
    if (field == null) {
      return null;
    }
    StringBuilder out = new StringBuilder(field.length() + 4);
    for (int i = 0; i < field.length(); i++) {
      char c = field.charAt(i);
      if (c >= 'A' && c <= 'Z' && i > 0 && field.charAt(i - 1) != '-') {
        out.append('-').append((char) (c + ('a' - 'A')));
      } else if (c >= 'A' && c <= 'Z' && i > 0) {
        out.append((char) (c + ('a' - 'A')));
      } else {
        out.append(c);
      }
    }
    return out.toString();
  }

  /** Whether {@code field} is present. */
  public boolean has(String field) {
    return raw(field) != null;
  }

  /** The raw value of {@code field}, or {@code null}. */
  public Object raw(String field) {
    String name = canonical(field);
    known.add(name);
    return map.get(name);
  }

  /** A string (numbers and booleans are accepted as their text), or {@code def} when absent. */
  public String string(String field, String def) {
    Object v = raw(field);
    if (v == null) {
      return def;
    }
    if (v instanceof String || v instanceof Number || v instanceof Boolean) {
      return v.toString();
    }
    throw new PolicyConfigException(field, "expected a string but got " + describe(v));
  }

  /** A required string. */
  public String requiredString(String field) {
    String s = string(field, null);
    if (s == null || s.isEmpty()) {
      throw new PolicyConfigException(field, "is required");
    }
    return s;
  }

  /** One of {@code allowed} (case-insensitive, returned lower case), or {@code def}. */
  public String oneOf(String field, String def, String... allowed) {
    String s = string(field, def);
    if (s == null) {
      return null;
    }
    String lower = s.toLowerCase(Locale.ROOT);
    for (String a : allowed) {
      if (a.equals(lower)) {
        return lower;
      }
    }
    throw new PolicyConfigException(field, "expected one of " + List.of(allowed) + " but got '" + s + "'");
  }

  /** A whole number in {@code [min, max]}, or {@code def} when absent. */
  public long number(String field, long def, long min, long max) {
    Object v = raw(field);
    if (v == null) {
      return def;
    }
    long n;
    if (v instanceof Integer || v instanceof Long || v instanceof Short) {
      n = ((Number) v).longValue();
    } else if (v instanceof String s) {
      try {
        n = Long.parseLong(s.trim());
      } catch (NumberFormatException e) {
        throw new PolicyConfigException(field, "expected a whole number but got '" + s + "'");
      }
    } else {
      throw new PolicyConfigException(field, "expected a whole number but got " + describe(v));
    }
    if (n < min || n > max) {
      throw new PolicyConfigException(field, "expected a number from " + min + " to " + max + " but got " + n);
    }
    return n;
  }

  /** A required whole number in {@code [min, max]}. */
  public long requiredNumber(String field, long min, long max) {
    if (!has(field)) {
      throw new PolicyConfigException(field, "is required");
    }
    return number(field, 0, min, max);
  }

  /** A boolean, or {@code def} when absent. */
  public boolean bool(String field, boolean def) {
    Object v = raw(field);
    if (v == null) {
      return def;
    }
    if (v instanceof Boolean b) {
      return b;
    }
    if ("true".equals(v) || "false".equals(v)) {
      return Boolean.parseBoolean((String) v);
    }
    throw new PolicyConfigException(field, "expected true or false but got " + describe(v));
  }

  /** A duration written {@code 500ms}, {@code 10s}, {@code 5m}, {@code 1h} or {@code 1d}, or seconds. */
  public Duration duration(String field, Duration def) {
    Object v = raw(field);
    if (v == null) {
      return def;
    }
    Duration d = parseDuration(v);
    if (d == null || d.isZero() || d.isNegative()) {
      throw new PolicyConfigException(field, "expected a positive duration such as 10s, 5m or 1h but got " + describe(v));
    }
    return d;
  }

  /** A list of strings; a single string reads as a one-element list; absent reads as empty. */
  public List<String> strings(String field) {
    Object v = raw(field);
    if (v == null) {
      return List.of();
    }
    if (v instanceof String s) {
      return List.of(s);
    }
    if (!(v instanceof List<?> list)) {
      throw new PolicyConfigException(field, "expected a list of strings but got " + describe(v));
    }
    List<String> out = new ArrayList<>();
    for (int i = 0; i < list.size(); i++) {
      Object o = list.get(i);
      if (!(o instanceof String || o instanceof Number)) {
        throw new PolicyConfigException(field + "[" + i + "]", "expected a string but got " + describe(o));
      }
      out.add(o.toString());
    }
    return List.copyOf(out);
  }

  /** A list of entries, each kept as parsed; absent reads as empty. */
  public List<Object> list(String field) {
    Object v = raw(field);
    if (v == null) {
      return List.of();
    }
    if (!(v instanceof List<?> list)) {
      throw new PolicyConfigException(field, "expected a list but got " + describe(v));
    }
    return new ArrayList<>(list);
  }

  /** A map, or {@code null} when absent. */
  @SuppressWarnings("unchecked")
  public Map<String, Object> map(String field) {
    Object v = raw(field);
    if (v == null) {
      return null;
    }
    if (!(v instanceof Map<?, ?>)) {
      throw new PolicyConfigException(field, "expected a map but got " + describe(v));
    }
    return (Map<String, Object>) v;
  }

  /** Refuses any field that no accessor asked for. */
  public void done() {
    for (String key : map.keySet()) {
      if (!known.contains(key)) {
        String spelled = written.get(key);
        throw new PolicyConfigException(spelled, "unknown field '" + spelled + "'; expected one of " + known);
      }
    }
  }

  static Duration parseDuration(Object v) {
    if (v instanceof Integer || v instanceof Long) {
      return Duration.ofSeconds(((Number) v).longValue());
    }
    if (!(v instanceof String s)) {
      return null;
    }
    String t = s.trim().toLowerCase(Locale.ROOT);
    int i = 0;
    while (i < t.length() && Character.isDigit(t.charAt(i))) {
      i++;
    }
    if (i == 0 || i > 12) {
      return null;
    }
    long n = Long.parseLong(t.substring(0, i));
    switch (t.substring(i)) {
      case "":
      case "s":
        return Duration.ofSeconds(n);
      case "ms":
        return Duration.ofMillis(n);
      case "m":
        return Duration.ofMinutes(n);
      case "h":
        return Duration.ofHours(n);
      case "d":
        return Duration.ofDays(n);
      default:
        return null;
    }
  }

  static String describe(Object v) {
    if (v == null) {
      return "nothing";
    }
    if (v instanceof String s) {
      return "'" + s + "'";
    }
    if (v instanceof Map) {
      return "a map";
    }
    if (v instanceof List) {
      return "a list";
    }
    return v.toString();
  }
}
