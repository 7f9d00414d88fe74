package io.gatehouse.server.internal;

import static java.util.Objects.requireNonNull;

import io.gatehouse.gateway.RedisOptions;
import io.gatehouse.insight.threat.SharedCounts;
import io.lettuce.core.ClientOptions;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.SocketOptions;
import io.lettuce.core.SslVerifyMode;
import io.lettuce.core.TimeoutOptions;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.resource.ClientResources;
import io.lettuce.core.resource.DefaultClientResources;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The threat detectors' {@link SharedCounts} in the Redis server of {@code --redis} (its own
 * Lettuce connection, beside the rate-limit counters'): one Lua script per event keeps each key's
 * tumbling window (start, count) in a hash and answers the count atomically, so every count is
 * answered to exactly one node; distinct members (enumeration's ids) are a set beside a window
 * start, added and counted by one script too, at most a given number per window. Keys live in
 * {@code NAMESPACE:threat:} and expire two windows after they start. While Redis is unreachable, calls fail at once and the engine counts locally.
 */
final class RedisThreatCounts implements SharedCounts, AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(RedisThreatCounts.class);
  static final String SCRIPT = """
      local s = redis.call('HGET', KEYS[1], 's')
      local now = tonumber(ARGV[1])
      local w = tonumber(ARGV[2])
      if (not s) or now > tonumber(s) + w then
        redis.call('HSET', KEYS[1], 's', ARGV[1], 'c', 1)
        redis.call('PEXPIRE', KEYS[1], w * 2)
        return 1
      end
      return redis.call('HINCRBY', KEYS[1], 'c', 1)
      """;
  /** KEYS: the window's start, its set of members; ARGV: time, window (ms), member, most members kept. */
  static final String DISTINCT_SCRIPT = """
      local s = redis.call('GET', KEYS[1])
      local now = tonumber(ARGV[1])
      local w = tonumber(ARGV[2])
      if (not s) or now > tonumber(s) + w then
        redis.call('SET', KEYS[1], ARGV[1], 'PX', w * 2)
        redis.call('DEL', KEYS[2])
        redis.call('SADD', KEYS[2], ARGV[3])
        redis.call('PEXPIRE', KEYS[2], w * 2)
        return 1
      end
      if redis.call('SCARD', KEYS[2]) >= tonumber(ARGV[4]) or redis.call('SADD', KEYS[2], ARGV[3]) == 0 then
        return 0
      end
      return redis.call('SCARD', KEYS[2])
      """;

  private final String prefix;
  private final ClientResources resources;
  private final RedisClient client;
  private volatile StatefulRedisConnection<String, String> connection;
  private volatile boolean warned;
  private volatile long retryAt;

  private RedisThreatCounts(RedisOptions options) {
    this.prefix = options.namespace() + ":threat:";
    this.resources = DefaultClientResources.builder().ioThreadPoolSize(1).computationThreadPoolSize(1).build();
    RedisURI.Builder uri = RedisURI.builder().withHost(options.host()).withPort(options.port())
        .withDatabase(options.database()).withTimeout(options.timeout()).withClientName("gatehouse-threat");
    if (options.tls()) {
      uri.withSsl(true).withVerifyPeer(SslVerifyMode.FULL);
    }
    if (options.password() != null) {
      if (options.user() != null) {
        uri.withAuthentication(options.user(), options.password());
      } else {
        uri.withPassword(options.password());
      }
    }
    this.client = RedisClient.create(resources, uri.build());
    ClientOptions.Builder clientOptions = ClientOptions.builder();
    if (options.tls() && options.trustedCertificates() != null) {
      clientOptions.sslOptions(io.lettuce.core.SslOptions.builder().jdkSslProvider()
          .trustManager(options.trustedCertificates().toFile()).build());
    }
    client.setOptions(clientOptions.autoReconnect(true)
        .disconnectedBehavior(ClientOptions.DisconnectedBehavior.REJECT_COMMANDS)
        .timeoutOptions(TimeoutOptions.enabled(options.timeout()))
        .socketOptions(SocketOptions.builder().connectTimeout(options.timeout().multipliedBy(2)).keepAlive(true).build())
        .build());
  }

  /** Counts in the Redis server of {@code options}; connects on first use (and again after a failure to connect). */
  static RedisThreatCounts connect(RedisOptions options) {
    return new RedisThreatCounts(requireNonNull(options, "options"));
  }

  private StatefulRedisConnection<String, String> connection() {
    StatefulRedisConnection<String, String> c = connection;
    if (c == null) {
      synchronized (this) {
        if (connection == null) {
          if (System.nanoTime() - retryAt < 0) { // no connection attempt per event while Redis is down
            throw new IllegalStateException("not connected to Redis");
          }
          try {
            connection = client.connect();
          } catch (RuntimeException e) {
            retryAt = System.nanoTime() + 5_000_000_000L;
            throw e;
          }
        }
        c = connection;
      }
    }
    return c;
  }

  @Override
  public CompletionStage<Long> add(String key, Instant time, Duration window) {
    return logged(() -> connection().async().<Long>eval(SCRIPT, ScriptOutputType.INTEGER, new String[] {prefix + key},
        Long.toString(time.toEpochMilli()), Long.toString(window.toMillis())));
  }

  @Override
  public CompletionStage<Long> addDistinct(String key, String member, Instant time, Duration window, int max) {
    // one hash tag for both keys: they stay in one slot should the server be a Redis Cluster
    String base = prefix + "{" + key + "}";
    return logged(() -> connection().async().<Long>eval(DISTINCT_SCRIPT, ScriptOutputType.INTEGER,
        new String[] {base + ":start", base + ":ids"}, Long.toString(time.toEpochMilli()),
        Long.toString(window.toMillis()), member, Integer.toString(max)));
  }

  /** The call's answer, failed at once when it cannot be sent; the first failure (and the recovery) logged once. */
  private CompletionStage<Long> logged(java.util.function.Supplier<CompletionStage<Long>> call) {
    CompletionStage<Long> answer;
    try {
      answer = call.get();
    } catch (RuntimeException e) {
      answer = CompletableFuture.failedFuture(e);
    }
    return answer.whenComplete((n, e) -> {
      if (e != null && !warned) {
        warned = true;
        LOG.warn("threat detection counts cannot reach Redis ({}); counting on this node until it answers", e.toString());
      } else if (e == null && warned) {
        warned = false;
        LOG.info("threat detection counts reach Redis again");
      }
    });
  }

  @Override
  public void close() {
    StatefulRedisConnection<String, String> c = connection;
    if (c != null) {
      c.close();
    }
    client.shutdown();
    resources.shutdown();
  }
}
