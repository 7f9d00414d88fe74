package io.gatehouse.gateway.internal;

/** Edits raw query strings without decoding the parameters that are kept. */
public final class QueryStrings {
  private QueryStrings() {}

  /**
   * {@code query} without every {@code name=...} pair, also when the pair's name is percent- or
   * {@code +}-encoded (as the parameter parser reads it); {@code null} when nothing remains.
   */
  public static String without(String query, String name) {
    if (query == null) {
      return null;
    }
    StringBuilder out = new StringBuilder(query.length());
    for (String pair : query.split("&")) {
      int eq = pair.indexOf('=');
      String key = eq < 0 ? pair : pair.substring(0, eq);
      if (key.equals(name) || (key.length() >= name.length() && (key.indexOf('%') >= 0 || key.indexOf('+') >= 0)
          && decoded(key).equals(name))) {
        continue;
      }
      if (out.length() > 0) {
        out.append('&');
      }
      out.append(pair);
    }
    return out.length() == 0 ? null : out.toString();
  }

  private static String decoded(String key) {
    try {
      return java.net.URLDecoder.decode(key, java.nio.charset.StandardCharsets.UTF_8);
    } catch (IllegalArgumentException e) {
      return key; // malformed escapes: not the parameter's name
    }
  }
}
