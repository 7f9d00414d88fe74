package io.gatehouse.gateway;

import static java.util.Objects.requireNonNull;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Where the gateway keeps cluster-wide rate-limit, quota and concurrency counters: one Redis
 * server shared by every gateway node. {@link #toString()} never shows the password.
 *
 * @param tls whether to connect with TLS ({@code rediss://}); the server's certificate chain and
 *     host name are verified against the JVM's trusted authorities
 * @param host server host name or address
 * @param port server port (1 to 65535)
 * @param user ACL user name, nullable (the default user, or none)
 * @param password password, nullable (no AUTH)
 * @param database logical database number (at least 0)
 * @param namespace prefix of every key the gateway writes (separates clusters sharing one Redis)
 * @param timeout how long one command may take before the server counts as unreachable
 * @param trustedCertificates PEM file of the authorities that may sign the server's certificate
 *     ({@code rediss://} only), nullable for the JVM's default trusted authorities
 */
public record RedisOptions(boolean tls, String host, int port, String user, String password, int database,
    String namespace, Duration timeout, Path trustedCertificates) {

  /** The namespace when none is given. */
  public static final String DEFAULT_NAMESPACE = "gatehouse";

  /** The command timeout when none is given. */
  public static final Duration DEFAULT_TIMEOUT = Duration.ofMillis(500);

  private static final Pattern URI = Pattern.compile(
      "(redis|rediss)://(?:([^:@/]*)(?::(.*))?@)?(\\[[0-9A-Fa-f:.]+\\]|[A-Za-z0-9.-]+)(?::([0-9]{1,5}))?(?:/([0-9]{1,5})?)?");
  private static final Pattern REFERENCE = Pattern.compile("\\$\\{(env|file):([^}]+)}");

  public RedisOptions {
    requireNonNull(host, "host");
    requireNonNull(namespace, "namespace");
    requireNonNull(timeout, "timeout");
    if (host.isBlank()) {
      throw new IllegalArgumentException("host must not be blank");
    }
    if (port < 1 || port > 65535) {
      throw new IllegalArgumentException("port must be from 1 to 65535 but was " + port);
    }
    if (database < 0) {
      throw new IllegalArgumentException("database must be at least 0 but was " + database);
    }
    if (!namespace.matches("[A-Za-z0-9_.-]{1,64}")) {
      throw new IllegalArgumentException("namespace must be 1 to 64 letters, digits, '_', '.' or '-' but was '" + namespace + "'");
    }
    if (timeout.isNegative() || timeout.isZero()) {
      throw new IllegalArgumentException("timeout must be positive but was " + timeout);
    }
  }

  /** A server at {@code host:port} without TLS or authentication, with the default namespace and timeout. */
  public static RedisOptions of(String host, int port) {
    return new RedisOptions(false, host, port, null, null, 0, DEFAULT_NAMESPACE, DEFAULT_TIMEOUT, null);
  }

  /**
   * Parses {@code redis://[USER[:PASSWORD]@]HOST[:PORT][/DB]} (or {@code rediss://} for TLS; port
   * 6379 by default). The password may be a reference, {@code ${env:NAME}} (an environment
   * variable of {@code env}) or {@code ${file:PATH}} (a file's content, trailing newline removed),
   * so that it stays out of the command line. Errors name the problem, never the password.
   */
  public static RedisOptions parse(String uri, Map<String, String> env) {
    requireNonNull(uri, "uri");
    requireNonNull(env, "env");
    Matcher m = URI.matcher(uri.trim());
    if (!m.matches()) {
      throw new IllegalArgumentException("expected redis://[USER[:PASSWORD]@]HOST[:PORT][/DB] or rediss://... but got '"
          + redact(uri) + "'");
    }
    boolean tls = m.group(1).equals("rediss");
    String user = m.group(2) == null || m.group(2).isEmpty() ? null : decode(m.group(2));
    String password = m.group(3) == null ? null : resolve(m.group(3), env);
    String host = m.group(4).startsWith("[") ? m.group(4).substring(1, m.group(4).length() - 1) : m.group(4);
    int port = m.group(5) == null ? 6379 : Integer.parseInt(m.group(5));
    if (port < 1 || port > 65535) {
      throw new IllegalArgumentException("the Redis port must be from 1 to 65535 but was " + port);
    }
    int db = m.group(6) == null ? 0 : Integer.parseInt(m.group(6));
    return new RedisOptions(tls, host, port, user, password, db, DEFAULT_NAMESPACE, DEFAULT_TIMEOUT, null);
  }

  private static String resolve(String raw, Map<String, String> env) {
    Matcher ref = REFERENCE.matcher(raw);
    if (!ref.matches()) {
      if (raw.contains("${")) {
        throw new IllegalArgumentException("the Redis password reference must be ${env:NAME} or ${file:PATH}");
      }
      return decode(raw);
    }
    String name = ref.group(2);
    if (ref.group(1).equals("env")) {
      String v = env.get(name);
      if (v == null || v.isEmpty()) {
        throw new IllegalArgumentException("the Redis password reference ${env:" + name + "} names an unset variable");
      }
      return v;
    }
    try {
      String v = Files.readString(Path.of(name), StandardCharsets.UTF_8);
      return v.endsWith("\r\n") ? v.substring(0, v.length() - 2) : v.endsWith("\n") ? v.substring(0, v.length() - 1) : v;
    } catch (IOException | RuntimeException e) {
      throw new IllegalArgumentException("the Redis password reference ${file:" + name + "} cannot be read: "
          + e.getClass().getSimpleName());
    }
  }

  private static String decode(String s) {
    return java.net.URLDecoder.decode(s.replace("+", "%2B"), StandardCharsets.UTF_8);
  }

  /** {@code uri} with any password replaced by {@code ***}, for messages. */
  public static String redact(String uri) {
    return uri == null ? "null" : uri.replaceAll("(://[^:@/]*:)[^@]*@", "$1***@");
  }

  /** Returns a copy whose keys start with {@code namespace}. */
  public RedisOptions withNamespace(String namespace) {
    return new RedisOptions(tls, host, port, user, password, database, namespace, timeout, trustedCertificates);
  }

  /** Returns a copy whose commands time out after {@code timeout}. */
  public RedisOptions withTimeout(Duration timeout) {
    return new RedisOptions(tls, host, port, user, password, database, namespace, timeout, trustedCertificates);
  }

  /** Returns a copy that authenticates as {@code user} (nullable: the default user) with {@code password}. */
  public RedisOptions withCredentials(String user, String password) {
    return new RedisOptions(tls, host, port, user, password, database, namespace, timeout, trustedCertificates);
  }

  /** Returns a copy that trusts the authorities in the PEM file {@code pem} (nullable: the JVM's) for {@code rediss://}. */
  public RedisOptions withTrustedCertificates(Path pem) {
    return new RedisOptions(tls, host, port, user, password, database, namespace, timeout, pem);
  }

  /** The address as a URI without the password, for logs. */
  @Override
  public String toString() {
    return (tls ? "rediss://" : "redis://") + (user == null ? "" : user + (password == null ? "" : ":***") + "@")
        + (user == null && password != null ? ":***@" : "") + (host.contains(":") ? "[" + host + "]" : host) + ":" + port
        + (database == 0 ? "" : "/" + database);
  }
}
