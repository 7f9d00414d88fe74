package io.gatehouse.control;

import static java.util.Objects.requireNonNull;

import java.io.IOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A PostgreSQL address {@code postgresql://USER:PASSWORD@HOST[:PORT]/DATABASE[?PARAMETERS]}, parsed
 * and checked, with its password resolved; {@link #toString()} never shows the password.
 *
 * <p>The password may be written as a reference: {@code ${env:NAME}} (an environment variable) or
 * {@code ${file:PATH}} (a file's content, surrounding white space stripped), read once when the
 * address is parsed. These references come from the operator's command line or environment, so the
 * {@code --reference-allow} list, which bounds what the configuration's named values may read, does
 * not apply to them. Parameters pass to the PostgreSQL JDBC driver; those listed in
 * {@link #PARAMETERS} are accepted (TLS: {@code sslmode=verify-full&sslrootcert=/path/ca.pem}).
 */
public record DatabaseUrl(String user, String password, String host, int port, String database,
    Map<String, String> parameters) {
  /** The address scheme. */
  public static final String SCHEME = "postgresql";
  /** The connection parameters accepted in the query string, passed to the JDBC driver as they are. */
  public static final Set<String> PARAMETERS = Set.of("sslmode", "sslrootcert", "sslcert", "sslkey", "sslpassword",
      "connectTimeout", "socketTimeout", "applicationName", "targetServerType", "options", "currentSchema");
  private static final Pattern REFERENCE = Pattern.compile("\\$\\{(env|file):([^}]+)}");

  /** Checks the fields and copies the parameters. */
  public DatabaseUrl {
    requireNonNull(user, "user");
    requireNonNull(password, "password");
    requireNonNull(host, "host");
    requireNonNull(database, "database");
    if (port < 1 || port > 65535) {
      throw new IllegalArgumentException("expected a port from 1 to 65535 but got " + port);
    }
    parameters = Map.copyOf(requireNonNull(parameters, "parameters"));
  }

  /**
   * Parses {@code text}, resolving a password reference from {@code env} (and the file system).
   *
   * @throws IllegalArgumentException with a message that never quotes the password, when the
   *     address is malformed, a parameter unknown, or the reference cannot be read
   */
  public static DatabaseUrl parse(String text, Map<String, String> env) {
    requireNonNull(text, "text");
    requireNonNull(env, "env");
    String expected = "expected " + SCHEME + "://USER:PASSWORD@HOST[:PORT]/DATABASE[?sslmode=...]";
    if (!text.startsWith(SCHEME + "://")) {
      throw new IllegalArgumentException(expected + " but the address does not start with " + SCHEME + "://");
    }
    int at = text.lastIndexOf('@');
    if (at < 0) {
      throw new IllegalArgumentException(expected + " but the address has no USER:PASSWORD@");
    }
    String credentials = text.substring(SCHEME.length() + 3, at);
    int colon = credentials.indexOf(':');
    String user = decode(colon < 0 ? credentials : credentials.substring(0, colon));
    String rawPassword = colon < 0 ? "" : credentials.substring(colon + 1);
    if (user.isEmpty()) {
      throw new IllegalArgumentException(expected + " but the user name is empty");
    }
    URI uri;
    try {
      uri = new URI(SCHEME + "://" + text.substring(at + 1));
    } catch (URISyntaxException e) {
      throw new IllegalArgumentException(expected + " but the host part is malformed: " + e.getReason());
    }
    if (uri.getHost() == null || uri.getHost().isEmpty()) {
      throw new IllegalArgumentException(expected + " but the host is missing");
    }
    String path = uri.getPath() == null ? "" : uri.getPath();
    if (path.length() <= 1 || path.indexOf('/', 1) >= 0) {
      throw new IllegalArgumentException(expected + " but the database name is missing");
    }
    Map<String, String> parameters = new LinkedHashMap<>();
    if (uri.getRawQuery() != null && !uri.getRawQuery().isEmpty()) {
      for (String pair : uri.getRawQuery().split("&")) {
        int eq = pair.indexOf('=');
        String name = decode(eq < 0 ? pair : pair.substring(0, eq));
        if (!PARAMETERS.contains(name)) {
          throw new IllegalArgumentException("unknown database parameter '" + name + "'; expected one of "
              + new java.util.TreeSet<>(PARAMETERS));
        }
        parameters.put(name, eq < 0 ? "" : decode(pair.substring(eq + 1)));
      }
    }
    String password = resolve(rawPassword.startsWith("${") ? rawPassword : decode(rawPassword), env);
    return new DatabaseUrl(user, password, uri.getHost(), uri.getPort() < 0 ? 5432 : uri.getPort(),
        decode(path.substring(1)), parameters);
  }

  /** Whether {@code text} looks like an address of this kind (its scheme is {@value #SCHEME}). */
  public static boolean isPostgres(String text) {
    return text != null && text.startsWith(SCHEME + "://");
  }

  /** The JDBC address, without user and password (the driver gets them as properties). */
  public String jdbcUrl() {
    StringBuilder b = new StringBuilder("jdbc:postgresql://").append(host.contains(":") ? "[" + host + "]" : host)
        .append(':').append(port).append('/').append(URLEncoder.encode(database));
    return b.toString();
  }

  /** This address with the password written as {@code ***}. */
  @Override
  public String toString() {
    String query = parameters.isEmpty() ? "" : "?" + String.join("&",
        parameters.entrySet().stream().map(e -> e.getKey() + "=" + e.getValue()).sorted().toList());
    return SCHEME + "://" + user + ":***@" + host + ":" + port + "/" + database + query;
  }

  private static String resolve(String password, Map<String, String> env) {
    Matcher m = REFERENCE.matcher(password);
    if (!m.matches()) {
      if (password.startsWith("${")) {
        throw new IllegalArgumentException("expected the password reference as ${env:NAME} or ${file:PATH}");
      }
      return password;
    }
    if (m.group(1).equals("env")) {
      String value = env.get(m.group(2));
      if (value == null) {
        throw new IllegalArgumentException("the database password's environment variable " + m.group(2)
            + " is not set");
      }
      return value;
    }
    Path file = Path.of(m.group(2));
    try {
      return Files.readString(file, StandardCharsets.UTF_8).strip();
    } catch (IOException e) {
      throw new IllegalArgumentException("the database password file " + file + " cannot be read: "
          + e.getClass().getSimpleName());
    }
  }

  private static String decode(String s) {
    try {
      return URLDecoder.decode(s.replace("+", "%2B"), StandardCharsets.UTF_8);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("the database address holds a malformed %-escape");
    }
  }

  /** Encodes a database name for the JDBC address. */
  private static final class URLEncoder {
    static String encode(String s) {
      return java.net.URLEncoder.encode(s, StandardCharsets.UTF_8).replace("+", "%20");
    }
  }
}
