package io.gatehouse.gateway.internal;

/** Edits raw query strings without decoding the parameters that are kept. */
public final class QueryStrings {
  private QueryStrings() {}

  /** {@code query} without every {@code name=...} pair; {@code null} when nothing remains. */
  public static String without(String query, String name) {
    if (query == null) {
      return null;
    }
    StringBuilder out = new StringBuilder(query.length());
    for (String pair : query.split("&")) {
      int eq = pair.indexOf('=');
      String key = eq < 0 ? pair : pair.substring(0, eq);
      if (key.equals(name)) {
        continue;
      }
      if (out.length() > 0) {
        out.append('&');
      }
      out.append(pair);
    }
    return out.length() == 0 ? null : out.toString();
  }
}
