package io.gatehouse.gateway.internal.policy.builtin;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.Expiry;
import io.gatehouse.gateway.internal.policy.Expression;
import io.gatehouse.gateway.internal.policy.GatewayContext;
import io.gatehouse.gateway.internal.policy.PolicyCompiler;
import io.gatehouse.gateway.internal.policy.PolicyConfig;
import io.gatehouse.gateway.internal.policy.Section;
import io.gatehouse.model.PolicyNames;
import io.gatehouse.policy.AttributeKey;
import io.gatehouse.policy.Body;
import io.gatehouse.policy.Headers;
import io.gatehouse.policy.Policy;
import io.gatehouse.policy.PolicyConfigException;
import io.gatehouse.policy.PolicyContext;
import io.gatehouse.policy.Request;
import io.gatehouse.policy.Response;
import io.gatehouse.policy.SyncPolicy;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;

/**
 * {@code cache-lookup}, {@code cache-store} (a response cache in memory, bounded by bytes) and
 * {@code cache-lookup-value}, {@code cache-store-value}, {@code cache-remove-value} (a value cache
 * shared by every API of the process).
 */
final class CachePolicies {
  private CachePolicies() {}

  /** Status header added to responses that passed a {@code cache-lookup}. */
  static final String STATUS_HEADER = "X-Cache";
  private static final AttributeKey<Pending> PENDING = AttributeKey.of("cache.pending", Pending.class);
  private static final Set<String> NOT_STORED = Set.of("content-length", "transfer-encoding", "connection",
      "keep-alive", "x-request-id", "age", "x-cache", "set-cookie");

  /** A stored response. */
  record Entry(int status, List<String[]> headers, byte[] body, long storedNanos, long ttlNanos, int weight) {}

  /** What a {@code cache-lookup} that missed leaves for {@code cache-store}. */
  record Pending(Cache<String, Entry> cache, String key, boolean sharedAuthorized) {}

  /** Expiry from each entry's own time to live. */
  private static final class EntryExpiry implements Expiry<String, Object> {
    @Override
    public long expireAfterCreate(String key, Object value, long currentTime) {
      return value instanceof Entry e ? e.ttlNanos() : ((TimedValue) value).ttlNanos();
    }

    @Override
    public long expireAfterUpdate(String key, Object value, long currentTime, long currentDuration) {
      return expireAfterCreate(key, value, currentTime);
    }

    @Override
    public long expireAfterRead(String key, Object value, long currentTime, long currentDuration) {
      return currentDuration;
    }
  }

  /** Looks a response up in the cache: a hit answers without calling the backend. */
  static final class CacheLookup extends Base {
    CacheLookup() {
      super(PolicyNames.CACHE_LOOKUP);
    }

    @Override
    public io.gatehouse.policy.Policy create(PolicyConfig c, Section section, PolicyCompiler compiler) {
      requestSectionsOnly(name(), section);
      List<String> varyHeaders = lowerAll(c.strings("vary-by-headers"));
      boolean allQuery = !c.has("vary-by-query-parameters");
      Set<String> varyQuery = new LinkedHashSet<>(c.strings("vary-by-query-parameters"));
      boolean shared = c.bool("shared", false);
      long maxMemory = c.number("max-memory", 64L << 20, 1024, 1L << 40);
      Set<String> methods = new LinkedHashSet<>();
      for (String m : c.strings("methods")) {
        methods.add(m.toUpperCase(Locale.ROOT));
      }
      if (methods.isEmpty()) {
        methods.add("GET");
        methods.add("HEAD");
      }
      @SuppressWarnings({"unchecked", "rawtypes"})
      Cache<String, Entry> cache = (Cache) Caffeine.newBuilder()
          .maximumWeight(maxMemory)
          .weigher((String k, Object v) -> ((Entry) v).weight())
          .expireAfter(new EntryExpiry())
          .build();
      return new SyncPolicy() {
        @Override
        public Response onRequest(PolicyContext ctx) {
          GatewayContext g = gw(ctx);
          Request r = ctx.request();
          String cc = lower(r.headers().getAll("Cache-Control"));
          if (!methods.contains(r.method()) || cc.contains("no-store")) {
            g.cacheStatus("BYPASS");
            return null;
          }
          String key = key(g, varyHeaders, allQuery, varyQuery, shared);
          Entry e = cc.contains("no-cache") ? null : cache.getIfPresent(key);
          long now = System.nanoTime();
          if (e != null && now - e.storedNanos() < e.ttlNanos()) {
            g.cacheStatus("HIT");
            Response hit = g.newResponse(e.status());
            for (String[] h : e.headers()) {
              hit.headers().add(h[0], h[1]);
            }
            hit.headers().set("Age", Long.toString(TimeUnit.NANOSECONDS.toSeconds(now - e.storedNanos())));
            hit.headers().set(STATUS_HEADER, "HIT");
            hit.body(Body.of(e.body()));
            return hit;
          }
          g.cacheStatus("MISS");
          ctx.set(PENDING, new Pending(cache, key, shared && r.headers().contains("Authorization")));
          return null;
        }

        @Override
        public void onResponse(PolicyContext ctx, Response response) {
          if (ctx.get(PENDING) != null && !response.headers().contains(STATUS_HEADER)) {
            response.headers().set(STATUS_HEADER, "MISS");
          }
        }
      };
    }

