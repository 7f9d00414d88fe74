package io.gatehouse.server.internal;

import io.gatehouse.gateway.RedisOptions;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import picocli.CommandLine.Option;

/**
 * The {@code serve} options that put rate-limit, quota and concurrency counters in a Redis server
 * shared by every gateway node ({@code --redis}, {@code --redis-ca}); without {@code --redis}
 * each node counts alone.
 */
final class RedisArgs {
  /** The variable that gives {@code --redis} when the option is absent. */
  static final String ENV = "GATEHOUSE_REDIS";

  // no picocli default from the environment: picocli would expand the ${env:}/${file:} of a password
  // reference in the variable's value itself (into "null"); options() reads the variable instead
  @Option(names = "--redis", paramLabel = "URI",
      description = "Keep rate-limit, quota and concurrency counters in this Redis server, shared by every gateway node:"
          + " redis://[USER[:PASSWORD]@]HOST[:PORT][/DB], or rediss:// for verified TLS; the password may be"
          + " $${env:NAME} or $${file:PATH} (env GATEHOUSE_REDIS). Default: each node counts alone.")
  String uri;

  @Option(names = "--redis-ca", paramLabel = "CA.pem", defaultValue = "${env:GATEHOUSE_REDIS_CA}",
      description = "Authorities (PEM) that may sign the rediss:// server's certificate, instead of the JVM's"
          + " (env GATEHOUSE_REDIS_CA).")
  Path ca;

  /**
   * The Redis settings, or {@code null} without {@code --redis}; throws an
   * {@link IllegalArgumentException} naming the bad option (never the password).
   */
  RedisOptions options(Map<String, String> env) {
    String uri = this.uri != null ? this.uri : env.get(ENV);
    if (uri == null || uri.isBlank()) {
      if (ca != null) {
        throw new IllegalArgumentException("--redis-ca needs --redis rediss://...");
      }
      return null;
    }
    RedisOptions options;
    try {
      options = RedisOptions.parse(uri, env);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("--redis: " + e.getMessage());
    }
    if (ca != null) {
      if (!options.tls()) {
        throw new IllegalArgumentException("--redis-ca applies to rediss:// only, but --redis is " + options);
      }
      if (!Files.isReadable(ca)) {
        throw new IllegalArgumentException("--redis-ca: cannot read " + ca);
      }
      options = options.withTrustedCertificates(ca);
    }
    return options;
  }
}
