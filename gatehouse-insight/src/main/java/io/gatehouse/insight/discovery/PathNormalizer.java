package io.gatehouse.insight.discovery;

import static java.util.Objects.requireNonNull;

import java.util.regex.Pattern;

/**
 * Turns concrete request paths into templates by replacing variable segments with typed
 * placeholders: {@code {int}} (decimal numbers), {@code {uuid}}, {@code {date}} (ISO dates and
 * date-times), {@code {email}}, {@code {hex}} (8+ hex characters with a digit) and {@code {token}}
 * (base64/base64url ids and other long random strings). Stateless and thread-safe.
 */
public final class PathNormalizer {
  private static final Pattern UUID = Pattern.compile(
      "[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}");
  private static final Pattern DATE = Pattern.compile(
      "\\d{4}-\\d{2}-\\d{2}(?:[T ]\\d{2}:\\d{2}(?::\\d{2}(?:\\.\\d{1,9})?)?(?:Z|[+-]\\d{2}:?\\d{2})?)?");
  private static final Pattern EMAIL = Pattern.compile("[^@/\\s]{1,64}@[A-Za-z0-9.-]{1,253}\\.[A-Za-z]{2,24}");
  private static final Pattern HEX = Pattern.compile("(?=[0-9a-fA-F]*\\d)[0-9a-fA-F]{8,}");
  private static final Pattern BASE64 = Pattern.compile("[A-Za-z0-9_+-]{16,}={0,2}");

  private PathNormalizer() {}

  /** Returns the template of {@code path}; the query string, if any, is dropped. */
  public static String template(String path) {
    requireNonNull(path, "path");
    int q = path.indexOf('?');
    String p = q >= 0 ? path.substring(0, q) : path;
    if (p.isEmpty()) {
      return "/";
    }
    StringBuilder out = new StringBuilder(p.length());
    int i = 0;
    int n = p.length();
    while (i < n) {
      int slash = p.indexOf('/', i);
      if (slash < 0) {
        slash = n;
      }
      if (slash > i) {
        out.append(segment(p.substring(i, slash)));
      }
      if (slash < n) {
        out.append('/');
      }
      i = slash + 1;
    }
    return out.toString();
  }

  /** Returns the placeholder for one path segment, or the segment itself when it is a literal. */
  public static String segment(String s) {
    requireNonNull(s, "s");
    String decoded = s.indexOf('%') >= 0 ? safeDecode(s) : s;
    if (isDigits(decoded)) {
      return "{int}";
    }
    if (UUID.matcher(decoded).matches()) {
      return "{uuid}";
    }
    if (DATE.matcher(decoded).matches()) {
      return "{date}";
    }
    if (decoded.indexOf('@') > 0 && EMAIL.matcher(decoded).matches()) {
      return "{email}";
    }
    if (HEX.matcher(decoded).matches()) {
      return "{hex}";
    }
    if (decoded.length() >= 16 && BASE64.matcher(decoded).matches() && looksRandom(decoded)) {
      return "{token}";
    }
    return s;
  }

  private static boolean isDigits(String s) {
    if (s.isEmpty() || s.length() > 19) {
      return !s.isEmpty() && s.chars().allMatch(Character::isDigit);
    }
    for (int i = 0; i < s.length(); i++) {
      if (!Character.isDigit(s.charAt(i))) {
        return false;
      }
    }
    return true;
  }

  /** Mixed character classes and no long dictionary-like runs: "aGVsbG8gd29ybGQ" yes, "user-settings-page" no. */
  private static boolean looksRandom(String s) {
    int upper = 0;
    int lower = 0;
    int digit = 0;
    int run = 0;
    int maxLowerRun = 0;
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (Character.isUpperCase(c)) {
        upper++;
        run = 0;
      } else if (Character.isLowerCase(c)) {
        lower++;
        run++;
        maxLowerRun = Math.max(maxLowerRun, run);
      } else {
        if (Character.isDigit(c)) {
          digit++;
        }
        run = 0;
      }
    }
    int classes = (upper > 0 ? 1 : 0) + (lower > 0 ? 1 : 0) + (digit > 0 ? 1 : 0);
    return classes >= 2 && (digit > 0 || upper > 1) && maxLowerRun < 10;
  }

  private static String safeDecode(String s) {
    try {
      return java.net.URLDecoder.decode(s.replace("+", "%2B"), java.nio.charset.StandardCharsets.UTF_8);
    } catch (IllegalArgumentException e) {
      return s;
    }
  }
}