    private static String key(GatewayContext g, List<String> varyHeaders, boolean allQuery, Set<String> varyQuery,
        boolean shared) {
      Request r = g.request();
      StringBuilder k = new StringBuilder(128);
      k.append(g.apiName()).append('\n').append(r.method()).append('\n');
      String host = r.headers().get("Host");
      k.append(host == null ? "" : host.toLowerCase(Locale.ROOT)).append('\n').append(r.path()).append('\n');
      String q = r.query();
      if (q != null && !q.isEmpty()) {
        TreeMap<String, List<String>> params = new TreeMap<>(
            new io.netty.handler.codec.http.QueryStringDecoder(q, false).parameters());
        for (Map.Entry<String, List<String>> p : params.entrySet()) {
          if (allQuery || varyQuery.contains(p.getKey())) {
            k.append(p.getKey()).append('=').append(p.getValue()).append('&');
          }
        }
      }
      k.append('\n');
      for (String h : varyHeaders) {
        k.append(h).append(':').append(r.headers().getAll(h)).append('\n');
      }
      k.append(shared ? "*" : g.subscriptionName().isEmpty() ? "ip:" + g.clientIp() : "sub:" + g.subscriptionName());
      String authorization = r.headers().get("Authorization");
      if (!shared && authorization != null) {
        k.append("\nauth:").append(sha256(authorization)); // one caller's answer never reaches another
      }
      return k.toString();
    }
  }

  /** Stores the backend's response for a {@code cache-lookup} that missed. */
  static final class CacheStore extends Base {
    CacheStore() {
      super(PolicyNames.CACHE_STORE);
    }

    @Override
    public io.gatehouse.policy.Policy create(PolicyConfig c, Section section, PolicyCompiler compiler) {
      if (section != Section.OUTBOUND) {
        throw new PolicyConfigException("", "'cache-store' stores the backend's response and may appear in outbound only, not in "
            + section.key());
      }
      Duration duration = c.duration("duration", null);
      if (duration == null) {
        throw new PolicyConfigException("duration", "is required: the longest time a response is kept, such as 60s");
      }
      long maxTtl = duration.toNanos();
      int maxSize = (int) c.number("max-size", 1 << 20, 0, Integer.MAX_VALUE);
      Set<Integer> statuses = new LinkedHashSet<>();
      List<String> codes = c.strings("status-codes");
      for (int i = 0; i < codes.size(); i++) {
        try {
          int s = Integer.parseInt(codes.get(i));
          if (s < 200 || s > 599) {
            throw new NumberFormatException();
          }
          statuses.add(s);
        } catch (NumberFormatException e) {
          throw new PolicyConfigException("status-codes[" + i + "]", "expected a status from 200 to 599 but got '"
              + codes.get(i) + "'");
        }
      }
      if (statuses.isEmpty()) {
        statuses.add(200);
      }
      return (Policy) (ctx, next) -> next.proceed(ctx).thenCompose(r -> {
        Pending p = ctx.get(PENDING);
        if (p == null || !statuses.contains(r.status())) {
          return ctx.completed(r);
        }
        // RFC 9111 3.5: a shared cache stores answers to authorized requests only when allowed.
        long ttl = p.sharedAuthorized() && !explicitlyShareable(r.headers()) ? 0 : ttl(r.headers(), maxTtl);
        if (ttl <= 0 || r.headers().contains("Set-Cookie") || "*".equals(r.headers().get("Vary"))
            || eventStream(r.headers())) {
          return ctx.completed(r);
        }
        ctx.set(PENDING, null);
        if (ctx.request().method().equals("HEAD")) {
          store(p, r, new byte[0], ttl);
          return ctx.completed(r);
        }
        return gw(ctx).bufferUpTo(r.body(), maxSize).thenApply(bytes -> {
          if (bytes != null) {
            store(p, r, bytes, ttl);
            r.body(Body.of(bytes));
          }
          return r;
        });
      });
    }

    /** Whether the response is a server-sent event stream, which is relayed as it comes and never stored. */
    static boolean eventStream(Headers h) {
      String type = h.get("Content-Type");
      return type != null && type.regionMatches(true, 0, "text/event-stream", 0, 17);
    }

    /** The time to live: {@code max} lowered by the response's {@code s-maxage} or {@code max-age}; 0 when not storable. */
    static long ttl(Headers h, long max) {
      String cc = lower(h.getAll("Cache-Control"));
      if (cc.isEmpty()) {
        return max;
      }
      long sMaxAge = -1;
      long maxAge = -1;
      for (String d : cc.split(",")) {
        String t = d.trim();
        if (t.equals("no-store") || t.equals("private") || t.equals("no-cache")) {
          return 0;
        }
        if (t.startsWith("s-maxage=")) {
          sMaxAge = seconds(t.substring(9));
        } else if (t.startsWith("max-age=")) {
          maxAge = seconds(t.substring(8));
        }
      }
      long age = sMaxAge >= 0 ? sMaxAge : maxAge;
      return age < 0 ? max : Math.min(max, TimeUnit.SECONDS.toNanos(age));
    }

