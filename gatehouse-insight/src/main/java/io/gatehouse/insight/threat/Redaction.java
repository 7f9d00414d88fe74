package io.gatehouse.insight.threat;

import java.util.Locale;

/** Removes secrets from evidence: query values of credential-like parameters become {@code ***}. */
public final class Redaction {
  private Redaction() {}

  /** {@code query} with the values of secret-looking parameters replaced by {@code ***} and long values cut. */
  public static String query(String query) {
    StringBuilder sb = new StringBuilder();
    for (String pair : query.split("&", -1)) {
      if (sb.length() > 0) {
        sb.append('&');
      }
      int eq = pair.indexOf('=');
      String name = eq < 0 ? pair : pair.substring(0, eq);
      sb.append(name);
      if (eq >= 0) {
        String value = pair.substring(eq + 1);
        sb.append('=').append(secretName(name) ? "***" : value.length() > 64 ? value.substring(0, 64) + "..." : value);
      }
      if (sb.length() > 512) {
        sb.append("...");
        break;
      }
    }
    return sb.toString();
  }

  /** Whether a parameter or header named {@code name} likely carries a credential. */
  public static boolean secretName(String name) {
    String n = name.toLowerCase(Locale.ROOT).replace("_", "-");
    return n.contains("key") || n.contains("token") || n.contains("secret") || n.contains("password")
        || n.contains("passwd") || n.contains("auth") || n.contains("session") || n.contains("signature")
        || n.equals("sig") || n.contains("credential") || n.equals("code");
  }
}
