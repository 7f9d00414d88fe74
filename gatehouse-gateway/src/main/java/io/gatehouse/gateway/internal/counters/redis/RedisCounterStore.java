package io.gatehouse.gateway.internal.counters.redis;

import static java.util.Objects.requireNonNull;

import io.gatehouse.gateway.RedisOptions;
import io.gatehouse.gateway.internal.counters.SharedCounterStore;
import io.lettuce.core.ClientOptions;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.SocketOptions;
import io.lettuce.core.SslVerifyMode;
import io.lettuce.core.TimeoutOptions;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.async.RedisAsyncCommands;
import io.lettuce.core.resource.ClientResources;
import io.lettuce.core.resource.DefaultClientResources;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A {@link SharedCounterStore} in one Redis server (Lettuce, one multiplexed connection): every
 * check is one Lua script run atomically by Redis, so N+1 concurrent calls from any number of
 * nodes against a limit of N admit exactly N. Keys start with the namespace and expire with their
 * window (rate limits, quotas) or lease (concurrency).
 *
 * <p>A background thread heartbeats every {@value #HEARTBEAT_MILLIS} ms: it registers this node
 * in the sorted set {@code NS:nodes} (score: Redis time), counts the nodes seen within
 * {@value #LIVE_MILLIS} ms (kept as {@link #liveNodes()}), renews this node's concurrency leases,
 * and reconnects after a failure. A failed command marks the store unavailable until the next
 * successful heartbeat, so requests meanwhile do not wait for timeouts.
 *
 * <p>Windows of rate limits are aligned on the Redis server's clock (one clock for all nodes);
 * quota windows are computed by each node on its wall clock, as the local store does.
 */
public final class RedisCounterStore implements SharedCounterStore {
  private static final Logger LOG = LoggerFactory.getLogger(RedisCounterStore.class);
  static final long HEARTBEAT_MILLIS = 500;
  static final long LIVE_MILLIS = 5_000;
  /** How long a concurrency lease lasts unless its node renews it. */
  public static final Duration DEFAULT_LEASE = Duration.ofSeconds(15);

  private static final String NOW =
      "local t = redis.call('TIME') local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000) ";

  /** KEYS[1] window prefix; ARGV period ms, limit. Returns {count or -1, ms to window end}. */
  private static final Script WINDOW = new Script(NOW
      + "local period = tonumber(ARGV[1]) local start = now - (now % period) local key = KEYS[1] .. '@' .. start "
      + "local reset = start + period - now "
      + "local c = tonumber(redis.call('GET', key) or '0') "
      + "if c >= tonumber(ARGV[2]) then return {-1, reset} end "
      + "c = redis.call('INCR', key) "
      + "if c == 1 then redis.call('PEXPIRE', key, period + 1000) end "
      + "return {c, reset}");

  /** KEYS[1] calls, KEYS[2] bytes; ARGV calls limit, bytes limit, ttl ms. */
  private static final Script QUOTA = new Script(
      "if tonumber(ARGV[2]) > 0 and tonumber(redis.call('GET', KEYS[2]) or '0') >= tonumber(ARGV[2]) then return -2 end "
      + "if tonumber(ARGV[1]) == 0 then return 0 end "
      + "local c = tonumber(redis.call('GET', KEYS[1]) or '0') "
      + "if c >= tonumber(ARGV[1]) then return -1 end "
      + "c = redis.call('INCR', KEYS[1]) "
      + "if c == 1 then redis.call('PEXPIRE', KEYS[1], ARGV[3]) end "
      + "return c");

  /** KEYS[1] bytes; ARGV bytes, ttl ms. */
  private static final Script BYTES = new Script(
      "local b = redis.call('INCRBY', KEYS[1], ARGV[1]) redis.call('PEXPIRE', KEYS[1], ARGV[2]) return b");

  /** KEYS[1] lease set; ARGV max, lease id, lease ms. Returns 1 when taken, 0 when full. */
  private static final Script ACQUIRE = new Script(NOW
      + "redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now) "
      + "if redis.call('ZCARD', KEYS[1]) >= tonumber(ARGV[1]) then return 0 end "
      + "redis.call('ZADD', KEYS[1], now + tonumber(ARGV[3]), ARGV[2]) "
      + "redis.call('PEXPIRE', KEYS[1], ARGV[3]) return 1");

  /** KEYS lease sets; ARGV[1] lease ms, ARGV[i+1] the lease id in KEYS[i]. */
  private static final Script RENEW = new Script(NOW
      + "local ms = tonumber(ARGV[1]) for i = 1, #KEYS do "
      + "if redis.call('ZADD', KEYS[i], 'XX', 'CH', now + ms, ARGV[i + 1]) >= 0 then redis.call('PEXPIRE', KEYS[i], ms) end "
      + "end return #KEYS");

  /** KEYS[1] node set; ARGV node id, live ms. Returns the live node count. */
  private static final Script HEARTBEAT = new Script(NOW
      + "redis.call('ZADD', KEYS[1], now, ARGV[1]) "
      + "redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now - tonumber(ARGV[2])) "
      + "redis.call('PEXPIRE', KEYS[1], ARGV[2]) "
      + "return redis.call('ZCARD', KEYS[1])");

  private record Script(String body, String sha) {
    Script(String body) {
      this(body, sha1(body));
    }

    private static String sha1(String s) {
      try {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-1").digest(s.getBytes(StandardCharsets.UTF_8)));
      } catch (NoSuchAlgorithmException e) {
        throw new IllegalStateException(e);
      }
    }
  }

  private final RedisOptions options;
  private final String prefix;
  private final String nodesKey;
  private final String nodeId = UUID.randomUUID().toString();
  private final ClientResources resources;
  private final RedisClient client;
  private final ScheduledExecutorService heart;
  private final Map<RedisLease, Boolean> leases = new ConcurrentHashMap<>();
  private final AtomicLong leaseSeq = new AtomicLong();
  private final LongAdder failures = new LongAdder();
  private final LongAdder fallbackOpen = new LongAdder();
  private final LongAdder fallbackClosed = new LongAdder();
  private volatile StatefulRedisConnection<String, String> connection;
  private volatile RedisAsyncCommands<String, String> commands;
  private volatile boolean up;
  private volatile int live = 1;
  private volatile boolean closed;
  private long lastRenew;
  private final long leaseMillis;

  private RedisCounterStore(RedisOptions options, Duration lease) {
    this.options = options;
    this.leaseMillis = lease.toMillis();
    this.prefix = options.namespace() + ":";
    this.nodesKey = prefix + "nodes";
    this.resources = DefaultClientResources.builder().ioThreadPoolSize(2).computationThreadPoolSize(1)
        // reconnect soon after Redis returns (the default backs off up to 30 s)
        .reconnectDelay(io.lettuce.core.resource.Delay.constant(Duration.ofMillis(HEARTBEAT_MILLIS / 2)))
        .build();
    RedisURI.Builder uri = RedisURI.builder().withHost(options.host()).withPort(options.port())
        .withDatabase(options.database()).withTimeout(options.timeout()).withClientName("gatehouse");
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
    client.setOptions(clientOptions
        .autoReconnect(true)
        .disconnectedBehavior(ClientOptions.DisconnectedBehavior.REJECT_COMMANDS)
        .timeoutOptions(TimeoutOptions.enabled(options.timeout()))
        .socketOptions(SocketOptions.builder().connectTimeout(options.timeout().multipliedBy(2)).keepAlive(true).build())
        .build());
    this.heart = Executors.newSingleThreadScheduledExecutor(r -> {
      Thread t = new Thread(r, "gatehouse-redis-heartbeat");
      t.setDaemon(true);
      return t;
    });
  }

  /**
   * Connects to the server of {@code options} and starts heartbeating; when the server cannot be
   * reached yet, the store starts unavailable and keeps trying (a node may start before Redis).
   */
  public static RedisCounterStore connect(RedisOptions options) {
    return connect(options, DEFAULT_LEASE);
  }

  /**
   * Connects as {@link #connect(RedisOptions)} does, with concurrency leases lasting {@code lease}
   * (at least 1 s), renewed every fifth of it.
   */
  public static RedisCounterStore connect(RedisOptions options, Duration lease) {
    requireNonNull(options, "options");
    requireNonNull(lease, "lease");
    if (lease.compareTo(Duration.ofSeconds(1)) < 0) {
      throw new IllegalArgumentException("lease must be at least 1 s but was " + lease);
    }
    RedisCounterStore store = new RedisCounterStore(options, lease);
    store.beat(options.timeout().toMillis() * 2 + 5_000); // the first connection also loads classes and scripts
    if (store.up) {
      LOG.info("counters in Redis at {} (namespace {}), {} live node(s)", options, options.namespace(), store.live);
    } else {
      LOG.warn("Redis at {} is unreachable; limits follow on-store-failure until it answers", options);
    }
    long wait = options.timeout().toMillis() * 2;
    store.heart.scheduleWithFixedDelay(() -> store.beat(wait), HEARTBEAT_MILLIS, HEARTBEAT_MILLIS, TimeUnit.MILLISECONDS);
    return store;
  }

  /** This node's identity in the node set (random per start). */
  public String nodeId() {
    return nodeId;
  }

  @Override
  public boolean available() {
    return up;
  }

  @Override
  public int liveNodes() {
    return live;
  }

  /** Registers this node, counts the live ones and renews leases, waiting at most {@code waitMillis}. */
  private void beat(long waitMillis) {
    if (closed) {
      return;
    }
    try {
      if (connection == null) {
        StatefulRedisConnection<String, String> c = client.connect();
        commands = c.async();
        connection = c;
      }
      Long n = this.<Long>run(HEARTBEAT, ScriptOutputType.INTEGER, new String[] {nodesKey}, nodeId,
          Long.toString(LIVE_MILLIS)).toCompletableFuture().get(waitMillis, TimeUnit.MILLISECONDS);
      live = (int) Math.max(1, Math.min(Integer.MAX_VALUE, n));
      long now = System.nanoTime() / 1_000_000;
      if (!up || now - lastRenew >= leaseMillis / 5) {
        renewLeases();
        lastRenew = now;
      }
      if (!up) {
        LOG.info("Redis at {} answers again: shared counters resume ({} live node(s))", options, live);
      }
      up = true;
    } catch (Exception e) {
      failed(e instanceof java.util.concurrent.ExecutionException && e.getCause() != null ? e.getCause() : e);
    }
  }

  private void renewLeases() throws Exception {
    List<RedisLease> all = new ArrayList<>(leases.keySet());
    for (int i = 0; i < all.size(); i += 500) {
      List<RedisLease> chunk = all.subList(i, Math.min(all.size(), i + 500));
      String[] keys = new String[chunk.size()];
      String[] args = new String[chunk.size() + 1];
      args[0] = Long.toString(leaseMillis);
      for (int j = 0; j < chunk.size(); j++) {
        keys[j] = chunk.get(j).key;
        args[j + 1] = chunk.get(j).id;
      }
      run(RENEW, ScriptOutputType.INTEGER, keys, args).toCompletableFuture()
          .get(options.timeout().toMillis() * 2, TimeUnit.MILLISECONDS);
    }
  }

  private void failed(Throwable e) {
    failures.increment();
    if (up) {
      up = false;
      LOG.warn("Redis at {} is unreachable ({}); limits follow on-store-failure until it answers", options,
          e.getClass().getSimpleName());
    }
  }

  /** Runs {@code script} by its digest, sending its body when the server does not know it (after a restart). */
  private <T> CompletionStage<T> run(Script script, ScriptOutputType type, String[] keys, String... args) {
    RedisAsyncCommands<String, String> c = commands;
    if (c == null) {
      return CompletableFuture.failedFuture(new IllegalStateException("not connected to Redis"));
    }
    CompletionStage<T> first = c.evalsha(script.sha(), type, keys, args);
    return first.exceptionallyCompose(e -> {
      Throwable cause = e instanceof java.util.concurrent.CompletionException && e.getCause() != null ? e.getCause() : e;
      if (cause.getMessage() != null && cause.getMessage().startsWith("NOSCRIPT")) {
        return c.<T>eval(script.body(), type, keys, args);
      }
      return CompletableFuture.failedFuture(cause);
    });
  }

  /** As {@link #run}, marking the store unavailable when the command fails. */
  private <T> CompletionStage<T> check(Script script, ScriptOutputType type, String[] keys, String... args) {
    return this.<T>run(script, type, keys, args).whenComplete((r, e) -> {
      if (e != null) {
        failed(e);
      }
    });
  }

  @Override
  public CompletionStage<long[]> window(String key, long periodMillis, long limit) {
    return this.<List<Object>>check(WINDOW, ScriptOutputType.MULTI, new String[] {prefix + "rl:" + key},
        Long.toString(periodMillis), Long.toString(limit))
        .thenApply(r -> new long[] {((Number) r.get(0)).longValue(), ((Number) r.get(1)).longValue()});
  }

  @Override
  public CompletionStage<Long> quota(String key, long start, long end, long calls, long bandwidth) {
    String base = prefix + "q:{" + key + "}@" + start;
    return check(QUOTA, ScriptOutputType.INTEGER, new String[] {base + ":calls", base + ":bytes"},
        Long.toString(calls), Long.toString(bandwidth), Long.toString(ttl(end)));
  }

  @Override
  public void addBytes(String key, long start, long end, long bytes) {
    if (!up) {
      return; // counted by nobody: bytes of an outage are not replayed
    }
    String base = prefix + "q:{" + key + "}@" + start;
    check(BYTES, ScriptOutputType.INTEGER, new String[] {base + ":bytes"}, Long.toString(bytes), Long.toString(ttl(end)));
  }

  private static long ttl(long end) {
    // the window's end on this node's clock, plus a day of slack for clocks that disagree
    return Math.max(1, end - System.currentTimeMillis()) + 86_400_000L;
  }

  @Override
  public CompletionStage<Lease> acquire(String key, int max) {
    RedisLease lease = new RedisLease(prefix + "cc:" + key, nodeId + ":" + leaseSeq.incrementAndGet());
    return this.<Long>check(ACQUIRE, ScriptOutputType.INTEGER, new String[] {lease.key}, Integer.toString(max), lease.id,
        Long.toString(leaseMillis)).thenApply(taken -> {
          if (taken == 1) {
            leases.put(lease, Boolean.TRUE);
            return lease;
          }
          return null;
        });
  }

  private final class RedisLease implements Lease {
    final String key;
    final String id;
    final AtomicBoolean released = new AtomicBoolean();

    RedisLease(String key, String id) {
      this.key = key;
      this.id = id;
    }

    @Override
    public void release() {
      if (!released.compareAndSet(false, true)) {
        return;
      }
      leases.remove(this);
      RedisAsyncCommands<String, String> c = commands;
      if (c != null && up) {
        c.zrem(key, id).whenComplete((r, e) -> {
          if (e != null) {
            failed(e); // the lease expires by itself
          }
        });
      }
    }
  }

  @Override
  public void countFallback(boolean open) {
    (open ? fallbackOpen : fallbackClosed).increment();
  }

  @Override
  public long failures() {
    return failures.sum();
  }

  @Override
  public long fallbackDecisions(boolean open) {
    return (open ? fallbackOpen : fallbackClosed).sum();
  }

  @Override
  public void close() {
    if (closed) {
      return;
    }
    closed = true;
    heart.shutdownNow();
    StatefulRedisConnection<String, String> c = connection;
    if (c != null && up) {
      try { // leave the live count at once instead of after LIVE_MILLIS
        c.async().zrem(nodesKey, nodeId).get(options.timeout().toMillis(), TimeUnit.MILLISECONDS);
      } catch (Exception e) {
        // unreachable: the entry ages out
      }
    }
    try {
      if (c != null) {
        c.close();
      }
      client.shutdown(Duration.ZERO, Duration.ofSeconds(2));
      resources.shutdown(0, 2, TimeUnit.SECONDS);
    } catch (RuntimeException e) {
      LOG.warn("closing the Redis client: {}", e.toString());
    }
  }
}