    static boolean explicitlyShareable(Headers h) {
      String cc = lower(h.getAll("Cache-Control"));
      return cc.contains("public") || cc.contains("s-maxage") || cc.contains("must-revalidate");
    }

    private static long seconds(String s) {
      try {
        return Long.parseLong(s.replace("\"", "").trim());
      } catch (NumberFormatException e) {
        return 0; // an invalid age is stale
      }
    }

    private static void store(Pending p, Response r, byte[] body, long ttl) {
      List<String[]> headers = new ArrayList<>();
      int weight = 96 + p.key().length() + body.length;
      for (String name : r.headers().names()) {
        if (NOT_STORED.contains(name.toLowerCase(Locale.ROOT))) {
          continue;
        }
        for (String v : r.headers().getAll(name)) {
          headers.add(new String[] {name, v});
          weight += name.length() + v.length() + 32;
        }
      }
      p.cache().put(p.key(), new Entry(r.status(), List.copyOf(headers), body, System.nanoTime(), ttl, weight));
    }
  }

  // ------------------------------------------------------------------ value cache

  /** A value with its own time to live. */
  record TimedValue(Object value, long ttlNanos, int weight) {}

  /** The process-wide value cache (64 MiB, estimated). */
  static final class Values {
    @SuppressWarnings({"unchecked", "rawtypes"})
    static final Cache<String, TimedValue> CACHE = (Cache) Caffeine.newBuilder()
        .maximumWeight(64L << 20)
        .weigher((String k, Object v) -> ((TimedValue) v).weight())
        .expireAfter(new EntryExpiry())
        .build();

    private Values() {}
  }

  /** Reads a value cached by {@code cache-store-value} into a variable. */
  static final class CacheLookupValue extends Base {
    CacheLookupValue() {
      super(PolicyNames.CACHE_LOOKUP_VALUE);
    }

    @Override
    public io.gatehouse.policy.Policy create(PolicyConfig c, Section section, PolicyCompiler compiler) {
      Expression key = compiler.expression("key", c.requiredString("key"), false);
      String variable = c.requiredString("variable-name");
      boolean hasDefault = c.has("default-value");
      Object def = hasDefault ? celValue(c.raw("default-value")) : null;
      return (SyncPolicy) ctx -> {
        GatewayContext g = gw(ctx);
        TimedValue v = Values.CACHE.getIfPresent(key.string(g));
        if (v != null) {
          g.variables().put(variable, v.value());
        } else if (hasDefault) {
          g.variables().put(variable, def);
        }
        return null;
      };
    }
  }

  /** Caches the value of a CEL expression under a key for {@code duration}. */
  static final class CacheStoreValue extends Base {
    CacheStoreValue() {
      super(PolicyNames.CACHE_STORE_VALUE);
    }

    @Override
    public io.gatehouse.policy.Policy create(PolicyConfig c, Section section, PolicyCompiler compiler) {
      Expression key = compiler.expression("key", c.requiredString("key"), false);
      Expression value = compiler.expression("value", c.requiredString("value"), false);
      Duration duration = c.duration("duration", null);
      if (duration == null) {
        throw new PolicyConfigException("duration", "is required: how long the value is kept, such as 5m");
      }
      long ttl = duration.toNanos();
      SyncPolicy store = ctx -> {
        GatewayContext g = gw(ctx);
        String k = key.string(g);
        Object v = value.eval(g);
        Values.CACHE.put(k, new TimedValue(v, ttl, 64 + k.length() + String.valueOf(v).length()));
        return null;
      };
      return store;
    }
  }

  /** Removes a cached value. */
  static final class CacheRemoveValue extends Base {
    CacheRemoveValue() {
      super(PolicyNames.CACHE_REMOVE_VALUE);
    }

    @Override
    public io.gatehouse.policy.Policy create(PolicyConfig c, Section section, PolicyCompiler compiler) {
      Expression key = compiler.expression("key", c.requiredString("key"), false);
      return (SyncPolicy) ctx -> {
        Values.CACHE.invalidate(key.string(gw(ctx)));
        return null;
      };
    }
  }

  static Object celValue(Object v) {
    if (v instanceof Integer || v instanceof Short) {
      return ((Number) v).longValue();
    }
    if (v instanceof Float) {
      return ((Float) v).doubleValue();
    }
    return v;
  }

  private static String sha256(String s) {
    try {
      byte[] d = java.security.MessageDigest.getInstance("SHA-256").digest(s.getBytes(java.nio.charset.StandardCharsets.UTF_8));
      return java.util.HexFormat.of().formatHex(d);
    } catch (java.security.NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  private static List<String> lowerAll(List<String> in) {
    List<String> out = new ArrayList<>();
    for (String s : in) {
      out.add(s.toLowerCase(Locale.ROOT));
    }
    return List.copyOf(out);
  }

  private static String lower(List<String> values) {
    return values.isEmpty() ? "" : String.join(",", values).toLowerCase(Locale.ROOT);
  }
}
